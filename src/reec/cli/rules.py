"""`reec rules list` and `reec rules show`: browse what is in force, and why."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from reec.cli.common import AsOf, err, legal_day, out, reporting_errors
from reec.errors import InputError
from reec.styled import styled

if TYPE_CHECKING:
    from reec.regime.snapshot import Regime

__all__ = ["app"]

app = typer.Typer(help="Browse the control entries and what is in force.", no_args_is_help=True)


@app.command("list")
def rules_list(
    as_of: AsOf = None,
    status: Annotated[
        str | None, typer.Option(help="Only entries with this status (in_force, suspended, ...).")
    ] = None,
) -> None:
    """Every control entry and its status on a day."""
    from rich.table import Table

    from reec.regime.snapshot import ProvisionState, load_regime

    with reporting_errors():
        regime = load_regime()
        day = legal_day(as_of)
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
            err.print(styled("[yellow]warning:[/] {}", w))


_CONFIDENCE = {
    "verified": "text seen in the official announcement; applied as law",
    "secondary": "from a secondary source; applied, and marked secondary in every reason",
    "inferred": "an inference, not text: a screening trigger only, never applied as law",
}


def _show_parent(regime: Regime, code: str, day: date) -> None:
    """A parent code (1C903.a, 1C903.a.3): the entries under it, each with its status."""
    from rich.table import Table

    view = regime.as_of(day)
    children = regime.children(code)
    table = Table(title=f"{code}: {len(children)} entries under it (as of {day})")
    for col in ("code", "title", "status", "confidence"):
        table.add_column(col)
    for e in children:
        st = view.status(e.provision)
        label = st.state.value + (f" through {st.suspension.last_day}" if st.suspension else "")
        table.add_row(e.code, e.title, label, e.confidence)
    out.print(table)
    out.print(f"Show one with `reec rules show {children[0].code}`.")


@app.command("show")
def rules_show(
    code: Annotated[str, typer.Argument(help="Control code, e.g. 1C905.b")],
    as_of: AsOf = None,
) -> None:
    """One control entry: what it covers, its dates, its sources."""
    from rich.table import Table

    from reec.regime.snapshot import load_regime

    with reporting_errors():
        regime = load_regime()
        day = legal_day(as_of)
        if code not in regime.entries_by_code and regime.children(code):
            _show_parent(regime, code, day)
            return
        entry = regime.entry(code)
        st = regime.as_of(day).status(entry.provision)
        table = Table(show_header=False, title=f"{entry.code}: {entry.title}")
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
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
            (
                "parameters (give them in the item's `parameters`)",
                "; ".join(
                    f"{p.name}: {p.text} [{p.unit}]"
                    + ("" if p.confidence == "verified" else f" ({p.confidence})")
                    for p in m.parameters
                )
                or "-",
            ),
            ("technology activities", ", ".join(a.value for a in m.activities_any) or "-"),
            ("reference HS codes", ", ".join(entry.hs_codes) or "none in the text"),
            ("inferred HS (trigger only)", ", ".join(entry.hs_codes_inferred) or "-"),
            ("confidence", f"{entry.confidence}: {_CONFIDENCE[entry.confidence]}"),
            ("source", entry.source),
            ("note", entry.note or "-"),
        ]
        for k, v in rows:
            table.add_row(k, v)
        out.print(table)
        # Outside the table: a URL folded or cut to the terminal's width cannot be followed.
        url = entry.provision.citation.url
        out.print(f"official URL: {url or '-'}", soft_wrap=True, highlight=False, markup=False)
