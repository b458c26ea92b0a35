"""Shipment documents for the licence-book tests."""

from __future__ import annotations

from typing import Any

from reec.determine import determine
from reec.model import Determination, Shipment
from reec.shipment_input import parse_shipment


def shipment_doc(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "date": "2026-03-02",
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
                "value": {"amount": 480, "currency": "USD"},
                "quantity": {"amount": 1, "unit": "kg"},
            }
        ],
    }
    doc.update(over)
    return doc


def shipment_and_det(**over: Any) -> tuple[dict[str, Any], Shipment, Determination]:
    doc = shipment_doc(**over)
    ship = parse_shipment(doc)
    return doc, ship, determine(ship)
