"""No. 61 Art. 1(1) over a whole BOM: the value of Chinese-origin Part I content in one unit of
every node, level by level with one scatter-add per level (no Python loop per line).

Two passes over the levels: a float64 one gives shares for display and bounds the magnitudes;
the exact one runs on int64 numerators (Python integers from the lowest level where int64 could
overflow, usually only the top) at one common scale, ``value_scale + quantity_scale x height``,
where every partial sum is an integer, so "exactly 0.1 %" is decided exactly. Readings
(docs/extraterritorial.md): a counted line is a Chinese-origin (or unknown-origin) Part I item,
taken at its full value and not descended into; any other line is descended into, whatever its
origin.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from reec.bom.aside import Aside
from reec.bom.graph import in_order, level_runs
from reec.bom.heap import kept_heap
from reec.bom.model import FORMS, Bom
from reec.model import Item, Money
from reec.regime.matching import match_detail
from reec.regime.snapshot import AnnexEntry, Regime

__all__ = ["Rollup", "Trace", "rollup"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Num = npt.NDArray[Any]
"""Exact numerators: int64, or Python integers (object) when int64 could overflow."""


@dataclass(frozen=True, slots=True, eq=False)
class Trace:
    """One item's view of the roll-up: how many units of each node one unit of it holds."""

    root: int
    multiplier: Num
    """At scale quantity_scale x top; 0 for nodes not counted through this root."""
    reach: Bools
    contributors: Ints
    """Counted nodes under the root, largest contribution first."""
    contribution: Num
    """Per contributor (same order), at the roll-up's scale."""


@dataclass(frozen=True, slots=True, eq=False)
class Rollup:
    bom: Bom
    annex: tuple[AnnexEntry, ...]
    scale: int
    cn: Num
    """Chinese-origin Part I content in one unit of each node, at `scale`."""
    total: Num
    """Value of one unit of each node, at `scale`."""
    share: npt.NDArray[np.float64]
    part1: npt.NDArray[np.int16]
    part2: npt.NDArray[np.int16]
    counted: Bools
    technology: Ints
    """Chinese-origin technology bits each node has or inherits (Art. 1(2))."""
    own_technology: Ints
    """Bits a node itself was made with (abroad)."""

    def decimal(self, x: int) -> Decimal:
        return Decimal(int(x)).scaleb(-self.scale)

    def reaches(self, threshold: Decimal) -> Bools:
        """cn >= threshold x value, on integers: never on a rounded share."""
        num, den = threshold.as_integer_ratio()
        cn, total = self.cn, self.total
        if self.cn.dtype != object and float(np.max(self.total, initial=0)) * max(num, den) > 2**62:
            cn, total = cn.astype(object), total.astype(object)
        return np.asarray(cn * den >= total * num, dtype=bool)

    def trace(self, root: int) -> Trace:
        bom, lv = self.bom, self.bom.levels
        sq = 10**bom.quantity_scale
        m: Num = np.zeros(bom.n, dtype=self.cn.dtype)
        m[root] = 10 ** (bom.quantity_scale * lv.top) * sq
        reach = np.zeros(bom.n, dtype=bool)
        reach[root] = True
        for h in range(int(lv.height[root]), -1, -1):
            nodes = lv.nodes_at(h)
            if sq > 1:
                m[nodes] //= sq
            if h == 0:
                break
            e = lv.edges_at(h)
            e = e[reach[bom.parent[e]]]
            reach[bom.child[e]] = True
            live = e[~self.counted[bom.parent[e]] | (bom.parent[e] == root)]
            np.add.at(
                m,
                bom.child[live],
                m[bom.parent[live]] * bom.quantity[live].astype(m.dtype),
            )
        nodes = np.flatnonzero(self.counted & (m > 0))
        nodes = nodes[nodes != root]
        values = m[nodes] * bom.value[nodes].astype(m.dtype)
        order = np.argsort(-values.astype(np.float64), kind="stable")
        return Trace(root, m, reach, nodes[order], values[order])


