"""Shipment documents for the licence-book tests."""

from __future__ import annotations

import copy
from typing import Any

from reec.api.examples import EXAMPLE_01
from reec.determine import determine
from reec.model import Determination, Shipment
from reec.shipment_input import parse_shipment


def shipment_doc(**over: Any) -> dict[str, Any]:
    """Example 01 (Dy oxide from China), in 2026 and in 1 kg lots for the licence book."""
    doc = copy.deepcopy(EXAMPLE_01)
    doc["date"] = "2026-03-02"
    doc["items"][0]["value"] = {"amount": 480, "currency": "USD"}
    doc["items"][0]["quantity"] = {"amount": 1, "unit": "kg"}
    doc.update(over)
    return doc


def shipment_and_det(**over: Any) -> tuple[dict[str, Any], Shipment, Determination]:
    doc = shipment_doc(**over)
    ship = parse_shipment(doc)
    return doc, ship, determine(ship)
