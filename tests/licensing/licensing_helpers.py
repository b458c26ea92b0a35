"""Shipment documents for the licence-book tests."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from reec import licensing as lic
from reec.api.examples import EXAMPLE_01
from reec.determine import determine
from reec.model import Determination, Shipment
from reec.shipment_input import parse_shipment
from reec.store import Store


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


def approved_application(
    store: Store, steps: list[tuple[str, str]], changes_licence_id: int | None = None
) -> int:
    """A general-licence application for example 01 taken through `steps` (action, ISO day)."""
    doc, ship, det = shipment_and_det()
    app = lic.create_application(
        store,
        shipment_doc=doc,
        shipment=ship,
        determination=det,
        actor="alice",
        licence_kind="general",
        changes_licence_id=changes_licence_id,
    )
    for action, day in steps:
        lic.transition(store, app.id, action, on_date=date.fromisoformat(day), actor="mofcom")
    return app.id
