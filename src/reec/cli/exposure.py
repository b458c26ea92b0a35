"""`reec exposure`: a portfolio's licence needs over time, under named scenarios."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reec.cli.common import legal_day, out, parse_date, reporting_errors

if TYPE_CHECKING:
    import polars as pl

__all__ = ["register"]


def exposure(
    portfolio: Annotated[Path, typer.Argument(help="Portfolio CSV or Parquet (docs/exposure.md).")],
    start: Annotated[
        str | None,
        typer.Option("--from", help="First day (YYYY-MM-DD); default: today in China."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Last day (YYYY-MM-DD); default: 365 days after --from."),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            help="Scenario name (suspension-extended, suspension-lapses, no-61) or a YAML "
            "file; repeatable. The data as it stands (as-is) is always included, and so is "
            "each other reading of an open dated fact (reading-<id>, docs/guide.md).",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for CSVs, PNG charts, report.html.")
    ] = None,
) -> None:
    """Which SKUs, markets and customers need a licence, per day, under each scenario."""
    from reec.batch import read_table
    from reec.exposure import AS_IS, exposure_frames, intervals, load_scenario, write_outputs

    with reporting_errors():
        first = legal_day(start, "--from")
        last = parse_date(end, "--to") or first + timedelta(days=365)
        names = list(dict.fromkeys([AS_IS, *(scenario or [])]))
        scenarios = [load_scenario(n) for n in names]
        frames = exposure_frames(read_table(portfolio), first, last, scenarios)
        _print(intervals(frames), first, last)
        if out_dir is not None:
            written = write_outputs(frames, out_dir, f"reec exposure: {portfolio.name}")
            out.print(f"wrote {len(written)} files to {out_dir} (report: {out_dir}/report.html)")


def _print(rows: pl.DataFrame, first: date, last: date) -> None:
    from rich.table import Table

    table = Table(title=f"Exposure {first} to {last}: share of value under licence")
    for col in ("scenario", "from", "to", "share", "SKUs", "customers", "markets", "policies"):
        table.add_column(col, justify="right" if col in ("share", "SKUs", "customers") else "left")
    for r in rows.iter_rows(named=True):
        table.add_row(
            r["scenario"],
            str(r["valid_from"]),
            str(r["valid_to"]),
            f"{r['share_licence']:.1%}",
            str(r["skus_licence"]),
            str(r["customers_licence"]),
            r["markets_licence"] or "-",
            r["policies"] or "-",
        )
    table.caption = (
        "Evaluated on the first day and on each boundary day (rule data and list dates); "
        "an answer can only change on those days, and holds until the next."
    )
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(exposure)
