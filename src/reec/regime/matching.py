"""The Annex 1 / control-entry match language: does an item's form and composition meet a
`MatchSpec`, and which facts made it so.

It evaluates the regime's own data, so it sits in the regime layer: the BOM roll-up
(`reec.bom.rollup`) and classification (`reec.classify`) both call it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from reec.model import Activity, Form, Item
from reec.slots_pickle import quick_setstate

if TYPE_CHECKING:
    from reec.regime.schema import MatchData, ParameterData

__all__ = ["MatchSpec", "ParameterRange", "match_detail", "missing_parameters"]

_ZERO = Decimal(0)


@quick_setstate
@dataclass(frozen=True, slots=True)
class ParameterRange:
    """A quantitative parameter of an entry (schema.ParameterData, validated): the item
    matches inside [min, max]; without the value the entry cannot be decided."""

    name: str
    min: Decimal | None
    max: Decimal | None
    unit: str
    text: str
    confidence: str

    @classmethod
    def of(cls, data: ParameterData) -> ParameterRange:
        return cls(data.name, data.min, data.max, data.unit, data.text, data.confidence)


@quick_setstate
@dataclass(frozen=True, slots=True)
class MatchSpec:
    """How an item is recognised as a control entry or an Annex 1 item (schema.MatchData,
    validated; the fields mean what they mean there). The compiled regime keeps this frozen
    copy, not the pydantic model, so that it can be kept on disk and read back without
    importing the rule-data models (docs/performance.md, cold start)."""

    forms: tuple[Form, ...]
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    principal: str | None = None
    none_of: tuple[str, ...] = ()
    principal_excluding: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    activities_any: tuple[Activity, ...] = ()
    contains: tuple[str, ...] = ()
    parameters: tuple[ParameterRange, ...] = ()

    @classmethod
    def of(cls, data: MatchData) -> MatchSpec:
        return cls(
            tuple(data.forms),
            tuple(data.all_of),
            tuple(data.any_of),
            data.principal,
            tuple(data.none_of),
            tuple(data.principal_excluding),
            tuple(data.keywords),
            tuple(data.activities_any),
            tuple(data.contains),
            tuple(ParameterRange.of(p) for p in data.parameters),
        )


def _fmt(x: Decimal) -> str:
    return f"{x.normalize():f}"


def match_detail(
    spec: MatchSpec,
    item: Item,
    contains: Callable[[Item, Sequence[str]], str | None] | None = None,
) -> str | None:
    """Why `item` matches `spec`, or None when it does not."""
    if item.form not in spec.forms:
        return None
    parts = [f"form {item.form.value}"]
    comp = item.composition or {}
    if spec.principal is not None:
        share = comp.get(spec.principal, _ZERO)
        rest = [v for k, v in comp.items() if k not in spec.principal_excluding]
        if share <= 0 or share < max(rest):
            return None
        aside = [e for e in spec.principal_excluding if comp.get(e, _ZERO) > 0]
        parts.append(
            f"{spec.principal} is the principal constituent ({_fmt(share)} %)"
            + (f", {', '.join(aside)} set aside as backing/bonding" if aside else "")
        )
    if spec.all_of:
        if any(comp.get(e, _ZERO) <= 0 for e in spec.all_of):
            return None
        parts.append("contains " + ", ".join(f"{e} {_fmt(comp[e])} %" for e in spec.all_of))
    if spec.any_of:
        present = [e for e in spec.any_of if comp.get(e, _ZERO) > 0]
        if not present:
            return None
        parts.append("contains " + ", ".join(f"{e} {_fmt(comp[e])} %" for e in present))
    if spec.none_of:
        if any(comp.get(e, _ZERO) > 0 for e in spec.none_of):
            return None
        parts.append(f"without {', '.join(spec.none_of)}")
    if spec.keywords:
        text = item.description.casefold()
        hits = [k for k in spec.keywords if k.casefold() in text]
        if not hits:
            return None
        parts.append(f"description mentions {', '.join(repr(h) for h in hits)}")
    if spec.activities_any:
        acts = [a.value for a in item.technology_activities if a in spec.activities_any]
        if not acts:
            return None
        parts.append(f"serves {', '.join(acts)}")
    if spec.parameters:
        values = item.parameters or {}
        for param in spec.parameters:
            value = values.get(param.name)
            if value is None:
                parts.append(f"{param.name} not given ({param.text})")
                continue
            if (param.min is not None and value < param.min) or (
                param.max is not None and value > param.max
            ):
                return None
            parts.append(f"{param.name} {_fmt(value)} {param.unit} within {param.text}")
    if spec.contains:
        if contains is None:
            return None
        found = contains(item, spec.contains)
        if found is None:
            return None
        parts.append(found)
    return "; ".join(parts)


def missing_parameters(spec: MatchSpec, item: Item) -> tuple[str, ...]:
    """Names of the parameters `spec` states that `item` does not give."""
    values = item.parameters or {}
    return tuple(p.name for p in spec.parameters if p.name not in values)
