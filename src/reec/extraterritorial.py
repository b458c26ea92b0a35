"""No. 61 Art. 1: the 0.1% value-share rule and the technology-origin rule over a BOM.

The roll-up itself (reec.bom.rollup) is whole-array and exact; this module turns one shipment
line's slice of it into what a determination reports. Comparisons are made as
cn_value >= threshold x item_value on integers, never on a rounded share ("达到0.1%及以上": a
share of exactly 0.1% triggers, 0.0999% does not).

Readings applied (docs/extraterritorial.md):
- Value means the declared value of one unit of the item; a line's value in one unit of the item
  is its unit value times the quantities on the path down to it, summed over every path (a
  shared sub-assembly counts once per use).
- A Chinese-origin Part I content counts at its full value and is not descended into (its own
  inputs are already inside that value); any other content is descended into, whatever its
  origin, so Part I content inside a foreign-made magnet inside a motor counts for the motor.
- Origin unknown is treated as Chinese-origin (conservative), with a warning naming the lines.
- An item inherits the technology origin of an Annex 1 content made abroad with Chinese
  technology.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from reec.bom.model import ACTIVITIES, CHINA, Bom
from reec.bom.rollup import Rollup, Trace, rollup
from reec.classify import annex1_matches, match_detail
from reec.errors import BomError
from reec.model import Item
from reec.regime.snapshot import AnnexEntry, Regime

__all__ = [
    "CHINA",
    "SHOWN",
    "Contribution",
    "Excluded",
    "NestedShare",
    "ValueShare",
    "bom_annex",
    "item_bom",
    "item_rollup",
    "technology_origin_sources",
    "value_share",
]

SHOWN = 10
"""Lines named in an explanation; the rest are summed in one line."""


@dataclass(frozen=True, slots=True)
class Contribution:
    item_id: str
    path: str
    annex_id: str
    title: str
    value: Decimal
    """Value of this content in one unit of the assessed item."""
    origin_assumed: bool


@dataclass(frozen=True, slots=True)
class NestedShare:
    """A Part II item inside the assessed one, with its own share (explanation only)."""

    item_id: str
    annex_id: str
    share: float
    reaches: bool


@dataclass(frozen=True, slots=True)
class Excluded:
    """Content holding a Part I element that does not count toward the share, and why."""

    item_id: str
    path: str
    description: str
    value: Decimal
    why: str


@dataclass(frozen=True, slots=True)
class ValueShare:
    cn_value: Decimal
    item_value: Decimal
    currency: str
    contributions: tuple[Contribution, ...]
    """Largest first; at most SHOWN."""
    others: int = 0
    others_value: Decimal = Decimal(0)
    unknown_origin: tuple[str, ...] = ()
    """First SHOWN lines of unknown origin that were counted."""
    unknown_count: int = 0
    nested: tuple[NestedShare, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    """Rare-earth content that does not count, with why (nested contents only; at most SHOWN)."""

    @property
    def share(self) -> Decimal:
        return self.cn_value / self.item_value

    def reaches(self, threshold: Decimal) -> bool:
        return self.cn_value >= threshold * self.item_value


def item_bom(item: Item) -> Bom:
    """The BOM of a shipment line: the one the input edge attached, else built from its
    `contents` (in memory: the engine opens no file)."""
    if item.bom is not None:
        return item.bom
    from reec.bom.contents import bom_from_item  # Polars: only for nested contents

    return bom_from_item(item)


def item_rollup(item: Item, regime: Regime) -> tuple[Rollup, Trace]:
    roll = rollup(item_bom(item), regime)
    return roll, roll.trace(roll.bom.root)


def value_share(
    item: Item | None,
    regime: Regime,
    threshold: Decimal,
    roll: tuple[Rollup, Trace] | None = None,
) -> ValueShare:
    """Chinese-origin Annex 1 Part I content in one unit of `item` (or of the roll-up's top
    node), over its value; nested Part II items are marked against `threshold` (No. 61 Art.
    1(1)'s value share of the day, `RegimeView.parameter(VALUE_SHARE_THRESHOLD)`)."""
    if roll is None:
        if item is None:
            raise ValueError("value_share needs an item or a roll-up")
        if item.bom is None:
            return _nested_value_share(item, regime, threshold)
        roll = item_rollup(item, regime)
    r, t = roll
    bom, root = r.bom, r.bom.root
    shown: list[Contribution] = []
    for node, value in zip(
        t.contributors[:SHOWN].tolist(), t.contribution[:SHOWN].tolist(), strict=True
    ):
        annex = r.annex[int(r.part1[node])]
        shown.append(
            Contribution(
                bom.node_id(node),
                bom.node_where(node),
                annex.id,
                annex.title,
                r.decimal(value),
                bool(bom.origin_unknown[node]),
            )
        )
    rest = t.contribution[SHOWN:]
    unknown = t.contributors[bom.origin_unknown[t.contributors]]
    nested_nodes = np.flatnonzero(t.reach & (r.part2 >= 0))
    nested_nodes = nested_nodes[nested_nodes != root][:SHOWN]
    reach = r.reaches(threshold)
    return ValueShare(
        cn_value=r.decimal(r.cn[root]),
        item_value=r.decimal(r.total[root]),
        currency=bom.currency,
        contributions=tuple(shown),
        others=len(rest),
        others_value=r.decimal(sum(rest.tolist(), 0)),
        unknown_origin=tuple(bom.node_id(n) for n in unknown[:SHOWN].tolist()),
        unknown_count=len(unknown),
        nested=tuple(
            NestedShare(
                bom.node_id(n),
                r.annex[int(r.part2[n])].id,
                float(r.share[n]),
                bool(reach[n]),
            )
            for n in nested_nodes.tolist()
        ),
    )


def technology_origin_sources(
    item: Item | None,
    regime: Regime,
    activities: frozenset[str],
    roll: tuple[Rollup, Trace] | None = None,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(item id, Chinese-origin technologies) for `item` and the Annex 1 items inside it."""
    if roll is None:
        if item is None:
            raise ValueError("technology_origin_sources needs an item or a roll-up")
        if item.bom is None:
            return _nested_technology(item, regime, activities)
        roll = item_rollup(item, regime)
    r, t = roll
    bom = r.bom
    annex1 = (r.part1 >= 0) | (r.part2 >= 0)
    # The roll-up keeps every technology bit; the day's Art. 1(2) activities are applied here.
    mask = sum(1 << i for i, a in enumerate(ACTIVITIES) if a.value in activities)
    nodes = np.flatnonzero(
        t.reach & (r.own_technology & mask != 0) & (annex1 | (np.arange(bom.n) == bom.root))
    )
    nodes = np.concatenate([[bom.root], nodes[nodes != bom.root]]) if bom.root in nodes else nodes
    out: list[tuple[str, tuple[str, ...]]] = []
    for n in nodes.tolist()[:SHOWN]:
        bits = int(r.own_technology[n])
        acts = tuple(
            a.value for i, a in enumerate(ACTIVITIES) if bits >> i & 1 and a.value in activities
        )
        if acts:
            out.append((bom.node_id(n), acts))
    return tuple(out)


def bom_annex(
    roll: tuple[Rollup, Trace],
) -> tuple[tuple[tuple[AnnexEntry, str], ...], tuple[str, ...]]:
    """Annex 1 entries a `bom:` line is, with why, and its control codes (an assembly takes the
    codes of the Part II materials inside it)."""
    r, t = roll
    root = r.bom.root
    found: list[tuple[AnnexEntry, str]] = []
    codes: list[str] = []
    inside = np.flatnonzero(t.reach & (r.part2 >= 0) & (np.arange(r.bom.n) != root))
    kinds = np.unique(r.part2[inside]).tolist()
    materials = [k for k in kinds if not r.annex[k].match.contains]
    for idx in (int(r.part1[root]), int(r.part2[root])):
        if idx < 0:
            continue
        entry = r.annex[idx]
        why = "form and composition"
        if entry.match.contains and materials:
            first = int(inside[np.isin(r.part2[inside], materials)][0])
            why = f"contains {r.bom.node_id(first)} ({r.annex[int(r.part2[first])].title})"
            codes.extend(c for k in materials if (c := r.annex[k].control_code) is not None)
        if entry.control_code:
            codes.append(entry.control_code)
        found.append((entry, why))
    return tuple(found), tuple(dict.fromkeys(codes))


# --- nested `contents`: a few lines, walked directly -------------------------------------------
# A shipment file's nested contents are a small tree; building columns for it would cost more
# than the walk (a determination takes microseconds). The walk applies the same readings and is
# checked against the vectorised roll-up (tests/bom/test_bom_nested.py). With `currency_rates`
# the contents are attached as a BOM and take the vectorised path.


def _part1(regime: Regime) -> tuple[AnnexEntry, ...]:
    return tuple(a for a in regime.annex1 if a.part == "I")


def _nested_value_share(item: Item, regime: Regime, threshold: Decimal) -> ValueShare:
    part1 = _part1(regime)
    found: list[Contribution] = []
    nested: list[NestedShare] = []
    excluded: list[Excluded] = []
    elements = {
        e for a in part1 for e in (*a.match.all_of, *a.match.any_of, a.match.principal) if e
    }

    def exclude(child: Item, multiplier: Decimal, why: str) -> None:
        if child.contents or not any(child.contains_element(e) for e in elements):
            return
        what = child.description or child.form.value
        excluded.append(Excluded(child.id, child.path, what, child.value.amount * multiplier, why))

    def walk(parent: Item, multiplier: Decimal, per_unit: Decimal) -> Decimal:
        """Chinese-origin Part I value in `parent`'s line, counted `multiplier` times."""
        total = Decimal(0)
        for child in parent.contents:
            if child.value.currency != item.value.currency:
                raise BomError(
                    f"currency {child.value.currency} differs from the item's "
                    f"{item.value.currency}; give currency_rates (docs/bom.md)",
                    field=f"{child.path}.value.currency",
                )
            if child.value.amount * per_unit > parent.value.amount:
                raise BomError(
                    f"content value {child.value.amount} exceeds one unit of its parent "
                    f"({parent.value.amount / per_unit})",
                    field=f"{child.path}.value.amount",
                )
            annex = next((a for a in part1 if match_detail(a.match, child) is not None), None)
            if annex is not None and child.origin in (CHINA, None):
                found.append(
                    Contribution(
                        child.id,
                        child.path,
                        annex.id,
                        annex.title,
                        child.value.amount * multiplier,
                        child.origin is None,
                    )
                )
                total += child.value.amount * per_unit
                continue
            if annex is not None:
                exclude(
                    child,
                    multiplier,
                    f"{annex.title} (Part I {annex.id}) of {child.origin} origin: only "
                    "Chinese-origin Part I content counts",
                )
            elif child.origin in (CHINA, None):
                exclude(
                    child,
                    multiplier,
                    f"Chinese-origin {child.form.value} ({child.parameters_text()}) is not a "
                    "Part I item (Part I: Sm, Dy, Gd, Tb, Lu, Sc, Y metals; Sm-Co, Tb-Fe, Dy-Fe, "
                    "Tb-Dy-Fe alloys; Dy and Tb oxides)",
                )
            q = child.quantity.amount if child.quantity is not None else Decimal(1)
            inner = walk(child, multiplier * q, q)
            p2 = next((a for a, _ in annex1_matches(child, regime) if a.part == "II"), None)
            if p2 is not None:
                share = inner / child.value.amount
                nested.append(NestedShare(child.id, p2.id, float(share), share >= threshold))
            total += inner * per_unit
        return total

    cn = walk(item, Decimal(1), Decimal(1))
    found.sort(key=lambda c: c.value, reverse=True)
    rest = found[SHOWN:]
    unknown = [c.item_id for c in found if c.origin_assumed]
    return ValueShare(
        cn_value=cn,
        item_value=item.value.amount,
        currency=item.value.currency,
        contributions=tuple(found[:SHOWN]),
        others=len(rest),
        others_value=sum((c.value for c in rest), Decimal(0)),
        unknown_origin=tuple(unknown[:SHOWN]),
        unknown_count=len(unknown),
        nested=tuple(nested[:SHOWN]),
        excluded=tuple(excluded[:SHOWN]),
    )


def _nested_technology(
    item: Item, regime: Regime, activities: frozenset[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out: list[tuple[str, tuple[str, ...]]] = []
    own = tuple(a.value for a in item.technology_origin if a.value in activities)
    if own and item.origin != CHINA:
        out.append((item.id, own))

    def walk(parent: Item) -> None:
        for child in parent.contents:
            acts = tuple(a.value for a in child.technology_origin if a.value in activities)
            if acts and child.origin != CHINA and annex1_matches(child, regime):
                out.append((child.id, acts))
            walk(child)

    walk(item)
    return tuple(out[:SHOWN])
