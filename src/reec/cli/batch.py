"""`reec batch`: determine every line of a CSV, Excel or Parquet order book (docs/batch.md)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reec.cli.common import AsOf, err, out, parse_date, reporting_errors
from reec.errors import InputError

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa
    from rich.table import Table

__all__ = ["register"]


def _summary(counts: Counter[tuple[str, str]], lines: int, seconds: float, title: str) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for col in ("verdict", "licence policy", "lines", "share"):
        table.add_column(col, justify="right" if col in ("lines", "share") else "left")
    for (verdict, policy), n in sorted(counts.items(), key=lambda kv: -kv[1]):
        table.add_row(verdict, policy or "-", f"{n:,}", f"{n / max(lines, 1):.1%}")
    table.caption = (
        f"{lines:,} lines in {seconds:.2f} s ({lines / max(seconds, 1e-9):,.0f} lines/s)"
    )
    return table


def batch(
    input_path: Annotated[
        Path, typer.Argument(metavar="INPUT", help="CSV, .xlsx or Parquet lines.")
    ],
    output: Annotated[
        Path, typer.Option("--out", help="Output .csv, .xlsx or .parquet (or folder).")
    ],
    as_of: AsOf = None,
    engine: Annotated[str, typer.Option(help="local or dask")] = "local",
    scheduler: Annotated[
        str, typer.Option(help="Dask scheduler address (tcp://host:8786) or 'local'.")
    ] = "local",
    partitions: Annotated[
        int | None, typer.Option(help="Dask partitions (default: 2 per worker).")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1, help="Local processes for the fact keys (default: the cores; 1: no fork)."
        ),
    ] = None,
) -> None:
    """Determine every shipment line of INPUT; write verdict, policy, codes and a reason."""
    import polars as pl
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from reec.batch import determine_frame, read_frame, read_table, write_table
    from reec.batch.parallel import default_processes
    from reec.batch.parquet import determine_parquet
    from reec.batch.table import determine_parquet_file, verdict_counts

    with reporting_errors():
        day = parse_date(as_of)
        if engine not in ("local", "dask"):
            raise InputError(f"unknown engine {engine!r} (local or dask)", field="--engine")
        start = time.perf_counter()
        if engine == "dask" and input_path.is_dir() and not output.suffix:
            _dask_files(input_path, output, day, scheduler)
            return
        result: pa.Table | pl.DataFrame
        if engine == "dask":
            from reec.batch.cluster import connect, determine_table_dask

            table = read_table(input_path)
            with err.status(f"determining on Dask ({scheduler})"), connect(scheduler) as client:
                result = determine_table_dask(table, day, client, partitions=partitions)
        else:
            with Progress(
                TextColumn("fact keys"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task("keys", total=None)

                def advance(done: int, total: int) -> None:
                    if done % 200 == 0 or done == total:
                        bar.update(task, completed=done, total=total)

                base, jobs = input_path.parent.resolve(), processes or default_processes()
                counts: Counter[tuple[str, str]] | None = None
                if _streamed(input_path, output):  # memory holds one chunk, not the file
                    counts = determine_parquet_file(
                        input_path, output, day, progress=advance, bom_base=base, processes=jobs
                    )
                elif _parquet_to_parquet(input_path, output):  # no text cell per line
                    counts = determine_parquet(
                        input_path, output, day, progress=advance, bom_base=base, processes=jobs
                    )
                if counts is not None:
                    seconds = time.perf_counter() - start
                    title = f"reec batch -> {output}"
                    out.print(_summary(counts, sum(counts.values()), seconds, title))
                    return
                result = determine_frame(
                    read_frame(input_path), day, progress=advance, bom_base=base, processes=jobs
                )
        write_table(result, output)
        seconds = time.perf_counter() - start
        rows = result.height if isinstance(result, pl.DataFrame) else result.num_rows
        out.print(_summary(verdict_counts(result), rows, seconds, f"reec batch -> {output}"))


def _streamed(path: Path, output: Path) -> bool:
    """A Parquet file of more than STREAM_LINES lines is answered chunk by chunk (into a
    Parquet or CSV file)."""
    import polars as pl

    from reec.batch.table import STREAM_LINES

    if path.suffix.lower() != ".parquet" or not path.is_file():
        return False
    if output.suffix.lower() not in (".parquet", ".csv"):
        return False
    try:
        lines = pl.scan_parquet(path).select(pl.len()).collect().item()
    except (pl.exceptions.PolarsError, OSError):
        return False  # read_frame reports it
    return bool(lines > STREAM_LINES)


def _parquet_to_parquet(path: Path, output: Path) -> bool:
    """A Parquet file answered into a Parquet file (`reec.batch.parquet`)."""
    parquet = (path.suffix.lower(), output.suffix.lower()) == (".parquet", ".parquet")
    return parquet and path.is_file()


def _dask_files(source: Path, target: Path, day: date | None, scheduler: str) -> None:
    from reec.batch.cluster import connect, determine_files_dask

    parts = sorted(source.glob("*.parquet"))
    if not parts:
        raise InputError("no .parquet files in the folder", field=str(source))
    start = time.perf_counter()
    with err.status(f"{len(parts)} parts on Dask ({scheduler})"), connect(scheduler) as client:
        counts = determine_files_dask(parts, target, day, client)
    lines = sum(counts.values())
    seconds = time.perf_counter() - start
    by_verdict = Counter({(v, ""): n for v, n in counts.items()})
    out.print(_summary(by_verdict, lines, seconds, f"reec batch (dask, files) -> {target}/"))


def register(app: typer.Typer) -> None:
    app.command()(batch)
