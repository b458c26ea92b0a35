"""The roll-up: exact threshold, DAG sharing, currencies, and properties against a reference."""

from __future__ import annotations

import importlib
from dataclasses import replace
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

import numpy as np
from bomrows import bom_of, reference_cn, row
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reec.bom.model import FORMS
from reec.bom.rates import Rates
from reec.bom.rollup import Rollup, rollup
from reec.model import Item, Money
from reec.regime.matching import match_detail
from reec.regime.parameters import VALUE_SHARE_THRESHOLD
from reec.regime.snapshot import load_regime

rollup_module = importlib.import_module("reec.bom.rollup")  # reec.bom.rollup is also a function
REGIME = load_regime()
THRESHOLD = REGIME.as_of(REGIME.current_as_of).parameter(VALUE_SHARE_THRESHOLD)
TB = "Tb:100"
MAGNET = "Nd:29;Dy:3;Fe:67;B:1"


def motor(tb_value: str, total: str = "2000") -> list[dict[str, Any]]:
    return [
        row(None, "M", None, total),
        row("M", "mag", "1", "120", form="magnet", composition=MAGNET),
        row("mag", "tb", "1", tb_value, origin="CN", form="metal", composition=TB),
    ]


def root_share(roll: Rollup) -> Fraction:
    root = roll.bom.root
    return Fraction(int(roll.cn[root]), int(roll.total[root]))


def test_exactly_the_threshold_triggers_and_just_under_does_not() -> None:
    at = rollup(bom_of(motor("2")), REGIME)
    under = rollup(bom_of(motor("1.998")), REGIME)
    assert root_share(at) == Fraction(1, 1000)
    assert bool(at.reaches(THRESHOLD)[0]) is True
    assert root_share(under) == Fraction(999, 1_000_000)
    assert bool(under.reaches(THRESHOLD)[0]) is False


def test_shared_sub_assembly_counts_once_per_use_with_quantities_multiplied() -> None:
    rows = [
        row(None, "R", None, "1500", form="equipment"),
        row("R", "axis", "3", "400"),
        row("R", "grip", "1", "300"),
        row("axis", "servo", "1", "150"),
        row("grip", "servo", "2", "150"),
        row("servo", "mag", "1", "20", form="magnet", composition=MAGNET),
        row("mag", "dy", "1", "0.4", origin="CN", form="metal", composition="Dy:100"),
    ]
    roll = rollup(bom_of(rows), REGIME)
    trace = roll.trace(roll.bom.root)
    assert roll.decimal(roll.cn[0]) == Decimal("2.0")
    dy = int(trace.contributors[0])
    assert roll.bom.node_id(dy) == "dy"
    assert roll.decimal(trace.contribution[0]) == Decimal("2.0")
    servo = roll.bom.node_id(int(np.flatnonzero(roll.bom.labels["id"].to_numpy() == "servo")[0]))
    assert servo == "servo"


def test_values_in_several_currencies_are_converted_exactly() -> None:
    rows = [
        row(None, "D", None, "1000", currency="EUR"),
        row("D", "mag", "1", "15000", currency="JPY", form="magnet", composition=MAGNET),
        row(
            "mag", "dy", "1", "10", currency="CNY", origin="CN", form="metal", composition="Dy:100"
        ),
    ]
    roll = rollup(
        bom_of(
            rows,
            Rates(
                "USD", {"EUR": Decimal("1.08"), "JPY": Decimal("0.0067"), "CNY": Decimal("0.14")}
            ),
        ),
        REGIME,
    )
    assert roll.bom.currency == "USD"
    assert roll.decimal(roll.cn[0]) == Decimal("1.4")
    assert roll.decimal(roll.total[0]) == Decimal("1080")


def test_a_chinese_part1_line_is_counted_whole_and_not_descended_into() -> None:
    rows = [
        row(None, "M", None, "1000"),
        row("M", "mag", "1", "100", form="magnet", composition=MAGNET),
        row("mag", "alloy", "1", "10", origin="CN", form="alloy", composition="Dy:80;Fe:20"),
        row("alloy", "dy", "1", "8", origin="CN", form="metal", composition="Dy:100"),
    ]
    roll = rollup(bom_of(rows), REGIME)
    assert roll.decimal(roll.cn[0]) == Decimal(10)


