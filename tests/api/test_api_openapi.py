"""docs/openapi.json is what the code serves; every response field carries an example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reec.cli.api import openapi_document, openapi_text

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_has_not_drifted() -> None:
    assert OPENAPI.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is out of date: run `reec api openapi --out docs/openapi.json`"
    )


def _response_schemas(doc: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    pending: list[Any] = [
        resp
        for path in doc["paths"].values()
        for op in path.values()
        for resp in op.get("responses", {}).values()
    ]
    schemas = doc["components"]["schemas"]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in names:
                    names.add(name)
                    pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return names


def test_every_response_field_has_an_example() -> None:
    doc = openapi_document()
    missing = [
        f"{name}.{field}"
        for name in sorted(_response_schemas(doc))
        for field, spec in doc["components"]["schemas"][name].get("properties", {}).items()
        if "examples" not in spec and "example" not in spec
    ]
    assert not missing, missing
    assert json.loads(OPENAPI.read_text(encoding="utf-8"))["info"]["title"].startswith("reec")
