"""Topological levels of a BOM DAG, found with whole-array passes (Kahn's algorithm by frontier).

A node's height is the longest path from it down to a leaf. Every parent sits at least one level
above each child, so a roll-up can run level by level bottom-up (values) or top-down
(multipliers) with one scatter-add per level, never a Python loop per line. Lines that can never
be levelled lie on or above a cycle; the cycle itself is named part by part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from reec.errors import BomError

__all__ = [
    "Cycle",
    "InOrder",
    "Levels",
    "in_order",
    "level_runs",
    "levels",
    "levels_or_cycle",
    "lines_in_order",
    "run_starts",
]

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class InOrder:
    """Each line's parent and child in level order (`Levels.edge_order`), and where its runs
    of one parent start: what every pass of a roll-up reads level by level (`in_order`)."""

    parent: Ints
    child: Ints
    run_start: Ints
    """Where each run of one parent starts (a level starts a run: a parent has one level)."""
    run_bounds: Ints
    """run_start[run_bounds[h]:run_bounds[h+1]] are the runs of level h."""


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
    in_order: InOrder | None = None
    """The lines in level order, where the levelling made them (`levels_or_cycle(in_order=
    True)`: a large BOM file's, on the read's worker thread, which is free by then), so that
    its roll-up need not gather them first."""

    @property
    def top(self) -> int:
        return len(self.node_bounds) - 2

    def edges_at(self, h: int) -> Ints:
        return self.edge_order[self.edge_bounds[h] : self.edge_bounds[h + 1]]

    def nodes_at(self, h: int) -> Ints:
        return self.node_order[self.node_bounds[h] : self.node_bounds[h + 1]]


def _bucket(keys: npt.NDArray[np.integer[Any]], top: int) -> tuple[Ints, Ints]:
    """Stable order by a small integer key (radix sort) and the bucket bounds."""
    order = np.argsort(keys, kind="stable").astype(np.int64, copy=False)
    bounds = np.zeros(top + 2, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=top + 1), out=bounds[1:])
    return order, bounds


@dataclass(frozen=True, slots=True, eq=False)
class _Runs:
    """Lines as runs of one parent: a BOM file lists a part's lines together, so 10M lines are
    about 1.6M runs, and what is counted or ordered per parent is done per run."""

    start: Ints
    count: Ints

    @staticmethod
    def of(parent: Ints) -> _Runs:
        start = run_starts(parent)
        return _Runs(start, np.diff(start, append=len(parent)))

    def few(self, lines: int) -> bool:
        """Runs worth taking one by one (np.add.at is dearer per item than np.bincount)."""
        return len(self.start) * _AT_COST < lines


def run_starts(parent: Ints) -> Ints:
    """Where each run of lines with one parent starts (none for no lines)."""
    cut = np.flatnonzero(parent[1:] != parent[:-1])
    cut += 1
    return np.concatenate((np.zeros(min(len(parent), 1), dtype=np.int64), cut))


_HEIGHT = np.int8
"""Heights while levelling, until one reaches its largest value (then int64)."""

_AT_COST = 4
"""About how many times dearer np.add.at is per item than np.bincount per line."""


def _add_counts(deg: Ints, parent: Ints, sign: int, runs: _Runs | None = None) -> Ints:
    """deg[p] += sign for each line's parent p: by runs when they are few (see `_Runs`; those
    of `parent` when given); the parents whose count changed, each once when by runs."""
    runs = _Runs.of(parent) if runs is None else runs
    if runs.few(len(parent)):
        touched = parent[runs.start]
        np.add.at(deg, touched, runs.count if sign > 0 else -runs.count)
        return touched
    deg += sign * np.bincount(parent, minlength=len(deg))
    return parent


def _edge_order(
    height: npt.NDArray[np.integer[Any]], parent: Ints, runs: _Runs, top: int
) -> tuple[Ints, Ints]:
    """Lines in a stable order by their parent's height, and the bounds of each height: by runs
    when they are few (the runs sorted by height, each run's lines kept together and in order,
    which is what a stable sort of the lines gives), otherwise line by line."""
    if not runs.few(len(parent)):
        return _bucket(height[parent], top)
    key = height[parent[runs.start]]
    by_key = np.argsort(key, kind="stable")
    count = runs.count[by_key]
    shift = np.zeros(len(count), dtype=np.int64)
    np.cumsum(count[:-1], out=shift[1:])
    # the k-th line of the sorted order is line k + (its run's first line - the run's new start)
    order = np.repeat(runs.start[by_key] - shift, count)
    order += np.arange(len(parent), dtype=np.int64)
    bounds = np.zeros(top + 2, dtype=np.int64)
    per_key = np.bincount(key, weights=runs.count, minlength=top + 1)  # exact below 2**53
    np.cumsum(per_key.astype(np.int64), out=bounds[1:])
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


def levels_or_cycle(n: int, parent: Ints, child: Ints, *, in_order: bool = False) -> Levels | Cycle:
    """The levels, or where levelling stopped (nothing named: no text is needed to level);
    with `in_order`, the lines in level order too (`Levels.in_order`).

    Kahn's algorithm by frontier: a line is taken once its child is levelled, a parent once its
    last line is. Heights are kept as int8 while they fit (127 levels; a 2.5 MB array at 2.5M
    nodes, read at random once per line, stays in the cache: 10M lines, 0.04 s less than int16),
    parents' line counts changed run by run."""
    outdeg = np.zeros(n, dtype=np.int64)
    runs = _Runs.of(parent)  # the file's runs: counted here, ordered by height at the end
    _add_counts(outdeg, parent, 1, runs)
    height: npt.NDArray[np.integer[Any]] = np.full(n, -1, dtype=_HEIGHT)
    height[outdeg == 0] = 0
    into = height[child] == 0
    done = parent[into]  # the parents of the lines taken
    rem = np.flatnonzero(~into)
    h = 0
    while done.size:
        touched = _add_counts(outdeg, done, -1)
        h += 1
        if h == np.iinfo(height.dtype).max:
            height = height.astype(np.int64)
        height[touched[outdeg[touched] == 0]] = h
        if not rem.size:
            break
        into = height[child[rem]] == h
        done = parent[rem[into]]
        rem = rem[~into]
    if (height < 0).any():
        return Cycle(rem, height.astype(np.int64))
    top = int(height.max()) if n else 0
    edge_order, edge_bounds = _edge_order(height, parent, runs, top)
    node_order, node_bounds = _bucket(height, top)
    lines = lines_in_order(parent, child, edge_order, edge_bounds) if in_order else None
    return Levels(height.astype(np.int64), edge_order, edge_bounds, node_order, node_bounds, lines)


def lines_in_order(parent: Ints, child: Ints, edge_order: Ints, edge_bounds: Ints) -> InOrder:
    """The lines' parents and children in level order, and their runs of one parent (level
    order keeps the file's order within a level, so the gathers read runs of lines in turn)."""
    ordered = parent[edge_order]
    return InOrder(ordered, child[edge_order], *level_runs(ordered, edge_bounds))


def level_runs(ordered: Ints, edge_bounds: Ints) -> tuple[Ints, Ints]:
    """Where the runs of one parent start among the lines in level order (`ordered`: their
    parents), and which runs each level holds (`InOrder.run_start`, `InOrder.run_bounds`)."""
    run_start = run_starts(ordered)
    return run_start, np.searchsorted(run_start, edge_bounds).astype(np.int64)


def in_order(levels: Levels, parent: Ints, child: Ints) -> InOrder:
    """The lines in level order: as the levelling made them, or made now."""
    if levels.in_order is not None:
        return levels.in_order
    return lines_in_order(parent, child, levels.edge_order, levels.edge_bounds)


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