@dataclass(frozen=True, slots=True, eq=False)
class _Lines:
    """The BOM's lines in level order (`Levels.edge_order`), gathered once per roll-up: every
    pass over the levels reads a level's parents, children and quantities as one slice, instead
    of gathering the three again through the order on each pass (10M lines: 80 MB each).

    A BOM file lists a part's lines together, and level order keeps the file's order within a
    level, so a level's lines come as runs of one parent (10M lines: 1.6M runs, as many as
    parents): what is summed or looked for per parent is done run by run."""

    parent: Ints
    child: Ints
    quantity: Ints
    bounds: Ints
    parents: Ints
    """Per level: how many nodes it holds (each is the parent of at least one of its lines)."""
    run_start: Ints
    """Where each run of one parent starts (a level starts a run: a parent has one level)."""
    run_bounds: Ints
    """run_start[run_bounds[h]:run_bounds[h+1]] are the runs of level h."""

    @staticmethod
    def of(bom: Bom) -> _Lines:
        """The lines in level order: parents and children as the levelling kept them (a large
        BOM file's, `reec.bom.graph.Levels.in_order`) or gathered now, quantities gathered."""
        lv = bom.levels
        lines = in_order(lv, bom.parent, bom.child)
        return _Lines(
            lines.parent,
            lines.child,
            bom.quantity[lv.edge_order],
            lv.edge_bounds,
            np.diff(lv.node_bounds),
            lines.run_start,
            lines.run_bounds,
        )

    @staticmethod
    def made(parent: Ints, child: Ints, quantity: Ints, bounds: Ints, parents: Ints) -> _Lines:
        return _Lines(parent, child, quantity, bounds, parents, *level_runs(parent, bounds))

    def at(self, h: int) -> slice:
        return slice(int(self.bounds[h]), int(self.bounds[h + 1]))

    def runs(self, h: int) -> tuple[Ints, Ints]:
        """The runs of level h: where each starts within the level's slice, and its parent."""
        start = self.run_start[self.run_bounds[h] : self.run_bounds[h + 1]]
        return start - self.bounds[h], self.parent[start]

    def add_by_parent(self, acc: Num, h: int, terms: Num) -> None:
        """acc[parent] += term for each line of level h, exactly (int64 or Python integers):
        each run summed with one reduceat; when the level has as many runs as parents, each
        parent gets its run's sum at once, otherwise the runs' sums are added parent by parent
        (np.add.at, on fewer items). Integers add the same in any order, so the sums are those
        of np.add.at over the lines."""
        if not len(terms):
            return
        start, to = self.runs(h)
        sums = np.add.reduceat(terms, start)
        if len(start) == self.parents[h]:  # one run per parent: `to` holds each parent once
            acc[to] += sums
        else:
            np.add.at(acc, to, sums)


@dataclass(frozen=True, slots=True, eq=False)
class _Direct:
    """The entries decided by a node's own form and composition (`_direct`)."""

    hit: Bools
    """Per distinct (form, composition) pair and entry: the pair matches the entry."""
    inverse: Ints
    """Per node: its pair."""
    first: dict[str, npt.NDArray[np.int16]]
    """Per part: each node's first direct entry of that part (-1: none)."""


def _direct(bom: Bom, annex: tuple[AnnexEntry, ...]) -> _Direct:
    key = bom.form.astype(np.int64) * (len(bom.compositions) + 1) + bom.composition
    pairs, inverse = _distinct(key)
    direct = [i for i, a in enumerate(annex) if not a.match.contains]
    hit = np.zeros((len(pairs), len(annex)), dtype=bool)
    for j, pair in enumerate(pairs.tolist()):
        form, comp = divmod(pair, len(bom.compositions) + 1)
        probe = Item(
            id="",
            form=FORMS[form],
            value=Money(Decimal(1), bom.currency),
            path="",
            composition=bom.compositions[comp],
        )
        for i in direct:
            hit[j, i] = match_detail(annex[i].match, probe) is not None
    part = np.array([a.part for a in annex])
    # the first direct entry of each part, per pair; an entry on contents (its column of hit
    # stays False) comes before it on the nodes it matches when its number is lower
    return _Direct(hit, inverse, {p: _first(hit & (part == p))[inverse] for p in ("I", "II")})