def test_unknown_origin_is_counted_and_flagged() -> None:
    rows = motor("3")
    rows[2]["origin"] = None
    roll = rollup(bom_of(rows), REGIME)
    trace = roll.trace(0)
    assert roll.decimal(roll.cn[0]) == Decimal(3)
    assert bool(roll.bom.origin_unknown[int(trace.contributors[0])])


def test_technology_origin_is_inherited_from_an_annex1_content() -> None:
    rows = motor("0.5")
    rows[1]["technology_origin"] = "magnet_manufacturing"
    roll = rollup(bom_of(rows), REGIME)
    assert int(roll.technology[0]) != 0
    assert int(roll.own_technology[0]) == 0


# --- properties -------------------------------------------------------------------------

QUANTITIES = ["1", "2", "3", "0.5", "0.25", "1.5"]


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[dict[str, Any]], set[str]]:
    """Random DAGs: node 0 on top, edges only from lower to higher index, every node used."""
    n = draw(st.integers(2, 14))
    kinds = [draw(st.sampled_from(["comp", "magnet", "tb", "fe", "tb-unknown"])) for _ in range(n)]
    kinds[0] = "comp"
    edges: dict[int, list[tuple[int, str]]] = {}
    for j in range(1, n):
        parents = draw(st.sets(st.integers(0, j - 1), min_size=1, max_size=min(3, j)))
        for i in sorted(parents):
            edges.setdefault(i, []).append((j, draw(st.sampled_from(QUANTITIES))))
    value: dict[int, Decimal] = {}
    for v in range(n - 1, -1, -1):
        lines = [Decimal(q) * value[c] for c, q in edges.get(v, [])]
        # Cents, as in a real BOM: nested 0.25 quantities would otherwise reach more decimal
        # places than a BOM file may carry (input_limits: 9), and scaling by 0.01 adds two more.
        floor = max(lines, default=Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
        value[v] = floor + Decimal(draw(st.integers(1, 5000))) / 100
    form = {"comp": "component", "magnet": "magnet", "tb": "metal", "fe": "metal"}
    comp = {"magnet": MAGNET, "tb": TB, "fe": "Fe:100", "tb-unknown": TB}
    rows = [row(None, "n0", None, str(value[0]))]
    for i, children in edges.items():
        for j, q in children:
            k = kinds[j]
            rows.append(
                row(
                    f"n{i}",
                    f"n{j}",
                    q,
                    str(value[j]),
                    origin=None if k == "tb-unknown" else ("CN" if k == "tb" else "JP"),
                    form=form.get(k, "metal"),
                    composition=comp.get(k),
                )
            )
    counted = {f"n{j}" for j in range(1, n) if kinds[j] in ("tb", "tb-unknown")}
    return rows, counted


@settings(max_examples=60, deadline=None)
@given(dags())
def test_vectorised_rollup_equals_the_recursive_reference(
    case: tuple[list[dict[str, Any]], set[str]],
) -> None:
    rows, counted = case
    roll = rollup(bom_of(rows), REGIME)
    ref = reference_cn(rows, counted)
    ids = roll.bom.labels["id"].to_list()
    got = {ids[i]: Fraction(int(roll.cn[i]), 10**roll.scale) for i in range(roll.bom.n)}
    assert got == ref
    assert {ids[i] for i in np.flatnonzero(roll.counted)} == counted


@settings(max_examples=40, deadline=None)
@given(dags(), st.integers(0, 13), st.integers(1, 100))
def test_adding_chinese_part1_content_never_lowers_the_share(
    case: tuple[list[dict[str, Any]], set[str]], at: int, cents: int
) -> None:
    rows, _ = case
    before = root_share(rollup(bom_of(rows), REGIME))
    parents = sorted({r["child"] for r in rows})
    parent = parents[at % len(parents)]
    worth = next(Decimal(r["unit_value"]) for r in rows if r["child"] == parent)
    extra = min(Decimal(cents) / 100, worth)
    more = [
        *rows,
        row(parent, "added-tb", "1", str(extra), origin="CN", form="metal", composition=TB),
    ]
    assert root_share(rollup(bom_of(more), REGIME)) >= before


@settings(max_examples=40, deadline=None)
@given(dags(), st.sampled_from(["7", "0.5", "1000", "0.01"]))
def test_scaling_every_value_leaves_every_share_unchanged(
    case: tuple[list[dict[str, Any]], set[str]], factor: str
) -> None:
    rows, _ = case
    scaled = [{**r, "unit_value": str(Decimal(r["unit_value"]) * Decimal(factor))} for r in rows]
    a, b = rollup(bom_of(rows), REGIME), rollup(bom_of(scaled), REGIME)
    for i in range(a.bom.n):
        assert Fraction(int(a.cn[i]), int(a.total[i])) == Fraction(int(b.cn[i]), int(b.total[i]))


def test_python_integer_fallback_when_int64_could_overflow() -> None:
    rows = [
        row(None, "A", None, "1000"),
        row("A", "B", "0.123456789", "900"),
        row("B", "C", "0.987654321", "800", form="magnet", composition=MAGNET),
        row("C", "D", "0.5", "700"),
        row("D", "tb", "0.333333333", "600", origin="CN", form="metal", composition=TB),
    ]
    roll = rollup(bom_of(rows), REGIME)
    assert roll.cn.dtype == object
    ref = reference_cn(rows, {"tb"})
    assert Fraction(int(roll.cn[0]), 10**roll.scale) == ref["A"]
    trace = roll.trace(0)
    assert Fraction(int(trace.contribution[0]), 10**roll.scale) == ref["A"]


def _all_python_integers(roll_module: Any) -> Any:
    """`_exact` told that every node could overflow int64: Python integers throughout."""
    real = roll_module._exact

    def everywhere(
        bom: Any, lines: Any, counted: Any, bound: Any, lift: int, guess: Any = None
    ) -> Any:
        return real(bom, lines, counted, np.full_like(bound, np.inf), lift, guess)

    return everywhere


@settings(max_examples=60, deadline=None)
@given(dags(), st.integers(0, 12))
def test_int64_levels_below_big_nodes_agree_with_python_integers_throughout(
    case: tuple[list[dict[str, Any]], set[str]], digits: int
) -> None:
    """Where only the upper nodes (a top worth up to 10**12 times its parts) could overflow
    int64, the levels below them are summed as int64: every value and content is the same exact
    integer as with Python integers throughout."""
    rows, _ = case
    rows = [{**rows[0], "unit_value": str(Decimal(rows[0]["unit_value"]) * 10**digits)}, *rows[1:]]
    bom = bom_of(rows)
    mixed = rollup(bom, REGIME)
    with patch.object(rollup_module, "_exact", _all_python_integers(rollup_module)):
        plain = rollup(bom, REGIME)
    assert plain.cn.dtype == object
    assert [int(v) for v in mixed.cn] == [int(v) for v in plain.cn]
    assert [int(v) for v in mixed.total] == [int(v) for v in plain.total]
    # the int64 guess made beside the float pass, redone above the first big node: the same
    with patch.object(rollup_module, "_int64_pass", return_value=None):
        unguessed = rollup(bom, REGIME)
    assert mixed.cn.dtype == unguessed.cn.dtype
    assert [int(v) for v in mixed.cn] == [int(v) for v in unguessed.cn]
    assert [int(v) for v in mixed.total] == [int(v) for v in unguessed.total]
    # content and value turned into Python integers beside the float pass (as when a node's
    # own value passes int64) or after it: the same, whatever the bound then says
    for beside in (True, False):
        with (
            patch.object(rollup_module, "_value_passes_int64", return_value=beside),
            patch.object(rollup_module, "_SLICE", 3),
        ):
            turned = rollup(bom, REGIME)
        assert turned.cn.dtype == mixed.cn.dtype
        assert turned.total.dtype == mixed.total.dtype
        assert turned.cn.tolist() == mixed.cn.tolist()
        assert turned.total.tolist() == mixed.total.tolist()
        assert turned.share.tolist() == mixed.share.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40), st.integers(1, 7))
