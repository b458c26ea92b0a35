"""One shipment, one day -> one Determination with its whole trace.

The engine applies the rule data as of the day: item rules decide whether a licence is needed
(exports from China by list entry and technology; exports from abroad by No. 61 Art. 1), party
and end-use rules decide the licence policy, obligation rules add what the exporter must do.
Nothing else in reec decides a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from reec.classify import Classification, EntryMatch, annex1_matches, classify
from reec.determine_policy import obligations_for, policy_for, rule_warnings, shipment_reasons
from reec.determine_readings import contested_readings
from reec.model import (
    CHINA,
    Citation,
    Determination,
    EndUse,
    Item,
    ItemDetermination,
    LicencePolicy,
    Reason,
    Shipment,
    Verdict,
)
from reec.regime.conditions import ConditionContext, ItemFacts
from reec.regime.parameters import (
    DESTINATIONS_OUTSIDE_NO61,
    DOMESTIC_DESTINATIONS,
    EXEMPT_END_USES,
    TECHNOLOGY_ACTIVITIES,
    VALUE_SHARE_THRESHOLD,
)
from reec.regime.snapshot import (
    AnnexEntry,
    PolicyRule,
    Provision,
    ProvisionState,
    Regime,
    RegimeView,
    load_regime,
)
from reec.screening.base import NullScreener, Screener, ScreeningResult

if TYPE_CHECKING:
    from reec.bom.rollup import Rollup, Trace

__all__ = ["determine"]

_OUTCOME_VERDICT = {
    ProvisionState.IN_FORCE: Verdict.LICENCE_REQUIRED,
    ProvisionState.SUSPENDED: Verdict.SUSPENDED,
    ProvisionState.NOT_YET_EFFECTIVE: Verdict.NOT_CONTROLLED,
    ProvisionState.REPEALED: Verdict.NOT_CONTROLLED,
}


@dataclass(slots=True)
class _ItemWork:
    """Mutable scratchpad for one item; frozen into an ItemDetermination at the end."""

    reasons: list[Reason] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    codes_not_in_force: list[str] = field(default_factory=list)
    provisions: set[str] = field(default_factory=set)
    needs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suspended_until: date | None = None
    exempted: bool = False


def _status_text(view: RegimeView, provision: Provision) -> tuple[ProvisionState, str]:
    status = view.status(provision)
    return status.state, status.describe(view.day)


def _finding(
    work: _ItemWork,
    view: RegimeView,
    provision: Provision,
    *,
    rule: str,
    kind: str,
    detail: str,
    codes: tuple[str, ...],
    citation: Citation,
    figures: dict[str, float | int | str] | None = None,
    children: tuple[Reason, ...] = (),
) -> None:
    state, when = _status_text(view, provision)
    verdict = _OUTCOME_VERDICT[state]
    outcome = {
        ProvisionState.IN_FORCE: "applies",
        ProvisionState.SUSPENDED: "suspended",
        ProvisionState.NOT_YET_EFFECTIVE: "not_yet_effective",
        ProvisionState.REPEALED: "repealed",
    }[state]
    work.reasons.append(
        Reason(
            rule=rule,
            kind=kind,
            detail=f"{detail} {when}",
            citation=citation,
            outcome=outcome,
            figures=figures or {},
            children=children,
        )
    )
    work.verdicts.append(verdict)
    (work.codes if verdict is not Verdict.NOT_CONTROLLED else work.codes_not_in_force).extend(codes)
    if verdict is not Verdict.NOT_CONTROLLED:
        work.provisions.add(provision.key)
    status = view.status(provision)
    if status.suspension is not None and state is ProvisionState.SUSPENDED:
        last = status.suspension.last_day
        work.suspended_until = max(work.suspended_until or last, last)


def _from_china(item: Item, view: RegimeView, cls: Classification, work: _ItemWork) -> None:
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
                    kind="screening_trigger",
                    outcome="inferred",
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
        _finding(
            work,
            view,
            m.entry.provision,
            rule=m.entry.code,
            kind="control_entry",
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
                kind="exclusion",
                outcome="exempted",
                detail=f"Technology declared as {kinds}: outside No. 62 (Art. 6: public domain, "
                "basic scientific research, ordinary patent applications).",
                citation=prov.citation,
            )
        )
        work.verdicts.append(Verdict.NOT_CONTROLLED)
    # No. 62 Art. 1 para. 2 reaches goods that are not controlled (非管制) on the day: an item
    # whose only list entries are not yet in force is still caught by the catch-all.
    listed = any(view.status(m.entry.provision).in_force for m in _law(cls))
    if not listed and item.technology_activities and not excluded:
        prov = regime.provision("MOFCOM-2025-62/catch_all", "No. 62 catch-all")
        acts = ", ".join(a.value for a in item.technology_activities)
        _finding(
            work,
            view,
            prov,
            rule="no62-catch-all",
            kind="catch_all",
            detail=f"Unlisted {item.form.value} that the exporter knows will serve overseas "
            f"rare-earth activities ({acts}): licence required before export.",
            codes=(),
            citation=prov.citation,
        )
    if not _law(cls) and not item.technology_activities and not cls.needs_composition:
        checked = len(regime.entries_by_form.get(item.form, ()))
        work.reasons.append(
            Reason(
                rule="list-checked",
                kind="checked",
                outcome="not_applicable",
                detail=f"No control entry matches ({item.parameters_text()}); checked "
                f"{checked} entries for form {item.form.value} as of {view.day}.",
            )
        )
        work.verdicts.append(Verdict.NOT_CONTROLLED)


def _law(cls: Classification) -> tuple[EntryMatch, ...]:
    """The matches that are law and decided: [I]nferred entries are screening triggers only;
    an entry whose parameters the item does not give is undecided."""
    return tuple(m for m in cls.matches if m.law)


def _missing_parameters(item: Item, view: RegimeView, m: EntryMatch, work: _ItemWork) -> None:
    """An entry matched by description whose stated parameters are not given: NEEDS_FACTS when
    the entry would apply or be suspended that day (the strictest completion)."""
    state, when = _status_text(view, m.entry.provision)
    worst = _OUTCOME_VERDICT[state]
    deciding = worst is not Verdict.NOT_CONTROLLED
    params = [p for p in m.entry.match.parameters if p.name in m.missing]
    wanted = "; ".join(f"{p.name} ({p.text}, {p.unit})" for p in params)
    work.reasons.append(
        Reason(
            rule="facts-missing-parameters",
            kind="facts_missing",
            outcome="needs_fact",
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


def _annex_codes(item: Item, regime: Regime, part: str | None = None) -> tuple[str, ...]:
    """Control codes of the Annex 1 lines `item` is; an assembly (II.4, no code of its own)
    takes the codes of the Part II materials it contains."""
    codes: list[str] = []
    for annex, _ in annex1_matches(item, regime):
        if part is not None and annex.part != part:
            continue
        if annex.control_code:
            codes.append(annex.control_code)
        elif annex.match.contains:
            for child in item.contents:
                codes.extend(_annex_codes(child, regime, "II"))
    if not codes and part == "II":
        for child in item.contents:
            codes.extend(_annex_codes(child, regime, "II"))
    return tuple(dict.fromkeys(codes))


if TYPE_CHECKING:
    _Membership = tuple[
        tuple[tuple[AnnexEntry, str], ...], tuple[str, ...] | None, tuple[Rollup, Trace] | None
    ]


def _reading_rank(item: Item, view: RegimeView, from_china: bool) -> tuple[int, ...]:
    """How strict a reading is: the list entries' status that day for an export from China;
    for a transfer from abroad, No. 61 Annex 1 membership first (it decides Art. 1)."""
    cls = classify(item, view.regime)
    rank = max(
        (_OUTCOME_VERDICT[view.status(m.entry.provision).state].rank for m in _law(cls)),
        default=0,
    )
    return (rank,) if from_china else (int(bool(annex1_matches(item, view.regime))), rank)


def _coverage(cls: Classification, item: Item) -> Decimal:
    """Largest share of the composition that one matching entry names."""
    comp = item.composition or {}
    best = Decimal(0)
    for m in _law(cls):
        spec = m.entry.match
        named = {*spec.all_of, *spec.any_of, *([spec.principal] if spec.principal else [])}
        best = max(best, sum((comp.get(e, Decimal(0)) for e in named), Decimal(0)))
    return best


def _read_item(
    item: Item, view: RegimeView, work: _ItemWork, from_china: bool
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
        codes = ", ".join(m.entry.code for m in _law(cls)) or "No. 61 Annex 1"
        text = (
            f"declared form {item.form.value}, but the composition ({item.parameters_text()}) "
            f"also reads as {best.form.value} ({codes}), which gives the stricter answer: "
            f"answered as {best.form.value}."
        )
        work.warnings.append(f"{item.id}: {text}")
        work.reasons.append(
            Reason(
                rule="form-reading",
                kind="classification",
                outcome="applies",
                detail=f"Classified by substance: {text} (docs/guide.md).",
            )
        )
    return best, classify(best, regime)


def _annex_membership(item: Item, regime: Regime) -> _Membership:
    """The No. 61 Annex 1 lines `item` is, with why; for a `bom:` item, read from its BOM
    (the item's own `contents` are empty then), with the codes and the roll-up it computed."""
    if item.bom is not None:
        from reec.extraterritorial import bom_annex, item_rollup  # NumPy: only for a BOM

        roll = item_rollup(item, regime)
        annex, codes = bom_annex(roll)
        return annex, codes, roll
    return annex1_matches(item, regime), None, None


def _from_abroad(
    item: Item,
    shipment: Shipment,
    view: RegimeView,
    cls: Classification,
    membership: _Membership,
    work: _ItemWork,
) -> None:
    from reec.extraterritorial import technology_origin_sources

    regime = view.regime
    annex, bom_codes, roll = membership
    chapeau = regime.no61("art1")
    if shipment.destination in view.parameter(DESTINATIONS_OUTSIDE_NO61):
        work.reasons.append(
            Reason(
                rule="no61-art1-destination",
                kind="checked",
                outcome="not_applicable",
                detail=f"Exported from abroad to {shipment.destination}: No. 61 Art. 1 reaches "
                "exports to countries or regions other than China, so a transfer back to China "
                "is outside it.",
                citation=chapeau.citation,
            )
        )
        work.verdicts.append(Verdict.NOT_CONTROLLED)
        return
    if not annex:
        work.reasons.append(
            Reason(
                rule="no61-annex1-checked",
                kind="checked",
                outcome="not_applicable",
                detail=f"Not a No. 61 Annex 1 item ({item.parameters_text()}): No. 61 Art. 1 "
                "does not reach it; exports from outside China of other items need no Chinese "
                "licence.",
                citation=regime.no61("art1_3").citation,
            )
        )
        work.verdicts.append(Verdict.NOT_CONTROLLED)
        return
    titles = "; ".join(f"{a.title} (Annex 1 {a.id}: {why})" for a, why in annex)
    # docs/format.md: the entries the item itself matches by form and composition; otherwise those
    # of the contents that bring it under the rule.
    own = tuple(m.entry.code for m in _law(cls))
    codes = own or (bom_codes if bom_codes is not None else _annex_codes(item, regime))
    if item.origin in (CHINA, None):
        assumed = " (origin unknown: treated as Chinese-origin)" if item.origin is None else ""
        if item.origin is None:
            work.warnings.append(f"{item.id}: origin unknown, treated as Chinese-origin.")
        prov = regime.no61("art1_3")
        _finding(
            work,
            view,
            prov,
            rule="no61-art1-3-reexport",
            kind="reexport",
            detail=f"Chinese-origin Annex 1 item exported from abroad{assumed}: {titles}.",
            codes=codes,
            citation=prov.citation,
        )
        return
    if any(a.part == "II" for a, _ in annex):
        _value_rule(item, view, titles, codes, work, roll)
    prov2 = regime.no61("art1_2")
    activities = frozenset(view.parameter(TECHNOLOGY_ACTIVITIES))
    sources = technology_origin_sources(item, regime, activities, roll)
    if sources:
        made = "; ".join(
            f"{iid} made with Chinese {', '.join(acts)} technology" for iid, acts in sources
        )
        _finding(
            work,
            view,
            prov2,
            rule="no61-art1-2-technology",
            kind="technology_origin",
            detail=f"Annex 1 item made abroad with Chinese-origin technology: {made}.",
            codes=codes,
            citation=prov2.citation,
        )


def _value_rule(
    item: Item,
    view: RegimeView,
    titles: str,
    codes: tuple[str, ...],
    work: _ItemWork,
    roll: tuple[Rollup, Trace] | None = None,
) -> None:
    from reec.extraterritorial import value_share

    prov = view.regime.no61("art1_1")
    threshold = view.parameter(VALUE_SHARE_THRESHOLD)
    share = value_share(item, view.regime, threshold, roll)
    cur = share.currency
    children = [
        Reason(
            rule="no61-art1-1-contribution",
            kind="contribution",
            detail=f"{c.item_id} ({c.path}): {c.title} (Part I {c.annex_id}), Chinese-origin"
            f"{' (assumed: origin unknown)' if c.origin_assumed else ''}, {c.value} "
            f"{cur} = {float(c.value / share.item_value):.4%} of the item value",
            figures={"value": float(c.value), "share": float(c.value / share.item_value)},
        )
        for c in share.contributions
    ]
    if share.others:
        children.append(
            Reason(
                rule="no61-art1-1-contribution",
                kind="contribution",
                detail=f"{share.others} more Chinese-origin Part I lines, together "
                f"{share.others_value} {cur} = "
                f"{float(share.others_value / share.item_value):.4%} of the item value",
                figures={
                    "value": float(share.others_value),
                    "share": float(share.others_value / share.item_value),
                    "lines": share.others,
                },
            )
        )
    children.extend(
        Reason(
            rule="no61-art1-1-nested",
            kind="nested_part2",
            outcome="reaches_threshold" if n.reaches else "below_threshold",
            detail=f"{n.item_id}: Part II item ({n.annex_id}) inside this one; its own share "
            f"{n.share:.4%}. The assessed item is the one exported (docs/extraterritorial.md).",
            figures={"share": n.share},
        )
        for n in share.nested
    )
    children.extend(
        Reason(
            rule="no61-art1-1-excluded",
            kind="contribution",
            outcome="not_counted",
            detail=f"{x.item_id} ({x.path}): {x.description}, {x.value} {cur}: does not count: "
            f"{x.why}.",
            figures={"value": float(x.value)},
        )
        for x in share.excluded
    )
    if share.unknown_count:
        more = share.unknown_count - len(share.unknown_origin)
        names = ", ".join(share.unknown_origin) + (f" and {more} more" if more else "")
        work.warnings.append(
            f"{item.id}: origin unknown for {names}; treated as Chinese-origin in the value share."
        )
    figures: dict[str, float | int | str] = {
        "cn_origin_value": float(share.cn_value),
        "item_value": float(share.item_value),
        "share": float(share.share),
        "threshold": float(threshold),
        "currency": cur,
        "excluded_lines": len(share.excluded),
    }
    arithmetic = (
        f"Chinese-origin Part I content {share.cn_value.normalize():f} {cur} / item value "
        f"{share.item_value.normalize():f} {cur} = {share.share:.4%}"
    )
    if share.reaches(threshold):
        _finding(
            work,
            view,
            prov,
            rule="no61-art1-1-value-share",
            kind="value_share",
            detail=f"Foreign-made Annex 1 Part II item ({titles}). {arithmetic} >= "
            f"{threshold:.1%} threshold.",
            codes=codes,
            citation=prov.citation,
            figures=figures,
            children=tuple(children),
        )
    else:
        work.reasons.append(
            Reason(
                rule="no61-art1-1-value-share",
                kind="value_share",
                outcome="below_threshold",
                detail=f"Foreign-made Annex 1 Part II item ({titles}). {arithmetic} < "
                f"{threshold:.1%} threshold: Art. 1(1) does not apply.",
                citation=prov.citation,
                figures=figures,
                children=tuple(children),
            )
        )
        work.verdicts.append(Verdict.NOT_CONTROLLED)


def _humanitarian(shipment: Shipment, view: RegimeView, work: _ItemWork) -> None:
    """No. 61 Art. 5: a humanitarian end use needs no licence under No. 61 (report instead)."""
    prov = view.regime.no61("art5")
    exempt = set(view.parameter(EXEMPT_END_USES))
    no61 = {k for k in work.provisions if k.startswith(prov.announcement_id + "/")}
    if not shipment.end_use_known or not no61 or no61 != work.provisions:
        return
    if not {u.value for u in shipment.end_uses} <= exempt or not view.status(prov).in_force:
        return
    work.reasons.append(
        Reason(
            rule="no61-art5-humanitarian",
            kind="exemption",
            outcome="exempted",
            detail="Humanitarian end use (emergency medical care, public-health emergency, "
            "disaster relief): no licence under No. 61; report within 10 working days.",
            citation=prov.citation,
        )
    )
    work.verdicts = [Verdict.NOT_CONTROLLED]
    work.exempted = True


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
                kind="export_scope",
                outcome="applies",
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
                kind="facts_missing",
                outcome="needs_fact",
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
                kind="facts_missing",
                outcome="needs_fact",
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
            kind="export_scope",
            outcome="not_applicable",
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
        verdict = _OUTCOME_VERDICT[view.status(prov).state]
        if verdict.rank > best.rank:
            best, which = verdict, label
    return best, which


def _missing_composition(
    item: Item, view: RegimeView, cls: Classification, from_china: bool, work: _ItemWork
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
            kind="facts_missing",
            outcome="needs_fact",
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
    item: Item, view: RegimeView, cls: Classification, work: _ItemWork, fired: _Fired
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
            codes = tuple(
                m.entry.code for m in _law(cls) if view.status(m.entry.provision).in_force
            )
            if not codes:
                continue
            assumed = ""
            if item.origin is None:
                assumed = " (origin unknown: treated as Chinese-origin)"
                work.warnings.append(f"{item.id}: origin unknown, treated as Chinese-origin.")
            got.append(f"Chinese-origin{assumed} dual-use item ({', '.join(codes)})")
        _finding(
            work,
            view,
            reach.provision,
            rule=reach.id,
            kind="policy_reach",
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
    item: Item, view: RegimeView, cls: Classification, work: _ItemWork, reaches: _Reaches
) -> None:
    """NEEDS_FACTS when an unknown end use or military status could make the item need a
    licence through a rule that reaches it on its own (docs/format.md: never NOT_CONTROLLED
    then)."""
    current = max(work.verdicts, key=lambda v: v.rank, default=Verdict.NOT_CONTROLLED)
    if current.rank >= Verdict.NEEDS_FACTS.rank:
        return
    for need, fired_then in reaches.completions():
        scratch = _ItemWork()
        _reach(item, view, cls, scratch, fired_then)
        fired = [r.rule for r in scratch.reasons if r.outcome == "applies"]
        if not fired:
            continue
        work.needs.append(need)
        work.verdicts.append(Verdict.NEEDS_FACTS)
        what = "the end use" if need == "end_uses" else f"whether {need} is a military user"
        work.reasons.append(
            Reason(
                rule="facts-missing-deciding",
                kind="facts_missing",
                outcome="needs_fact",
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
    work = _ItemWork()
    from_china = scope.from_china
    item, cls = _read_item(item, view, work, from_china)
    # Annex 1 membership matters for a Chinese export only once it needs a licence (policy
    # scope, Art. 7 obligations); skipping it otherwise keeps the common path short.
    membership = None if from_china else _annex_membership(item, regime)
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
                    kind="checked",
                    outcome="not_applicable",
                    detail=f"HS code {item.hs_code} is a reference code of {lines}, but form and "
                    "composition do not match those entries (HS codes are reference only).",
                )
            )
        if from_china:
            _from_china(item, view, cls, work)
        else:
            assert membership is not None
            _from_abroad(item, shipment, view, cls, membership, work)
            _humanitarian(shipment, view, work)
        _reach(item, view, cls, work, reaches.fired)
        _missing_user_facts(item, view, cls, work, reaches)
    verdict = max(work.verdicts, key=lambda v: v.rank, default=Verdict.NOT_CONTROLLED)
    if from_china and verdict is not Verdict.NOT_CONTROLLED:
        membership = _annex_membership(item, regime)
    annex = membership[0] if membership is not None else ()
    codes = tuple(dict.fromkeys(work.codes))
    in_force = tuple(
        c
        for c in dict.fromkeys(m.entry.code for m in _law(cls))
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
