"""A Parquet order book answered into a Parquet file without a text cell built per line.

Writing the answers was the largest cost of `reec batch` on a 1M-line Parquet file (1.3 s of
CPU): the writer hashed every text cell of the carried-through columns and of the 8 answer
columns to dictionary-encode them again. Yet a line's answer is one of a few thousand
distinct answer rows, and the file's own text columns arrive dictionary-encoded. Both are
kept as Arrow dictionary arrays here (the distinct values once, a 32-bit index per line) and
handed to pyarrow's writer, which writes a dictionary array's values and indices as they are.

The file still says its columns are plain text, with the Arrow schema Polars writes for the
same frame (large_string), so every reader gets text (a `.str` method works), not
categories: the same schema and values as `write_table(determine_frame(read_frame(...)))`
(tests/batch/test_parquet_out.py).

The file is read once, with its text columns as dictionaries, before the determinations:
the fact keys come from the codes of those columns (`reec.batch.coded_keys`), and the same
table is written back with the answers. A file that path does not take (a fact column that
is not text, a BOM reference) has its fact columns read with Polars and keyed as before.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reec.batch.coded_keys import coded_keys
from reec.batch.columns import COLUMNS, RESULT_COLUMNS
from reec.batch.facts import LineAnswer
from reec.batch.table import (
    Progress,
    answer_fact_keys,
    answer_rows,
    date_boundaries,
    keyed_answers,
)
from reec.errors import InputError
from reec.regime.snapshot import Regime, load_regime
from reec.screening import default_screener
from reec.screening.base import Screener
from reec.tabular import replacing

__all__ = [
    "answer_dictionaries",
    "arrow_memory",
    "determine_parquet",
    "write_dictionary_table",
]

_ARROW_SCHEMA = "ARROW:schema"
"""The key under which Parquet files carry their Arrow schema (read by pyarrow and Polars)."""

_TEXT = (pa.string(), pa.large_string(), pa.string_view())
_MAX_INDEX_BYTES = 4
"""Bytes per value below which a text column chunk is taken to be dictionary-encoded in the
file (a dictionary index takes at most 4; a plain value at least its 4-byte length)."""


def determine_parquet(
    source: Path,
    target: Path,
    as_of: date | None = None,
    regime: Regime | None = None,
    *,
    screener: Screener | None = None,
    progress: Progress | None = None,
    bom_base: Path | None = None,
    processes: int = 1,
) -> Counter[tuple[str, str]] | None:
    """Every line of the Parquet file `source` answered into the Parquet file `target`: the
    lines of `write_table(determine_frame(read_frame(source)), target)`, written from
    dictionary columns. Returns the number of lines per (verdict, licence policy), or None
    (nothing read or written) when a column's type would not be written the same way: the
    caller then takes the Polars path."""
    regime = regime or load_regime()
    screener = screener or default_screener()
    try:
        stored = pq.read_schema(source)
        names = stored.names
        schema = _polars_schema(stored, RESULT_COLUMNS)
        if schema is None:
            return None
        dictionaries = _dictionary_columns(source)
        with arrow_memory(pa.system_memory_pool()):
            table = pq.read_table(source, read_dictionary=[*dictionaries, *_coded(stored)])
    except (pl.exceptions.PolarsError, pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the file: {exc}", field=str(source)) from None
    bounds = date_boundaries(regime, screener)
    coded = coded_keys(table, as_of, bounds, regime.current_as_of)
    if coded is None:  # not a file of text columns, or one that names BOM files
        del table
        answers, key_of_line, late = _keyed_by_polars(
            source, names, as_of, regime, screener, progress, bom_base, processes
        )
        with arrow_memory(pa.system_memory_pool()):
            table = _read(source, read_dictionary=dictionaries)
    else:
        key_of_line, late = coded.key_of_line, coded.late
        answers = answer_fact_keys(
            coded.keys, regime, screener, progress, bom_base, True, processes
        )
        del coded
    rows, index = answer_rows(answers, key_of_line, late, regime)
    lines = index.to_numpy()
    with arrow_memory(pa.system_memory_pool()):
        table = table.drop_columns([c for c in RESULT_COLUMNS if c in table.column_names])
        table = _plain(table, dictionaries)
        columns = answer_dictionaries(rows, lines)
        out = pa.Table.from_arrays(
            [*table.columns, *columns.values()], names=[*table.column_names, *columns]
        )
        del table
        with replacing(target) as tmp:
            write_dictionary_table(out, tmp, schema)
        del out, columns
    return _counts(rows, lines)


def _keyed_by_polars(
    source: Path,
    names: list[str],
    as_of: date | None,
    regime: Regime,
    screener: Screener,
    progress: Progress | None,
    bom_base: Path | None,
    processes: int,
) -> tuple[list[LineAnswer], pl.Series, pl.Series]:
    """`keyed_answers` of the file's fact columns read with Polars (a file `coded_keys`
    does not take)."""
    try:
        facts = pl.read_parquet(source, columns=[c.name for c in COLUMNS if c.name in names])
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"cannot read the file: {exc}", field=str(source)) from None
    return keyed_answers(facts, as_of, regime, screener, progress, bom_base, True, processes)


def _read(source: Path, read_dictionary: list[str]) -> pa.Table:
    try:
        return pq.read_table(source, read_dictionary=read_dictionary)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the file: {exc}", field=str(source)) from None


def _coded(stored: pa.Schema) -> list[str]:
    """The text fact columns (read as dictionaries for `coded_keys`, whatever the file's
    encoding: the few the file keeps plain are encoded while read)."""
    facts = {c.name for c in COLUMNS} - {"line_id", "value"}
    return [f.name for f in stored if f.name in facts and f.type in _TEXT]


def _plain(table: pa.Table, dictionaries: list[str]) -> pa.Table:
    """`table` with the dictionary columns the file did not keep as dictionaries (fact
    columns read so for `coded_keys`) as plain text again: they are written as before."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type) and field.name not in dictionaries:
            plain = pc.cast(table.column(i), field.type.value_type)
            table = table.set_column(i, field.name, plain)
    return table


