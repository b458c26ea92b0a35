"""Shipment-level steps of a determination: parties, end uses, licence policy, obligations.

Policy rules come from `policies.yaml`; each is applied only when its provision is in force on
the day, and the strictest wins. Rules that would apply but are suspended are still reported,
so the trace shows what changes when a suspension ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from reec.determine_work import STATE_OUTCOME
from reec.model import (
    Item,
    ItemDetermination,
    LicencePolicy,
    Obligation,
    Outcome,
    PartyRole,
    Reason,
    ReasonKind,
    Shipment,
    Verdict,
)
from reec.regime.conditions import ConditionContext, ItemFacts
from reec.regime.snapshot import ProvisionState, RegimeView
from reec.screening.base import ScreeningResult

__all__ = ["obligations_for", "policy_for", "rule_warnings", "shipment_reasons"]

_DECIDING_ROLES = (PartyRole.IMPORTER, PartyRole.END_USER)


def shipment_reasons(
    shipment: Shipment, view: RegimeView, screening: ScreeningResult, verdict: Verdict
) -> tuple[list[Reason], list[str]]:
    """Screening hits, the lists checked, and the facts the answer lacks."""
    reasons: list[Reason] = []
    warnings: list[str] = []
    for hit in screening.hits:
        via = f" as a {hit.owner_share} affiliate of {hit.via_owner}" if hit.via_owner else ""
        kind = (
            ReasonKind.UNRELIABLE_ENTITY
            if hit.list_name == "unreliable_entity_list"
            else ReasonKind.PARTY_LISTED
        )
        measures = f" Measures: {hit.measures}." if hit.measures else ""
        reasons.append(
            Reason(
                rule=f"screening-{hit.list_name}",
                kind=kind,
                outcome=Outcome.APPLIES if hit.in_force else Outcome.NOT_IN_FORCE,
                detail=f"{hit.role.value} {hit.party_name} matches {hit.list_name} entry "
                f"{hit.entry_name!r}{via} (score {hit.score:.2f}); {hit.status_detail}.{measures}"
                + (f" {hit.review}." if hit.review else ""),
                citation=hit.citation,
                facts={
                    "score": hit.score,
                    "list": hit.list_name,
                    "matched": hit.matched_name or "",
                    "explanation": hit.explanation,
                },
            )
        )
    for hit in screening.possible:
        warnings.append(
            f"Possible match for review: {hit.role.value} {hit.party_name} ~ {hit.list_name} "
            f"entry {hit.entry_name!r} (score {hit.score:.2f}, below the automatic threshold)."
            + (f" {hit.review}." if hit.review else "")
        )
    for hit in screening.cleared:
        reasons.append(
            Reason(
                rule=f"screening-{hit.list_name}",
                kind=ReasonKind.REVIEW_CLEARED,
                outcome=Outcome.NOT_APPLICABLE,
                detail=f"{hit.role.value} {hit.party_name} ~ {hit.list_name} entry "
                f"{hit.entry_name!r} (score {hit.score:.2f}): {hit.review}.",
                citation=hit.citation,
            )
        )
    if screening.lists_checked:
        reasons.append(
            Reason(
                rule="screening-checked",
                kind=ReasonKind.CHECKED,
                outcome=Outcome.NOT_APPLICABLE,
                detail=f"Parties screened against {', '.join(screening.lists_checked)} as of "
                f"{screening.as_of}. A party without a hit is not thereby cleared: only these "
                "lists, as the data knows them on that day, were checked.",
            )
        )
    elif shipment.parties:
        warnings.append("No party lists were checked: party screening was not run.")
    if not shipment.end_use_known:
        reasons.append(
            Reason(
                rule="facts-missing-end-use",
                kind=ReasonKind.FACTS_MISSING,
                outcome=Outcome.NEEDS_FACT,
                detail="End use unknown: the end-use rules (No. 61 Arts. 3-5, the WMD/terrorism "
                "catch-all, the US and Japan military bans by end use) could not be tested; the "
                "licence policy below holds only for a civil end use. Give the end use.",
            )
        )
        warnings.append("End use unknown: the licence policy assumes a civil end use.")
    if verdict is Verdict.LICENCE_REQUIRED:
        for p in shipment.parties:
            if p.role in _DECIDING_ROLES and p.military is None:
                reasons.append(
                    Reason(
                        rule="facts-missing-military",
                        kind=ReasonKind.FACTS_MISSING,
                        outcome=Outcome.NEEDS_FACT,
                        detail=f"Military status of {p.role.value} {p.name} unknown: treated as "
                        "not a military user; if it is one, the military-user rules apply.",
                    )
                )
    if not any(p.role is PartyRole.END_USER for p in shipment.parties):
        warnings.append("No end user named: end-user rules were tested on the importer only.")
    return reasons, warnings


def policy_for(
    shipment: Shipment,
    view: RegimeView,
    screening: ScreeningResult,
    facts: Sequence[ItemFacts],
) -> tuple[LicencePolicy, list[Reason], list[str]]:
    """The strictest policy of the rules in force whose conditions hold."""
    licensable = [f for f in facts if f.verdict is Verdict.LICENCE_REQUIRED]
    annex1 = any(f.annex1 for f in licensable)
    ctx = ConditionContext(shipment, screening)
    reasons: list[Reason] = []
    warnings: list[str] = []
    applied: list[LicencePolicy] = []
    affiliate_rule_in_force = False
    for rule in view.regime.policies:
        if rule.scope == "annex1" and not annex1:
            continue
        got = rule.predicate(ctx)
        state = view.status(rule.provision).state
        if rule.counts_affiliates and state is ProvisionState.IN_FORCE:
            affiliate_rule_in_force = True
        if got is None:
            continue
        reading = f" Reading applied: {rule.reading}" if rule.reading else ""
        facts_text = "; ".join(got)
        if state is ProvisionState.IN_FORCE:
            applied.append(rule.policy)
            reasons.append(
                Reason(
                    rule=rule.id,
                    kind=ReasonKind.POLICY,
                    policy=rule.policy,
                    detail=f"{rule.detail} Facts: {facts_text}.{reading}",
                    citation=rule.provision.citation,
                )
            )
        else:
            status = view.status(rule.provision)
            until = (
                f" through {status.suspension.last_day}" if status.suspension is not None else ""
            )
            reasons.append(
                Reason(
                    rule=rule.id,
                    kind=ReasonKind.POLICY,
                    policy=rule.policy,
                    outcome=STATE_OUTCOME[state],
                    detail=f"Would give {rule.policy.value} ({facts_text}), but the rule is "
                    f"{state.value.replace('_', ' ')}{until} on {view.day}.",
                    citation=rule.provision.citation,
                )
            )
    for hit in screening.hits:
        if hit.via_owner is not None and not affiliate_rule_in_force:
            warnings.append(
                f"{hit.party_name} is a {hit.owner_share} affiliate of listed {hit.via_owner}: "
                "caught only through No. 61 Art. 2, which does not apply on this day "
                "(suspended, or the items are not Annex 1): not itself listed."
            )
    if not applied:
        reasons.append(
            Reason(
                rule="favourable",
                kind=ReasonKind.POLICY,
                policy=LicencePolicy.FAVOURABLE,
                detail="No restrictive licence-policy rule applies on this day: ordinary review "
                "within 45 working days (Regulations Art. 17).",
            )
        )
        return LicencePolicy.FAVOURABLE, reasons, warnings
    return max(applied, key=lambda p: p.rank), reasons, warnings


def rule_warnings(shipment: Shipment, view: RegimeView, screening: ScreeningResult) -> list[str]:
    """The warning rules of `policies.yaml` in force on the day whose condition holds."""
    ctx = ConditionContext(shipment, screening)
    return [
        w.text
        for w in view.regime.warning_rules
        if view.status(w.provision).in_force and w.predicate(ctx) is not None
    ]


def _parameters(item: Item) -> str:
    return f"{item.description or item.id}; {item.parameters_text()}"


def obligations_for(
    shipment: Shipment,
    view: RegimeView,
    screening: ScreeningResult,
    items: Sequence[Item],
    results: Sequence[ItemDetermination],
    facts: Sequence[ItemFacts],
) -> tuple[Obligation, ...]:
    out: dict[tuple[str, str], Obligation] = {}
    for item, result, item_facts in zip(items, results, facts, strict=True):
        ctx = ConditionContext(shipment, screening, item_facts)
        for rule in view.obligations_in_force:
            if rule.predicate(ctx) is None:
                continue
            text = rule.text.format(
                control_codes=" ".join(item_facts.codes_in_force or result.control_codes),
                parameters=_parameters(item) if "{parameters}" in rule.text else "",
                destination=shipment.destination,
            )
            out.setdefault(
                (rule.id, text),
                Obligation(
                    rule=f"{rule.id} [{item.id}]",
                    text=text,
                    citation=rule.provision.citation,
                    deadline=rule.deadline,
                ),
            )
    return tuple(out.values())
