"""A plain Parquet BOM file coded without reading its repeated columns as text.

Read as text, a 10M-line file is eight columns of Polars string views (16 bytes a value, 1.3 GB)
whose every line is then hashed, parent and facts, twice: more memory met for the first time and
more passes than the coding itself. Parquet keeps a column whose values repeat (parents,
quantities, currencies, origins, forms, compositions) as a dictionary per row group and each
row's index into it. Read so (pyarrow's `read_dictionary`, on the worker thread while Polars
reads the rest), such a column is hashed, parsed or cleaned once per dictionary value, and its
lines are 4-byte indices: a parent is looked up at the first line of each run, a quantity from
the numbers of its few distinct texts, a fact compared through its dictionary's hashes. Only
the parts' ids (`child`) and the columns the file does not keep as dictionaries are text.

The answer is `reec.bom.coded.plain_parts`'s for the same rows (the same nodes, lines, codes,
numerators and scale); anything that would need cleaning or a message returns None, and the
file is read as text (`reec.bom.build`), which gives the error it always gave.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reec.bom.aside import Aside
from reec.bom.coded import (
    MIX,
    SEEDS,
    NodeCodes,
    Parts,
    differing,
    facts_agree,
    line_nodes,
    stripped,
    stripped_frame,
)
from reec.bom.numbers import Scaled, quick_scaled

__all__ = ["LineText", "LinesKnown", "ParquetBom", "parquet_bom"]

Ints = npt.NDArray[np.int64]
Places = npt.NDArray[np.unsignedinteger[Any]]
LineText = Callable[[int, str], object]
"""A line's text in a column as given (for a message naming it)."""
LinesKnown = Callable[[int, Ints, Ints], object]
"""Told the number of nodes and each line's parent and child node."""
_DICTIONARY = frozenset({"RLE_DICTIONARY", "PLAIN_DICTIONARY"})
_ALWAYS = ("parent", "quantity")
"""Read as dictionaries even where the file fell back to plain pages: they are looked up per
run and per distinct text."""


@dataclass(frozen=True, slots=True)
class _Coded:
    """A dictionary column: each file row's place in the row groups' dictionaries put end to
    end, each followed by a null for the group's missing values (`at`, `values`); the places
    in the narrowest unsigned type that holds them (`_places`)."""

    at: Places
    values: pl.Series
    nulls: int
    """Rows where the value is missing."""

    def missing(self) -> Ints:
        """The file rows where the value is missing (one pass over `at`)."""
        return np.flatnonzero(self.values.is_null().to_numpy()[self.at]) if self.nulls else _NONE

    def is_missing(self, row: int) -> bool:
        return self.values[int(self.at[row])] is None


_NONE = np.zeros(0, dtype=np.int64)
_A = TypeVar("_A", bound=npt.NDArray[Any])


def _places(count: int) -> np.dtype[np.unsignedinteger[Any]]:
    """The narrowest unsigned type for `count` places: a column of few values (currencies,
    forms, quantities: a few hundred to a few thousand places over all row groups) is one or two
    bytes a line, not four (10M lines: 10-20 MB, not 40 MB, on fresh pages, and each gather
    through it reads less)."""
    for kind in (np.uint8, np.uint16, np.uint32):
        if count <= np.iinfo(kind).max + 1:
            return np.dtype(kind)
    raise ValueError("more dictionary values than 32-bit places hold")


def _coded(column: pa.ChunkedArray, rows: int) -> _Coded:
    at = np.empty(rows, dtype=_places(sum(len(c.dictionary) + 1 for c in column.chunks)))
    pieces: list[pa.Array] = []
    nulls = base = lo = 0
    for chunk in column.chunks:
        indices, size = chunk.indices, len(chunk.dictionary)
        if indices.null_count:  # the group's null, after its dictionary
            nulls += indices.null_count
            indices = pc.fill_null(indices, pa.scalar(size, indices.type))
        np.add(indices.to_numpy(), base, out=at[lo : lo + len(chunk)], casting="unsafe")
        pieces += [chunk.dictionary, pa.nulls(1, chunk.dictionary.type)]
        base += size + 1
        lo += len(chunk)
    values = pl.Series(pl.from_arrow(pa.concat_arrays(pieces))).cast(pl.String)
    return _Coded(at, values, nulls)


def _distinct(values: pl.Series) -> tuple[npt.NDArray[np.int32], pl.Series]:
    """Each value's number among the distinct values (a null is one of them), and those."""
    encoded = pc.dictionary_encode(values.to_arrow(), null_encoding="encode")
    numbers = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    return numbers, pl.Series(values.name, pl.from_arrow(encoded.dictionary)).cast(pl.String)


