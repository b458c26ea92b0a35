"""No. 61 Art. 1: the 0.1% value-share rule and the technology-origin rule over nested contents.

Arithmetic is exact (Decimal): the rule is "达到0.1%及以上", so a share of exactly 0.1% triggers
and 0.0999% does not. Comparisons are made as cn_value >= threshold x item_value, never on a
rounded share.

Readings applied (docs/extraterritorial.md):
- Value means the declared value of one unit of the item; a content line's value is its value
  in one unit of its parent, multiplied by the quantities of the content lines above it.
- A Chinese-origin Part I content counts at its full value and is not descended into (its own
  inputs are already inside that value); any other content is descended into.
- Origin unknown is treated as Chinese-origin (conservative), with a warning naming the lines.
- An item inherits the technology origin of an Annex 1 content made with Chinese technology.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from reec.classify import match_detail
from reec.errors import BomError
from reec.model import Item
from reec.regime.snapshot import AnnexEntry, Regime

__all__ = [
    "Contribution",
    "ValueShare",
    "technology_origin_sources",
    "value_share",
]

CHINA = "CN"


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
class ValueShare:
    cn_value: Decimal
    item_value: Decimal
    currency: str
    contributions: tuple[Contribution, ...]
    """Largest first."""

    @property
    def share(self) -> Decimal:
        return self.cn_value / self.item_value

    def reaches(self, threshold: Decimal) -> bool:
        return self.cn_value >= threshold * self.item_value

    @property
    def unknown_origin(self) -> tuple[str, ...]:
        return tuple(c.item_id for c in self.contributions if c.origin_assumed)


def _part1(regime: Regime) -> tuple[AnnexEntry, ...]:
    return tuple(a for a in regime.annex1 if a.part == "I")


def value_share(item: Item, regime: Regime) -> ValueShare:
    """Chinese-origin Annex 1 Part I content in one unit of `item`, over its value."""
    part1 = _part1(regime)
    found: list[Contribution] = []

    def walk(parent: Item, multiplier: Decimal) -> None:
        for child in parent.contents:
            if child.value.currency != item.value.currency:
                raise BomError(
                    f"currency {child.value.currency} differs from the item's "
                    f"{item.value.currency}; give values in one currency",
                    field=f"{child.path}.value.currency",
                )
            if child.value.amount > parent.value.amount:
                raise BomError(
                    f"content value {child.value.amount} exceeds its parent's "
                    f"{parent.value.amount}",
                    field=f"{child.path}.value.amount",
                )
            value = child.value.amount * multiplier
            origin_cn = child.origin in (CHINA, None)
            annex = next((a for a in part1 if match_detail(a.match, child) is not None), None)
            if annex is not None and origin_cn:
                found.append(
                    Contribution(
                        child.id, child.path, annex.id, annex.title, value, child.origin is None
                    )
                )
                continue
            per_unit = child.quantity.amount if child.quantity is not None else Decimal(1)
            walk(child, multiplier * per_unit)

    walk(item, Decimal(1))
    found.sort(key=lambda c: c.value, reverse=True)
    total = sum((c.value for c in found), Decimal(0))
    return ValueShare(total, item.value.amount, item.value.currency, tuple(found))


def technology_origin_sources(
    item: Item, regime: Regime, activities: frozenset[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(item id, Chinese-origin technologies) for `item` and its Annex 1 contents."""
    out: list[tuple[str, tuple[str, ...]]] = []
    own = tuple(a.value for a in item.technology_origin if a.value in activities)
    if own:
        out.append((item.id, own))

    def walk(parent: Item) -> None:
        for child in parent.contents:
            acts = tuple(a.value for a in child.technology_origin if a.value in activities)
            if acts and any(match_detail(a.match, child) is not None for a in regime.annex1):
                out.append((child.id, acts))
            walk(child)

    walk(item)
    return tuple(out)
