"""docs/schemas/ (the JSON Schemas of docs/format.md) are what the code reads and answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reec.cli.api import SCHEMAS, schema_text
from reec.determine import determine
from reec.render import determination_to_dict
from reec.screening import default_screener
from reec.shipment_input import read_shipment_file

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "schemas"


@pytest.mark.parametrize("name", SCHEMAS)
def test_committed_schema_has_not_drifted(name: str) -> None:
    assert (DOCS / f"{name}.schema.json").read_text(encoding="utf-8") == schema_text(name), (
        "docs/schemas is out of date: run `reec api schemas`"
    )


def _keys(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    ref = node.get("$ref")
    if ref:
        node = schema["$defs"][ref.rsplit("/", 1)[1]]
    return set(node.get("properties", {}))


def test_an_answer_has_exactly_the_schema_keys() -> None:
    """Every example's answer carries the keys the answer schema declares, nothing more."""
    schema = json.loads((DOCS / "answer.schema.json").read_text(encoding="utf-8"))
    item_schema = schema["properties"]["items"]["items"]
    contested_schema = schema["properties"]["contested"]["items"]
    paths = sorted((ROOT / "examples").glob("*.yaml"))
    # example 03 (Ho metal) on 2026-12-01 is contested: its `contested` entries are checked too
    for path, day in [*((p, None) for p in paths), (paths[2], date(2026, 12, 1))]:
        answer = determination_to_dict(
            determine(read_shipment_file(path), as_of=day, screener=default_screener())
        )
        assert set(answer) == set(schema["properties"]), path.name
        assert set(schema["required"]) <= set(answer)
        for item in answer["items"]:
            assert set(item) == _keys(schema, item_schema), path.name
        for c in answer["contested"]:
            assert set(c) == _keys(schema, contested_schema)
    assert answer["contested"], "example 03 on 2026-12-01 must be contested"


def test_the_shipment_schema_is_the_format() -> None:
    schema = json.loads((DOCS / "shipment.schema.json").read_text(encoding="utf-8"))
    assert "date" not in schema.get("required", [])  # absent: today in China
    assert {"exporter", "destination", "items"} <= set(schema["required"])
    assert schema["additionalProperties"] is False  # unknown keys are errors
    end_uses = schema["$defs"]["EndUse"]["enum"]
    assert "drone" in end_uses


def test_a_shipment_left_without_its_lists_is_validated_without_copies() -> None:
    """Empty lists and mappings a shipment leaves out are made by factories: pydantic
    deep-copies a `[]` or `{}` default for every model that leaves the field out (issue 16:
    `copy.deepcopy` seven times per API check of examples/01), yet the schema still states
    them as defaults (test_committed_schema_has_not_drifted) and each model has its own."""
    from pydantic import BaseModel

    from reec.shipment_input import ItemIn, OwnerIn, PartyIn, ShipmentIn

    models: list[type[BaseModel]] = [ShipmentIn, PartyIn, OwnerIn, ItemIn]
    mutable = [
        f"{m.__name__}.{name}"
        for m in models
        for name, field in m.model_fields.items()
        if isinstance(field.default, list | dict | set)
    ]
    assert mutable == []
    doc = {
        "exporter": {"name": "Exporter", "country": "CN"},
        "destination": "DE",
        "items": [
            {"id": "L1", "form": "oxide", "value": {"amount": 1, "currency": "USD"}},
            {"id": "L2", "form": "oxide", "value": {"amount": 1, "currency": "USD"}},
        ],
    }
    one, two = ShipmentIn.model_validate(doc), ShipmentIn.model_validate(doc)
    assert one.items[0].contents == []
    assert one.items[0].parameters == {}
    assert one.items[0].contents is not one.items[1].contents
    assert one.end_uses is not two.end_uses
    schema = ShipmentIn.model_json_schema()
    assert schema["properties"]["end_uses"]["default"] == []
    assert schema["$defs"]["ItemIn"]["properties"]["parameters"]["default"] == {}
