"""Evaluate the rule conditions of `policies.yaml` against the facts of one shipment.

Each condition key is implemented once here; rules combine them as data. A satisfied condition
returns the facts that satisfied it (for the trace), an unsatisfied one returns None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reec.model import Shipment, Verdict
from reec.regime.schema import ConditionData
from reec.screening.base import ScreeningResult

__all__ = ["ConditionContext", "ItemFacts", "evaluate"]


@dataclass(frozen=True, slots=True)
class ItemFacts:
    verdict: Verdict
    annex1: bool
    exempted: bool
    hs_reference_unmatched: bool
    provisions: frozenset[str]
    """Keys of the provisions that made the item licensable (or exempted)."""


@dataclass(frozen=True, slots=True)
class ConditionContext:
    shipment: Shipment
    screening: ScreeningResult
    item: ItemFacts | None = None


Facts = list[str]


def _any(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    for sub in c.any or []:
        got = evaluate(sub, ctx)
        if got is not None:
            return got
    return None


def _all(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    out: Facts = []
    for sub in c.all or []:
        got = evaluate(sub, ctx)
        if got is None:
            return None
        out.extend(got)
    return out


def _not(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    assert c.not_ is not None
    return None if evaluate(c.not_, ctx) is not None else []


def _end_use(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    hit = [u.value for u in ctx.shipment.end_uses if u in (c.end_use_in or [])]
    return [f"end use {', '.join(hit)}"] if hit else None


def _destination(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    dest = ctx.shipment.destination
    return [f"destination {dest}"] if dest in (c.destination_in or []) else None


def _exporter(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    country = ctx.shipment.exporter.country
    return [f"exporter country {country}"] if country in (c.exporter_country_in or []) else None


def _party(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    spec = c.party
    assert spec is not None
    for p in ctx.shipment.parties:
        if p.role not in spec.roles:
            continue
        if spec.military is not None and p.military is not spec.military:
            continue
        if spec.country_in is not None and p.country not in spec.country_in:
            continue
        military = " is a military user" if p.military else ""
        return [f"{p.role.value} {p.name} ({p.country or 'country unknown'}){military}"]
    return None


def _listed(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    spec = c.party_listed
    assert spec is not None
    for hit in ctx.screening.hits:
        if hit.list_name not in spec.lists or hit.role not in spec.roles or not hit.in_force:
            continue
        if hit.via_owner is not None and not spec.affiliates:
            continue
        via = f" as a {hit.owner_share} affiliate of {hit.via_owner}" if hit.via_owner else ""
        return [
            f"{hit.role.value} {hit.party_name} matches {hit.list_name} entry "
            f"{hit.entry_name!r} ({hit.announcement}, added {hit.date_added}){via}"
        ]
    return None


def _item(
    test: Callable[[ItemFacts], bool], label: Callable[[ItemFacts], str]
) -> Callable[[ConditionData, ConditionContext], Facts | None]:
    def check(c: ConditionData, ctx: ConditionContext) -> Facts | None:
        if ctx.item is None or not test(ctx.item):
            return None
        return [label(ctx.item)]

    return check


_HANDLERS: dict[str, Callable[[ConditionData, ConditionContext], Facts | None]] = {
    "any": _any,
    "all": _all,
    "not_": _not,
    "end_use_in": _end_use,
    "destination_in": _destination,
    "exporter_country_in": _exporter,
    "party": _party,
    "party_listed": _listed,
}


def evaluate(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    """The facts that satisfy `c` in `ctx`, or None."""
    if c.item_verdict_in is not None:
        verdicts = c.item_verdict_in
        return _item(lambda f: f.verdict in verdicts, lambda f: f"item {f.verdict.value}")(c, ctx)
    if c.item_annex1 is not None:
        want = c.item_annex1
        return _item(lambda f: f.annex1 is want, lambda f: "No. 61 Annex 1 item")(c, ctx)
    if c.item_exempted is not None:
        want_e = c.item_exempted
        return _item(lambda f: f.exempted is want_e, lambda f: "exempted")(c, ctx)
    if c.item_hs_reference_unmatched is not None:
        want_h = c.item_hs_reference_unmatched
        return _item(
            lambda f: f.hs_reference_unmatched is want_h,
            lambda f: "HS code is a reference line, facts do not match",
        )(c, ctx)
    if c.item_under_provision is not None:
        keys = set(c.item_under_provision)
        return _item(lambda f: bool(f.provisions & keys), lambda f: "item rule")(c, ctx)
    for key, handler in _HANDLERS.items():
        if getattr(c, key) is not None:
            return handler(c, ctx)
    raise AssertionError("ConditionData validation guarantees exactly one key")  # pragma: no cover
