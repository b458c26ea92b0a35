"""A BOM file whose rows need no cleaning, joined through integer codes instead of texts.

Most files are plain: ids without surrounding blanks, one top row, every parent a part of its
own, a shared part described alike on each of its lines. For those, `plain_parts` finds the
nodes and every line's parent and child node with a few whole-column passes over 64-bit hashes
of the texts: one dictionary encoding (Arrow's, first appearance first, so the nodes come in the
order the text path gives them), no join, no copy of a text column, text cleaned only on the
node rows. Anything else (a blank to strip, an unknown parent, a hash clash, a shared part
described two ways) returns None, and the text path (`reec.bom.build`) decides, with the error
it has always given; tests/bom/test_bom_coded.py checks both give the same BOM or error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from reec.bom.aside import Aside

__all__ = [
    "MIX",
    "SEEDS",
    "NodeCodes",
    "Parts",
    "differing",
    "facts_agree",
    "first_codes",
    "first_places",
    "line_nodes",
    "plain_parts",
    "starts",
    "stripped",
    "stripped_frame",
]

SEEDS = (0, 1)
"""Two seeds of Polars' string hash: texts are compared and joined as two independent 64-bit
hashes (integers). Two different texts with the same pair (odds about 2**-128 a pair) would read
as equal; a clash of the first alone is found by the second, and the text path used."""

Parts = tuple[pl.DataFrame, pl.DataFrame, pl.Series, pl.Series]
"""Nodes (cleaned; the top first), lines (row, parent, child, quantity, as given), and each
line's parent and child node."""

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class NodeCodes:
    """A node column as each node's number among its distinct cleaned values (`values`, a
    null among them if a node has none), e.g. a Parquet dictionary column's: the node checks
    decide each distinct value once and spread the answers by number, with no join of texts."""

    codes: npt.NDArray[np.int32]
    values: pl.Series


MIX = (
    0x9E3779B97F4A7C15,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0xD6E8FEB86659FD93,
    0xFF51AFD7ED558CCD,
    0xC4CEB9FE1A85EC53,
    0x27D4EB2F165667C5,
    0x94D049BB133111EB,
)
"""Multipliers (odd) combining a row's column hashes into one: rows that differ in any column
get different sums, but for chance (about 2**-64 a seed)."""


def stripped(column: str) -> pl.Expr:
    """Text without surrounding white space; empty is missing (null)."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text).alias(column)


def stripped_frame(df: pl.DataFrame, columns: tuple[str, ...] | list[str]) -> pl.DataFrame:
    """`df` with each of `columns` as `stripped` gives it, other columns as they are.

    Most columns have no blank value once stripped, and for those the test that makes an empty
    text missing changes nothing: it is applied only to the columns that hold one (the 2.5M node
    rows of a 10M-line file, 7 columns: 0.9 -> 0.5 s CPU). Same frame as `stripped` on each."""
    texts = df.with_columns(pl.col(c).cast(pl.String).str.strip_chars() for c in columns)
    blank = texts.select((pl.col(c).str.len_bytes() == 0).any() for c in columns).row(0)
    return texts.with_columns(
        pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).alias(c)
        for c, has_blank in zip(columns, blank, strict=True)
        if has_blank
    )


def starts(a: Ints, b: Ints) -> npt.NDArray[np.bool_]:
    """Where a run of equal (a, b) pairs starts: lines are mostly grouped by parent, so only the
    first line of each run is looked up."""
    start = np.ones(len(a), dtype=bool)
    start[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return start


def _encode(keys: Ints) -> Ints:
    return np.asarray(pc.dictionary_encode(pa.array(keys)).indices, dtype=np.int64)


def first_codes(keys: Ints, bits: int | None = None, aside: Aside | None = None) -> Ints:
    """Each key's number in order of first appearance (Arrow's dictionary encoding)."""
    return first_places(keys, bits, aside)[0]


def first_places(
    keys: Ints, bits: int | None = None, aside: Aside | None = None
) -> tuple[Ints, Ints]:
    """`first_codes`, and where each number first appears (in order: number k at the k-th).

    A large array is encoded in 2**bits parts by the keys' top bits, so that each part's hash
    table fits the cache (12.5M keys, 2.5M distinct: 3.0 -> 1.3 s CPU), and the parts' numbers
    are put back in order of first appearance: the same numbers as one encoding. With `aside`,
    half the parts are encoded on a thread of their own (`Aside.beside`), the other half here."""
    if bits is None:
        bits = 8 if len(keys) >= 1 << 20 else 0
    if not bits:
        codes = _encode(keys)
        seen = np.maximum.accumulate(np.concatenate([[-1], codes]))
        return codes, np.flatnonzero(codes > seen[:-1])
    if bits == 8 and keys.itemsize == 8 and keys.flags.c_contiguous and np.little_endian:
        part = keys.view(np.uint8)[7::8]  # the top byte: no shift, no copy
    else:
        part = (keys.view(np.uint64) >> np.uint64(64 - bits)).astype(
            np.uint8 if bits <= 8 else np.uint16
        )
    order = np.argsort(part, kind="stable")  # a radix sort on small keys
    bounds = np.concatenate([[0], np.cumsum(np.bincount(part, minlength=1 << bits))]).tolist()
    del part
    parts = 1 << bits
    half = parts // 2

    def encoded(lo_part: int, hi_part: int) -> tuple[list[Ints], list[Ints]]:
        """Numbers within each part and the positions of each part's first appearances."""
        local: list[Ints] = []
        firsts: list[Ints] = []
        for lo, hi in zip(bounds[lo_part:hi_part], bounds[lo_part + 1 : hi_part + 1], strict=True):
            codes = _encode(keys[order[lo:hi]])
            seen = np.maximum.accumulate(np.concatenate([[-1], codes]))
            new = np.flatnonzero(codes > seen[:-1])  # first line of each key in the part
            local.append(codes)
            firsts.append(order[lo + new])
        return local, firsts

    later = aside.beside(encoded, half, parts) if aside is not None else None
    local, firsts = encoded(0, half) if later is not None else encoded(0, parts)
    if later is not None:
        more_local, more_firsts = later.result()
        local += more_local
        firsts += more_firsts
    offsets = np.cumsum([0] + [len(f) for f in firsts]).tolist()
    first = np.concatenate(firsts)
    del firsts
    # a key's number is how many first appearances come before its own
    mark = np.zeros(len(keys), dtype=bool)
    mark[first] = True
    before = np.cumsum(mark, dtype=np.int32 if len(keys) < 1 << 31 else np.int64)
    places = np.flatnonzero(mark)
    del mark
    rank = before[first].astype(np.int64) - 1
    del before, first
    out = np.empty(len(keys), dtype=np.int64)

    def spread(lo_part: int, hi_part: int) -> None:
        for i in range(lo_part, hi_part):
            out[order[bounds[i] : bounds[i + 1]]] = rank[offsets[i] + local[i]]

    done = aside.beside(spread, half, parts) if later is not None and aside is not None else None
    spread(0, half if done is not None else parts)
    if done is not None:
        done.result()
    return out, places


