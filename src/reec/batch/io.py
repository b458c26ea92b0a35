"""Read and write batch files: CSV, Excel (.xlsx) or Parquet, chosen by the file suffix."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa

from reec.errors import InputError
from reec.tabular import csv_safe, is_excel, read_rows, replacing, write_rows

__all__ = ["read_frame", "read_table", "write_table"]


def read_frame(path: Path) -> pl.DataFrame:
    """Every CSV column is read as text (HS codes keep their leading zeros)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError("no such file or directory", field=str(path))
    try:
        if path.is_dir():
            return pl.read_parquet(path / "*.parquet")
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema=False)
        if is_excel(path):
            header, rows = read_rows(path)
            names = [h for h in header if h]
            return pl.DataFrame(
                {h: [r.get(h, "") or None for r in rows] for h in names},
                schema=dict.fromkeys(names, pl.String),
            )
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"cannot read the file: {exc}", field=str(path)) from None
    raise InputError(
        "give a .csv, .xlsx or .parquet file (or a folder of .parquet)", field=str(path)
    )


def read_table(path: Path) -> pa.Table:
    """`read_frame` as an Arrow table."""
    return read_frame(path).to_arrow()


def write_table(table: pa.Table | pl.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    df = pl.from_arrow(table) if isinstance(table, pa.Table) else table
    if not isinstance(df, pl.DataFrame):
        raise InputError("nothing to write", field=str(path))
    if suffix == ".parquet":
        with replacing(path) as tmp:
            df.write_parquet(tmp)
    elif suffix == ".csv":
        text = [c for c, t in df.schema.items() if t == pl.String]
        safe = df.with_columns(pl.col(c).map_elements(csv_safe, pl.String) for c in text)
        with replacing(path) as tmp:  # Excel shows Chinese names only with the BOM
            safe.write_csv(tmp, include_bom=True)
    elif is_excel(path):
        write_rows(path, df.columns, df.iter_rows(named=True), sheet="batch")
    else:
        raise InputError("write a .csv, .xlsx or .parquet file", field=str(path))
