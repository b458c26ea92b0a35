"""Request examples for the OpenAPI document: the repository's example shipments."""

from __future__ import annotations

from itertools import takewhile
from pathlib import Path
from typing import Any

from fastapi.openapi.models import Example

__all__ = ["EXAMPLES_YAML", "EXAMPLE_01", "EXAMPLE_02", "EXAMPLE_TITLES", "SHIPMENT_EXAMPLES"]

EXAMPLE_01: dict[str, Any] = {
    "date": "2025-06-02",
    "exporter": {"name": "Ganzhou Example Rare Earth Co., Ltd.", "country": "CN"},
    "destination": "DE",
    "parties": [
        {"role": "importer", "name": "Example Magnetwerke GmbH", "country": "DE"},
        {"role": "end_user", "name": "Example Magnetwerke GmbH", "country": "DE"},
    ],
    "end_uses": ["civil"],
    "items": [
        {
            "id": "L1",
            "description": "Dysprosium oxide, 99.9 %",
            "form": "oxide",
            "hs_code": "2846901500",
            "composition": {"Dy": 87.1, "O": 12.9},
            "origin": "CN",
            "value": {"amount": 48000, "currency": "USD"},
            "quantity": {"amount": 100, "unit": "kg"},
        }
    ],
}

EXAMPLE_02: dict[str, Any] = {
    "date": "2025-12-15",
    "exporter": {"name": "Example Motor KK", "country": "JP"},
    "destination": "US",
    "parties": [
        {
            "role": "end_user",
            "name": "Example Defense Systems Inc.",
            "country": "US",
            "military": True,
        }
    ],
    "end_uses": ["military"],
    "items": [
        {
            "id": "M1",
            "form": "component",
            "origin": "JP",
            "value": {"amount": 2000, "currency": "USD"},
            "contents": [
                {
                    "id": "M1-magnet",
                    "form": "magnet",
                    "composition": {"Nd": 29.0, "Tb": 0.8, "Fe": 69.2, "B": 1.0},
                    "origin": "JP",
                    "value": {"amount": 120, "currency": "USD"},
                    "contents": [
                        {
                            "id": "M1-tb",
                            "form": "metal",
                            "composition": {"Tb": 100},
                            "origin": "CN",
                            "value": {"amount": 9, "currency": "USD"},
                        }
                    ],
                }
            ],
        }
    ],
}

SHIPMENT_EXAMPLES: dict[str, Example] = {
    "dy-oxide-from-china": Example(
        summary="Dysprosium oxide from China to Germany (examples/01)", value=EXAMPLE_01
    ),
    "motor-to-defence": Example(
        summary="Japanese motor with Chinese Tb to a US defence user (examples/02)",
        value=EXAMPLE_02,
    ),
}


EXAMPLE_FILES = Path(__file__).with_name("example_files")


def _title(text: str) -> str:
    """The example's opening comment, as one line."""
    lines = [ln[1:].strip() for ln in takewhile(lambda ln: ln.startswith("#"), text.splitlines())]
    return " ".join(lines) or "example"


EXAMPLES_YAML: dict[str, str] = {
    p.stem: p.read_text(encoding="utf-8") for p in sorted(EXAMPLE_FILES.glob("*.yaml"))
}
"""The web page's examples: copies of the repository's examples/ (which is not installed);
a test keeps them byte-equal."""

EXAMPLE_TITLES: dict[str, str] = {name: _title(text) for name, text in EXAMPLES_YAML.items()}
