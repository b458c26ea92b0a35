"""The Annex 1 / control-entry match language: does an item's form and composition meet a
`MatchData` spec, and which facts made it so.

It evaluates the regime's own data, so it sits in the regime layer: the BOM roll-up
(`reec.bom.rollup`) and classification (`reec.classify`) both call it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from reec.model import Item
from reec.regime.schema import MatchData

__all__ = ["match_detail", "missing_parameters"]

_ZERO = Decimal(0)


def _fmt(x: Decimal) -> str:
    return f"{x.normalize():f}"


def match_detail(
    spec: MatchData, item: Item, contains: Callable[[Item, list[str]], str | None] | None = None
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


def missing_parameters(spec: MatchData, item: Item) -> tuple[str, ...]:
    """Names of the parameters `spec` states that `item` does not give."""
    values = item.parameters or {}
    return tuple(p.name for p in spec.parameters if p.name not in values)