@contextmanager
def arrow_memory(pool: pa.MemoryPool) -> Iterator[None]:
    """Arrow allocates from `pool` while inside (for the whole process: `reec batch` runs
    this, never a server). Reading the 1M-line file and writing the answers from glibc's
    malloc (`pa.system_memory_pool()`) cost 0.10-0.12 s of system time for the read, run
    after run; from mimalloc, pyarrow's default, 0.05-0.45 s (measured under load, same
    user time). Each buffer is freed into the pool it came from, whatever the default is
    by then."""
    before = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def answer_dictionaries(rows: pl.DataFrame, index: np.ndarray) -> dict[str, pa.DictionaryArray]:
    """Each answer column as a dictionary array: its distinct values among `rows` and, per
    line, the index of its row's value (`rows[index]` without a string per line)."""
    out: dict[str, pa.DictionaryArray] = {}
    lines = pa.array(index)
    for name in RESULT_COLUMNS:
        encoded = pc.dictionary_encode(rows.get_column(name).to_arrow())  # a null stays null
        out[name] = pa.DictionaryArray.from_arrays(encoded.indices.take(lines), encoded.dictionary)
    return out


def write_dictionary_table(table: pa.Table, path: Path, schema: pa.Schema) -> None:
    """`table` (dictionary text columns allowed) written as Parquet whose stored Arrow
    schema is `schema` (its text columns plain text): readers get text, as from Polars.

    Statistics (min, max) are written for the columns that are not dictionaries: for a
    dictionary column pyarrow finds the values its lines use, which cost more than writing
    the column (0.45 s of CPU for 24 such columns of 1M lines). Only the dictionary columns
    are written dictionary-encoded: a column the file did not hold as a dictionary has
    mostly distinct values (line ids, values), and pyarrow would hash each of them into a
    dictionary before giving it up (0.04 s of 0.12 s for the 1M line ids and values)."""
    plain = [f.name for f in table.schema if not pa.types.is_dictionary(f.type)]
    coded = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    with pq.ParquetWriter(
        path,
        table.schema,
        compression="snappy",
        store_schema=False,
        write_statistics=plain,
        use_dictionary=coded,
    ) as writer:
        writer.write_table(table)
        writer.add_key_value_metadata({_ARROW_SCHEMA: _encoded(schema)})


def _encoded(schema: pa.Schema) -> str:
    """An Arrow schema as Parquet files carry it (Arrow IPC, base64)."""
    return base64.b64encode(schema.serialize().to_pybytes()).decode("ascii")


def _dictionary_columns(source: Path) -> list[str]:
    """Text columns the file holds dictionary-encoded (read as dictionaries they are never
    expanded into a string per line; a column of mostly distinct values, such as line ids,
    is read as text)."""
    meta = pq.read_metadata(source)
    arrow = meta.schema.to_arrow_schema()
    out = []
    for i, field in enumerate(arrow):
        if field.type not in _TEXT:
            continue
        chunks = [meta.row_group(g).column(i) for g in range(meta.num_row_groups)]
        values = sum(c.num_values for c in chunks)
        size = sum(c.total_uncompressed_size for c in chunks)
        if all(c.has_dictionary_page for c in chunks) and size < _MAX_INDEX_BYTES * values:
            out.append(field.name)
    return out


def _polars_schema(source: pa.Schema, answers: Sequence[str]) -> pa.Schema | None:
    """The Arrow schema Polars writes for a frame read from a file of schema `source`, its
    `answers` columns (text) replaced and appended; None when a column is neither text nor
    written by Polars as the type it is read as (its values might be written differently)."""
    kept = [f for f in source if f.name not in answers]
    empty = pl.from_arrow(pa.schema(kept).empty_table())
    assert isinstance(empty, pl.DataFrame)
    empty = empty.with_columns(pl.lit(None, pl.String).alias(c) for c in answers)
    buffer = io.BytesIO()
    empty.write_parquet(buffer)
    buffer.seek(0)
    written = pq.read_schema(buffer).remove_metadata()
    for field, polars in zip(kept, written, strict=False):
        if field.type != polars.type and not (field.type in _TEXT and polars.type in _TEXT):
            return None
    return written


def _counts(rows: pl.DataFrame, index: np.ndarray) -> Counter[tuple[str, str]]:
    """Lines per (verdict, licence policy): each answer row's lines counted once."""
    lines = np.bincount(index, minlength=rows.height)
    counts: Counter[tuple[str, str]] = Counter()
    pairs: Sequence[tuple[str, str | None]] = rows.select("verdict", "licence_policy").rows()
    for (verdict, policy), n in zip(pairs, lines.tolist(), strict=True):
        if n:
            counts[(verdict, policy or "")] += n
    return counts