def _contents(
    bom: Bom, lines: _Lines, annex: tuple[AnnexEntry, ...], found: _Direct
) -> tuple[np.ndarray, np.ndarray]:
    """The first entry of each part per node, entries on contents included."""
    hit, inverse, first = found.hit, found.inverse, dict(found.first)
    ids = [a.id for a in annex]
    below_entry: dict[int, Bools] = {}
    for i, a in enumerate(annex):
        if not a.match.contains:
            continue
        refs = [ids.index(x) for x in a.match.contains]
        target: Bools = np.asarray(hit[:, refs].any(axis=1), dtype=bool)[inverse]
        for r in refs:
            if r in below_entry:  # an entry on contents decided before this one
                target |= below_entry[r]
        below = _any_below(bom, lines, target)
        form_table = np.zeros(len(FORMS), dtype=bool)
        form_table[[FORMS.index(f) for f in a.match.forms]] = True
        forms = form_table[bom.form]
        below_entry[i] = forms & below
        if a.part in first:
            f = first[a.part]
            first[a.part] = np.where(below_entry[i] & ((f < 0) | (f > i)), i, f).astype(np.int16)
    return first["I"], first["II"]


def _distinct(key: Ints) -> tuple[Ints, Ints]:
    """np.unique(key, return_inverse=True) without its sort when the keys are few and small."""
    top = int(key.max(initial=-1)) + 1
    if key.size and (int(key.min()) < 0 or top > 4 * key.size + 1024):
        unique, inverse = np.unique(key, return_inverse=True)
        return unique.astype(np.int64), inverse.astype(np.int64)
    present = np.zeros(top, dtype=bool)
    present[key] = True
    slot = np.cumsum(present, dtype=np.int64) - 1
    return np.flatnonzero(present).astype(np.int64), slot[key]


def _first(m: Bools) -> npt.NDArray[np.int16]:
    return np.where(m.any(axis=1), m.argmax(axis=1), -1).astype(np.int16)


def _any_below(bom: Bom, lines: _Lines, target: Bools) -> Bools:
    """Nodes with a target anywhere below them: per level, the runs of one parent with a line
    into a target or into a node with one below it (`mark`)."""
    below = np.zeros(bom.n, dtype=bool)
    mark = target.copy()
    for h in range(1, bom.levels.top + 1):
        start, to = lines.runs(h)
        if not len(start):
            continue
        hit = to[np.logical_or.reduceat(mark[lines.child[lines.at(h)]], start)]
        below[hit] = True
        mark[hit] = True
    return below


def _own(bom: Bom) -> Ints:
    """Every Chinese-origin technology bit of the nodes made abroad; the activities No. 61
    Art. 1(2) names on a day are applied by the reader (`technology_origin_sources`), so the
    roll-up, built once per BOM, reads no dated parameter."""
    return np.where(bom.origin_cn, 0, bom.technology).astype(np.int64)


def _technology(bom: Bom, lines: _Lines, annex1: Bools, own: Ints) -> Ints:
    carried = np.where(annex1, own, 0)
    if not carried.any():  # nothing to inherit (a BOM without technology origins)
        return own.copy()
    acc = np.zeros(bom.n, dtype=np.int64)
    lv = bom.levels
    for h in range(1, lv.top + 1):
        np.bitwise_or.at(acc, lines.parent[lines.at(h)], carried[lines.child[lines.at(h)]])
        nodes = lv.nodes_at(h)
        carried[nodes] = carried[nodes] | acc[nodes]
    return own | acc


@dataclass(frozen=True, slots=True, eq=False)
class _Guess:
    """The exact pass's content, value and x of every node, on int64 throughout
    (`_int64_pass`), and the content and value as Python integers where `_exact` will need
    them (`objects`: a node's own value passes int64 at the common scale)."""

    cn: Ints
    total: Ints
    x: Ints
    objects: tuple[Num, Num] | None = None


def _int64_pass(bom: Bom, lines: _Lines, counted: Bools, lift: int, objects: bool) -> _Guess:
    """The exact pass on int64 at every level, guessing that no number overflows: run beside
    the float pass, which says where that holds. Where it does not (a node past int64 wraps),
    `_exact` redoes those levels on Python integers; below them the guess stands.

    With `objects` (some node's own value passes int64, so `_exact` will turn content and value
    into Python integers whatever the float pass says), they are turned here, beside the float
    pass, instead of after it on the main line (10M lines: 0.16 s)."""
    total: Ints = bom.value * lift
    x: Ints = np.where(counted, total, 0)
    cn: Ints = np.zeros(bom.n, dtype=np.int64)
    for h in range(1, bom.levels.top + 1):
        _level(bom, lines, h, 10**bom.quantity_scale, counted, total, x, cn)
    return _Guess(cn, total, x, (_objects(cn), _objects(total)) if objects else None)


