"""Tables in and out as Excel (.xlsx) or CSV: what a compliance team's tools exchange.

CSV is written UTF-8 with a byte-order mark, so Excel opens Chinese names correctly; CSV input
accepts a BOM or none. Excel input reads the first sheet, its first row being the header; cells
come back as text (dates as YYYY-MM-DD, whole numbers without '.0').
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reec.errors import InputError

__all__ = ["cell_text", "is_excel", "read_rows", "write_rows", "write_sheets"]

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


def write_rows(
    path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], sheet: str = "reec"
) -> int:
    """Write `rows` to .xlsx (a real workbook) or anything else as CSV with a BOM; the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if is_excel(path):
            return _write_excel(path, columns, rows, sheet)
        n = 0
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(columns), restval="", extrasaction="ignore")
            w.writeheader()
            for r in rows:
                w.writerow({k: cell_text(v) for k, v in r.items()})
                n += 1
        return n
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", field=str(path)) from None


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
    try:
        book.save(path)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", field=str(path)) from None
    return counts


def _excel_cell(ws: Any, value: Any, cell_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | date):
        return value
    text = str(value)[:_MAX_CELL]
    if text.startswith("="):  # text from the data never becomes a formula
        cell = cell_type(ws, value=text)
        cell.data_type = "s"
        return cell
    return text
