"""`reec screen`: screen a customer master (CSV or Excel) against the three lists, as of a day."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from reec.cli.common import AsOf, err, legal_day, out, reporting_errors

__all__ = ["register"]


def screen(
    parties: Annotated[
        Path, typer.Argument(help="CSV or .xlsx: name[, id, name_zh, country, role].")
    ],
    out_file: Annotated[
        Path, typer.Option("--out", help="Hits file: .xlsx, or CSV (UTF-8 with BOM).")
    ],
    as_of: AsOf = None,
    lists: Annotated[
        Path | None,
        typer.Option("--lists", help="Folder of your own list files (same format), added."),
    ] = None,
    ownership: Annotated[
        Path | None, typer.Option("--ownership", help="CSV owner,owned,share (affiliates).")
    ] = None,
) -> None:
    """Screen party names against the Control List, Watch List and Unreliable Entity List."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from reec.screening import ListScreener, default_screener
    from reec.screening.lists import load_lists
    from reec.screening.ownership import read_ownership_csv
    from reec.screening.table import STRONGEST, read_parties, screen_rows, write_hits

    with reporting_errors():
        day = legal_day(as_of)
        rows = read_parties(parties)
        holdings = read_ownership_csv(ownership) if ownership is not None else []
        screener = ListScreener(load_lists(lists)) if lists is not None else default_screener()
        assert isinstance(screener, ListScreener)
        started = time.perf_counter()
        with Progress(
            TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("screening", total=len(rows))
            names: dict[str, int] = {}
            written = write_hits(
                out_file,
                screen_rows(
                    screener, rows, day, holdings, progress=lambda n: bar.advance(task, n),
                    names=names,
                ),
            )  # fmt: skip
        took = time.perf_counter() - started
        summary = ", ".join(f"{names[k]} {k}" for k in STRONGEST if k in names) or "nothing"
        out.print(
            f"{len(rows)} names screened as of {day} in {took:.1f} s: {summary} "
            f"({sum(written.values())} rows) -> {out_file}"
        )
        out.print(f"Lists checked: {'; '.join(screener.lists_checked(day))}.", highlight=False)
        out.print("A name without a hit is not cleared: only these lists were checked.")


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
