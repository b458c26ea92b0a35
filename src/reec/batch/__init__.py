"""Batch determination over Arrow tables of shipment lines (docs/batch.md)."""

from __future__ import annotations

from reec.batch.columns import COLUMNS, RESULT_COLUMNS, Column
from reec.batch.io import read_frame, read_table, write_table
from reec.batch.table import date_boundaries, determine_frame, determine_table

__all__ = [
    "COLUMNS",
    "RESULT_COLUMNS",
    "Column",
    "date_boundaries",
    "determine_frame",
    "determine_table",
    "read_frame",
    "read_table",
    "write_table",
]
