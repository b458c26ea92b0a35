"""The `reec` command line (Typer + Rich). Errors become one readable line and exit 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from reec.coverage import render_coverage
from reec.determine import determine
from reec.errors import InputError, ReecError
from reec.regime.snapshot import ProvisionState, load_regime
from reec.render import determination_to_dict, print_determination
from reec.screening import default_screener
from reec.shipment_input import read_shipment_file

app = typer.Typer(
    help="reec: China's rare-earth export controls as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
rules_app = typer.Typer(
    help="Browse the control entries and what is in force.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")

out = Console()
err = Console(stderr=True)

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD) to answer for.")]


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn a ReecError into one line on stderr and its exit status: never a traceback."""
    try:
        yield
    except ReecError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


def _date(value: str | None, field: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date: {value!r} (use YYYY-MM-DD)", field=field) from None


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="Shipment file (YAML or JSON, shared/FORMAT.md).")],
    as_of: AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Determine whether a shipment needs a Chinese licence, and why."""
    with reporting_errors():
        if fmt not in ("text", "json"):
            raise InputError(f"unknown format {fmt!r} (text or json)", field="--format")
        shipment = read_shipment_file(file)
        result = determine(shipment, as_of=_date(as_of), screener=default_screener())
        if fmt == "json":
            sys.stdout.write(
                json.dumps(determination_to_dict(result), ensure_ascii=False, indent=2)
            )
            sys.stdout.write("\n")
        else:
            print_determination(result, out)


@rules_app.command("list")
def rules_list(
    as_of: AsOf = None,
    status: Annotated[
        str | None, typer.Option(help="Only entries with this status (in_force, suspended, ...).")
    ] = None,
) -> None:
    """Every control entry and its status on a day."""
    with reporting_errors():
        regime = load_regime()
        day = _date(as_of) or date.today()
        view = regime.as_of(day)
        if status is not None and status not in {s.value for s in ProvisionState}:
            raise InputError(
                f"unknown status {status!r} ({', '.join(s.value for s in ProvisionState)})",
                field="--status",
            )
        table = Table(title=f"Control entries as of {day} (regime {regime.version})")
        for col in ("code", "title", "announcement", "status", "confidence"):
            table.add_column(col)
        for e in regime.entries:
            st = view.status(e.provision)
            if status is not None and st.state.value != status:
                continue
            label = st.state.value
            if st.suspension is not None:
                label += f" through {st.suspension.last_day}"
            table.add_row(e.code, e.title, e.provision.announcement, label, e.confidence)
        out.print(table)
        for w in view.warnings:
            err.print(f"[yellow]warning:[/] {w}")


@rules_app.command("show")
def rules_show(
    code: Annotated[str, typer.Argument(help="Control code, e.g. 1C905.b")],
    as_of: AsOf = None,
) -> None:
    """One control entry: what it covers, its dates, its sources."""
    with reporting_errors():
        regime = load_regime()
        entry = regime.entry(code)
        day = _date(as_of) or date.today()
        st = regime.as_of(day).status(entry.provision)
        table = Table(show_header=False, title=f"{entry.code}: {entry.title}")
        table.add_column("field", style="bold")
        table.add_column("value")
        m = entry.match
        rows = [
            ("title (zh)", entry.title_zh or "-"),
            ("announcement", f"{entry.provision.announcement}, {entry.clause}"),
            ("provision", f"{entry.provision.clause}: {entry.provision.summary}"),
            ("effective", entry.provision.effective.isoformat()),
            (
                "status on " + day.isoformat(),
                st.state.value
                + (
                    f" through {st.suspension.last_day} ({st.suspension.by})"
                    if st.suspension
                    else ""
                ),
            ),
            ("forms", ", ".join(f.value for f in m.forms)),
            (
                "composition",
                "; ".join(
                    filter(
                        None,
                        [
                            f"principal {m.principal}" if m.principal else "",
                            f"all of {', '.join(m.all_of)}" if m.all_of else "",
                            f"any of {', '.join(m.any_of)}" if m.any_of else "",
                        ],
                    )
                )
                or "-",
            ),
            ("keywords", ", ".join(m.keywords) or "-"),
            ("technology activities", ", ".join(a.value for a in m.activities_any) or "-"),
            ("reference HS codes", ", ".join(entry.hs_codes) or "none in the text"),
            ("inferred HS (trigger only)", ", ".join(entry.hs_codes_inferred) or "-"),
            ("confidence", entry.confidence),
            ("source", entry.source),
            ("official URL", entry.provision.citation.url or "-"),
            ("note", entry.note or "-"),
        ]
        for k, v in rows:
            table.add_row(k, v)
        out.print(table)


@app.command()
def coverage(
    output: Annotated[Path, typer.Option(help="Where to write the table.")] = Path(
        "docs/coverage.md"
    ),
    check_only: Annotated[
        bool, typer.Option("--check", help="Fail if the file differs from the data.")
    ] = False,
) -> None:
    """Write (or check) docs/coverage.md: every announcement and entry, with confidence."""
    with reporting_errors():
        text = render_coverage(load_regime())
        if check_only:
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            if current != text:
                raise ReecError(
                    f"{output} is out of date with the rule data; run `reec coverage`",
                    field=str(output),
                )
            out.print(f"{output} is up to date.")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")


def main() -> None:
    app()
