"""One unique fact key -> the shipment the engine reads -> one compact answer.

The shipment is built as the same dict a user would write (docs/format.md) and goes through
`parse_shipment`, so the batch path validates and decides exactly as `reec check` does. An
error found in a key names the first line carrying it and the batch column it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reec.errors import BomError, InputError
from reec.model import Determination, Outcome, Shipment
from reec.render import contested_text
from reec.shipment_input import parse_shipment

__all__ = [
    "ITEM_ID",
    "PARTY_COLUMNS",
    "LineAnswer",
    "answer_of",
    "composition_of",
    "envelope_dict",
    "item_dict",
    "parse_key",
    "party_dict",
    "shipment_dict",
    "validated",
]

ITEM_ID = "line"
"""Item id of every batch shipment: the answer of a key is shared by many lines."""

_FIELD_COLUMN = {
    "date": "date",
    "exporter": "exporter_country",
    "destination": "destination",
    "end_uses": "end_uses",
    "items[0].form": "form",
    "items[0].description": "description",
    "items[0].hs_code": "hs_code",
    "items[0].composition": "composition",
    "items[0].origin": "origin",
    "items[0].value.amount": "value",
    "items[0].value.currency": "currency",
    "items[0].technology_activities": "technology_activities",
    "items[0].technology_origin": "technology_origin",
    "items[0].bom": "bom",
}


def _split(text: str) -> list[str]:
    return [t for t in text.split(";") if t]


def composition_of(text: str) -> dict[str, str] | None:
    """`Dy:87.1;O:12.9` -> {"Dy": "87.1", "O": "12.9"}; empty -> None (not given)."""
    if not text:
        return None
    out: dict[str, str] = {}
    for part in _split(text):
        symbol, sep, amount = part.partition(":")
        if not sep or not symbol or not amount:
            raise ValueError(f"{part!r} is not SYMBOL:PERCENT (e.g. Dy:87.1;O:12.9)")
        if symbol in out:
            raise ValueError(f"element {symbol} given twice")
        out[symbol] = amount
    return out


def party_dict(role: str, row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    """The docs/format.md party of the `prefix` columns (None when all are empty)."""
    name, country, military = (row[f"{prefix}_{k}"] for k in ("name", "country", "military"))
    if not (name or country or military):
        return None
    party: dict[str, Any] = {"role": role, "name": name}
    if country:
        party["country"] = country
    if military:
        party["military"] = military == "true"
    return party


def item_dict(row: dict[str, Any], value: str, currency: str) -> dict[str, Any]:
    """The docs/format.md line of one key (raises ValueError for a bad composition)."""
    item: dict[str, Any] = {
        "id": ITEM_ID,
        "form": row["form"],
        "value": {"amount": value, "currency": currency},
    }
    for name in ("description", "hs_code", "origin", "bom"):
        if row[name]:
            item[name] = row[name]
    composition = composition_of(row["composition"])
    if composition is not None:
        item["composition"] = composition
    for name in ("technology_activities", "technology_origin"):
        if row[name]:
            item[name] = _split(row[name])
    return item


def envelope_dict(
    row: dict[str, Any], day: date, items: list[dict[str, Any]], parties: list[dict[str, Any]]
) -> dict[str, Any]:
    """The docs/format.md document of one key around its `items` and `parties`."""
    doc: dict[str, Any] = {
        "date": day,
        "exporter": {"name": "exporter", "country": row["exporter_country"]},
        "destination": row["destination"],
        "items": items,
    }
    if parties:
        doc["parties"] = parties
    if row["end_uses"]:
        doc["end_uses"] = _split(row["end_uses"])
    return doc


PARTY_COLUMNS = (("importer", "importer"), ("end_user", "end_user"))
"""(role, column prefix) of the parties a line names, in the order the document lists them."""


def shipment_dict(row: dict[str, Any], day: date, value: str, currency: str) -> dict[str, Any]:
    """The docs/format.md document of one key (`row` holds the normalised columns)."""
    item = item_dict(row, value, currency)
    given = (party_dict(role, row, prefix) for role, prefix in PARTY_COLUMNS)
    return envelope_dict(row, day, [item], [p for p in given if p is not None])


def _column_of(field: str | None, doc: dict[str, Any]) -> str:
    if not field:
        return "(line)"
    if field.startswith("parties["):
        index = int(field[len("parties[") : field.index("]")])
        prefix = doc["parties"][index]["role"]
        rest = field.split(".", 1)[1] if "." in field else "name"
        return f"{prefix}_{rest.split('.')[0]}"
    for prefix, column in _FIELD_COLUMN.items():
        if field == prefix or field.startswith((prefix + ".", prefix + "[")):
            return column
    return field


def parse_key(
    row: dict[str, Any], day: date, value: str, currency: str, line_id: str
) -> dict[str, Any]:
    try:
        doc = shipment_dict(row, day, value, currency)
    except ValueError as exc:
        raise InputError(str(exc), field=f"line {line_id}, column composition") from None
    return doc


def validated(
    doc: dict[str, Any], line_id: str, bom_base: Path | None = None, *, files: bool = True
) -> Shipment:
    try:
        return parse_shipment(doc, bom_base, files=files)
    except BomError as exc:  # inside the line's BOM file: named as the BOM reader names it
        raise InputError(exc.message, field=f"line {line_id}, column bom ({exc.field})") from None
    except InputError as exc:
        column = _column_of(exc.field, doc)
        raise InputError(exc.message, field=f"line {line_id}, column {column}") from None


@dataclass(frozen=True, slots=True)
class LineAnswer:
    verdict: str
    licence_policy: str | None
    control_codes: str
    suspended_until: str | None
    needs: str
    reason: str
    warnings: str
    contested: str = ""


_SHOWN = (
    Outcome.APPLIES,
    Outcome.SUSPENDED,
    Outcome.EXEMPTED,
    Outcome.NEEDS_FACT,
    Outcome.BELOW_THRESHOLD,
)


def answer_of(d: Determination, day_warnings: tuple[str, ...]) -> LineAnswer:
    """The compact answer of one key. Nothing here depends on the day within its interval
    (day-specific text is left to the full trace of `reec check`)."""
    item = d.items[0]
    parts = [
        f"{r.rule} {r.outcome}" + (f" [{r.citation.announcement}]" if r.citation else "")
        for r in item.reasons
        if r.outcome in _SHOWN
    ]
    if not parts and item.reasons:
        parts.append(f"{item.reasons[0].rule} {item.reasons[0].outcome}")
    if item.suspended_until is not None:
        parts.append(f"suspended through {item.suspended_until.isoformat()}")
    if d.licence_policy is not None:
        by = [
            r.rule
            for r in d.reasons
            if r.policy is d.licence_policy and r.outcome == Outcome.APPLIES
        ]
        parts.append(f"policy {d.licence_policy.value} by {', '.join(by) or 'default'}")
    prefix = f"{ITEM_ID}: "
    warnings = [w.removeprefix(prefix) for w in d.warnings if w not in day_warnings]
    return LineAnswer(
        verdict=d.verdict.value,
        licence_policy=d.licence_policy.value if d.licence_policy else None,
        control_codes=";".join(item.control_codes),
        suspended_until=item.suspended_until.isoformat() if item.suspended_until else None,
        needs=";".join(item.needs),
        reason="; ".join(parts),
        warnings=" | ".join(warnings),
        contested=contested_text(d),
    )
