"""The columns of a batch file (CSV or Parquet): one shipment line per row.

One table drives validation, the fact key and docs/batch.md. A line is a one-item shipment:
the exporter, the destination, up to two parties (importer, end user), the end uses and one
item with flat facts. Empty cells mean "not given" (the engine's conservative defaults apply).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COLUMNS", "KEY_COLUMNS", "RESULT_COLUMNS", "Column", "required_columns"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool
    description: str
    in_key: bool = True
    """Whether the value can change the answer (part of the fact key)."""


COLUMNS: tuple[Column, ...] = (
    Column("line_id", True, "Unique id of the line; errors and results name it.", in_key=False),
    Column(
        "date",
        False,
        "Export date YYYY-MM-DD; empty or absent: today in China, unless `--as-of` is given.",
    ),
    Column("exporter_country", True, "ISO alpha-2 country the goods leave; CN = from China."),
    Column("destination", True, "ISO alpha-2 country of the next recipient."),
    Column("importer_name", False, "Importer's name (screened against the lists)."),
    Column("importer_country", False, "Importer's ISO alpha-2 country."),
    Column("importer_military", False, "true / false / empty = unknown."),
    Column("end_user_name", False, "End user's name (screened against the lists)."),
    Column("end_user_country", False, "End user's ISO alpha-2 country."),
    Column("end_user_military", False, "true / false / empty = unknown."),
    Column(
        "end_uses", False, "`;`-separated end uses (docs/format.md vocabulary); empty = unknown."
    ),
    Column("form", True, "Item form (docs/format.md vocabulary), e.g. oxide, magnet, technology."),
    Column("description", False, "Item description (keyword entries read it)."),
    Column("composition", False, "Mass percent by element, e.g. `Dy:87.1;O:12.9`."),
    Column("hs_code", False, "8 or 10 digits (read as text: leading zeros kept)."),
    Column("origin", False, "ISO alpha-2 country of origin; empty = unknown (treated as CN)."),
    Column("value", True, "Declared value of the line (> 0).", in_key=False),
    Column("currency", True, "ISO 4217 code, e.g. USD.", in_key=False),
    Column("technology_activities", False, "`;`-separated activities a technology serves."),
    Column("technology_origin", False, "`;`-separated Chinese-origin technologies used."),
    Column("bom", False, "Reference to a bill of materials (path), passed to the engine."),
)
"""Input columns. Any other column (sku, customer, ...) is carried through untouched."""

KEY_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.in_key and c.name != "date")
"""Columns of the fact key besides the day and the BOM-conditional value (see docs/batch.md)."""

RESULT_COLUMNS: tuple[str, ...] = (
    "verdict",
    "licence_policy",
    "control_codes",
    "suspended_until",
    "needs",
    "reason",
    "warnings",
    "contested",
)
"""Columns `determine_table` appends (all strings; lists joined with `;`)."""


def required_columns(*, have_as_of: bool) -> tuple[str, ...]:
    """The columns a batch file must have (`date` is optional: a line without one is
    answered as of today in China; `have_as_of` is kept for callers)."""
    return tuple(c.name for c in COLUMNS if c.required)