def test_objects_slice_by_slice_as_astype(values: list[int], size: int) -> None:
    a = np.array(values, dtype=np.int64)
    with patch.object(rollup_module, "_SLICE", size):
        got = rollup_module._objects(a)
    assert got.dtype == object
    assert [type(v) for v in got] == [int] * len(values)
    assert got.tolist() == a.astype(object).tolist()


def test_a_top_past_int64_over_int64_levels_is_exact() -> None:
    rows = [
        row(None, "A", None, "2000000000000000"),
        row("A", "B", "0.5", "900"),
        row("B", "C", "2", "400", form="magnet", composition=MAGNET),
        row("C", "tb", "1.5", "10", origin="CN", form="metal", composition=TB),
    ]
    roll = rollup(bom_of(rows), REGIME)
    assert roll.cn.dtype == object
    ref = reference_cn(rows, {"tb"})
    ids = roll.bom.labels["id"].to_list()
    assert {ids[i]: Fraction(int(roll.cn[i]), 10**roll.scale) for i in range(4)} == ref
    assert ref["A"] == 15  # 0.5 x 2 x 1.5 x 10


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-3, 40), max_size=50))
def test_distinct_keys_as_numpy_unique(keys: list[int]) -> None:
    key = np.array(keys, dtype=np.int64)
    unique, inverse = rollup_module._distinct(key)
    expected, expected_inverse = np.unique(key, return_inverse=True)
    assert unique.tolist() == expected.tolist()
    assert inverse.tolist() == expected_inverse.tolist()


