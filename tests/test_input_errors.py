"""A malformed shipment (shared/FORMAT.md) is one InputError naming the field path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from reec.errors import InputError
from reec.shipment_input import parse_shipment, read_shipment_file


def _valid() -> dict[str, Any]:
    return {
        "date": "2025-06-02",
        "exporter": {"name": "Example Rare Earth Co.", "country": "CN"},
        "destination": "DE",
        "parties": [{"role": "importer", "name": "Example GmbH", "country": "DE"}],
        "end_uses": ["civil"],
        "items": [
            {
                "id": "L1",
                "form": "magnet",
                "composition": {"Nd": 29, "Dy": 2, "Fe": 68, "B": 1},
                "origin": "CN",
                "value": {"amount": 100, "currency": "USD"},
                "contents": [
                    {
                        "id": "L1-dy",
                        "form": "metal",
                        "composition": {"Dy": 100},
                        "value": {"amount": 5, "currency": "USD"},
                    }
                ],
            }
        ],
    }


def test_the_valid_document_parses() -> None:
    shipment = parse_shipment(_valid())
    assert shipment.items[0].contents[0].path == "items[0].contents[0]"


def _set(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


BROKEN: list[tuple[str, tuple[str | int, ...], Any, str, str]] = [
    # (id, where to put it, value, field path in the error, words in the message)
    (
        "unknown-nested-key",
        ("items", 0, "contents", 0, "value", "colour"),
        "red",
        "items[0].contents[0].value.colour",
        "unknown key 'colour'",
    ),
    ("bad-date", ("date",), "2025-13-45", "date", "valid date"),
    ("unknown-form", ("items", 0, "form"), "ingot", "items[0].form", "metal"),
    ("unknown-end-use", ("end_uses",), ["civil", "space"], "end_uses[1]", "civil"),
    (
        "negative-value",
        ("items", 0, "contents", 0, "value", "amount"),
        -5,
        "items[0].contents[0].value.amount",
        "greater than 0",
    ),
    ("duplicate-id", ("items", 0, "contents", 0, "id"), "L1", "items[0].contents[0].id", "twice"),
    (
        "composition-over-100",
        ("items", 0, "composition"),
        {"Nd": 60, "Fe": 60},
        "items[0].composition",
        "more than 100",
    ),
    (
        "unknown-element",
        ("items", 0, "contents", 0, "composition"),
        {"Dy": 90, "Zz": 10},
        "items[0].contents[0].composition",
        "'Zz'",
    ),
    ("bad-role", ("parties", 0, "role"), "buyer", "parties[0].role", "importer"),
    ("bad-country", ("destination",), "Germany", "destination", "pattern"),
]


@pytest.mark.parametrize(
    ("where", "value", "field", "words"),
    [b[1:] for b in BROKEN],
    ids=[b[0] for b in BROKEN],
)
def test_malformed_shipment_names_the_field(
    where: tuple[str | int, ...], value: Any, field: str, words: str
) -> None:
    doc = copy.deepcopy(_valid())
    _set(doc, where, value)
    with pytest.raises(InputError) as info:
        parse_shipment(doc)
    assert info.value.field == field
    assert words in info.value.message
    assert str(info.value).startswith(f"{field}: ")
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_a_duplicate_id_between_top_level_items_names_the_second() -> None:
    doc = _valid()
    doc["items"].append(copy.deepcopy(doc["items"][0]))
    doc["items"][1]["contents"] = []
    with pytest.raises(InputError, match=r"used twice \(first at items\[0\]\)") as info:
        parse_shipment(doc)
    assert info.value.field == "items[1].id"


def test_a_document_that_is_not_a_mapping() -> None:
    with pytest.raises(InputError, match="mapping"):
        parse_shipment(["not", "a", "shipment"])


def test_a_date_that_does_not_exist_in_a_yaml_file(tmp_path: Path) -> None:
    # PyYAML itself raises a bare ValueError building 2025-02-30; the reader must not let it out.
    path = tmp_path / "s.yaml"
    path.write_text(
        "date: 2025-02-30\nexporter: {name: X, country: CN}\ndestination: DE\n"
        "items: [{id: L1, form: oxide, value: {amount: 1, currency: USD}}]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_shipment_file(path)
    assert info.value.field == "date"


def test_a_valid_yaml_file_keeps_its_dates(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "date: 2025-02-28\nexporter: {name: X, country: CN}\ndestination: DE\n"
        "items: [{id: L1, form: oxide, value: {amount: 1, currency: USD}}]\n",
        encoding="utf-8",
    )
    assert read_shipment_file(path).date.isoformat() == "2025-02-28"


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("dup.yaml", "date: 2025-06-02\ndate: 2025-06-03\n", "duplicate key 'date'"),
        ("bad.yaml", "date: [2025\n", "line"),
        ("bad.json", '{"date": ', "Expecting value"),
    ],
)
def test_unreadable_files_name_the_file(tmp_path: Path, name: str, text: str, words: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words) as info:
        read_shipment_file(path)
    assert info.value.field == str(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_shipment_file(tmp_path / "absent.yaml")
