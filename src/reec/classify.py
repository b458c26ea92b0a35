"""Item -> the control entries it matches, each with the facts that made it match.

Composition and form decide. An HS code is only a reference (the announcements say 参考): a code
that points at a controlled line without a composition to confirm it yields a request for the
composition, never a silent verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TypeVar

from reec.model import Form, Item
from reec.regime.matching import MatchSpec, match_detail, missing_parameters
from reec.regime.snapshot import AnnexEntry, ControlEntry, Regime

__all__ = [
    "COMPOSITION_FORMS",
    "Classification",
    "EntryMatch",
    "annex1_matches",
    "classify",
    "clear_memo",
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
    """A control entry an item matches, and the facts that made it match."""

    entry: ControlEntry
    detail: str
    missing: tuple[str, ...] = ()
    """Parameters the entry states that the item does not give: the match is undecided."""

    @property
    def law(self) -> bool:
        """Decided and law: not an [I]nferred entry, no parameter missing."""
        return not self.missing and self.entry.confidence != "inferred"


@dataclass(frozen=True, slots=True)
class Classification:
    """Every control entry an item matches, and the entries its HS code points at."""

    matches: tuple[EntryMatch, ...]
    hs_hints: tuple[ControlEntry, ...]
    """Entries whose reference (or inferred) HS codes include the item's code."""
    needs_composition: bool

    @property
    def hs_reference_unmatched(self) -> bool:
        """The HS code points at a controlled line but the facts do not match it."""
        return bool(self.hs_hints) and not self.matches


T = TypeVar("T", ControlEntry, AnnexEntry)
V = TypeVar("V")
AnnexMatches = tuple[tuple[AnnexEntry, str], ...]


def _key_elements(spec: MatchSpec) -> tuple[str | None, ...]:
    """Elements one of which an item must contain to match `spec` (None: no such element).

    Indexing entries under these lets classification test only plausible entries instead of
    every entry of a form: the hot path of a determination.
    """
    if spec.principal is not None:
        return (spec.principal,)
    if spec.all_of:
        return (spec.all_of[-1],)
    if spec.any_of:
        return tuple(spec.any_of)
    return (None,)


def _index(rules: Iterable[tuple[MatchSpec, T]]) -> dict[tuple[Form, str | None], tuple[T, ...]]:
    index: dict[tuple[Form, str | None], list[T]] = {}
    for spec, rule in rules:
        for form in spec.forms:
            for element in _key_elements(spec):
                index.setdefault((form, element), []).append(rule)
    return {k: tuple(v) for k, v in index.items()}


@cache
def _entry_index(
    regime: Regime,
) -> tuple[dict[tuple[Form, str | None], tuple[ControlEntry, ...]], dict[str, int]]:
    order = {e.code: i for i, e in enumerate(regime.entries)}
    return _index((e.match, e) for e in regime.entries), order


@cache
def _annex_index(
    regime: Regime,
) -> tuple[dict[tuple[Form, str | None], tuple[AnnexEntry, ...]], dict[str, int]]:
    order = {a.id: i for i, a in enumerate(regime.annex1)}
    return _index((a.match, a) for a in regime.annex1), order


@cache
def _annex_by_id(regime: Regime) -> dict[str, AnnexEntry]:
    return {a.id: a for a in regime.annex1}


def _candidates(item: Item, index: dict[tuple[Form, str | None], tuple[T, ...]]) -> list[T]:
    found = list(index.get((item.form, None), ()))
    for element, share in (item.composition or {}).items():
        if share > 0:
            found.extend(index.get((item.form, element), ()))
    return found


_MEMO_LIMIT = 65_536
"""Distinct item facts remembered per regime; past this the memo starts afresh."""

FactKey = tuple[object, ...]


def _fact_key(item: Item) -> FactKey | None:
    """What classification reads of an item; None when it also reads contents or a BOM."""
    if item.contents or item.bom is not None:
        return None
    comp = tuple(sorted(item.composition.items())) if item.composition is not None else None
    params = tuple(sorted(item.parameters.items())) if item.parameters else None
    return (item.form, comp, item.hs_code, item.description, item.technology_activities, params)


@cache
def _classify_memo(regime: Regime) -> dict[FactKey, Classification]:
    return {}


