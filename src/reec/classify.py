"""Item -> the control entries it matches, each with the facts that made it match.

Composition and form decide. An HS code is only a reference (the announcements say 参考): a code
that points at a controlled line without a composition to confirm it yields a request for the
composition, never a silent verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from reec.model import Form, Item
from reec.regime.schema import MatchData
from reec.regime.snapshot import AnnexEntry, ControlEntry, Regime

__all__ = [
    "COMPOSITION_FORMS",
    "Classification",
    "EntryMatch",
    "annex1_matches",
    "classify",
    "match_detail",
]

COMPOSITION_FORMS = frozenset(Form) - {
    Form.COMPONENT,
    Form.EQUIPMENT,
    Form.MATERIAL,
    Form.TECHNOLOGY,
    Form.OTHER,
}
"""Forms whose entries are recognised by composition: without one they cannot be classified."""

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class EntryMatch:
    entry: ControlEntry
    detail: str


@dataclass(frozen=True, slots=True)
class Classification:
    matches: tuple[EntryMatch, ...]
    hs_hints: tuple[ControlEntry, ...]
    """Entries whose reference (or inferred) HS codes include the item's code."""
    needs_composition: bool

    @property
    def hs_reference_unmatched(self) -> bool:
        """The HS code points at a controlled line but the facts do not match it."""
        return bool(self.hs_hints) and not self.matches


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
        if share <= 0 or share < max(comp.values()):
            return None
        parts.append(f"{spec.principal} is the principal constituent ({_fmt(share)} %)")
    if spec.all_of:
        if any(comp.get(e, _ZERO) <= 0 for e in spec.all_of):
            return None
        parts.append("contains " + ", ".join(f"{e} {_fmt(comp[e])} %" for e in spec.all_of))
    if spec.any_of:
        present = [e for e in spec.any_of if comp.get(e, _ZERO) > 0]
        if not present:
            return None
        parts.append("contains " + ", ".join(f"{e} {_fmt(comp[e])} %" for e in present))
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
    if spec.contains:
        if contains is None:
            return None
        found = contains(item, spec.contains)
        if found is None:
            return None
        parts.append(found)
    return "; ".join(parts)


def classify(item: Item, regime: Regime) -> Classification:
    """Every control entry of the data that `item` matches (whatever its dates)."""
    matches = tuple(
        EntryMatch(entry, detail)
        for entry in regime.entries_by_form.get(item.form, ())
        if (detail := match_detail(entry.match, item)) is not None
    )
    hints: tuple[ControlEntry, ...] = ()
    if item.hs_code is not None:
        key = item.hs_code if item.hs_code in regime.entries_by_hs else item.hs_code[:8]
        hints = regime.entries_by_hs.get(key, ())
    needs = item.composition is None and item.form in COMPOSITION_FORMS
    return Classification(matches, hints, needs)


def annex1_matches(item: Item, regime: Regime) -> tuple[tuple[AnnexEntry, str], ...]:
    """No. 61 Annex 1 entries `item` is, with why. Parts/components are Part II when they
    contain a Part II magnet material anywhere in their contents (a magnet in a rotor in a
    motor makes the motor Part II: "含有以上材料的零件、部件、组件")."""
    by_id = {a.id: a for a in regime.annex1}

    def contains(parent: Item, ids: list[str]) -> str | None:
        for child in parent.contents:
            for annex_id in ids:
                if match_detail(by_id[annex_id].match, child, contains) is not None:
                    return f"contains {child.id} ({by_id[annex_id].title}, Annex 1 {annex_id})"
            deeper = contains(child, ids)
            if deeper is not None:
                return f"{deeper} via {child.id}"
        return None

    return tuple(
        (a, detail)
        for a in regime.annex1
        if (detail := match_detail(a.match, item, contains)) is not None
    )
