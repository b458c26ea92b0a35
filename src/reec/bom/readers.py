"""BOM files (CSV, Parquet, JSON, Excel) and nested `contents` -> rows of text -> `Bom`.

Every reader hands `build_bom` the same ten text columns, so validation and error messages are
one code path. Numbers are read as text (JSON numbers too) so a value is the decimal the user
wrote, never a float approximation. Rows are named as a user finds them: the spreadsheet row
(header = row 1) for CSV and Excel, the record number for JSON and Parquet, the field path for
nested contents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from reec.bom.build import COLUMNS, REQUIRED, build_bom
from reec.bom.contents import bom_from_item, root_facts
from reec.bom.model import Bom, RootFacts
from reec.bom.parquet import parquet_bom
from reec.bom.rates import Rates
from reec.errors import BomError

__all__ = ["SUFFIXES", "bom_from_item", "read_bom", "read_bom_rows", "root_facts"]

SUFFIXES = (".csv", ".parquet", ".json", ".xlsx")
_FIRST_ROW = {".csv": 2, ".xlsx": 2, ".parquet": 1, ".json": 1}
"""The number a user sees for the first data row: spreadsheet row, or record number."""


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def _from_records(records: list[dict[str, Any]], where: str) -> pl.DataFrame:
    columns: dict[str, list[str | None]] = {}
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise BomError(
                "each line must be an object with the BOM columns", field=f"{where}[{i}]"
            )
        for key in rec:
            columns.setdefault(str(key), [None] * i)
        for key, col in columns.items():
            col.append(_text(rec.get(key)))
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _json(path: Path) -> pl.DataFrame:
    raw = json.loads(path.read_text(encoding="utf-8"), parse_float=str, parse_int=str)
    if isinstance(raw, dict) and isinstance(raw.get("lines"), list):
        raw = raw["lines"]
    if not isinstance(raw, list):
        raise BomError('a JSON BOM is a list of lines (or {"lines": [...]})', field=str(path))
    return _from_records(raw, str(path))


def _xlsx(path: Path) -> pl.DataFrame:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        data = [[_text(v) for v in row] for row in rows]
    finally:
        book.close()
    data = [r for r in data if any(v not in (None, "") for v in r)]
    cols = {h: [r[i] if i < len(r) else None for r in data] for i, h in enumerate(header) if h}
    return pl.DataFrame(cols, schema=dict.fromkeys(cols, pl.String))


def read_bom_rows(path: Path) -> tuple[pl.DataFrame, int]:
    """The file's rows as text columns, and the number users see for the first data row."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise BomError(
            f"unknown BOM file type {suffix!r} (use {', '.join(SUFFIXES)})", field=str(path)
        )
    if not path.is_file():
        raise BomError("no such file" if not path.exists() else "not a file", field=str(path))
    try:
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema=False, truncate_ragged_lines=False), _FIRST_ROW[
                suffix
            ]
        if suffix == ".parquet":
            df = pl.read_parquet(path)
            return df.select(pl.all().cast(pl.String)), _FIRST_ROW[suffix]
        if suffix == ".json":
            return _json(path), _FIRST_ROW[suffix]
        try:
            return _xlsx(path), _FIRST_ROW[suffix]
        except (OSError, MemoryError):
            raise
        except Exception as exc:  # openpyxl raises zip, XML and its own errors on a bad file
            raise BomError(
                f"not a readable .xlsx workbook ({type(exc).__name__})", field=str(path)
            ) from exc
    except OSError as exc:
        raise BomError(f"cannot read the BOM file: {exc.strerror or exc}", field=str(path)) from exc
    except RecursionError as exc:
        raise BomError("the file nests too deeply to read", field=str(path)) from exc
    except (pl.exceptions.PolarsError, json.JSONDecodeError, ValueError, KeyError) as exc:
        raise BomError(f"cannot read the BOM file: {exc}", field=str(path)) from exc


def read_bom(path: Path, rates: Rates | None = None, root: RootFacts | None = None) -> Bom:
    """A BOM file; `root` is the shipment line it belongs to (None: its empty-parent row)."""
    name = path.name
    first = _FIRST_ROW.get(path.suffix.lower(), 1)

    def where(row: int) -> str:
        return f"{name}: row {row + first}"

    # a Parquet file is coded as it is read (reec.bom.parquet), and read as text only if it
    # needs to be; the rows are not kept here: build_bom drops them once cleaned
    file = parquet_bom(path, COLUMNS, REQUIRED) if path.suffix.lower() == ".parquet" else None
    return build_bom(
        (lambda: read_bom_rows(path)[0]) if file is not None else read_bom_rows(path)[0],
        source=str(path),
        locate=lambda row, col: f"{where(row)}, column {col}",
        where=where,
        rates=rates,
        root=root,
        file=file,
    )
