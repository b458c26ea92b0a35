"""`reec data path|verify|diff|impact` and the global `--data DIR` option: the rule data as a
folder outside the code (docs/data.md)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from reec.cli.common import AsOf, out, parse_date, reporting_errors

if TYPE_CHECKING:
    from reec.store import Store

__all__ = ["app", "register"]

app = typer.Typer(
    help="The rule-data folder: where it is, check it, compare two, what a new one changes.",
    no_args_is_help=True,
)

DATA_DIR_ENV = "REEC_DATA_DIR"  # reec.regime.loader.DATA_DIR_ENV (not imported: cold start)

Format = Annotated[
    Literal["text", "json"], typer.Option("--format", help="text (sentences) or json.")
]


def use_data(ctx: typer.Context, data: Path | None) -> None:
    """Point the rest of this command at the rule-data folder `data` (the root's --data option,
    declared once in reec.cli); the environment is restored when the command ends."""
    if data is None:
        return
    with reporting_errors():
        from reec.errors import RegimeDataError

        if not (data / "regime.yaml").is_file():
            raise RegimeDataError("not a rule-data folder (no regime.yaml)", field=f"--data {data}")
    previous = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(data.expanduser().resolve())

    def restore() -> None:
        if previous is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = previous

    ctx.call_on_close(restore)


@app.command("path")
def data_path() -> None:
    """Print the folder reec answers from (REEC_DATA_DIR / --data, or the bundled data)."""
    from reec.regime.loader import data_dir

    with reporting_errors():
        print(data_dir())


@app.command("verify")
def data_verify(
    folder: Annotated[
        Path | None, typer.Argument(help="Rule-data folder (default: the one reec answers from).")
    ] = None,
    fmt: Format = "text",
) -> None:
    """Load a rule-data folder strictly and print its version (a content hash)."""
    from reec.regime.loader import data_dir, holidays_file
    from reec.updates import verify_folder

    with reporting_errors():
        v = verify_folder((folder or data_dir()).expanduser().resolve(), holidays_file())
        if fmt == "json":
            print(
                json.dumps(
                    {
                        "folder": str(v.folder),
                        "version": v.version,
                        "current_as_of": v.current_as_of,
                        "announcements": v.announcements,
                        "control_entries": v.entries,
                        "list_entries": v.list_entries,
                        "holiday_notices": list(v.holiday_years),
                        "scenarios": list(v.scenarios),
                    },
                    indent=2,
                )
            )
            return
        out.print(v.version, highlight=False)
        out.print(
            f"{v.folder}: valid; current as of {v.current_as_of}; {v.announcements} "
            f"announcements, {v.entries} control entries, {v.list_entries} list entries, "
            f"holiday notices {', '.join(map(str, v.holiday_years)) or 'none'}, "
            f"{len(v.scenarios)} scenarios.",
            highlight=False,
            soft_wrap=True,
        )


@app.command("diff")
def data_diff(
    old: Annotated[Path, typer.Argument(help="The rule-data folder before.")],
    new: Annotated[Path, typer.Argument(help="The rule-data folder after.")],
    fmt: Format = "text",
) -> None:
    """Every change between two rule-data folders, in words (entries, dates, readings,
    parameters, policies, list entries added, removed or suspended, holiday notices)."""
    from reec.updates import diff_folders

    with reporting_errors():
        d = diff_folders(old.expanduser().resolve(), new.expanduser().resolve())
        if fmt == "json":
            print(json.dumps(d.to_dict(), indent=2, ensure_ascii=False))
            return
        out.print(
            f"{d.old_version} -> {d.new_version}: {len(d.changes)} change(s)", highlight=False
        )
        for c in d.changes:
            out.print(f"- [{c.kind}] {c.sentence}", markup=False, highlight=False, soft_wrap=True)


@app.command("impact")
def data_impact(
    new: Annotated[Path, typer.Argument(help="The new rule-data folder.")],
    orders: Annotated[
        Path | None,
        typer.Option("--orders", help="Order book or portfolio (CSV/Parquet, docs/batch.md)."),
    ] = None,
    customers: Annotated[
        Path | None,
        typer.Option("--customers", help="Customer file as for `reec screen` (CSV)."),
    ] = None,
    book: Annotated[
        bool,
        typer.Option(
            "--book/--no-book",
            help="Re-answer the licence book (REEC_DATABASE_URL): stored determinations, open "
            "applications, active licences. Skipped when the SQLite file does not exist.",
        ),
    ] = True,
    as_of: AsOf = None,
    fmt: Format = "text",
) -> None:
    """Re-answer what you hold under NEW rule data and list every answer that changes."""
    from reec.regime.loader import holidays_file
    from reec.updates.impact import RuleSet, impact

    with reporting_errors():
        day = parse_date(as_of) or _today()
        new_rules = RuleSet.of_folder(new.expanduser().resolve(), holidays_file())
        store = _book_store() if book else None
        try:
            report = impact(new_rules, store=store, orders=orders, customers=customers, as_of=day)
        finally:
            if store is not None:
                store.dispose()
        if fmt == "json":
            print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
            return
        checked = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.checked.items())
        out.print(
            f"{report.old_version} -> {report.new_version} as of {day}: "
            f"{len(report.changes)} answer(s) change ({checked or 'nothing given to check'})",
            highlight=False,
            soft_wrap=True,
        )
        for c in report.changes:
            out.print(f"- {c.sentence}", markup=False, highlight=False, soft_wrap=True)


def _today() -> date:
    from reec.today import today_in_china

    return today_in_china()


def _book_store() -> Store | None:
    """The licence book, if there is one: a missing SQLite file is not created."""
    from sqlalchemy.engine import make_url

    from reec.store import StoreSettings, open_store

    url = StoreSettings().database_url
    parsed = make_url(url)
    missing = not parsed.database or not Path(parsed.database).is_file()
    if parsed.get_backend_name() == "sqlite" and missing:
        return None
    return open_store()


def register(root: typer.Typer) -> None:
    """`reec data ...`; the global --data option is read by the root callback (use_data)."""
    root.add_typer(app, name="data")