def line_nodes(
    top: tuple[Ints, Ints],
    child: tuple[Ints, Ints],
    runs: Ints,
    run_parent: tuple[Ints, Ints],
    aside: Aside | None = None,
) -> tuple[Ints, Ints, Ints] | None:
    """Each line's child and parent node, and the first line of each node but the top, from the
    ids' hashes under both seeds: the top's, every line's child's, and the parent's at the first
    line of each run of lines with one parent (`runs`). None when a parent is no part, the top
    is used as a part (a cycle), or the second seed finds a clash of the first."""
    n = len(child[0])
    codes, places = first_places(np.concatenate([top[0], child[0], run_parent[0]]), aside=aside)
    line_child, parent_of_run = codes[1 : n + 1], codes[n + 1 :]
    # a line is the first of its node where its code first appears (the top's at 0; a code
    # first seen after the lines is a parent that is no part)
    first = places[1 : int(np.searchsorted(places, n + 1))] - 1
    del places
    if (parent_of_run.size and int(parent_of_run.max()) > len(first)) or not line_child.all():
        return None
    # the second seed: every line's texts are its nodes', not a clash of the first; half the
    # lines on a thread of its own, free since the codes were spread (a random gather of every
    # line: 0.14 s of one core at 10M lines, while the worker thread waits for the lines)
    node1 = np.concatenate([top[1], child[1][first]])
    mid = n // 2
    half = (
        aside.beside(_same, node1, line_child[:mid], child[1][:mid]) if aside is not None else None
    )
    lo = mid if half is not None else 0
    here = _same(node1, line_child[lo:], child[1][lo:]) and _same(
        node1, parent_of_run, run_parent[1]
    )
    if not ((half.result() if half is not None else True) and here):
        return None
    # each run's parent repeated over its lines (sequential writes: 0.4 -> 0.05 s at 10M lines)
    return line_child, np.repeat(parent_of_run, np.diff(runs, append=n)), first


def _same(table: Ints, at: Ints, expected: Ints) -> bool:
    return bool(np.array_equal(table[at], expected))


