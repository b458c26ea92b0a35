"""The batch path gives exactly the answers of `reec check` on the same facts.

Thousands of generated lines, spread over two years of regime boundaries: each line is also
written out as the FORMAT.md shipment a user would give `reec check` (built here, independently
of reec.batch) and determined one by one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from reec.batch import determine_table
from reec.batch.sample import sample_order_book
from reec.determine import determine
from reec.screening import default_screener
from reec.shipment_input import parse_shipment


def _shipment(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": row["line_id"],
        "form": row["form"],
        "value": {"amount": str(row["value"]), "currency": row["currency"]},
    }
    if row["description"]:
        item["description"] = row["description"]
    if row["hs_code"]:
        item["hs_code"] = row["hs_code"]
    if row["origin"]:
        item["origin"] = row["origin"]
    if row["composition"]:
        item["composition"] = dict(p.split(":") for p in row["composition"].split(";"))
    if row["technology_activities"]:
        item["technology_activities"] = row["technology_activities"].split(";")
    party: dict[str, Any] = {
        "role": "importer",
        "name": row["importer_name"],
        "country": row["importer_country"],
    }
    if row["importer_military"]:
        party["military"] = row["importer_military"] == "true"
    doc: dict[str, Any] = {
        "date": date.fromisoformat(row["date"]),
        "exporter": {"name": "Example Exporter", "country": row["exporter_country"]},
        "destination": row["destination"],
        "parties": [party],
        "items": [item],
    }
    if row["end_uses"]:
        doc["end_uses"] = row["end_uses"].split(";")
    return doc


def _check_answer(doc: dict[str, Any], as_of: date | None) -> dict[str, Any]:
    d = determine(parse_shipment(doc), as_of=as_of, screener=default_screener())
    item = d.items[0]
    return {
        "verdict": d.verdict.value,
        "licence_policy": d.licence_policy.value if d.licence_policy else None,
        "control_codes": ";".join(item.control_codes),
        "suspended_until": item.suspended_until.isoformat() if item.suspended_until else None,
        "needs": ";".join(item.needs),
    }


def _compare(table: pa.Table, as_of: date | None) -> int:
    out = determine_table(table, as_of).to_pylist()
    mismatches = []
    for row in out:
        want = _check_answer(_shipment(row), as_of)
        got = {k: row[k] for k in want}
        if got != want:
            mismatches.append((row["line_id"], got, want))
    assert not mismatches, mismatches[:5]
    return len(out)


def test_batch_equals_check_on_generated_lines() -> None:
    table = sample_order_book(
        2500, skus=300, customers=120, patterns=400, start=date(2025, 3, 1), days=700, seed=11
    )
    verdicts = {r["verdict"] for r in determine_table(table).to_pylist()}
    assert verdicts == {"NOT_CONTROLLED", "SUSPENDED", "NEEDS_FACTS", "LICENCE_REQUIRED"}
    assert _compare(table, None) == 2500


@pytest.mark.parametrize("day", [date(2025, 11, 6), date(2026, 11, 11)])
def test_batch_equals_check_with_as_of(day: date) -> None:
    table = sample_order_book(400, skus=80, customers=40, patterns=120, seed=5)
    assert _compare(table, day) == 400


def test_rows_keep_order_and_input_columns() -> None:
    table = sample_order_book(1000, seed=3)
    out = determine_table(table)
    assert out.column("line_id").to_pylist() == table.column("line_id").to_pylist()
    assert out.column_names[: table.num_columns] == table.column_names
    assert out.column("sku").to_pylist() == table.column("sku").to_pylist()


def test_a_line_after_current_as_of_is_warned_once_in_front() -> None:
    table = sample_order_book(300, skus=20, customers=10, patterns=30, seed=9)
    out = determine_table(table).to_pylist()
    note = "date after the rule data's current_as_of (2026-10-08): later announcements may exist"
    late = [r for r in out if r["date"] > "2026-10-08"]
    on_time = [r for r in out if r["date"] <= "2026-10-08"]
    assert late
    assert on_time
    assert all(r["warnings"] == note or r["warnings"].startswith(note + " | ") for r in late)
    assert not any(note in r["warnings"] for r in on_time)
    assert all(r["warnings"].count(note) == 1 for r in late)
