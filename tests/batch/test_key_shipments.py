"""A key's shipment assembled from parts validated once each (`reec.batch.shipments`) is the
shipment `parse_shipment` makes of the key's whole document, and a bad key raises the same
error (message and field, naming the line and column) as the whole document does."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reec.batch.columns import KEY_COLUMNS
from reec.batch.facts import parse_key, validated
from reec.batch.normalise import DAY, canonical, line_frame
from reec.batch.sample import sample_order_book
from reec.batch.shipments import KeyShipments
from reec.batch.table import fact_keys
from reec.errors import InputError
from reec.model import Shipment

SHARED = KeyShipments()
"""One builder for every example: a part validated for one key must not leak into another."""


def _whole(row: dict[str, Any]) -> Shipment:
    doc = parse_key(row, row[DAY], row["value"], row["currency"], row["line_id"])
    return validated(doc, row["line_id"])


def _outcome(build: Any) -> tuple[str, Any]:
    try:
        shipment = build()
    except InputError as exc:
        return "error", (exc.message, exc.field)
    return "shipment", repr(shipment)  # repr: Decimal('1.0') == Decimal('1.00'), reprs differ


def test_every_key_of_an_order_book_is_its_whole_document_parsed() -> None:
    keys, _ = fact_keys(line_frame(sample_order_book(4000), None, None))
    rows = keys.to_dicts()
    parts = KeyShipments()
    for row in rows:
        want = _whole(row)
        got = parts.shipment(row, row[DAY], row["value"], row["currency"], row["line_id"])
        assert got == want
        assert repr(got) == repr(want)
    assert len(parts._items) < len(rows)  # parts were shared between keys


_VALID: dict[str, list[str]] = {
    "exporter_country": ["CN", "DE"],
    "destination": ["US", "DE", "JP"],
    "importer_name": ["Acme GmbH", "Customer 1 Ltd", ""],
    "importer_country": ["DE", "JP", ""],
    "importer_military": ["true", "false", ""],
    "end_user_name": ["", "Navy Lab", "Acme GmbH"],
    "end_user_country": ["", "US"],
    "end_user_military": ["", "true", "false"],
    "end_uses": ["", "civil", "military;civil"],
    "form": ["oxide", "magnet", "metal"],
    "description": ["", "NdFeB magnet"],
    "composition": ["", "Dy:87.1;O:12.9", "Nd:30;Fe:69"],
    "hs_code": ["", "28053000", "8505111000"],
    "origin": ["", "CN", "JP"],
    "technology_activities": ["", "mining", "recycling;mining"],
    "technology_origin": ["", "smelting_separation"],
    "bom": [""],
    "value": ["1", "48000.5", "0.000000001", "1000000000000"],
    "currency": ["USD", "EUR", "usd"],
}
_INVALID: dict[str, list[str]] = {
    "exporter_country": ["C1", ""],
    "destination": ["U", ""],
    "importer_name": ["x" * 301],
    "importer_country": ["ZZZ"],
    "end_user_country": ["1"],
    "end_uses": ["space", ";"],
    "form": ["powder", ""],
    "description": ["d" * 501],
    "composition": ["Dy:x", "Dy", "Xx:1", "Dy:200", "Dy:1;Dy:2", "Dy:-1"],
    "hs_code": ["123", "abcdefgh"],
    "origin": ["C"],
    "technology_activities": ["baking"],
    "technology_origin": ["nope"],
    "value": ["0.0000000001", "1e13", "abc", "0"],
    "currency": ["US", "EURO"],
}


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly valid cells, each bad about one time in 30 (about half the rows are valid)."""
    row: dict[str, Any] = {}
    for column in (*KEY_COLUMNS, "value", "currency"):
        bad = column in _INVALID and draw(st.integers(0, 29)) == 0
        row[column] = draw(st.sampled_from((_INVALID if bad else _VALID)[column]))
    row["line_id"] = f"L{draw(st.integers(0, 99))}"
    row[DAY] = draw(st.sampled_from([date(2025, 3, 1), date(2025, 11, 20), date(2026, 12, 1)]))
    return row


@settings(max_examples=300, deadline=None)
@given(_rows())
def test_a_key_of_any_facts_is_its_whole_document_or_the_same_error(row: dict[str, Any]) -> None:
    row = canonical_row(row)
    want = _outcome(lambda: _whole(row))
    got = _outcome(
        lambda: SHARED.shipment(row, row[DAY], row["value"], row["currency"], row["line_id"])
    )
    assert got == want


def canonical_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row as the batch gives a key (trimmed and case-folded by `canonical`, which
    names a bad military flag itself)."""
    import polars as pl

    frame = pl.DataFrame([row], schema={**dict.fromkeys(row, pl.String), DAY: pl.Date})
    out: dict[str, Any] = canonical(frame).to_dicts()[0]
    return out
