"""Compile the rule conditions of `policies.yaml` into predicates over one shipment.

Each condition key is implemented once here; rules combine them as data. The regime compiles
every rule's condition once (`compile_condition`), so a determination only calls predicates. A
satisfied predicate returns the facts that satisfied it (for the trace), otherwise None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from reec.model import PartyRole, ScreeningResult, Shipment, Verdict

if TYPE_CHECKING:
    from reec.regime.schema import ConditionData

__all__ = [
    "ConditionContext",
    "ItemFacts",
    "Predicate",
    "compile_condition",
    "counts_listed_affiliates",
    "evaluate",
]


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the item rules decided about one item, for the item conditions of policy rules."""

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
    """What a compiled condition is tested on: shipment, screening and (item rules) one item."""

    shipment: Shipment
    screening: ScreeningResult
    item: ItemFacts | None = None


Facts = list[str]
Predicate = Callable[[ConditionContext], Facts | None]


def _any(subs: tuple[Predicate, ...], ctx: ConditionContext) -> Facts | None:
    for sub in subs:
        got = sub(ctx)
        if got is not None:
            return got
    return None


def _all(subs: tuple[Predicate, ...], ctx: ConditionContext) -> Facts | None:
    out: Facts = []
    for sub in subs:
        got = sub(ctx)
        if got is None:
            return None
        out.extend(got)
    return out


def _not(sub: Predicate, ctx: ConditionContext) -> Facts | None:
    return None if sub(ctx) is not None else []


def _end_use(wanted: frozenset[str], ctx: ConditionContext) -> Facts | None:
    hit = [u.value for u in ctx.shipment.end_uses if u.value in wanted]
    return [f"end use {', '.join(hit)}"] if hit else None


def _destination(wanted: frozenset[str], ctx: ConditionContext) -> Facts | None:
    dest = ctx.shipment.destination
    return [f"destination {dest}"] if dest in wanted else None


def _exporter(wanted: frozenset[str], ctx: ConditionContext) -> Facts | None:
    country = ctx.shipment.exporter.country
    return [f"exporter country {country}"] if country in wanted else None


def _party(
    roles: frozenset[PartyRole],
    military: bool | None,
    countries: frozenset[str] | None,
    ctx: ConditionContext,
) -> Facts | None:
    for p in ctx.shipment.parties:
        if p.role not in roles:
            continue
        if military is not None and p.military is not military:
            continue
        if countries is not None and p.country not in countries:
            continue
        military_text = " is a military user" if p.military else ""
        return [f"{p.role.value} {p.name} ({p.country or 'country unknown'}){military_text}"]
    return None


def _listed(
    lists: frozenset[str], roles: frozenset[PartyRole], affiliates: bool, ctx: ConditionContext
) -> Facts | None:
    for hit in ctx.screening.hits:
        if hit.list_name not in lists or hit.role not in roles or not hit.in_force:
            continue
        if hit.via_owner is not None and not affiliates:
            continue
        via = f" as a {hit.owner_share} affiliate of {hit.via_owner}" if hit.via_owner else ""
        return [
            f"{hit.role.value} {hit.party_name} matches {hit.list_name} entry "
            f"{hit.entry_name!r} ({hit.announcement}, added {hit.date_added}){via}"
        ]
    return None


def _item_verdict(verdicts: frozenset[Verdict], ctx: ConditionContext) -> Facts | None:
    item = ctx.item
    return ["item needs a licence"] if item is not None and item.verdict in verdicts else None


def _item_flag(fact: str, want: bool, label: str, ctx: ConditionContext) -> Facts | None:
    """An item fact read as yes/no (`annex1`, `exempted`, `hs_reference_unmatched`, and
    `codes_in_force`: listed when any) equal to `want`."""
    item = ctx.item
    return [label] if item is not None and bool(getattr(item, fact)) is want else None


def _item_under(keys: frozenset[str], ctx: ConditionContext) -> Facts | None:
    item = ctx.item
    return ["item rule"] if item is not None and item.provisions & keys else None


def compile_condition(c: ConditionData) -> Predicate:
    """A predicate for `c` (exactly one key is set: the schema guarantees it).

    Each predicate is a `functools.partial` of a module-level test with the condition's
    operands: immutable in use and picklable, so the compiled regime can be kept on disk and
    read back without the rule-data models (docs/performance.md, cold start); unlike a frozen
    dataclass per kind of test it creates no class on import."""
    if c.any is not None:
        return partial(_any, tuple(compile_condition(x) for x in c.any))
    if c.all is not None:
        return partial(_all, tuple(compile_condition(x) for x in c.all))
    if c.not_ is not None:
        return partial(_not, compile_condition(c.not_))
    if c.end_use_in is not None:
        return partial(_end_use, frozenset(u.value for u in c.end_use_in))
    if c.destination_in is not None:
        return partial(_destination, frozenset(c.destination_in))
    if c.exporter_country_in is not None:
        return partial(_exporter, frozenset(c.exporter_country_in))
    if c.party is not None:
        spec = c.party
        countries = frozenset(spec.country_in) if spec.country_in is not None else None
        return partial(_party, frozenset(spec.roles), spec.military, countries)
    if c.party_listed is not None:
        listed = c.party_listed
        return partial(_listed, frozenset(listed.lists), frozenset(listed.roles), listed.affiliates)
    if c.item_verdict_in is not None:
        return partial(_item_verdict, frozenset(c.item_verdict_in))
    if c.item_annex1 is not None:
        return partial(_item_flag, "annex1", c.item_annex1, "No. 61 Annex 1 item")
    if c.item_exempted is not None:
        return partial(_item_flag, "exempted", c.item_exempted, "exempted")
    if c.item_hs_reference_unmatched is not None:
        return partial(
            _item_flag,
            "hs_reference_unmatched",
            c.item_hs_reference_unmatched,
            "HS code is a reference line, facts do not match",
        )
    if c.item_under_provision is not None:
        return partial(_item_under, frozenset(c.item_under_provision))
    if c.item_listed is not None:
        return partial(_item_flag, "codes_in_force", c.item_listed, "listed item")
    raise AssertionError("ConditionData validation guarantees exactly one key")  # pragma: no cover


def counts_listed_affiliates(c: ConditionData) -> bool:
    """Whether `c` is a list test that counts a listed party's affiliates (No. 61 Art. 2):
    while a rule with such a condition is in force, affiliates are screened for it."""
    return c.party_listed is not None and c.party_listed.affiliates


def evaluate(c: ConditionData, ctx: ConditionContext) -> Facts | None:
    """The facts that satisfy `c` in `ctx`, or None (compiles on each call: for tests/tools)."""
    return compile_condition(c)(ctx)
