"""Compile the rule conditions of `policies.yaml` into predicates over one shipment.

Each condition key is implemented once here; rules combine them as data. The regime compiles
every rule's condition once (`compile_condition`), so a determination only calls closures. A
satisfied predicate returns the facts that satisfied it (for the trace), otherwise None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reec.model import ScreeningResult, Shipment, Verdict
from reec.regime.schema import ConditionData

__all__ = ["ConditionContext", "ItemFacts", "Predicate", "compile_condition", "evaluate"]


@dataclass(frozen=True, slots=True)
class ItemFacts:
    verdict: Verdict
    annex1: bool
    exempted: bool
    hs_reference_unmatched: bool
    provisions: frozenset[str]
    """Keys of the provisions that made the item licensable (or exempted)."""
    codes_in_force: tuple[str, ...] = ()
    """Control entries in force that day that the item matches (what a remark names)."""


@dataclass(frozen=True, slots=True)
class ConditionContext:
    shipment: Shipment
    screening: ScreeningResult
    item: ItemFacts | None = None


Facts = list[str]
Predicate = Callable[[ConditionContext], Facts | None]


def _any(subs: list[Predicate]) -> Predicate:
    def check(ctx: ConditionContext) -> Facts | None:
        for sub in subs:
            got = sub(ctx)
            if got is not None:
                return got
        return None

    return check


def _all(subs: list[Predicate]) -> Predicate:
    def check(ctx: ConditionContext) -> Facts | None:
        out: Facts = []
        for sub in subs:
            got = sub(ctx)
            if got is None:
                return None
            out.extend(got)
        return out

    return check


def _not(sub: Predicate) -> Predicate:
    return lambda ctx: None if sub(ctx) is not None else []


def _end_use(wanted: frozenset[str]) -> Predicate:
    def check(ctx: ConditionContext) -> Facts | None:
        hit = [u.value for u in ctx.shipment.end_uses if u.value in wanted]
        return [f"end use {', '.join(hit)}"] if hit else None

    return check


def _destination(wanted: frozenset[str]) -> Predicate:
    def check(ctx: ConditionContext) -> Facts | None:
        dest = ctx.shipment.destination
        return [f"destination {dest}"] if dest in wanted else None

    return check


def _exporter(wanted: frozenset[str]) -> Predicate:
    def check(ctx: ConditionContext) -> Facts | None:
        country = ctx.shipment.exporter.country
        return [f"exporter country {country}"] if country in wanted else None

    return check


def _party(c: ConditionData) -> Predicate:
    spec = c.party
    assert spec is not None
    roles = frozenset(spec.roles)
    countries = frozenset(spec.country_in) if spec.country_in is not None else None

    def check(ctx: ConditionContext) -> Facts | None:
        for p in ctx.shipment.parties:
            if p.role not in roles:
                continue
            if spec.military is not None and p.military is not spec.military:
                continue
            if countries is not None and p.country not in countries:
                continue
            military = " is a military user" if p.military else ""
            return [f"{p.role.value} {p.name} ({p.country or 'country unknown'}){military}"]
        return None

    return check


def _listed(c: ConditionData) -> Predicate:
    spec = c.party_listed
    assert spec is not None
    lists = frozenset(spec.lists)
    roles = frozenset(spec.roles)

    def check(ctx: ConditionContext) -> Facts | None:
        for hit in ctx.screening.hits:
            if hit.list_name not in lists or hit.role not in roles or not hit.in_force:
                continue
            if hit.via_owner is not None and not spec.affiliates:
                continue
            via = f" as a {hit.owner_share} affiliate of {hit.via_owner}" if hit.via_owner else ""
            return [
                f"{hit.role.value} {hit.party_name} matches {hit.list_name} entry "
                f"{hit.entry_name!r} ({hit.announcement}, added {hit.date_added}){via}"
            ]
        return None

    return check


def _item(test: Callable[[ItemFacts], bool], label: str) -> Predicate:
    def check(ctx: ConditionContext) -> Facts | None:
        if ctx.item is None or not test(ctx.item):
            return None
        return [label]

    return check


def compile_condition(c: ConditionData) -> Predicate:
    """A predicate for `c` (exactly one key is set: the schema guarantees it)."""
    if c.any is not None:
        return _any([compile_condition(x) for x in c.any])
    if c.all is not None:
        return _all([compile_condition(x) for x in c.all])
    if c.not_ is not None:
        return _not(compile_condition(c.not_))
    if c.end_use_in is not None:
        return _end_use(frozenset(u.value for u in c.end_use_in))
    if c.destination_in is not None:
        return _destination(frozenset(c.destination_in))
    if c.exporter_country_in is not None:
        return _exporter(frozenset(c.exporter_country_in))
    if c.party is not None:
        return _party(c)
    if c.party_listed is not None:
        return _listed(c)
    if c.item_verdict_in is not None:
        verdicts = frozenset(c.item_verdict_in)
        return _item(lambda f: f.verdict in verdicts, "item needs a licence")
    if c.item_annex1 is not None:
        want = c.item_annex1
        return _item(lambda f: f.annex1 is want, "No. 61 Annex 1 item")
    if c.item_exempted is not None:
        want_e = c.item_exempted
        return _item(lambda f: f.exempted is want_e, "exempted")
    if c.item_hs_reference_unmatched is not None:
        want_h = c.item_hs_reference_unmatched
        return _item(
            lambda f: f.hs_reference_unmatched is want_h,
            "HS code is a reference line, facts do not match",
        )
    if c.item_under_provision is not None:
        keys = frozenset(c.item_under_provision)
        return _item(lambda f: bool(f.provisions & keys), "item rule")
    if c.item_listed is not None:
        want_l = c.item_listed
        return _item(lambda f: bool(f.codes_in_force) is want_l, "listed item")
    raise AssertionError("ConditionData validation guarantees exactly one key")  # pragma: no cover


def evaluate(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    """The facts that satisfy `c` in `ctx`, or None (compiles on each call: for tests/tools)."""
    return compile_condition(c)(ctx)