PART_FORMS = ("component", "equipment", "magnet", "metal", "oxide", "other")
PART_COMPS = (None, MAGNET, TB, "Dy:100", "Fe:100", "Dy:87;O:13")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 50),
            st.sampled_from(PART_FORMS),
            st.sampled_from(PART_COMPS),
            st.sampled_from(["JP", "CN", None]),
        ),
        min_size=1,
        max_size=10,
    ),
    st.booleans(),
)
@example(parts=[(0, "component", None, "CN"), (1, "magnet", MAGNET, "JP")], contents_in_part1=True)
def test_each_node_gets_the_first_entry_of_each_part_it_matches(
    parts: list[tuple[int, str, str | None, str | None]], contents_in_part1: bool
) -> None:
    """Entries decided per distinct form and composition, and those on contents node by node,
    give what deciding every entry on every node does (a plain reference). With the entries on
    contents moved to Part I, what is counted waits for them (otherwise they are decided
    after)."""
    rows = [row(None, "n0", None, "1000000", form="equipment")]
    parent_of = [-1]
    for k, (pick, form, comp, origin) in enumerate(parts, start=1):
        parent_of.append(pick % k)
        rows.append(
            row(f"n{pick % k}", f"n{k}", "1", "1", form=form, composition=comp, origin=origin)
        )
    bom = bom_of(rows)
    regime: Any = REGIME
    if contents_in_part1:
        moved = (replace(a, part="I") if a.match.contains else a for a in REGIME.annex1)
        regime = SimpleNamespace(annex1=tuple(moved))
    roll = rollup(bom, regime)
    assert (
        roll.counted.tolist() == ((roll.part1 >= 0) & (bom.origin_cn | bom.origin_unknown)).tolist()
    )
    annex, node = roll.annex, {bom.node_id(i): i for i in range(bom.n)}
    ids = [a.id for a in annex]
    own: dict[int, set[int]] = {}
    below: dict[int, set[int]] = {}
    for k in range(len(parent_of) - 1, -1, -1):  # a child's number is above its parent's
        children = [c for c, p in enumerate(parent_of) if p == k]
        below[k] = set().union(*(own[c] | below[c] for c in children))
        v = node[f"n{k}"]
        probe = Item(
            id="",
            form=FORMS[bom.form[v]],
            value=Money(Decimal(1), "USD"),
            path="",
            composition=bom.compositions[bom.composition[v]],
        )
        own[k] = {
            i
            for i, a in enumerate(annex)
            if (
                any(ids.index(x) in below[k] for x in a.match.contains)
                and probe.form in a.match.forms
                if a.match.contains
                else match_detail(a.match, probe) is not None
            )
        }
        for part, got in (("I", roll.part1), ("II", roll.part2)):
            hits = sorted(i for i in own[k] if annex[i].part == part)
            assert int(got[v]) == (hits[0] if hits else -1)


