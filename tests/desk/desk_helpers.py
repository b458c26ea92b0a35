"""Shipments and names the desk tests share."""

from __future__ import annotations

import copy
from typing import Any

from reec.api.examples import EXAMPLE_01

POSSIBLE = "Lockheed Marten Group International"
"""Scores 0.80 against the Lockheed Martin Corporation entries (country US): a possible
match, below the automatic threshold."""


def shipment(end_user: str = POSSIBLE, country: str = "US", **extra: Any) -> dict[str, Any]:
    """Example 01 (Dy oxide from China), sent on 2026-12-01 to `end_user` in `country`."""
    doc = copy.deepcopy(EXAMPLE_01)
    doc["date"] = "2026-12-01"
    doc["destination"] = country
    doc["parties"] = [{"role": "end_user", "name": end_user, "country": country, **extra}]
    return doc
