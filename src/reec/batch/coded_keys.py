"""The fact keys of a Parquet order book from its dictionary codes, not its text.

A Parquet writer keeps each text column of an order book as a dictionary: its distinct
values once (a few thousand) and, per line, a small integer. Read with its dictionaries
(`pq.read_table(read_dictionary=...)`, which `reec.batch.parquet` does anyway to write the
answers), a line's fact key is the tuple of its codes, so the keys are found by combining
the codes into one integer per line and numbering the distinct integers in the order they
first appear: a few NumPy passes over 1M integers, where `line_frame` and `fact_keys` build
each of the 1M lines' text and Polars hashes 13 text columns (0.6-0.8 s of CPU at 1M lines
against about 0.1 s here). The checks of dates and currencies are made on the distinct
values too, each line taking its value's result.

Nothing is decided differently: every test is the one of `reec.batch.normalise`, run on
the distinct values (what it does to one cell it does to each cell alike), and the keys'
frame (each key's first line: its text, day, day key) is built by the same functions from
those lines. `coded_keys` returns what `fact_keys(line_frame(...))` and the late flags of
`keyed_answers` give, in the same order, with the same first error (tests/batch/
test_coded_keys.py); a file it does not take (a fact column that is not text, a BOM
reference, no lines) gets None and the Polars path.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from reec.batch.columns import COLUMNS, KEY_COLUMNS
from reec.batch.normalise import (
    CURRENCY,
    DAY,
    DAY_KEY,
    NOT_A_DATE,
    VALUE_KEY,
    canonical,
    check_columns,
    check_ids_and_values,
    line_days,
    line_error,
    text_column,
    with_day_keys,
)
from reec.errors import InputError

__all__ = ["CodedKeys", "coded_keys"]

_KEY = "__key"
_CODED = tuple(c.name for c in COLUMNS if c.name not in ("line_id", "value"))
"""The fact columns read as codes (line ids and values are checked line by line)."""
_TEXT = (pa.string(), pa.large_string(), pa.string_view())
_EMPTY = pl.Series("values", [""])
_SPAN = 1 << 62
"""Combined codes are renumbered before their product of cardinalities passes this."""


@dataclass(frozen=True, slots=True)
class CodedKeys:
    """What `keyed_answers` needs before the determinations."""

    keys: pl.DataFrame
    """The unique fact keys (`fact_keys`' first frame: canonical columns, first line)."""
    key_of_line: pl.Series
    """Per line, the index of its key (UInt32)."""
    late: pl.Series
    """Per line, whether its day is after the rule data's current_as_of."""


@dataclass(frozen=True, slots=True)
class _Coded:
    """A text column as its distinct values and, per line, the index of its value."""

    values: pl.Series
    """The distinct texts as the fact keys read them ("" stands for a missing cell)."""
    chunks: list[np.ndarray]
    """The lines' indices into `values`, a block per chunk of the table (the file's own
    indices where no cell is missing: no copy)."""

    def varies(self) -> bool:
        """Whether two lines differ."""
        first = next((c[0] for c in self.chunks if len(c)), 0)
        return any(bool((c != first).any()) for c in self.chunks)

    def per_line(self, by_value: np.ndarray) -> np.ndarray:
        """`by_value[code]` for each line's code."""
        return np.concatenate([by_value[c] for c in self.chunks])

    def at(self, lines: np.ndarray) -> np.ndarray:
        """The codes of `lines` (line numbers)."""
        out = np.empty(len(lines), dtype=np.int64)
        start = 0
        for codes in self.chunks:
            inside = (lines >= start) & (lines < start + len(codes))
            out[inside] = codes[lines[inside] - start]
            start += len(codes)
        return out

    def used(self) -> np.ndarray:
        """Per distinct value, whether a line has it."""
        counts = np.zeros(len(self.values), dtype=np.int64)
        for codes in self.chunks:
            counts += np.bincount(codes, minlength=len(self.values))
        return counts > 0


def coded_keys(
    table: pa.Table,
    as_of: date | None,
    boundaries: tuple[date, ...] | None,
    current_as_of: date,
) -> CodedKeys | None:
    """The checks over all lines, the fact keys and the late flags of `table` (read from
    Parquet with its text columns as dictionaries); raises the first error `keyed_answers`
    raises. None when the table is not one this path takes (nothing checked then)."""
    names = table.column_names
    check_columns(names, as_of)
    coded = [n for n in _CODED if n in names]
    if not table.num_rows or any(not _is_text(table.schema.field(n).type) for n in coded):
        return None
    if "bom" in names and (_coded(table.column("bom")).values != "").any():
        return None  # a BOM reference keys on the line's value: the Polars path
    with ThreadPoolExecutor(1) as pool:
        # Line ids and values are checked beside the rest (Polars, NumPy and Arrow, which
        # release the GIL: the two cores instead of one); their error still comes first, as
        # in one thread.
        checked = pool.submit(_check_ids_and_values, table)
        try:
            keys = _checked_keys(table, as_of, boundaries, current_as_of)
        except InputError:
            checked.result()
            raise
        checked.result()
    return keys


def _check_ids_and_values(table: pa.Table) -> None:
    frame = pl.from_arrow(table.select(["line_id", "value"]))
    assert isinstance(frame, pl.DataFrame)
    check_ids_and_values(frame)


def _checked_keys(
    table: pa.Table,
    as_of: date | None,
    boundaries: tuple[date, ...] | None,
    current_as_of: date,
) -> CodedKeys:
    """`coded_keys` after its line ids and values are checked."""
    line_ids = table.column("line_id")
    currency = _coded(table.column("currency"))
    bad = ~currency.values.str.strip_chars().str.contains(CURRENCY)
    _check(currency, bad, line_ids, "currency", "not ISO 4217")
    del currency
    names = table.column_names
    dates = _coded(table.column("date")) if "date" in names else _one_value(table.num_rows)
    days = line_days(dates.values.to_frame("date"), as_of)  # per distinct date text
    if as_of is None:
        _check(dates, days.get_column(DAY).is_null(), line_ids, "date", NOT_A_DATE)
    days = with_day_keys(days, boundaries)
    late = dates.per_line((days.get_column(DAY) > current_as_of).fill_null(False).to_numpy())
    day_keys = _day_key_codes(days.get_column(DAY_KEY), dates)
    first, key_of_line, same = _keys(table, day_keys)
    keys = _key_frame(table, days, dates, first, same)
    return CodedKeys(
        canonical(keys),
        pl.Series(_KEY, key_of_line),
        pl.Series(DAY, late, dtype=pl.Boolean),
    )


def _is_text(kind: pa.DataType) -> bool:
    """Text read as a dictionary, or a column of nothing but missing cells."""
    return pa.types.is_null(kind) or (pa.types.is_dictionary(kind) and kind.value_type in _TEXT)


def _coded(column: pa.ChunkedArray) -> _Coded:
    """A dictionary column as one dictionary (each row group's unified) and its codes, a
    missing cell coded as "" (the fact keys read it so)."""
    if pa.types.is_null(column.type):
        return _Coded(_EMPTY, [np.zeros(len(c), dtype=np.int32) for c in column.chunks])
    if column.num_chunks > 1 and not all(
        c.dictionary.equals(column.chunk(0).dictionary) for c in column.chunks
    ):
        column = column.unify_dictionaries()
    chunks = column.chunks or [pa.array([], column.type)]
    dictionary = chunks[0].dictionary
    found = pc.index(dictionary, pa.scalar("", dictionary.type)).as_py()
    empty = len(dictionary) if found < 0 else found
    codes = [
        (c.indices if c.null_count == 0 else pc.fill_null(c.indices, empty)).to_numpy()
        for c in chunks
    ]
    values = pl.Series("values", dictionary.cast(pa.large_string()), dtype=pl.String)
    if found < 0:
        values = values.append(pl.Series([""]))
    return _Coded(values, codes)


def _one_value(lines: int) -> _Coded:
    """A column every line leaves empty (a file without dates)."""
    return _Coded(_EMPTY, [np.zeros(lines, dtype=np.int32)])


def _check(
    column: _Coded, bad: pl.Series, line_ids: pa.ChunkedArray, name: str, message: str
) -> None:
    """Raises `message` for the first line whose value is `bad` (a mask over the distinct
    values), naming it as `first_bad` would."""
    flags = bad.fill_null(True).to_numpy()
    if not flags.any():
        return
    line = 0
    for codes in column.chunks:
        hits = flags[codes]
        if hits.any():
            at = int(hits.argmax())
            line_id = pl.from_arrow(line_ids.slice(line + at, 1))
            assert isinstance(line_id, pl.Series)
            text = line_id.cast(pl.String).fill_null("").item()
            raise line_error(text, name, message, column.values[int(codes[at])])
        line += len(codes)


def _day_key_codes(day_keys: pl.Series, dates: _Coded) -> _Coded:
    """Each line's DAY_KEY as a code (equal day keys, equal codes)."""
    distinct, index = np.unique(day_keys.fill_null(-1).to_numpy(), return_inverse=True)
    by_date = index.astype(np.int32)
    return _Coded(pl.Series(DAY_KEY, distinct), [by_date[c] for c in dates.chunks])


def _keys(table: pa.Table, day_keys: _Coded) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each key's first line, each line's key (keys numbered in the order of their first
    line, as `fact_keys` sorts them) and the key columns every line has the same value in.
    The lines' codes of the key columns are combined into one integer per line (renumbered
    densely before it could overflow), in place, a chunk at a time."""
    combined = np.zeros(table.num_rows, dtype=np.int64)
    span = 1
    same = []
    for name in (*KEY_COLUMNS, DAY_KEY, VALUE_KEY):
        if name == DAY_KEY:
            column = day_keys
        elif name in table.column_names:
            column = _coded(table.column(name))
        else:
            same.append(name)  # missing: "" on every line
            continue
        if not column.varies():
            same.append(name)
            continue
        size = len(column.values)
        if span * size >= _SPAN:
            combined, span = _renumbered(combined)
        start = 0
        for codes in column.chunks:
            part = combined[start : start + len(codes)]
            np.multiply(part, size, out=part)
            np.add(part, codes, out=part)
            start += len(codes)
        span *= size
    key_of_line, _ = _renumbered(combined)
    seen = np.maximum.accumulate(key_of_line)
    first = np.flatnonzero(np.concatenate(([True], seen[1:] > seen[:-1])))
    return first, key_of_line.view(np.uint32), same


def _renumbered(combined: np.ndarray) -> tuple[np.ndarray, int]:
    """The distinct integers numbered 0.. (int32) in the order they first appear."""
    encoded = pc.dictionary_encode(pa.array(combined))
    return encoded.indices.to_numpy(), len(encoded.dictionary)


def _key_frame(
    table: pa.Table,
    days: pl.DataFrame,
    dates: _Coded,
    first: np.ndarray,
    same: list[str],
) -> pl.DataFrame:
    """`_raw_keys`' frame: each key's first line as `line_frame` reads it, with the earliest
    day of its day key; the key columns that vary first, the others after the first line's
    line id, day, value and currency; the keys numbered last."""
    present = [c.name for c in COLUMNS if c.name in table.column_names]
    rows = _lines(table.select(present), first)
    decoded = pa.table(
        [pc.cast(c, c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in rows],
        names=present,
    )
    raw = pl.from_arrow(decoded)
    assert isinstance(raw, pl.DataFrame)
    lines = raw.select([text_column(raw, c.name) for c in COLUMNS])
    day, day_key = days.get_column(DAY), days.get_column(DAY_KEY)
    used = dates.used()
    earliest = (
        pl.DataFrame({DAY_KEY: day_key.filter(used), DAY: day.filter(used)})
        .group_by(DAY_KEY)
        .agg(pl.col(DAY).min())
    )
    first_dates = pl.Series(dates.at(first))
    lines = lines.with_columns(day_key.gather(first_dates).alias(DAY_KEY))
    lines = lines.join(earliest, on=DAY_KEY, how="left", maintain_order="left")
    lines = lines.with_columns(pl.lit("", pl.String).alias(VALUE_KEY))
    names = [*KEY_COLUMNS, DAY_KEY, VALUE_KEY]
    by = [c for c in names if c not in same] or same[:1]
    rest = [c for c in same if c not in by]
    ordered = lines.select(*by, "line_id", DAY, "value", "currency", *rest)
    return ordered.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias(_KEY))


def _lines(table: pa.Table, lines: np.ndarray) -> pa.Table:
    """The rows `lines` (ascending) of `table`, taken from each record batch in turn (a
    take over the whole table first joined its columns' chunks: 1M line ids copied)."""
    out = []
    start = 0
    for batch in table.to_batches():
        inside = lines[(lines >= start) & (lines < start + batch.num_rows)]
        out.append(batch.take(pa.array(inside - start)))
        start += batch.num_rows
    return pa.Table.from_batches(out, table.schema)