@settings(max_examples=40, deadline=None)
@given(dags(), st.randoms(use_true_random=False), st.integers(0, 12))
def test_lines_in_any_order_roll_up_exactly(
    case: tuple[list[dict[str, Any]], set[str]], rnd: Any, digits: int
) -> None:
    """A parent's lines spread over the file (runs of one parent summed, then added parent by
    parent), with a top worth up to 10**12 times its parts (its level on Python integers): every
    node's content is the reference's."""
    rows, counted = case
    top = {**rows[0], "unit_value": str(Decimal(rows[0]["unit_value"]) * 10**digits)}
    rest = rows[1:]
    rnd.shuffle(rest)
    rows = [top, *rest]
    roll = rollup(bom_of(rows), REGIME)
    ref = reference_cn(rows, counted)
    ids = roll.bom.labels["id"].to_list()
    assert {ids[i]: Fraction(int(roll.cn[i]), 10**roll.scale) for i in range(roll.bom.n)} == ref


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(-(2**40), 2**40)), max_size=30),
    st.booleans(),
)
def test_sums_by_runs_of_one_parent_are_those_of_add_at(
    lines: list[tuple[int, int]], python_integers: bool
) -> None:
    parent = np.array([p for p, _ in lines], dtype=np.int64)
    dtype: Any = object if python_integers else np.int64
    terms = np.array([t for _, t in lines], dtype=np.int64).astype(dtype)
    got = np.arange(7, dtype=np.int64).astype(dtype)
    expected = got.copy()
    # one level (1) of len(lines) lines, whose parents are the distinct values of `parent`
    level = rollup_module._Lines.made(
        parent,
        np.zeros_like(parent),
        np.zeros_like(parent),
        np.array([0, 0, len(parent)]),
        np.array([1, len(set(parent.tolist()))]),
    )
    level.add_by_parent(got, 1, terms)
    np.add.at(expected, parent, terms)
    assert got.dtype == expected.dtype
    assert got.tolist() == expected.tolist()


def _plain_float_content(bom: Any, counted: Any) -> list[float]:
    """The float pass written plainly, line by line in Python floats: level by level, each
    line's quantity times its child's worth added to its parent's sum, in level order."""
    lv, sq = bom.levels, 10**bom.quantity_scale
    value = [float(v) for v in bom.value.tolist()]
    worth = [v if c else 0.0 for v, c in zip(value, counted.tolist(), strict=True)]
    content = [0.0] * bom.n
    for h in range(1, lv.top + 1):
        sums: dict[int, float] = {}
        for e in lv.edges_at(h).tolist():
            p, c = int(bom.parent[e]), int(bom.child[e])
            sums[p] = sums.get(p, 0.0) + float(bom.quantity[e]) / sq * worth[c]
        for v in lv.nodes_at(h).tolist():
            content[v] = sums.get(v, 0.0)
            worth[v] = value[v] if counted[v] else content[v]
    return content


@settings(max_examples=60, deadline=None)
@given(dags(), st.randoms(use_true_random=False), st.booleans())
def test_float_shares_by_runs_are_bit_for_bit_those_of_add_at(
    case: tuple[list[dict[str, Any]], set[str]], rnd: Any, shuffled: bool
) -> None:
    """Each parent's lines summed into a bin of their run's (one run per parent) or of the
    parent's (a parent's lines spread over the file): the same float sums, bit for bit, as
    adding them one by one in level order."""
    rows, _ = case
    if shuffled:
        rest = rows[1:]
        rnd.shuffle(rest)
        rows = [rows[0], *rest]
    roll = rollup(bom_of(rows), REGIME)
    cf = np.array(_plain_float_content(roll.bom, roll.counted), dtype=np.float64)
    assert (cf / roll.bom.value.astype(np.float64)).tobytes() == roll.share.tobytes()
