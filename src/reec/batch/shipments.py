"""The shipment of each fact key, assembled from parts validated once each.

A batch's keys share their parts: the 3,952 keys of the 1M-line sample book are drawn from
2,000 items, 500 importers and 40 destinations. Validating each key's whole document
(`parse_shipment`: the depth walk, then pydantic over every field) was about a quarter of a
key's cost. Here each distinct part (the envelope: exporter, destination and end uses; each
party; the item without its value; the value) is validated once, by the same pydantic
models `parse_shipment` uses, and converted to the engine's types by the same functions; a
key's `Shipment` is put together from them. Nothing here decides what is valid.

A key that names a BOM file, or whose parts do not all validate, takes `parse_shipment` on
the whole document: its error is exactly the one `reec check` gives for that document (the
first in field order, with its path), since it comes from the same call.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reec.batch.facts import (
    ITEM_ID,
    PARTY_COLUMNS,
    envelope_dict,
    item_dict,
    parse_key,
    party_dict,
    validated,
)
from reec.model import EndUse, Form, Item, Money, Party, Shipment
from reec.shipment_input import (
    ItemIn,
    MoneyIn,
    PartyIn,
    ShipmentIn,
    item_from_input,
    party_from_input,
    shipment_from_input,
)

__all__ = ["KeyShipments"]

_ITEM_COLUMNS = (
    "form",
    "description",
    "hs_code",
    "origin",
    "composition",
    "technology_activities",
    "technology_origin",
)
_PARTY_FIELDS = {
    p: tuple(f"{p}_{k}" for k in ("name", "country", "military")) for _, p in PARTY_COLUMNS
}
_KEYS_OWN = ("date", "items", "parties", "end_uses")
"""Shipment fields not validated with the route (exporter, destination)."""
_STAND_IN_VALUE = {"amount": "1", "currency": "USD"}
_STAND_IN_ITEM = {"id": ITEM_ID, "form": Form.OXIDE.value, "value": _STAND_IN_VALUE}
"""A valid value and line, put in a part validated without its own (the key's own value is
validated on its own and put in the stand-in's place; its line likewise)."""


class _PartInvalidError(Exception):
    """A part did not validate: the key takes the whole-document path for its error."""


class KeyShipments:
    """Builds the `Shipment` of fact keys (rows of `reec.batch.normalise.canonical`), equal
    to `validated(parse_key(...))` of the key's document; each distinct part is validated
    once per instance."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], dict[str, Any]] = {}
        self._end_uses: dict[str, tuple[EndUse, ...]] = {}
        self._items: dict[tuple[str, ...], dict[str, Any]] = {}
        self._parties: dict[tuple[str, ...], Party | None] = {}
        self._values: dict[tuple[str, str], Money] = {}

    def shipment(
        self,
        row: dict[str, Any],
        day: date,
        value: str,
        currency: str,
        line_id: str,
        bom_base: Path | None = None,
        *,
        files: bool = True,
    ) -> Shipment:
        """The key's shipment on `day`; raises what `validated(parse_key(...))` raises,
        naming the line `line_id` and its column."""
        if not row["bom"]:  # a BOM file is read by parse_shipment (rare: parent only)
            try:
                return self._assembled(row, day, value, currency)
            except _PartInvalidError:
                pass
        doc = parse_key(row, day, value, currency, line_id)
        return validated(doc, line_id, bom_base, files=files)

    def _assembled(self, row: dict[str, Any], day: date, value: str, currency: str) -> Shipment:
        envelope = self._envelope(row)
        given = (self._party(role, prefix, row) for role, prefix in PARTY_COLUMNS)
        item = Item(value=self._value(value, currency), **self._item(row))
        parties = tuple(p for p in given if p is not None)
        return Shipment(date=day, items=(item,), parties=parties, **envelope)

    def _envelope(self, row: dict[str, Any]) -> dict[str, Any]:
        """Exporter and destination (validated per pair) and end uses (per text)."""
        route = (row["exporter_country"], row["destination"])
        found = self._routes.get(route)
        if found is None:
            found = self._routes[route] = _fields(_envelope(row), *_KEYS_OWN)
        uses = self._end_uses.get(row["end_uses"])
        if uses is None:
            uses = self._end_uses[row["end_uses"]] = _envelope(row).end_uses
        return {**found, "end_uses": uses}

    def _item(self, row: dict[str, Any]) -> dict[str, Any]:
        key = tuple(row[c] for c in _ITEM_COLUMNS)
        found = self._items.get(key)
        if found is None:
            try:
                doc = item_dict(row, "1", "USD")
            except ValueError:  # a bad composition
                raise _PartInvalidError from None
            item_in = _valid(ItemIn, {**doc, "value": _STAND_IN_VALUE})
            found = self._items[key] = _fields(item_from_input(item_in, "items[0]"), "value")
        return found

    def _party(self, role: str, prefix: str, row: dict[str, Any]) -> Party | None:
        key = (prefix, *(row[c] for c in _PARTY_FIELDS[prefix]))
        if key not in self._parties:
            given = party_dict(role, row, prefix)
            valid = None if given is None else _valid(PartyIn, given)
            self._parties[key] = None if valid is None else party_from_input(valid)
        return self._parties[key]

    def _value(self, value: str, currency: str) -> Money:
        found = self._values.get((value, currency))
        if found is None:
            money = _valid(MoneyIn, {"amount": value, "currency": currency})
            found = self._values[(value, currency)] = Money(money.amount, money.currency)
        return found


def _valid(model: Any, doc: dict[str, Any]) -> Any:
    try:
        return model.model_validate(doc)
    except ValidationError:
        raise _PartInvalidError from None


def _envelope(row: dict[str, Any]) -> Shipment:
    """The key's shipment around a stand-in line, without parties: its exporter,
    destination and end uses validated."""
    doc = envelope_dict(row, date.min, [_STAND_IN_ITEM], [])
    return shipment_from_input(_valid(ShipmentIn, doc))


def _fields(part: Any, *left: str) -> dict[str, Any]:
    """The fields of a validated part but `left` (the key's own, given when it is built)."""
    return {f.name: getattr(part, f.name) for f in fields(part) if f.name not in left}
