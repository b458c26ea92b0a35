"""Nested `contents` take a direct walk (fast for a determination); it must agree exactly with
the vectorised roll-up of the same contents as a BOM."""

from __future__ import annotations

from decimal import Decimal
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from reec import extraterritorial
from reec.bom.readers import bom_from_item
from reec.bom.rollup import rollup
from reec.extraterritorial import SHOWN, ValueShare, technology_origin_sources, value_share
from reec.model import Activity, Form, Item, Money, Quantity
from reec.regime.parameters import TECHNOLOGY_ACTIVITIES, VALUE_SHARE_THRESHOLD
from reec.regime.snapshot import load_regime

REGIME = load_regime()
DAY = REGIME.as_of(REGIME.current_as_of)
ACTIVITIES = frozenset(DAY.parameter(TECHNOLOGY_ACTIVITIES))
THRESHOLD = DAY.parameter(VALUE_SHARE_THRESHOLD)
KINDS = {
    "assembly": (Form.COMPONENT, None),
    "magnet": (
        Form.MAGNET,
        {"Nd": Decimal(29), "Tb": Decimal(1), "Fe": Decimal(69), "B": Decimal(1)},
    ),
    "tb": (Form.METAL, {"Tb": Decimal(100)}),
    "dy2o3": (Form.OXIDE, {"Dy": Decimal(87), "O": Decimal(13)}),
    "fe": (Form.METAL, {"Fe": Decimal(100)}),
}
counter = iter(range(10**9))


@st.composite
def items(draw: st.DrawFn, depth: int = 0, path: str = "items[0]") -> Item:
    kind = "assembly" if depth == 0 else draw(st.sampled_from(sorted(KINDS)))
    form, comp = KINDS[kind]
    qty = draw(st.sampled_from([None, "1", "2", "0.5", "3"])) if depth else None
    q = Decimal(qty) if qty else Decimal(1)
    children: list[Item] = []
    if kind in ("assembly", "magnet") and depth < 3:
        for j in range(draw(st.integers(0, 3))):
            children.append(draw(items(depth + 1, f"{path}.contents[{j}]")))
    # one unit of this item must be worth at least each content line
    floor = max((c.value.amount for c in children), default=Decimal(0))
    value = (floor + Decimal(draw(st.integers(1, 3000))) / 100) * q
    return Item(
        id=f"i{next(counter)}",
        form=form,
        value=Money(value, "USD"),
        path=path,
        composition=comp,
        origin=draw(st.sampled_from(["CN", "JP", None])) if depth else "JP",
        quantity=Quantity(q, "piece") if qty else None,
        technology_origin=tuple(
            draw(
                st.lists(
                    st.sampled_from([Activity.MAGNET_MANUFACTURING, Activity.RECYCLING]), max_size=1
                )
            )
        ),
        contents=tuple(children),
    )


def _both(item: Item) -> tuple[ValueShare, ValueShare]:
    walked = value_share(item, REGIME, THRESHOLD)
    roll = rollup(bom_from_item(item), REGIME)
    return walked, value_share(None, REGIME, THRESHOLD, (roll, roll.trace(roll.bom.root)))


@settings(max_examples=80, deadline=None)
@given(items())
def test_nested_walk_equals_the_vectorised_rollup(item: Item) -> None:
    # Nothing cut to the first SHOWN lines: the two paths name exactly the same lines.
    with patch.object(extraterritorial, "SHOWN", 10**6):
        walked, rolled = _both(item)
    assert walked.cn_value == rolled.cn_value
    assert walked.item_value == rolled.item_value
    assert walked.unknown_count == rolled.unknown_count
    assert sorted((c.item_id, c.value) for c in walked.contributions) == sorted(
        (c.item_id, c.value) for c in rolled.contributions
    )
    every_nested = {(n.item_id, n.reaches) for n in walked.nested}
    assert every_nested == {(n.item_id, n.reaches) for n in rolled.nested}
    # As shown (the largest SHOWN lines): the same values and the same remainder. Which of
    # several equal values at the cut is named is the only freedom either path has.
    walked, rolled = _both(item)
    assert [c.value for c in walked.contributions] == [c.value for c in rolled.contributions]
    assert (walked.others, walked.others_value) == (rolled.others, rolled.others_value)
    cut = walked.contributions[-1].value if walked.others else None
    assert {(c.item_id, c.value) for c in walked.contributions if cut is None or c.value > cut} == {
        (c.item_id, c.value) for c in rolled.contributions if cut is None or c.value > cut
    }
    assert len(walked.nested) == len(rolled.nested) == min(len(every_nested), SHOWN)
    assert {(n.item_id, n.reaches) for n in rolled.nested} <= every_nested


@settings(max_examples=80, deadline=None)
@given(items())
def test_nested_technology_origin_equals_the_vectorised_rollup(item: Item) -> None:
    roll = rollup(bom_from_item(item), REGIME)
    with patch.object(extraterritorial, "SHOWN", 10**6):
        walked = technology_origin_sources(item, REGIME, ACTIVITIES)
        rolled = technology_origin_sources(
            None, REGIME, ACTIVITIES, (roll, roll.trace(roll.bom.root))
        )
    assert sorted(walked) == sorted(rolled)
