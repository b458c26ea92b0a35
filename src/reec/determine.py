"""One shipment, one day -> one Determination with its whole trace.

The engine applies the rule data as of the day: item rules decide whether a licence is needed
(exports from China by list entry and technology; exports from abroad by No. 61 Art. 1), party
and end-use rules decide the licence policy, obligation rules add what the exporter must do.
Nothing else in reec decides a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from reec.classify import Classification, EntryMatch, annex1_matches, classify
from reec.determine_no61 import annex_membership, from_abroad, humanitarian
from reec.determine_policy import obligations_for, policy_for, rule_warnings, shipment_reasons
from reec.determine_readings import contested_readings
from reec.determine_work import OUTCOME_VERDICT, ItemWork, finding, law, status_text
from reec.model import (
    CHINA,
    Determination,
    EndUse,
    Item,
    ItemDetermination,
    LicencePolicy,
    Outcome,
    Reason,
    ReasonKind,
    Shipment,
    Verdict,
)
from reec.regime.conditions import ConditionContext, ItemFacts
from reec.regime.parameters import DOMESTIC_DESTINATIONS
from reec.regime.snapshot import (
    PolicyRule,
    Regime,
    RegimeView,
    load_regime,
)
from reec.screening.base import NullScreener, Screener, ScreeningResult

if TYPE_CHECKING:
    pass

__all__ = ["determine"]


def _from_china(item: Item, view: RegimeView, cls: Classification, work: ItemWork) -> None:
    regime = view.regime
    excluded = bool(item.technology_exclusions) and any(
        m.entry.match.activities_any for m in cls.matches
    )
    for m in cls.matches:
        note = "" if m.entry.confidence == "verified" else f" [{m.entry.confidence} source]"
        if excluded and m.entry.match.activities_any:
            continue
        if m.entry.confidence == "inferred":
            # [I] is never law (regime README): a screening trigger only.
            work.reasons.append(
                Reason(
                    rule=m.entry.code,
                    kind=ReasonKind.SCREENING_TRIGGER,
                    outcome=Outcome.INFERRED,
                    detail=f"{m.entry.title} ({m.entry.code}) is an inferred entry, not text: "
                    f"{m.detail}. A screening trigger, never law: check the official text.",
                    citation=m.entry.citation,
                )
            )
            work.warnings.append(
                f"{item.id}: matches inferred entry {m.entry.code} (not law): check the "
                "official text before relying on this answer."
            )
            continue
        if m.missing:
            _missing_parameters(item, view, m, work)
            continue
        finding(
            work,
            view,
            m.entry.provision,
            rule=m.entry.code,
            kind=ReasonKind.CONTROL_ENTRY,
            detail=f"Export from China of {m.entry.title} ({m.entry.code}){note}: {m.detail}.",
            codes=(m.entry.code,),
            citation=m.entry.citation,
        )
    if excluded:
        prov = regime.provision("MOFCOM-2025-62/exclusions", "technology exclusions")
        kinds = ", ".join(item.technology_exclusions)
        work.reasons.append(
            Reason(
                rule="no62-art6-exclusion",
                kind=ReasonKind.EXCLUSION,
                outcome=Outcome.EXEMPTED,
                detail=f"Technology declared as {kinds}: outside No. 62 (Art. 6: public domain, "
                "basic scientific research, ordinary patent applications).",
                citation=prov.citation,
            )
        )
        work.verdicts.append(Verdict.NOT_CONTROLLED)
    # No. 62 Art. 1 para. 2 reaches goods that are not controlled (非管制) on the day: an item
    # whose only list entries are not yet in force is still caught by the catch-all.
    listed = any(view.status(m.entry.provision).in_force for m in law(cls))
    if not listed and item.technology_activities and not excluded:
        prov = regime.provision("MOFCOM-2025-62/catch_all", "No. 62 catch-all")
        acts = ", ".join(a.value for a in item.technology_activities)
        finding(
            work,
            view,
            prov,
            rule="no62-catch-all",
            kind=ReasonKind.CATCH_ALL,
            detail=f"Unlisted {item.form.value} that the exporter knows will serve overseas "
            f"rare-earth activities ({acts}): licence required before export.",
            codes=(),
            citation=prov.citation,
        )
    if not law(cls) and not item.technology_activities and not cls.needs_composition:
        checked = len(regime.entries_by_form.get(item.form, ()))
        work.reasons.append(
            Reason(
                rule="list-checked",
                kind=ReasonKind.CHECKED,
                outcome=Outcome.NOT_APPLICABLE,
                detail=f"No control entry matches ({item.parameters_text()}); checked "
                f"{checked} entries for form {item.form.value} as of {view.day}.",
            )
        )
        work.verdicts.append(Verdict.NOT_CONTROLLED)


def _missing_parameters(item: Item, view: RegimeView, m: EntryMatch, work: ItemWork) -> None:
    """An entry matched by description whose stated parameters are not given: NEEDS_FACTS when
    the entry would apply or be suspended that day (the strictest completion)."""
    state, when = status_text(view, m.entry.provision)
    worst = OUTCOME_VERDICT[state]
    deciding = worst is not Verdict.NOT_CONTROLLED
    params = [p for p in m.entry.match.parameters if p.name in m.missing]
    wanted = "; ".join(f"{p.name} ({p.text}, {p.unit})" for p in params)
    work.reasons.append(
        Reason(
            rule="facts-missing-parameters",
            kind=ReasonKind.FACTS_MISSING,
            outcome=Outcome.NEEDS_FACT,
            detail=f"{m.entry.title} ({m.entry.code}) matches by description ({m.detail}), but "
            f"the entry states parameters the item does not give: {wanted}. Under the strictest "
            f"completion (inside the range) the answer would be {worst.value}. {when} Give "
            "them in the item's `parameters`.",
            citation=m.entry.citation,
            facts={"needs": ", ".join(m.missing), "strictest_completion": worst.value},
        )
    )
    if deciding:
        work.needs.extend(n for n in m.missing if n not in work.needs)
        work.verdicts.append(Verdict.NEEDS_FACTS)


def _reading_rank(item: Item, view: RegimeView, from_china: bool) -> tuple[int, ...]:
    """How strict a reading is: the list entries' status that day for an export from China;
    for a transfer from abroad, No. 61 Annex 1 membership first (it decides Art. 1)."""
    cls = classify(item, view.regime)
    rank = max(
        (OUTCOME_VERDICT[view.status(m.entry.provision).state].rank for m in law(cls)),
        default=0,
    )
    return (rank,) if from_china else (int(bool(annex1_matches(item, view.regime))), rank)


def _coverage(cls: Classification, item: Item) -> Decimal:
    """Largest share of the composition that one matching entry names."""
    comp = item.composition or {}
    best = Decimal(0)
    for m in law(cls):
        spec = m.entry.match
        named = {*spec.all_of, *spec.any_of, *([spec.principal] if spec.principal else [])}
        best = max(best, sum((comp.get(e, Decimal(0)) for e in named), Decimal(0)))
    return best


def _read_item(
    item: Item, view: RegimeView, work: ItemWork, from_china: bool
) -> tuple[Item, Classification]:
    """Classify by substance: the item under its declared form and under every form of its
    group (regime.yaml `form_groups`); when another form gives a stricter answer, the declared
    form and the composition disagree: warn and answer for the stricter reading."""
    regime = view.regime
    alternatives = regime.form_alternatives.get(item.form, ())
    if not alternatives or item.composition is None or item.bom is not None:
        return item, classify(item, regime)
    declared = _reading_rank(item, view, from_china)
    best, best_key = item, (declared, Decimal(0))
    for form in alternatives:
        other = replace(item, form=form)
        rank = _reading_rank(other, view, from_china)
        # Among equally strict readings, the one whose entries name most of the composition
        # (a Tb-Dy-Fe alloy rather than "Dy metal" for Tb 18, Dy 42, Fe 40).
        key = (rank, _coverage(classify(other, regime), other))
        if rank > declared and key > best_key:
            best, best_key = other, key
    if best is not item:
        cls = classify(best, regime)
        codes = ", ".join(m.entry.code for m in law(cls)) or "No. 61 Annex 1"
        text = (
            f"declared form {item.form.value}, but the composition ({item.parameters_text()}) "
            f"also reads as {best.form.value} ({codes}), which gives the stricter answer: "
            f"answered as {best.form.value}."
        )
        work.warnings.append(f"{item.id}: {text}")
        work.reasons.append(
            Reason(
                rule="form-reading",
                kind=ReasonKind.CLASSIFICATION,
                outcome=Outcome.APPLIES,
                detail=f"Classified by substance: {text} (docs/guide.md).",
            )
        )
    return best, classify(best, regime)


@dataclass(frozen=True, slots=True)
class _ExportScope:
    """Whether the shipment is an export in the sense of ECL Art. 2(3), and why."""

    from_china: bool
    export: bool
    reason: Reason | None = None
    needs: tuple[str, ...] = ()


def _export_scope(shipment: Shipment, view: RegimeView) -> _ExportScope:
    """ECL Art. 2(3): export = leaving China's customs territory, or provision to a foreign
    organisation or individual (deemed export). A Chinese firm's sale to a Chinese party inside
    China is not an export; a foreign party in China makes it one."""
    from_china = shipment.exporter.country == CHINA
    prov = view.regime.provision("ECL-2020/art2_3", "export scope")
    domestic = view.parameter(DOMESTIC_DESTINATIONS)
    if not from_china or shipment.destination not in domestic:
        return _ExportScope(from_china, export=True)
    foreign = [p for p in shipment.parties if p.country is not None and p.country not in domestic]
    if foreign:
        names = ", ".join(f"{p.role.value} {p.name} ({p.country})" for p in foreign)
        return _ExportScope(
            from_china,
            export=True,
            reason=Reason(
                rule="export-deemed",
                kind=ReasonKind.EXPORT_SCOPE,
                outcome=Outcome.APPLIES,
                detail=f"Destination {shipment.destination}, but the items are provided to a "
                f"foreign party ({names}): a deemed export.",
                citation=prov.citation,
            ),
        )
    unknown = [i for i, p in enumerate(shipment.parties) if p.country is None]
    if not shipment.parties:
        return _ExportScope(
            from_china,
            export=False,
            reason=Reason(
                rule="export-scope-unknown",
                kind=ReasonKind.FACTS_MISSING,
                outcome=Outcome.NEEDS_FACT,
                detail=f"Destination {shipment.destination} and no party named: an export only "
                "if the recipient is foreign (deemed export). Under the strictest completion (a "
                "foreign recipient) the items are exported and the list rules apply.",
                citation=prov.citation,
            ),
            needs=("parties",),
        )
    if unknown:
        return _ExportScope(
            from_china,
            export=False,
            reason=Reason(
                rule="export-scope-unknown",
                kind=ReasonKind.FACTS_MISSING,
                outcome=Outcome.NEEDS_FACT,
                detail=f"Destination {shipment.destination}: an export only if a party is foreign "
                "(deemed export), and the country of "
                + ", ".join(shipment.parties[i].name for i in unknown)
                + " is not given. Under the strictest completion (a foreign party) the items are "
                "exported and the list rules apply.",
                citation=prov.citation,
            ),
            needs=tuple(f"parties[{i}].country" for i in unknown),
        )
    return _ExportScope(
        from_china,
        export=False,
        reason=Reason(
            rule="export-not-an-export",
            kind=ReasonKind.EXPORT_SCOPE,
            outcome=Outcome.NOT_APPLICABLE,
            detail=f"Exporter and destination are both {shipment.destination} and every party "
            "is Chinese: the items neither leave China's customs territory nor go to a foreign "
            "person, so this is not an export and no export licence rule applies.",
            citation=prov.citation,
        ),
    )


def _strictest_completion(
    item: Item, view: RegimeView, cls: Classification, from_china: bool
) -> tuple[Verdict, str]:
    """The answer if the missing composition were the worst one for the exporter: the status
    on the day of the entries (or No. 61 prongs) the item could be."""
    regime = view.regime
    if from_china:
        pool = cls.hs_hints or regime.entries_by_form.get(item.form, ())
        candidates = [(e.code, e.provision) for e in pool if e.confidence != "inferred"]
    else:
        keys: list[str] = []
        if any(item.form in a.match.forms for a in regime.annex1):
            keys.append("art1_3" if item.origin in (CHINA, None) else "art1_1")
        if item.technology_origin:
            keys.append("art1_2")
        candidates = [(f"No. 61 {regime.no61(k).clause}", regime.no61(k)) for k in keys]
    best, which = Verdict.NOT_CONTROLLED, ""
    for label, prov in candidates:
        verdict = OUTCOME_VERDICT[view.status(prov).state]
        if verdict.rank > best.rank:
            best, which = verdict, label
    return best, which


def _missing_composition(
    item: Item, view: RegimeView, cls: Classification, from_china: bool, work: ItemWork
) -> None:
    hint = ""
    if cls.hs_hints:
        lines = ", ".join(sorted({f"{e.code} ({e.title})" for e in cls.hs_hints}))
        hint = f" HS code {item.hs_code} is a reference code of {lines}."
    worst, which = _strictest_completion(item, view, cls, from_china)
    deciding = worst.rank > Verdict.NOT_CONTROLLED.rank
    if deciding:
        completion = (
            f" Under the strictest completion (e.g. {which}) the answer would be "
            f"{worst.value}: until the composition is given the item is NEEDS_FACTS, never "
            "NOT_CONTROLLED."
        )
    else:
        completion = f" No entry for form {item.form.value} is in force or suspended that day."
    work.needs.append("composition")
    work.reasons.append(
        Reason(
            rule="facts-missing-composition",
            kind=ReasonKind.FACTS_MISSING,
            outcome=Outcome.NEEDS_FACT,
            detail=f"Composition not given for a {item.form.value}: form and composition "
            f"decide the control entry, so the item cannot be classified.{hint}{completion} "
            "Give the composition (mass % by element).",
            figures={"strictest_completion": worst.value},
        )
    )
    if deciding:
        work.verdicts.append(Verdict.NEEDS_FACTS)
    work.warnings.append(f"{item.id}: composition missing; the item is not classified.{hint}")


_Fired = tuple[tuple[PolicyRule, tuple[str, ...]], ...]


class _Reaches:
    """Policy rules with a `reach:` whose condition holds for the shipment (computed once per
    shipment), and, on first need, those that would hold under each strictest completion of a
    missing fact (most shipments never ask: their items already need a licence)."""

    __slots__ = ("_completions", "_fired_for", "fired", "shipment")

    def __init__(self, shipment: Shipment, fired_for: Callable[[Shipment], _Fired] | None) -> None:
        self.shipment = shipment
        self._fired_for = fired_for
        self.fired: _Fired = fired_for(shipment) if fired_for is not None else ()
        self._completions: tuple[tuple[str, _Fired], ...] | None = None

    def completions(self) -> tuple[tuple[str, _Fired], ...]:
        if self._completions is None:
            fired_for = self._fired_for
            self._completions = (
                ()
                if fired_for is None
                else tuple(
                    (need, f) for need, s in _completions(self.shipment) if (f := fired_for(s))
                )
            )
        return self._completions


def _shipment_reaches(
    shipment: Shipment, view: RegimeView, screening: ScreeningResult, from_china: bool
) -> _Reaches:
    rules = [
        r
        for r in view.regime.policies
        if r.reach is not None
        and (r.reach.exporters == "china") is from_china
        and view.status(r.provision).in_force
    ]
    if not rules:
        return _Reaches(shipment, None)

    def fired(s: Shipment) -> _Fired:
        ctx = ConditionContext(s, screening)
        return tuple((r, tuple(got)) for r in rules if (got := r.predicate(ctx)) is not None)

    return _Reaches(shipment, fired)


def _reach(
    item: Item, view: RegimeView, cls: Classification, work: ItemWork, fired: _Fired
) -> None:
    """Policy rules that reach an item on their own scope (`reach:` in policies.yaml): the
    catch-all for any item exported from China, the military bans for Chinese-origin dual-use
    items transferred from abroad. They do not wait for an item rule to fire."""
    for rule, facts in fired:
        reach = rule.reach
        assert reach is not None
        got = list(facts)
        codes: tuple[str, ...] = ()
        if reach.items == "chinese_origin_dual_use":
            if item.origin not in (CHINA, None):
                continue
            codes = tuple(m.entry.code for m in law(cls) if view.status(m.entry.provision).in_force)
            if not codes:
                continue
            assumed = ""
            if item.origin is None:
                assumed = " (origin unknown: treated as Chinese-origin)"
                work.warnings.append(f"{item.id}: origin unknown, treated as Chinese-origin.")
            got.append(f"Chinese-origin{assumed} dual-use item ({', '.join(codes)})")
        finding(
            work,
            view,
            reach.provision,
            rule=reach.id,
            kind=ReasonKind.POLICY_REACH,
            detail=f"{reach.detail} Facts: {'; '.join(got)}.",
            codes=codes,
            citation=reach.provision.citation,
        )


def _completions(shipment: Shipment) -> list[tuple[str, Shipment]]:
    """The shipment with each missing end-use or user fact at its strictest value: every end
    use (the catch-all and the military bans turn on it), every party of unknown status a
    military user."""
    out: list[tuple[str, Shipment]] = []
    if not shipment.end_use_known:
        every = tuple(u for u in EndUse if u is not EndUse.UNKNOWN)
        out.append(("end_uses", replace(shipment, end_uses=every)))
    for i, p in enumerate(shipment.parties):
        if p.military is None:
            parties = list(shipment.parties)
            parties[i] = replace(p, military=True)
            out.append((f"parties[{i}].military", replace(shipment, parties=tuple(parties))))
    return out


def _missing_user_facts(
    item: Item, view: RegimeView, cls: Classification, work: ItemWork, reaches: _Reaches
) -> None:
    """NEEDS_FACTS when an unknown end use or military status could make the item need a
    licence through a rule that reaches it on its own (docs/format.md: never NOT_CONTROLLED
    then)."""
    current = max(work.verdicts, key=lambda v: v.rank, default=Verdict.NOT_CONTROLLED)
    if current.rank >= Verdict.NEEDS_FACTS.rank:
        return
    for need, fired_then in reaches.completions():
        scratch = ItemWork()
        _reach(item, view, cls, scratch, fired_then)
        fired = [r.rule for r in scratch.reasons if r.outcome == Outcome.APPLIES]
        if not fired:
            continue
        work.needs.append(need)
        work.verdicts.append(Verdict.NEEDS_FACTS)
        what = "the end use" if need == "end_uses" else f"whether {need} is a military user"
        work.reasons.append(
            Reason(
                rule="facts-missing-deciding",
                kind=ReasonKind.FACTS_MISSING,
                outcome=Outcome.NEEDS_FACT,
                detail=f"{what[0].upper()}{what[1:]} is not given, and it decides: under the "
                f"strictest completion the answer would be LICENCE_REQUIRED "
                f"({', '.join(dict.fromkeys(fired))}). Give it.",
                facts={"needs": need, "strictest_completion": Verdict.LICENCE_REQUIRED.value},
            )
        )


def _determine_item(
    item: Item,
    shipment: Shipment,
    view: RegimeView,
    reaches: _Reaches,
    scope: _ExportScope,
) -> tuple[ItemDetermination, ItemFacts, list[str]]:
    regime = view.regime
    work = ItemWork()
    from_china = scope.from_china
    item, cls = _read_item(item, view, work, from_china)
    # Annex 1 membership matters for a Chinese export only once it needs a licence (policy
    # scope, Art. 7 obligations); skipping it otherwise keeps the common path short.
    membership = None if from_china else annex_membership(item, regime)
    if not scope.export:
        assert scope.reason is not None
        work.reasons.append(scope.reason)
        work.needs.extend(scope.needs)
        work.verdicts.append(Verdict.NEEDS_FACTS if scope.needs else Verdict.NOT_CONTROLLED)
    else:
        if scope.reason is not None:
            work.reasons.append(scope.reason)
        if cls.needs_composition:
            _missing_composition(item, view, cls, from_china, work)
        elif cls.hs_reference_unmatched:
            lines = ", ".join(sorted({e.code for e in cls.hs_hints}))
            work.reasons.append(
                Reason(
                    rule="hs-reference-unmatched",
                    kind=ReasonKind.CHECKED,
                    outcome=Outcome.NOT_APPLICABLE,
                    detail=f"HS code {item.hs_code} is a reference code of {lines}, but form and "
                    "composition do not match those entries (HS codes are reference only).",
                )
            )
        if from_china:
            _from_china(item, view, cls, work)
        else:
            assert membership is not None
            from_abroad(item, shipment, view, cls, membership, work)
            humanitarian(shipment, view, work)
        _reach(item, view, cls, work, reaches.fired)
        _missing_user_facts(item, view, cls, work, reaches)
    verdict = max(work.verdicts, key=lambda v: v.rank, default=Verdict.NOT_CONTROLLED)
    if from_china and verdict is not Verdict.NOT_CONTROLLED:
        membership = annex_membership(item, regime)
    annex = membership[0] if membership is not None else ()
    codes = tuple(dict.fromkeys(work.codes))
    in_force = tuple(
        c
        for c in dict.fromkeys(m.entry.code for m in law(cls))
        if scope.export and view.status(regime.entry(c).provision).in_force
    )
    facts = ItemFacts(
        verdict=verdict,
        annex1=bool(annex),
        exempted=work.exempted,
        hs_reference_unmatched=cls.hs_reference_unmatched and not cls.needs_composition,
        provisions=frozenset(work.provisions),
        codes_in_force=in_force,
    )
    result = ItemDetermination(
        id=item.id,
        verdict=verdict,
        control_codes=codes,
        reasons=tuple(work.reasons),
        needs=tuple(work.needs),
        suspended_until=work.suspended_until if verdict is Verdict.SUSPENDED else None,
        annex1=bool(annex),
        codes_not_in_force=tuple(
            c for c in dict.fromkeys(work.codes_not_in_force) if c not in codes
        ),
    )
    return result, facts, work.warnings


def determine(
    shipment: Shipment,
    regime: Regime | None = None,
    *,
    as_of: date | None = None,
    screener: Screener | None = None,
) -> Determination:
    """Determine `shipment` on `as_of` (default: the shipment's date), under the published
    text; each other reading of an open dated fact whose answer differs is in `contested`."""
    regime = regime or load_regime()
    day = as_of or shipment.date
    screener = screener or NullScreener()
    base = _determine_on(shipment, regime, day, screener)
    contested, warnings = contested_readings(shipment, regime, day, screener, base, _determine_on)
    if not contested and not warnings:
        return base
    return replace(
        base,
        contested=contested,
        warnings=tuple(dict.fromkeys((*base.warnings, *warnings))),
    )


def _determine_on(
    shipment: Shipment, regime: Regime, day: date, screener: Screener
) -> Determination:
    view = regime.as_of(day)
    screening: ScreeningResult = screener.screen(shipment.parties, day)
    warnings = list(view.warnings)
    items: list[ItemDetermination] = []
    facts: list[ItemFacts] = []
    scope = _export_scope(shipment, view)
    reaches = _shipment_reaches(shipment, view, screening, scope.from_china)
    for item in shipment.items:
        result, item_facts, item_warnings = _determine_item(item, shipment, view, reaches, scope)
        items.append(result)
        facts.append(item_facts)
        warnings.extend(item_warnings)
    verdict = max((i.verdict for i in items), key=lambda v: v.rank)
    reasons, more_warnings = shipment_reasons(shipment, view, screening, verdict)
    warnings.extend(more_warnings)
    warnings.extend(rule_warnings(shipment, view, screening))
    policy: LicencePolicy | None = None
    if verdict is Verdict.LICENCE_REQUIRED:
        policy, policy_reasons, policy_warnings = policy_for(shipment, view, screening, facts)
        reasons.extend(policy_reasons)
        warnings.extend(policy_warnings)
    obligations = obligations_for(shipment, view, screening, shipment.items, items, facts)
    return Determination(
        as_of=day,
        verdict=verdict,
        licence_policy=policy,
        items=tuple(items),
        reasons=tuple(reasons),
        obligations=obligations,
        warnings=tuple(dict.fromkeys(warnings)),
        regime_version=regime.version,
        current_as_of=regime.current_as_of,
    )
