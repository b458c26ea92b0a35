"""`reec bom explain`: one item's No. 61 Art. 1 arithmetic, line by line, as a Rich tree.

The tree shows what a determination's value-share reason says, and more of it: every clause
with its status on the day (effective date, suspension and the day it ends), the total, the
threshold, the top contributing lines with their shares, the Part II items nested inside, and
the technology-origin sources. Verdicts stay with `reec check`; this is the working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from rich.text import Text
from rich.tree import Tree

from reec.bom.rollup import Rollup, Trace
from reec.extraterritorial import (
    ValueShare,
    bom_annex,
    technology_origin_sources,
    value_share,
)
from reec.regime.parameters import TECHNOLOGY_ACTIVITIES, VALUE_SHARE_THRESHOLD
from reec.regime.snapshot import AnnexEntry, Provision, ProvisionState, RegimeView
from reec.styled import styled

__all__ = [
    "ClauseStatus",
    "Explanation",
    "explain",
    "explanation_to_dict",
    "explanation_tree",
]


@dataclass(frozen=True, slots=True)
class ClauseStatus:
    clause: str
    announcement: str
    state: ProvisionState
    text: str


@dataclass(frozen=True, slots=True)
class Explanation:
    item_id: str
    description: str
    origin: str | None
    as_of: date
    annex: tuple[tuple[AnnexEntry, str], ...]
    share: ValueShare | None
    """None when the item is not Part II (Art. 1(1) does not reach it)."""
    threshold: Decimal
    value_rule: ClauseStatus
    technology: tuple[tuple[str, tuple[str, ...]], ...]
    technology_rule: ClauseStatus

    @property
    def reaches(self) -> bool:
        return self.share is not None and self.share.reaches(self.threshold)


def _status(view: RegimeView, prov: Provision) -> ClauseStatus:
    st = view.status(prov)
    return ClauseStatus(prov.clause, prov.announcement, st.state, st.describe(view.day))


def explain(roll: tuple[Rollup, Trace], view: RegimeView) -> Explanation:
    r, _ = roll
    regime, bom = view.regime, r.bom
    root = bom.root
    annex, _codes = bom_annex(roll)
    art11, art12 = regime.no61("art1_1"), regime.no61("art1_2")
    activities = frozenset(view.parameter(TECHNOLOGY_ACTIVITIES))
    threshold = view.parameter(VALUE_SHARE_THRESHOLD)
    part2 = any(a.part == "II" for a, _ in annex)
    origin = bom.labels["origin"][root]
    return Explanation(
        item_id=bom.node_id(root),
        description=str(bom.labels["description"][root]),
        origin=origin,
        as_of=view.day,
        annex=annex,
        share=value_share(None, regime, threshold, roll) if part2 else None,
        threshold=threshold,
        value_rule=_status(view, art11),
        technology=technology_origin_sources(None, regime, activities, roll) if annex else (),
        technology_rule=_status(view, art12),
    )


_OUTCOME = {
    ProvisionState.IN_FORCE: "licence required",
    ProvisionState.SUSPENDED: "would require a licence, but SUSPENDED",
    ProvisionState.NOT_YET_EFFECTIVE: "would require a licence, but not yet effective",
    ProvisionState.REPEALED: "repealed",
}


def _pct(x: Decimal) -> str:
    return f"{x:.4%}"


def explanation_tree(e: Explanation) -> Tree:
    head = styled("[bold]{}[/]", e.item_id)
    head.append(f" {e.description}".rstrip())
    head.append(f" (origin {e.origin or 'unknown'}), as of {e.as_of}")
    tree = Tree(head)
    if not e.annex:
        tree.add("Not a No. 61 Annex 1 item: Art. 1 does not reach it.")
        return tree
    kinds = tree.add("Annex 1")
    for a, why in e.annex:
        kinds.add(f"{a.id} {a.title} (Part {a.part}): {why}")
    cite = f"[{e.value_rule.announcement} {e.value_rule.clause}]"
    if e.share is None:
        tree.add(f"Art. 1(1) value share: not a Part II item, not assessed {cite}")
    else:
        s, cur = e.share, e.share.currency
        verdict = _OUTCOME[e.value_rule.state] if e.reaches else "below threshold: does not apply"
        rel = ">=" if e.reaches else "<"
        node = tree.add(
            styled(
                "Art. 1(1) value share: Chinese-origin Part I content {} {} / item value {} {} = "
                "{} {} {}% threshold: [bold]{}[/] {}",
                f"{s.cn_value.normalize():f}",
                cur,
                f"{s.item_value.normalize():f}",
                cur,
                _pct(s.share),
                rel,
                f"{(e.threshold * 100).normalize():f}",
                verdict,
                cite,
            )
        )
        node.add(f"status: {e.value_rule.text}")
        lines = node.add(f"contributing lines ({len(s.contributions) + s.others}), largest first")
        for c in s.contributions:
            line = Text(
                f"{c.item_id} ({c.path}): {c.title} ({c.annex_id}) {c.value.normalize():f} "
                f"{cur} = {_pct(c.value / s.item_value)}"
            )
            if c.origin_assumed:
                line.append(" (origin unknown: assumed Chinese)", style="yellow")
            lines.add(line)
        if s.others:
            lines.add(
                f"{s.others} more lines: {s.others_value.normalize():f} {cur} = "
                f"{_pct(s.others_value / s.item_value)}"
            )
        if s.nested:
            nested = node.add("Part II items inside (their own shares)")
            for n in s.nested:
                mark = ">=" if n.reaches else "<"
                nested.add(f"{n.item_id} ({n.annex_id}): {n.share:.4%} {mark} threshold")
        if s.unknown_count:
            more = s.unknown_count - len(s.unknown_origin)
            names = ", ".join(s.unknown_origin) + (f" and {more} more" if more else "")
            node.add(Text(f"origin unknown, counted as Chinese-origin: {names}", style="yellow"))
    cite2 = f"[{e.technology_rule.announcement} {e.technology_rule.clause}]"
    if e.technology:
        t = tree.add(
            styled(
                "Art. 1(2) technology origin: [bold]{}[/] {}",
                _OUTCOME[e.technology_rule.state],
                cite2,
            )
        )
        for item_id, acts in e.technology:
            t.add(f"{item_id} made abroad with Chinese {', '.join(acts)} technology")
        t.add(f"status: {e.technology_rule.text}")
    else:
        tree.add(f"Art. 1(2) technology origin: no Chinese-origin technology declared {cite2}")
    return tree


def explanation_to_dict(e: Explanation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "item": e.item_id,
        "as_of": e.as_of.isoformat(),
        "annex1": [{"id": a.id, "title": a.title, "why": why} for a, why in e.annex],
        "value_rule": {"clause": e.value_rule.clause, "status": e.value_rule.text},
        "technology_rule": {"clause": e.technology_rule.clause, "status": e.technology_rule.text},
        "technology": [{"item": i, "activities": list(a)} for i, a in e.technology],
    }
    if e.share is not None:
        s = e.share
        out["value_share"] = {
            "cn_origin_value": str(s.cn_value.normalize()),
            "item_value": str(s.item_value.normalize()),
            "currency": s.currency,
            "share": float(s.share),
            "threshold": str(e.threshold),
            "reaches": e.reaches,
            "contributions": [
                {
                    "id": c.item_id,
                    "where": c.path,
                    "annex": c.annex_id,
                    "value": str(c.value),
                    "share": float(c.value / s.item_value),
                    "origin_assumed": c.origin_assumed,
                }
                for c in s.contributions
            ],
            "others": {"lines": s.others, "value": str(s.others_value)},
            "unknown_origin": list(s.unknown_origin),
        }
    return out