_SLICE = 1 << 15
"""Values per slice of `_objects` (about a millisecond)."""


def _objects(a: Ints) -> Num:
    """`a.astype(object)`, slice by slice, letting the GIL go between slices: made beside the
    float pass, whose NumPy calls each need the GIL back when they end, and one whole copy
    would hold it for 0.08 s (2.5M nodes) at a time."""
    out: Num = np.empty(len(a), dtype=object)
    for lo in range(0, len(a), _SLICE):
        out[lo : lo + _SLICE] = a[lo : lo + _SLICE]
        time.sleep(0)  # lets the GIL go: a thread waiting for it takes it now
    return out


def _value_passes_int64(bom: Bom, lift: int) -> bool:
    """Some node's own value, at the common scale, is past what `_exact`'s bound lets int64
    hold: the bound (`_rollup`) is at least the value's, so Python integers will be needed."""
    sq = 10**bom.quantity_scale
    top = float(np.max(bom.value, initial=0))
    return top * float(lift) * float(sq) * 4.0 >= 2**62


def _exact(
    bom: Bom,
    lines: _Lines,
    counted: Bools,
    bound: npt.NDArray[np.float64],
    lift: int,
    guess: _Guess | None = None,
) -> tuple[Num, Num]:
    """Chinese-origin Part I content and value of one unit of each node at the common scale.

    int64 while every number fits; Python integers (object arrays) from the lowest level holding
    a node whose `bound` (its float value or content, lifted, with room for rounding) could
    overflow int64: usually only the top of a large BOM, so the lines below it, nearly all of
    them, are still summed as int64, and the int64 results are turned into Python integers once
    (10M lines: 0.7 -> 0.25 s, against multiplying every node's value again as an object)."""
    lv, sq = bom.levels, 10**bom.quantity_scale
    big = bound >= 2**62
    first_big = int(lv.height[big].min()) if big.any() else lv.top + 1
    objects = None
    if guess is not None and first_big:
        # the guess holds below the first big node; its levels above are redone from nothing
        cn, total, x, objects = guess.cn, guess.total, guess.x, guess.objects
        redone = lv.node_order[lv.node_bounds[min(first_big, lv.top + 1)] :]
        cn[redone] = 0
        if objects is not None:
            objects[0][redone] = 0
    else:
        # int64 where it is read (nodes not big); lift itself may be past int64 when all are big
        total = np.where(big, 0, bom.value) * (lift if first_big else 0)
        x = np.where(counted, total, 0)
        cn = np.zeros(bom.n, dtype=np.int64)
        for h in range(1, min(first_big, lv.top + 1)):
            _level(bom, lines, h, sq, counted, total, x, cn)
    if first_big > lv.top:
        return cn, total
    # from here Python integers: a big node's value is lifted as one; the others as int64 (they
    # fit, as their bound says), then turned into objects
    if first_big:
        total = total.astype(object) if objects is None else objects[1]
        bigs = np.flatnonzero(big)
        total[bigs] = bom.value[bigs].astype(object) * lift
    else:  # every node big
        total = bom.value.astype(object) * lift
    cn = cn.astype(object) if objects is None else objects[0]
    for h in range(max(first_big, 1), lv.top + 1):
        at = lines.at(h)
        child = lines.child[at]
        # what one unit of each child is worth here: int64 below the first big level (x),
        # Python integers from it (computed at their own level, taken as they are read)
        xc = x[child].astype(object)
        late = lv.height[child] >= first_big
        if late.any():
            c = child[late]
            xc[late] = np.where(counted[c], total[c], cn[c])
        terms = lines.quantity[at].astype(object) * xc
        lines.add_by_parent(cn, h, terms)
        if sq > 1:
            nodes = lv.nodes_at(h)
            cn[nodes] //= sq
    return cn, total


