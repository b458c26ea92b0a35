"""Topological levels of a BOM DAG, found with whole-array passes (Kahn's algorithm by frontier).

A node's height is the longest path from it down to a leaf. Every parent sits at least one level
above each child, so a roll-up can run level by level bottom-up (values) or top-down
(multipliers) with one scatter-add per level, never a Python loop per line. Lines that can never
be levelled lie on or above a cycle; the cycle itself is named part by part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import numpy.typing as npt

from reec.errors import BomError

__all__ = ["Cycle", "Levels", "levels", "levels_or_cycle"]

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class Levels:
    height: Ints
    """Per node: longest path down to a leaf (leaves are 0)."""
    edge_order: Ints
    """Edges sorted by their parent's height."""
    edge_bounds: Ints
    """edge_order[edge_bounds[h]:edge_bounds[h+1]] are the edges whose parent has height h."""
    node_order: Ints
    node_bounds: Ints

    @property
    def top(self) -> int:
        return len(self.node_bounds) - 2

    def edges_at(self, h: int) -> Ints:
        return self.edge_order[self.edge_bounds[h] : self.edge_bounds[h + 1]]

    def nodes_at(self, h: int) -> Ints:
        return self.node_order[self.node_bounds[h] : self.node_bounds[h + 1]]


def _bucket(keys: Ints, top: int) -> tuple[Ints, Ints]:
    """Stable order by a small integer key (radix sort) and the bucket bounds."""
    small = keys.astype(np.uint16) if top < 65535 else keys
    order = np.argsort(small, kind="stable").astype(np.int64)
    bounds = np.searchsorted(keys[order], np.arange(top + 2)).astype(np.int64)
    return order, bounds


@dataclass(frozen=True, slots=True, eq=False)
class Cycle:
    """What is left when levelling stops: the lines never levelled, and the heights so far."""

    rem: Ints
    height: Ints


def levels(
    n: int,
    parent: Ints,
    child: Ints,
    ids: Callable[[int], str],
    where: Callable[[int], str],
    found: Levels | Cycle | None = None,
) -> Levels:
    """Levels of the graph, or a BomError naming a cycle (`ids` names a node, `where` an edge).
    `found`: what `levels_or_cycle` gave for the same lines (computed beside other work)."""
    lv = found if found is not None else levels_or_cycle(n, parent, child)
    if isinstance(lv, Cycle):
        _raise_cycle(parent, child, lv.rem, lv.height, ids, where)
    return lv


def levels_or_cycle(n: int, parent: Ints, child: Ints) -> Levels | Cycle:
    """The levels, or where levelling stopped (nothing named: no text is needed to level)."""
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
    top = int(height.max()) if n else 0
    edge_order, edge_bounds = _bucket(height[parent], top)
    node_order, node_bounds = _bucket(height, top)
    return Levels(height, edge_order, edge_bounds, node_order, node_bounds)


def _raise_cycle(
    parent: Ints,
    child: Ints,
    rem: Ints,
    height: Ints,
    ids: Callable[[int], str],
    where: Callable[[int], str],
) -> NoReturn:
    """Every unlevelled node has an unlevelled child: walking them must close a loop."""
    nxt: dict[int, tuple[int, int]] = {}
    for e in rem[height[child[rem]] < 0].tolist():
        nxt.setdefault(int(parent[e]), (int(child[e]), e))
    start = next(iter(nxt))
    seen: dict[int, int] = {}
    node = start
    while node not in seen:
        seen[node] = len(seen)
        node = nxt[node][0]
    loop = list(seen)[seen[node] :]
    names = " -> ".join(ids(v) for v in [*loop, loop[0]])
    raise BomError(f"the bill of materials has a cycle: {names}", field=where(nxt[loop[-1]][1]))
