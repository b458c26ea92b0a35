"""Shipments and names the desk tests share."""

from __future__ import annotations

from typing import Any

POSSIBLE = "Lockheed Marten Group International"
"""Scores 0.80 against the Lockheed Martin Corporation entries (country US): a possible
match, below the automatic threshold."""


def shipment(end_user: str = POSSIBLE, country: str = "US", **extra: Any) -> dict[str, Any]:
    party = {"role": "end_user", "name": end_user, "country": country, **extra}
    return {
        "date": "2026-12-01",
        "exporter": {"name": "Ganzhou Example Rare Earth Co., Ltd.", "country": "CN"},
        "destination": country,
        "parties": [party],
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
