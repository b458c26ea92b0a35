"""The graph's levels: the run-by-run levelling gives what plain Kahn's algorithm by frontier
gives (heights, both orders and their bounds, or the lines left on a cycle), whatever the
lines' order."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reec.bom import graph
from reec.bom.graph import Cycle, Levels, levels_or_cycle

Ints = npt.NDArray[np.int64]


def plain_levels(n: int, parent: Ints, child: Ints) -> Levels | Cycle:
    """Kahn's algorithm by frontier, line by line, with a sort for each order (the reference)."""
    outdeg = np.bincount(parent, minlength=n)
    height = np.full(n, -1, dtype=np.int64)
    frontier = outdeg == 0
    height[frontier] = 0
    rem = np.arange(len(parent), dtype=np.int64)
    h = 0
    while rem.size:
        into = frontier[child[rem]]
        if not into.any():
            break
        ps = parent[rem[into]]
        outdeg -= np.bincount(ps, minlength=n)
        rem = rem[~into]
        frontier = np.zeros(n, dtype=bool)
        frontier[ps] = outdeg[ps] == 0
        h += 1
        height[frontier] = h
    if (height < 0).any():
        return Cycle(rem, height)
    top = int(height.max())

    def bucket(keys: Ints) -> tuple[Ints, Ints]:
        order = np.argsort(keys, kind="stable").astype(np.int64)
        return order, np.searchsorted(keys[order], np.arange(top + 2)).astype(np.int64)

    edge_order, edge_bounds = bucket(height[parent])
    node_order, node_bounds = bucket(height)
    return Levels(height, edge_order, edge_bounds, node_order, node_bounds)


def same(a: Levels | Cycle, b: Levels | Cycle) -> None:
    assert type(a) is type(b)
    fields = ("rem", "height") if isinstance(a, Cycle) else Levels.__slots__
    for f in (f for f in fields if f != "in_order"):  # compared by test_lines_in_level_order
        x, y = getattr(a, f), getattr(b, f)
        assert x.dtype == y.dtype, f
        assert x.tolist() == y.tolist(), f


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, Ints, Ints]:
    """Lines between n nodes: a DAG (a parent's number below its children's) or anything, each
    parent's lines together (as a BOM file gives them) or in any order."""
    n = draw(st.integers(1, 24))
    dag = draw(st.booleans())
    pairs: list[tuple[int, int]] = []
    for p in range(n):
        children = range(p + 1, n) if dag else range(n)
        pairs += (
            [(p, c) for c in draw(st.lists(st.sampled_from(children), max_size=4))]
            if children
            else []
        )
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    parent = np.array([p for p, _ in pairs], dtype=np.int64)
    child = np.array([c for _, c in pairs], dtype=np.int64)
    return n, parent, child


@settings(max_examples=80)
@given(graphs(), st.sampled_from([0, graph._AT_COST, 10**9]))
def test_levels_are_those_of_plain_kahn(case: tuple[int, Ints, Ints], at_cost: int) -> None:
    """_AT_COST 0: every count and order taken by runs; 10**9: line by line."""
    n, parent, child = case
    with patch.object(graph, "_AT_COST", at_cost):
        same(levels_or_cycle(n, parent, child), plain_levels(n, parent, child))


@settings(max_examples=60)
@given(graphs(), st.sampled_from([0, 10**9]))
def test_lines_in_level_order(case: tuple[int, Ints, Ints], at_cost: int) -> None:
    """The lines in level order the levelling keeps (`in_order=True`) are each line's parent
    and child gathered through the edge order, their runs those of the gathered parents; the
    levels themselves are the same as without them."""
    n, parent, child = case
    with patch.object(graph, "_AT_COST", at_cost):
        got = levels_or_cycle(n, parent, child, in_order=True)
        plain = levels_or_cycle(n, parent, child)
    same(got, plain)
    if isinstance(got, Cycle):
        return
    assert isinstance(plain, Levels)
    assert plain.in_order is None
    kept = got.in_order
    assert kept is not None
    assert graph.in_order(got, parent, child) is kept
    made = graph.in_order(plain, parent, child)
    order = got.edge_order
    assert kept.parent.tolist() == made.parent.tolist() == parent[order].tolist()
    assert kept.child.tolist() == made.child.tolist() == child[order].tolist()
    starts = [i for i in range(len(order)) if i == 0 or parent[order][i] != parent[order][i - 1]]
    assert kept.run_start.tolist() == made.run_start.tolist() == starts
    bounds = [sum(s < b for s in starts) for b in got.edge_bounds.tolist()]
    assert kept.run_bounds.tolist() == made.run_bounds.tolist() == bounds


@pytest.mark.parametrize("at_cost", [0, 10**9])
def test_heights_past_the_small_type_move_to_int64(at_cost: Any) -> None:
    """A chain deeper than int8 holds, levelled with int8 heights: the same levels."""
    n = 300
    parent = np.arange(n - 1, dtype=np.int64)
    child = parent + 1
    with patch.object(graph, "_HEIGHT", np.int8), patch.object(graph, "_AT_COST", at_cost):
        got = levels_or_cycle(n, parent, child)
    same(got, plain_levels(n, parent, child))
    assert isinstance(got, Levels)
    assert got.top == n - 1
