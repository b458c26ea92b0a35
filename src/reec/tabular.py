"""Tables in and out as Excel (.xlsx) or CSV: what a compliance team's tools exchange.

CSV is written UTF-8 with a byte-order mark, so Excel opens Chinese names correctly; CSV input
accepts a BOM or none. Excel input reads the first sheet, its first row being the header; cells
come back as text (dates as YYYY-MM-DD, whole numbers without '.0').
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reec.errors import InputError

__all__ = [
    "cell_text",
    "csv_safe",
    "is_excel",
    "read_rows",
    "replacing",
    "write_rows",
    "write_sheets",
]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_MAX_CELL = 32_000  # Excel's limit is 32,767 characters a cell


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (header cell -> text) of a .csv or .xlsx file."""
    if not path.is_file():
        raise InputError("no such file", field=str(path))
    if is_excel(path):
        return _read_excel(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader, [])]
            rows = [dict(zip(header, (c.strip() for c in r), strict=False)) for r in reader]
    except UnicodeDecodeError:
        raise InputError(
            "not UTF-8 text: save the CSV as UTF-8 or use .xlsx", field=str(path)
        ) from None
    rows = [r for r in rows if any(r.values())]
    return header, rows


def _read_excel(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"not an Excel workbook: {exc}", field=str(path)) from None
    try:
        sheet = book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        header = [cell_text(c) for c in next(it, ())]
        while header and not header[-1]:
            header.pop()
        rows = []
        for values in it:
            cells = [cell_text(v) for v in values]
            if any(cells):
                cells += [""] * (len(header) - len(cells))
                rows.append(dict(zip(header, cells, strict=False)))
        return header, rows
    finally:
        book.close()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def csv_safe(text: str) -> str:
    """A CSV cell Excel would run as a formula (=, +, -, @ first) gets a leading `'`; numbers
    such as -5 stay numbers."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Write to a temporary file next to `path`, then rename it over `path`: a failure midway
    leaves the earlier file as it was, never a half-written one."""
    if path.is_dir():
        raise InputError("is a folder: give a file name", field=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", field=str(path)) from None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", field=str(path)) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_rows(
    path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], sheet: str = "reec"
) -> int:
    """Write `rows` to .xlsx (a real workbook) or anything else as CSV with a BOM; the count.

    Written whole or not at all (`replacing`); text is never a formula in either format."""
    if is_excel(path):
        return _write_excel(path, columns, rows, sheet)
    n = 0
    with replacing(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), restval="", extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: csv_safe(cell_text(v)) for k, v in r.items()})
            n += 1
    return n


def _write_excel(
    path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], sheet: str
) -> int:
    return write_sheets(path, {sheet: (columns, rows)})[sheet]


def write_sheets(
    path: Path, sheets: Mapping[str, tuple[Sequence[str], Iterable[Mapping[str, Any]]]]
) -> dict[str, int]:
    """One workbook, a sheet per table (header bold and frozen); rows written per sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for name, (columns, rows) in sheets.items():
        ws = book.create_sheet(name[:31])
        ws.freeze_panes = "A2"
        header = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=c)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        n = 0
        for r in rows:
            ws.append([_excel_cell(ws, r.get(c), WriteOnlyCell) for c in columns])
            n += 1
        counts[name] = n
    with replacing(path) as tmp:
        book.save(tmp)
    return counts


def _excel_cell(ws: Any, value: Any, cell_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | date):
        return value
    text = str(value)[:_MAX_CELL]
    if text.startswith(_FORMULA_START):  # text from the data never becomes a formula
        cell = cell_type(ws, value=text)
        cell.data_type = "s"
        return cell
    return text