def plain_parts(
    df: pl.DataFrame,
    head: pl.DataFrame,
    top: int | None,
    columns: tuple[str, ...],
    facts: tuple[str, ...],
    aside: Aside | None = None,
) -> Parts | None:
    """The parts of `df` (text columns as read), or None when any row needs the text path.

    `top` is the row of the item itself in `df`, `head` that row (or the shipment line on top,
    row -1, when `top` is None) with "row" and `columns`. The facts' hashes are taken on `aside`
    while the ids are coded."""
    aside = aside or Aside(0)
    lines = df if top is None else pl.concat([df.slice(0, top), df.slice(top + 1)])  # no copy
    n = len(lines)
    raw_top = head["child"][0]
    head = head.select("row", *(stripped(c) for c in columns))
    top_id = head["child"][0]
    if top_id is None or lines["parent"].null_count() or lines["child"].null_count():
        return None  # a second top row, or a line without a child
    # the ids' hashes under both seeds in one multithreaded pass
    ids = lines.lazy().select(
        pl.col(c).hash(seed).alias(f"{c}{seed}") for seed in SEEDS for c in ("child", "parent")
    )
    c0, p0, c1, p1 = (a.to_numpy().view(np.int64) for a in ids.collect().iter_columns())
    del ids
    given = [c for c in facts if c in lines.columns and lines[c].null_count() < len(lines)]
    fact_hashes = aside.run(_fact_hashes, lines, given)
    t = pl.Series("child", [top_id], dtype=pl.String)
    t0, t1 = (t.hash(s).to_numpy().view(np.int64) for s in SEEDS)
    runs = np.flatnonzero(starts(p0, p1))
    found = line_nodes((t0, t1), (c0, c1), runs, (p0[runs], p1[runs]), aside)
    del c0, p0, c1, p1
    if found is None:
        return None
    child, parent, first = found
    differ = differing(fact_hashes.result(), child, first)
    del fact_hashes  # the hashes (the future holds them) freed before the node rows are built
    is_first = np.zeros(n, dtype=bool)
    is_first[first] = True  # a filter reads the columns in order: cheaper than a gather
    described = tuple(c for c in columns if c != "quantity")  # a node's quantity is its lines'
    rows_of_nodes = stripped_frame(lines.select(described).filter(pl.Series(is_first)), described)
    nodes = pl.concat(
        [
            head,
            rows_of_nodes.select(
                pl.Series("row", first if top is None else first + (first >= top)),
                *(c if c != "quantity" else pl.lit(None, pl.String).alias(c) for c in columns),
            ),
        ]
    )
    del rows_of_nodes
    del is_first
    if not _same_ids(raw_top, nodes, lines, first) or not _facts_agree(
        lines, nodes, child, given, differ
    ):
        return None
    rows = np.arange(n, dtype=np.int64)  # each line's row in `df`: the top row left out
    if top is not None:
        rows[top:] += 1
    out = lines.select(
        pl.Series("row", rows), pl.col("parent"), pl.col("child"), pl.col("quantity")
    )
    return nodes, out, pl.Series("parent", parent), pl.Series("child", child)


def _same_ids(raw_top: str | None, nodes: pl.DataFrame, lines: pl.DataFrame, first: Ints) -> bool:
    """Cleaning changes no id: every line's texts are a node's, so checking the nodes' is
    checking them all."""
    return raw_top == nodes["child"][0] and bool(
        lines["child"].gather(first).eq_missing(nodes["child"].slice(1)).all()
    )


def _fact_hashes(lines: pl.DataFrame, given: list[str]) -> list[npt.NDArray[np.uint64]]:
    """Each line's facts as given, as one hash under each seed.

    One hash a column (cheaper than Polars' struct hash), combined with odd multipliers (UInt64
    arithmetic wraps); both seeds, every column, in one streaming pass on all cores."""
    if not given:
        return []
    hashes = lines.lazy().select(
        pl.sum_horizontal(
            pl.col(c).hash(seed) * pl.lit(MIX[i], dtype=pl.UInt64) for i, c in enumerate(given)
        ).alias(str(seed))
        for seed in SEEDS
    )
    return [h.to_numpy() for h in hashes.collect(engine="streaming").iter_columns()]


def differing(hashes: list[npt.NDArray[Any]], child: Ints, first: Ints) -> Ints:
    """The lines whose facts as given (`_fact_hashes`, or any other key per line) differ from
    their part's first line's."""
    differ = np.zeros(len(child), dtype=bool)
    for row_h in hashes:
        node_h = np.concatenate([np.zeros(1, dtype=row_h.dtype), row_h[first]])
        for lo in range(0, len(child), _CHUNK):  # temporaries that stay in the cache
            part = slice(lo, lo + _CHUNK)
            differ[part] |= row_h[part] != node_h[child[part]]
    return np.flatnonzero(differ)


_CHUNK = 1 << 20
"""Lines per chunk of `differing` (its gathers: 8 MB each)."""


def _facts_agree(
    lines: pl.DataFrame, nodes: pl.DataFrame, child: Ints, given: list[str], rows: Ints
) -> bool:
    """Every line describes its part as the part's first line does (blank: not described).

    The texts as given (`given`: the fact columns not blank throughout) were compared whole-row
    through their `_fact_hashes`; only the lines that differ as given (`rows`) are compared
    column by column after cleaning, as the text path does."""
    if not given or not rows.size:
        return True
    return facts_agree(lines[rows].select(given), nodes[child[rows]], given)


def facts_agree(mine: pl.DataFrame, theirs: pl.DataFrame, given: list[str]) -> bool:
    """Lines' facts as given (`mine`) describe their parts (`theirs`, cleaned) alike, column by
    column after cleaning; a blank describes nothing."""
    mine = mine.select(stripped(c) for c in given)
    for c in given:
        bad = mine[c].is_not_null() & (theirs[c].is_null() | mine[c].ne_missing(theirs[c]))
        if bad.any():
            return False
    return True