@cache
def _annex_memo(regime: Regime) -> dict[FactKey, AnnexMatches]:
    return {}


def _remember(memo: dict[FactKey, V], key: FactKey, value: V) -> V:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


def classify(item: Item, regime: Regime) -> Classification:
    """Every control entry of the data that `item` matches (whatever its dates).

    A pure function of the item's facts, so it is memoised per regime for items without
    contents: an order book repeats the same SKUs, and this is the hot path.
    """
    key = _fact_key(item)
    if key is None:
        return _classify(item, regime)
    memo = _classify_memo(regime)
    hit = memo.get(key)
    return hit if hit is not None else _remember(memo, key, _classify(item, regime))


def _classify(item: Item, regime: Regime) -> Classification:
    index, order = _entry_index(regime)
    unique = {order[e.code]: e for e in _candidates(item, index)}
    candidates = [unique[k] for k in sorted(unique)]
    matches = _named_alloys(
        tuple(
            EntryMatch(entry, detail, missing_parameters(entry.match, item))
            for entry in candidates
            if (detail := match_detail(entry.match, item)) is not None
        ),
        item,
    )
    hints: tuple[ControlEntry, ...] = ()
    if item.hs_code is not None:
        key = item.hs_code if item.hs_code in regime.entries_by_hs else item.hs_code[:8]
        hints = regime.entries_by_hs.get(key, ())
    needs = item.composition is None and item.form in COMPOSITION_FORMS
    return Classification(matches, hints, needs)


def _named_alloys(matches: tuple[EntryMatch, ...], item: Item) -> tuple[EntryMatch, ...]:
    """Sibling entries (one parent code) named by their constituents (Sm-Co, Sm-Fe ... alloys;
    Sm-Co, Sm-Fe alloy targets) are alternatives: an alloy is the one its named elements make
    up most of. Sm2Co17 with some Fe is the Sm-Co alloy, not also the Sm-Fe alloy; ties keep
    every entry."""
    comp = item.composition or {}
    named: dict[str, list[tuple[Decimal, EntryMatch]]] = {}
    for m in matches:
        if m.entry.match.all_of:
            share = sum((comp.get(e, _ZERO) for e in m.entry.match.all_of), _ZERO)
            named.setdefault(m.entry.code.rsplit(".", 1)[0], []).append((share, m))
    drop: set[str] = set()
    for group in named.values():
        best = max(share for share, _ in group)
        drop.update(m.entry.code for share, m in group if share < best)
    return tuple(m for m in matches if m.entry.code not in drop) if drop else matches


def annex1_matches(item: Item, regime: Regime) -> AnnexMatches:
    """No. 61 Annex 1 entries `item` is, with why (memoised like `classify`)."""
    key = _fact_key(item)
    if key is None:
        return _annex1_matches(item, regime)
    memo = _annex_memo(regime)
    hit = memo.get(key)
    return hit if hit is not None else _remember(memo, key, _annex1_matches(item, regime))


def clear_memo() -> None:
    """Forget memoised classifications (benchmarks measure the cold path with it)."""
    _classify_memo.cache_clear()
    _annex_memo.cache_clear()


def _annex1_matches(item: Item, regime: Regime) -> AnnexMatches:
    """No. 61 Annex 1 entries `item` is, with why. Parts/components are Part II when they
    contain a Part II magnet material anywhere in their contents (a magnet in a rotor in a
    motor makes the motor Part II: "含有以上材料的零件、部件、组件")."""
    index, order = _annex_index(regime)
    by_id = _annex_by_id(regime)

    def contains(parent: Item, ids: Sequence[str]) -> str | None:
        for child in parent.contents:
            for annex_id in ids:
                if match_detail(by_id[annex_id].match, child, contains) is not None:
                    return f"contains {child.id} ({by_id[annex_id].title}, Annex 1 {annex_id})"
            deeper = contains(child, ids)
            if deeper is not None:
                return f"{deeper} via {child.id}"
        return None

    unique = {order[a.id]: a for a in _candidates(item, index)}
    candidates = [unique[k] for k in sorted(unique)]
    return tuple(
        (a, detail)
        for a in candidates
        if (detail := match_detail(a.match, item, contains)) is not None
    )