def _take(table: _A, at: Places | npt.NDArray[np.int32]) -> _A:
    """`table[at]` through Arrow: NumPy first converts narrow places to its own index type (an
    80 MB copy at 10M lines; 0.04 against 0.015 s warm), Arrow takes them as they are. The
    result is read-only, from glibc's heap (see `ParquetBom._table`)."""
    taken = pc.take(
        pa.array(table), pa.array(at), boundscheck=False, memory_pool=pa.system_memory_pool()
    )
    return cast(_A, taken.to_numpy())


_KEY_ROOM = 1 << 62
"""Distinct combinations one number of a line's dictionary facts may count (int64)."""
_FEW = 1 << 16
"""Dictionary values (all row groups') up to which a column's distinct values are numbered
exactly: a hash table of a few thousand texts is cheap, of 300k (a 1M-line file's unit
values) dearer than hashing each value (0.06-0.14 s against 3 ms)."""


@dataclass(frozen=True, slots=True)
class ParquetBom:
    """A Parquet file whose columns are all text, each a BOM column."""

    path: Path
    rows: int
    names: tuple[str, ...]
    dictionaries: tuple[str, ...]
    """Columns read as dictionaries (`_ALWAYS`, and those the file keeps so in every row group)."""

    def parts(
        self,
        head: pl.DataFrame | None,
        columns: tuple[str, ...],
        facts: tuple[str, ...],
        aside: Aside,
        lines_known: LinesKnown | None = None,
    ) -> tuple[Parts, Scaled, LineText, dict[str, NodeCodes]] | None:
        """`reec.bom.coded.plain_parts`'s parts, the lines' quantities and their text, and the
        node columns the file keeps as dictionaries as numbers of their distinct values; or
        None (`head`: the shipment line on top, row -1; None: the file's row with no parent).
        `lines_known` is told the number of nodes and each line's parent and child node as
        soon as they are known, before the node rows are built and checked."""
        read = aside.run(self._table)
        try:
            texts = pl.read_parquet(
                self.path, columns=[c for c in self.names if c not in self.dictionaries]
            ).select(pl.all().cast(pl.String))
            # the ids' hashes while pyarrow still reads the dictionary columns (it ends its
            # read on one core, and the main line would only wait for it)
            ids = _hashes(texts["child"])
            table = read.result()
            # half the columns placed on a thread of their own, half here: the main line
            # would only wait for them
            half = aside.beside(self._coded, table, self.dictionaries[1::2])
            coded = self._coded(table, self.dictionaries[0::2] if half else self.dictionaries)
            coded.update(half.result() if half else {})
            del table
        except (OSError, pa.ArrowException, pl.exceptions.PolarsError, ValueError):
            return None  # read as text, which says what is wrong
        return _Reading(self, texts, ids, coded, columns, facts, aside).parts(head, lines_known)

    def _table(self) -> pa.Table:
        """The dictionary columns as pyarrow reads them (one dictionary per row group)."""
        # glibc's heap (kept by reec.bom.heap), not pyarrow's mimalloc, whose fresh huge
        # pages cost 1-4 s of system time on the VM measured (docs/performance.md, section 2)
        pool = pa.default_memory_pool()
        pa.set_memory_pool(pa.system_memory_pool())
        try:
            return pq.read_table(
                self.path,
                columns=list(self.dictionaries),
                read_dictionary=list(self.dictionaries),
            )
        finally:
            pa.set_memory_pool(pool)

    def _coded(self, table: pa.Table, columns: tuple[str, ...]) -> dict[str, _Coded]:
        return {c: _coded(table[c], self.rows) for c in columns}


def parquet_bom(
    path: Path, columns: tuple[str, ...], required: tuple[str, ...]
) -> ParquetBom | None:
    """The file, if every column is text and a BOM column, the required ones there; else None
    (read as text, which names what is wrong)."""
    try:
        meta = pq.ParquetFile(path).metadata
        schema = meta.schema.to_arrow_schema()
    except (OSError, pa.ArrowException, ValueError):
        return None
    names = tuple(schema.names)
    text = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)
    if (
        meta.num_rows < 1
        or "child" not in names
        or len(set(names)) != len(names)
        or any(c not in columns for c in names)
        or any(c not in names for c in required)
        or not all(any(t(f.type) for t in text) for f in schema)
    ):
        return None
    groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
    kept = tuple(
        c
        for i, c in enumerate(names)
        if c in _ALWAYS
        or (c != "child" and all(_DICTIONARY & set(g.column(i).encodings) for g in groups))
    )
    return ParquetBom(path, meta.num_rows, names, kept)


