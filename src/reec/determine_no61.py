"""Transfers from abroad: No. 61 Art. 1 (re-export, value share, technology origin) and the
Art. 5 humanitarian exemption, for one item.

`determine` calls `from_abroad` for an item exported from outside China, `humanitarian` after
it; `annex_membership` says which Annex 1 lines an item is (from its BOM when it has one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reec.classify import Classification, annex1_matches
from reec.determine_work import ItemWork, finding, law
from reec.model import CHINA, Item, Outcome, Reason, ReasonKind, Shipment, Verdict
from reec.regime.parameters import (
    DESTINATIONS_OUTSIDE_NO61,
    EXEMPT_END_USES,
    TECHNOLOGY_ACTIVITIES,
    VALUE_SHARE_THRESHOLD,
)
from reec.regime.snapshot import AnnexEntry, Regime, RegimeView

if TYPE_CHECKING:
    from reec.bom.rollup import Rollup, Trace

__all__ = ["annex_membership", "from_abroad", "humanitarian"]


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
    Membership = tuple[
        tuple[tuple[AnnexEntry, str], ...], tuple[str, ...] | None, tuple[Rollup, Trace] | None
    ]
    """The Annex 1 lines an item is (with why), the codes its BOM gives, its BOM roll-up."""


def annex_membership(item: Item, regime: Regime) -> Membership:
    """The No. 61 Annex 1 lines `item` is, with why; for a `bom:` item, read from its BOM
    (the item's own `contents` are empty then), with the codes and the roll-up it computed."""
    if item.bom is not None:
        from reec.extraterritorial import bom_annex, item_rollup  # NumPy: only for a BOM

        roll = item_rollup(item, regime)
        annex, codes = bom_annex(roll)
        return annex, codes, roll
    return annex1_matches(item, regime), None, None


def from_abroad(
    item: Item,
    shipment: Shipment,
    view: RegimeView,
    cls: Classification,
    membership: Membership,
    work: ItemWork,
) -> None:
    from reec.extraterritorial import technology_origin_sources

    regime = view.regime
    annex, bom_codes, roll = membership
    chapeau = regime.no61("art1")
    if shipment.destination in view.parameter(DESTINATIONS_OUTSIDE_NO61):
        work.reasons.append(
            Reason(
                rule="no61-art1-destination",
                kind=ReasonKind.CHECKED,
                outcome=Outcome.NOT_APPLICABLE,
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
                kind=ReasonKind.CHECKED,
                outcome=Outcome.NOT_APPLICABLE,
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
    own = tuple(m.entry.code for m in law(cls))
    codes = own or (bom_codes if bom_codes is not None else _annex_codes(item, regime))
    if item.origin in (CHINA, None):
        assumed = " (origin unknown: treated as Chinese-origin)" if item.origin is None else ""
        if item.origin is None:
            work.warnings.append(f"{item.id}: origin unknown, treated as Chinese-origin.")
        prov = regime.no61("art1_3")
        finding(
            work,
            view,
            prov,
            rule="no61-art1-3-reexport",
            kind=ReasonKind.REEXPORT,
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
        finding(
            work,
            view,
            prov2,
            rule="no61-art1-2-technology",
            kind=ReasonKind.TECHNOLOGY_ORIGIN,
            detail=f"Annex 1 item made abroad with Chinese-origin technology: {made}.",
            codes=codes,
            citation=prov2.citation,
        )


def _value_rule(
    item: Item,
    view: RegimeView,
    titles: str,
    codes: tuple[str, ...],
    work: ItemWork,
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
            kind=ReasonKind.CONTRIBUTION,
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
                kind=ReasonKind.CONTRIBUTION,
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
            kind=ReasonKind.NESTED_PART2,
            outcome=Outcome.REACHES_THRESHOLD if n.reaches else Outcome.BELOW_THRESHOLD,
            detail=f"{n.item_id}: Part II item ({n.annex_id}) inside this one; its own share "
            f"{n.share:.4%}. The assessed item is the one exported (docs/extraterritorial.md).",
            figures={"share": n.share},
        )
        for n in share.nested
    )
    children.extend(
        Reason(
            rule="no61-art1-1-excluded",
            kind=ReasonKind.CONTRIBUTION,
            outcome=Outcome.NOT_COUNTED,
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
        finding(
            work,
            view,
            prov,
            rule="no61-art1-1-value-share",
            kind=ReasonKind.VALUE_SHARE,
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
                kind=ReasonKind.VALUE_SHARE,
                outcome=Outcome.BELOW_THRESHOLD,
                detail=f"Foreign-made Annex 1 Part II item ({titles}). {arithmetic} < "
                f"{threshold:.1%} threshold: Art. 1(1) does not apply.",
                citation=prov.citation,
                figures=figures,
                children=tuple(children),
            )
        )
        work.verdicts.append(Verdict.NOT_CONTROLLED)


def humanitarian(shipment: Shipment, view: RegimeView, work: ItemWork) -> None:
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
            kind=ReasonKind.EXEMPTION,
            outcome=Outcome.EXEMPTED,
            detail="Humanitarian end use (emergency medical care, public-health emergency, "
            "disaster relief): no licence under No. 61; report within 10 working days.",
            citation=prov.citation,
        )
    )
    work.verdicts = [Verdict.NOT_CONTROLLED]
    work.exempted = True