def _level(
    bom: Bom,
    lines: _Lines,
    h: int,
    sq: int,
    counted: Bools,
    total: Ints,
    x: Ints,
    cn: Ints,
) -> None:
    """One level of the exact pass on int64: the level's lines into their parents' content."""
    at = lines.at(h)
    terms = lines.quantity[at] * x[lines.child[at]]
    lines.add_by_parent(cn, h, terms)
    nodes = bom.levels.nodes_at(h)
    if sq > 1:
        cn[nodes] //= sq
    x[nodes] = np.where(counted[nodes], total[nodes], cn[nodes])


def _float_pass(
    bom: Bom, lines: _Lines, counted: Bools
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Content and value of one unit of each node as floats (for shares and bounds)."""
    lv, sq = bom.levels, 10**bom.quantity_scale
    vf = bom.value.astype(np.float64)
    qf = lines.quantity.astype(np.float64) / sq
    cf, xf = np.zeros(bom.n), np.where(counted, vf, 0.0)
    for h in range(1, lv.top + 1):
        at = lines.at(h)
        # each parent's lines are all at its level: bincount adds them in the same order as
        # np.add.at, several times faster, and only the level's nodes are taken (cf is 0 there
        # before, and 0.0 + s is s)
        terms = qf[at] * xf[lines.child[at]]
        nodes = lv.nodes_at(h)
        start, to = lines.runs(h)
        if len(start) == lines.parents[h]:
            # one run per parent: each run's terms summed into a bin of its own, numbered in
            # order (the same additions in the same order as into the parent's bin; the bins
            # written in turn, not scattered over every node)
            cf[to] = np.bincount(_run_numbers(start, len(terms)), weights=terms)
        else:
            got = np.bincount(lines.parent[at], weights=terms, minlength=bom.n)
            cf[nodes] = got[nodes]
        xf[nodes] = np.where(counted[nodes], vf[nodes], cf[nodes])
    return cf, vf


def _run_numbers(start: Ints, lines: int) -> npt.NDArray[np.int32]:
    """Each line's run (0, 1, ...) from where the runs start (the first at 0)."""
    run = np.zeros(lines, dtype=np.int32)
    run[start[1:]] = 1
    np.cumsum(run, out=run)
    return run


def rollup(bom: Bom, regime: Regime) -> Rollup:
    with kept_heap(len(bom.parent)):
        return _rollup(bom, regime)


def _rollup(bom: Bom, regime: Regime) -> Rollup:
    annex = tuple(regime.annex1)
    lv, sq = bom.levels, 10**bom.quantity_scale
    lift = 10 ** (bom.quantity_scale * lv.top)
    with Aside(len(bom.parent)) as aside:
        # a large BOM: the lines in level order on the other core while the entries are
        # decided pair by pair (Python), then the int64 exact pass beside the float pass
        lines_later = aside.run(_Lines.of, bom)
        direct = _direct(bom, annex)
        lines = lines_later.result()
        # Part I is known from the direct entries unless an entry on contents is in Part I;
        # if it is not, the entries on contents are decided on the other core after the int64
        # pass (the float pass does not need them)
        later = not any(a.match.contains and a.part == "I" for a in annex)
        decided = None if later else _contents(bom, lines, annex, direct)
        part1 = direct.first["I"] if decided is None else decided[0]
        counted = (part1 >= 0) & (bom.origin_cn | bom.origin_unknown)
        objects = _value_passes_int64(bom, lift)
        guess = aside.run(_int64_pass, bom, lines, counted, lift, objects) if lift < 2**62 else None
        cf, vf = _float_pass(bom, lines, counted)
        # the entries on contents here, while the worker thread turns numbers into objects
        part1, part2 = decided or _contents(bom, lines, annex, direct)
        # the bound of every number at the common scale, rounded as one float expression
        bound = np.maximum(cf, vf) * float(lift) * float(sq) * 4.0
        cn, total = _exact(bom, lines, counted, bound, lift, guess.result() if guess else None)
    annex1 = (part1 >= 0) | (part2 >= 0)
    own = _own(bom)
    return Rollup(
        bom=bom,
        annex=annex,
        scale=bom.value_scale + bom.quantity_scale * lv.top,
        cn=cn,
        total=total,
        share=cf / vf,
        part1=part1,
        part2=part2,
        counted=counted,
        technology=_technology(bom, lines, annex1, own),
        own_technology=own,
    )