def _hashes(ids: pl.Series) -> tuple[Ints, Ints]:
    """Every value's 64-bit hash under both seeds, in one multithreaded pass."""
    both = ids.to_frame("id").lazy().select(pl.col("id").hash(s).alias(f"{s}") for s in SEEDS)
    h0, h1 = (a.to_numpy().view(np.int64) for a in both.collect().iter_columns())
    return h0, h1


def _differing_after(hashes: Future[list[npt.NDArray[Any]]], child: Ints, first: Ints) -> Ints:
    """`differing` once the facts' keys are made (on the worker thread, they are: passes run
    in order)."""
    return differing(hashes.result(), child, first)


class _Reading:
    """One reading of a `ParquetBom`: its text columns (Polars) and dictionary columns."""

    def __init__(
        self,
        file: ParquetBom,
        texts: pl.DataFrame,
        ids: tuple[Ints, Ints],
        coded: dict[str, _Coded],
        columns: tuple[str, ...],
        facts: tuple[str, ...],
        aside: Aside,
    ) -> None:
        self.rows = file.rows
        self.texts = texts
        self.ids = ids
        """Each file row's child id hashed under both seeds (`SEEDS`)."""
        self.coded = coded
        self.columns = columns
        self.facts = facts
        self.aside = aside
        self.top: int | None = None
        self.node_codes: dict[str, NodeCodes] = {}
        self.ids_as_given = False
        """Cleaning changes no node's id (so no line's: every line's id is its node's)."""

    def column(self, c: str, rows: Ints) -> pl.Series:
        """Column `c` as given at file `rows`."""
        if c in self.coded:
            return self.coded[c].values.gather(self.coded[c].at[rows]).alias(c)
        if c in self.texts.columns:
            return self.texts[c].gather(rows)
        return pl.repeat(None, len(rows), dtype=pl.String, eager=True).alias(c)

    def cleaned(self, c: str, head: object, rows: Ints) -> pl.Series:
        """Column `c` at file `rows` as `reec.bom.coded.stripped` cleans it, a dictionary column
        through its distinct values cleaned once each; `head` (the top's value, cleaned) and the
        rows' numbers kept in `node_codes` for the node checks."""
        if c not in self.coded:
            column = self.column(c, rows)
            if column.null_count() < len(column):
                return column.to_frame().select(stripped(c)).to_series()
            numbers = np.zeros(len(rows) + 1, dtype=np.int32)  # not given: every node blank
            distinct = pl.Series(c, [None], dtype=pl.String)
        else:
            clean = self.coded[c].values.to_frame(c).select(stripped(c)).to_series()
            if len(clean) > _FEW:
                return clean.gather(self.coded[c].at[rows])
            slots, distinct = _distinct(clean)
            numbers = np.empty(len(rows) + 1, dtype=np.int32)
            numbers[1:] = _take(slots, self.coded[c].at[rows])
        same = (distinct == head) if head is not None else distinct.is_null()
        if not same.any():
            distinct = pl.concat([distinct, pl.Series(c, [head], dtype=pl.String)])
            numbers[0] = len(distinct) - 1
        else:
            numbers[0] = int(same.arg_true()[0])
        self.node_codes[c] = NodeCodes(numbers, distinct)
        return distinct.gather(numbers[1:])

    def lines(self, a: _A) -> _A:
        """A file-row array without the top row."""
        if self.top is None:
            return a
        if self.top == 0 or self.top == len(a) - 1:  # a view, where the top row is the first
            return cast(_A, a[1:] if self.top == 0 else a[:-1])
        return cast(_A, np.delete(a, self.top))

    def file_rows(self, lines: Ints) -> Ints:
        return lines if self.top is None else lines + (lines >= self.top)

    def blank_throughout(self, c: str) -> bool:
        """No line (the top row left out) gives column `c`."""
        if c in self.coded:
            nulls, coded = self.coded[c].nulls, self.coded[c]
            top_blank = self.top is not None and coded.is_missing(self.top)
        elif c in self.texts.columns:
            nulls, text = self.texts[c].null_count(), self.texts[c]
            top_blank = self.top is not None and text[self.top] is None
        else:
            return True
        return nulls - top_blank == self.rows - (self.top is not None)

    def parts(
        self, head: pl.DataFrame | None, lines_known: LinesKnown | None
    ) -> tuple[Parts, Scaled, LineText, dict[str, NodeCodes]] | None:
        parent = self.coded["parent"]
        if head is None:
            if parent.nulls != 1:
                return None  # no top row, or more than one
            self.top = top = int(parent.missing()[0])
            at = np.array([top], dtype=np.int64)
            head = pl.DataFrame([self.column(c, at) for c in self.columns]).select(
                pl.lit(top, dtype=pl.Int64).alias("row"), *self.columns
            )
        elif parent.nulls:
            return None  # a top row under a shipment line
        raw_top = head["child"][0]
        head = head.select("row", *(stripped(c) for c in self.columns))
        top_id = head["child"][0]
        child_text = self.texts["child"]
        if self.top is not None:
            child_text = pl.concat([child_text.slice(0, self.top), child_text.slice(self.top + 1)])
        n = len(child_text)
        if top_id is None or child_text.null_count():
            return None  # a line without a child
        given = [c for c in self.facts if not self.blank_throughout(c)]
        quantities = self.aside.run(self.quantities)
        fact_hashes = self.aside.run(self.fact_keys, given)
        c0, c1 = (self.lines(h) for h in self.ids)
        self.ids = (_NONE, _NONE)  # the lines' hashes are c0 and c1 from here
        t = pl.Series("child", [top_id], dtype=pl.String)
        t0, t1 = (t.hash(s).to_numpy().view(np.int64) for s in SEEDS)
        p_at = self.lines(parent.at)
        start = np.ones(n, dtype=bool)
        start[1:] = p_at[1:] != p_at[:-1]  # one place in the dictionaries: one text
        runs = np.flatnonzero(start)
        del start
        run_at = p_at[runs]
        del p_at
        p0, p1 = (parent.values.hash(s).to_numpy().view(np.int64)[run_at] for s in SEEDS)
        found = line_nodes((t0, t1), (c0, c1), runs, (p0, p1), self.aside)
        del c0, c1
        if found is None:
            return None
        child, parent_node, first = found
        quantity = quantities.result()
        if quantity is None:
            return None
        # compared on the worker thread (after the hashes it made) while the node rows are built
        differ_later = self.aside.run(_differing_after, fact_hashes, child, first)
        del fact_hashes
        if lines_known is not None:
            lines_known(len(first) + 1, parent_node, child)
        nodes = self.nodes(head, self.file_rows(first))
        differ = differ_later.result()
        del differ_later
        if raw_top != nodes["child"][0] or not self.ids_as_given:
            return None  # cleaning changes an id
        if given and differ.size:
            mine = pl.DataFrame([self.column(c, self.file_rows(differ)) for c in given])
            if not facts_agree(mine, nodes[child[differ]], given):
                return None
        rows = np.arange(n, dtype=np.int64)  # each line's file row: the top row left out
        if self.top is not None:
            rows[self.top :] += 1
        lines = pl.DataFrame([pl.Series("row", rows), child_text])
        parts = (nodes, lines, pl.Series("parent", parent_node), pl.Series("child", child))
        return parts, quantity, self.line_text, self.node_codes

    def line_text(self, line: int, column: str) -> object:
        return self.column(column, self.file_rows(np.array([line], dtype=np.int64)))[0]

    def quantities(self) -> Scaled | None:
        """The lines' quantities from their distinct texts (`reec.bom.numbers.quick_scaled`)."""
        q = self.coded["quantity"]
        at = self.lines(q.at)
        used = np.flatnonzero(np.bincount(at, minlength=len(q.values)))
        quick = quick_scaled(q.values.gather(used))  # None for a missing one too
        if quick is None:
            return None
        nums, scale = quick
        table = np.zeros(len(q.values), dtype=np.int64)
        table[used] = nums
        return _take(table, at), scale

    def fact_keys(self, given: list[str]) -> list[npt.NDArray[Any]]:
        """Each line's facts as given, as arrays compared with its part's first line's
        (`reec.bom.coded.differing`): the text columns and large dictionaries as
        `reec.bom.coded._fact_hashes` combines them (a dictionary's through the hashes of its
        values), the other dictionary columns as exact numbers of their distinct values, as many
        columns to one number (mixed radix) as it can count."""
        few = [c for c in given if c in self.coded and len(self.coded[c].values) <= _FEW]
        hashed = [c for c in given if c not in few]
        exact = self._exact_keys(few)
        if not hashed:
            return [self.lines(key) for key in exact]
        mix = {c: np.uint64(m) for c, m in zip(hashed, MIX, strict=False)}
        texts = [c for c in hashed if c in self.texts.columns]
        coded = [c for c in hashed if c in self.coded]
        # one exact number is added to both hashes times an odd multiplier: a line whose number
        # differs gets different sums under both seeds (odd times a difference under 2**62 is
        # never 0 modulo 2**64), one that differs in text only as before; any further number
        # (more than 2**62 combinations) is compared on its own
        lift = exact[0] if exact else None
        lifted = None
        if lift is not None:
            lifted = lift.astype(np.uint64)
            lifted *= np.uint64(MIX[-1])
        hashes = self._text_hashes(texts, mix) if texts else []
        out: list[npt.NDArray[np.uint64]] = []
        for i, seed in enumerate(SEEDS):
            # summed into a new array, the last seed's into `lifted` (not read after): Polars'
            # read-only hashes are not copied to be added to (two 10M-line copies on fresh
            # pages), and each sum is one pass; integers add alike in any order (mod 2**64)
            terms = [lifted] if lifted is not None else []
            terms += [hashes[i]] if hashes else []
            terms += [
                _take(self.coded[c].values.hash(seed).to_numpy() * mix[c], self.coded[c].at)
                for c in coded
            ]
            acc = terms[0]
            if len(terms) > 1:
                into = terms[0] if lifted is not None and i == len(SEEDS) - 1 else None
                acc = np.add(terms[0], terms[1], out=into)
                for term in terms[2:]:
                    np.add(acc, term, out=acc)
            out.append(acc)
        del lifted
        return [self.lines(acc) for acc in out] + [self.lines(key) for key in exact[1:]]

    def _text_hashes(
        self, texts: list[str], mix: dict[str, np.uint64]
    ) -> list[npt.NDArray[np.uint64]]:
        """Under each seed, the sum of the text columns' hashes times their multipliers (UInt64,
        wrapping: the same sums as NumPy's), as read-only arrays."""
        hashes = self.texts.lazy().select(
            pl.sum_horizontal(
                pl.col(c).hash(seed) * pl.lit(int(mix[c]), dtype=pl.UInt64) for c in texts
            ).alias(str(seed))
            for seed in SEEDS
        )
        return [h.to_numpy() for h in hashes.collect().iter_columns()]

    def _exact_keys(self, few: list[str]) -> list[npt.NDArray[np.signedinteger[Any]]]:
        """The dictionary columns of few values (`few`) as exact numbers per file row, as many
        columns to one number (mixed radix) as `_KEY_ROOM` counts; a column with one value
        throughout is left out (every line alike)."""
        group: list[tuple[str, npt.NDArray[np.int32], int]] = []
        exact: list[npt.NDArray[np.signedinteger[Any]]] = []
        room = 1
        for c in few:
            numbers, distinct = _distinct(self.coded[c].values)
            if distinct.drop_nulls().len() < 2 and not self.coded[c].nulls:
                continue  # one value throughout: every line alike
            if room * len(distinct) > _KEY_ROOM:
                exact.append(self._key(group, room))
                group, room = [], 1
            group.append((c, numbers, room))
            room *= len(distinct)
        if group:
            exact.append(self._key(group, room))
        return exact

    def _key(
        self, group: list[tuple[str, npt.NDArray[np.int32], int]], room: int
    ) -> npt.NDArray[np.signedinteger[Any]]:
        """One number per file row from the numbers of `group`'s values (`room`: how many)."""
        kind = np.dtype(np.int32 if room <= 1 << 31 else np.int64)
        key: npt.NDArray[np.signedinteger[Any]] = np.zeros(self.rows, dtype=kind)
        for c, numbers, stride in group:
            key += _take(numbers.astype(kind) * stride, self.coded[c].at)
        return key

    def nodes(self, head: pl.DataFrame, rows: Ints) -> pl.DataFrame:
        """The top, then each node's first line (file `rows`), cleaned."""
        described = tuple(c for c in self.columns if c != "quantity")
        texts = [c for c in described if c in self.texts.columns]
        mask = np.zeros(self.rows, dtype=bool)
        mask[rows] = True  # a filter reads the columns in order: cheaper than a gather
        given = self.texts.select(texts).filter(pl.Series(mask))
        kept = stripped_frame(given, texts)
        self.ids_as_given = bool(given["child"].eq_missing(kept["child"]).all())
        del given
        frame = pl.DataFrame(
            [kept[c] if c in texts else self.cleaned(c, head[c][0], rows) for c in described]
        )
        return pl.concat(
            [
                head,
                frame.select(
                    pl.Series("row", rows),
                    *(
                        c if c != "quantity" else pl.lit(None, pl.String).alias(c)
                        for c in self.columns
                    ),
                ),
            ]
        )
