"""`determine_table`: an Arrow table of shipment lines in, the same table with answers out.

Design (docs/batch.md): normalise every line into a canonical fact key with Polars, take the
unique keys, run the engine's `determine` once per unique key (a loop over keys, never over
lines) and gather the answers back onto every line by key index (vectorised). The cost is one
determination per unique key; the worst case, every line a different key, is one per line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from reec.batch.columns import KEY_COLUMNS, RESULT_COLUMNS
from reec.batch.facts import LineAnswer, answer_of
from reec.batch.io import csv_safe_frame
from reec.batch.normalise import (
    CHECKED,
    DAY,
    DAY_KEY,
    ROW,
    VALUE_KEY,
    canonical,
    check_columns,
    check_lines,
    day_keys,
    fact_frame,
    line_frame,
)
from reec.batch.parallel import answer_keys
from reec.batch.shipments import KeyShipments
from reec.determine import determine
from reec.determine_readings import list_windows, listed_announcements, screener_under
from reec.errors import InputError
from reec.model import Party
from reec.regime.snapshot import Regime, load_regime
from reec.screening import default_screener
from reec.screening.base import NullScreener, Screener, ScreeningResult

__all__ = [
    "CHUNK_LINES",
    "STREAM_LINES",
    "Progress",
    "answer_fact_keys",
    "answer_rows",
    "date_boundaries",
    "determine_frame",
    "determine_parquet_file",
    "determine_table",
    "fact_keys",
    "keyed_answers",
    "verdict_counts",
]

Progress = Callable[[int, int], None]
"""Called with (keys done, keys in all) while the unique keys are determined."""

_KEY = "__key"
_REP_DAY = "__representative_day"
_ALL_KEY_COLUMNS = [*KEY_COLUMNS, DAY_KEY, VALUE_KEY]
_PARTY_COLUMNS = tuple(c for c in KEY_COLUMNS if c.startswith(("importer_", "end_user_")))


def date_boundaries(regime: Regime, screener: Screener) -> tuple[date, ...] | None:
    """Days on which an answer may change; None when that is not known (key on the day).

    The regime's answer can only change on `Regime.boundaries()`. Party screening may change on
    list dates too: a screener that says which (`boundaries()`) adds them; one that does not
    makes the batch key on the exact day (correct, with more keys).
    """
    extra: tuple[date, ...] = ()
    if not isinstance(screener, NullScreener):
        own = getattr(screener, "boundaries", None)
        listed = _screener_boundaries(screener) if own is None else tuple(own())
        if listed is None:
            return None
        extra = listed
    return tuple(sorted({*regime.boundaries(), *extra}))


def fact_keys(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The unique fact keys (canonical columns, a representative line, day and value) and,
    per line, the index of its key."""
    groups, key_of_line = _raw_keys(lines)
    return canonical(groups), key_of_line


def _raw_keys(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """`fact_keys` before the fact columns are canonicalised (the key's identity)."""
    # One representative day per day key, shared by every key in it: the answers (and the
    # party screening, cached per parties and day) are those of that day.
    lines = lines.with_columns(
        pl.col(DAY).min().over(DAY_KEY).alias(DAY), pl.int_range(pl.len()).alias(ROW)
    )
    by, same = _varying(lines)
    groups = lines.group_by(by).agg(
        pl.col(ROW),
        pl.col("line_id").first(),
        pl.col(DAY).first(),
        pl.col("value").first(),
        pl.col("currency").first(),
    )
    groups = groups.with_columns(pl.lit(v, lines.schema[c]).alias(c) for c, v in same.items())
    # Keys in the order of their first line: the loop over keys meets the errors in file
    # order, so the error a batch names does not depend on how the grouping ran.
    groups = groups.sort(pl.col(ROW).list.first())
    groups = groups.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias(_KEY))
    pairs = groups.select(_KEY, ROW).explode(ROW, empty_as_null=True)
    key_of_line = np.empty(lines.height, dtype=np.uint32)
    key_of_line[pairs.get_column(ROW).to_numpy()] = pairs.get_column(_KEY).to_numpy()
    return groups.drop(ROW), pl.Series(_KEY, key_of_line)


def _varying(lines: pl.DataFrame) -> tuple[list[str], dict[str, Any]]:
    """The key columns that vary, and the value of each that does not: a column the file
    does not have (an end user, a BOM) is the same on every line, and grouping on fewer
    columns is faster (the keys are the same)."""
    if not lines.height:
        return list(_ALL_KEY_COLUMNS), {}
    first = lines.select(_ALL_KEY_COLUMNS).row(0)
    flags = lines.select(
        (pl.col(c) == pl.lit(v, lines.schema[c])).all()
        for c, v in zip(_ALL_KEY_COLUMNS, first, strict=True)
    ).row(0)
    same = {c: v for c, v, f in zip(_ALL_KEY_COLUMNS, first, flags, strict=True) if f}
    by = [c for c in _ALL_KEY_COLUMNS if c not in same] or [next(iter(same))]
    return by, {c: v for c, v in same.items() if c not in by}


def determine_table(
    table: pa.Table,
    as_of: date | None = None,
    regime: Regime | None = None,
    *,
    screener: Screener | None = None,
    progress: Progress | None = None,
    bom_base: Path | None = None,
    files: bool = True,
    processes: int = 1,
) -> pa.Table:
    """Determine every line of `table` (columns: docs/batch.md) on `as_of` (default: each
    line's date). Returns `table` with RESULT_COLUMNS appended, rows in the same order.

    `bom_base`: the folder `bom` references are relative to (the input file's); `files=False`
    refuses them (an uploaded table may not name server files). `processes`: the unique keys
    are determined over up to this many forked processes (`reec.batch.parallel`; 1 = here
    only, as in a server or a Dask worker)."""
    per_line = _per_line(table, as_of, regime, screener, progress, bom_base, files, processes)
    out = table
    for name in RESULT_COLUMNS:
        if name in out.column_names:
            out = out.drop_columns([name])
        out = out.append_column(name, per_line.get_column(name).to_arrow())
    return out


def determine_frame(
    frame: pl.DataFrame,
    as_of: date | None = None,
    regime: Regime | None = None,
    *,
    screener: Screener | None = None,
    progress: Progress | None = None,
    bom_base: Path | None = None,
    processes: int = 1,
) -> pl.DataFrame:
    """`determine_table` on a Polars frame, the answers appended as Polars columns: what
    `reec batch` runs, so that a file read by Polars is never converted to Arrow and back
    (at 1M lines that conversion cost more than the determinations)."""
    per_line = _per_line(frame, as_of, regime, screener, progress, bom_base, True, processes)
    return frame.drop([c for c in RESULT_COLUMNS if c in frame.columns]).hstack(per_line)


def _per_line(
    table: pa.Table | pl.DataFrame,
    as_of: date | None,
    regime: Regime | None,
    screener: Screener | None,
    progress: Progress | None,
    bom_base: Path | None,
    files: bool = True,
    processes: int = 1,
) -> pl.DataFrame:
    """The RESULT_COLUMNS of every line, in line order."""
    regime = regime or load_regime()
    answers, key_of_line, late = keyed_answers(
        table, as_of, regime, screener, progress, bom_base, files, processes
    )
    return _gather(answers, key_of_line, late, regime)


def keyed_answers(
    table: pa.Table | pl.DataFrame,
    as_of: date | None,
    regime: Regime,
    screener: Screener | None,
    progress: Progress | None,
    bom_base: Path | None,
    files: bool = True,
    processes: int = 1,
) -> tuple[list[LineAnswer], pl.Series, pl.Series]:
    """The answer of every unique fact key, each line's key index and whether the line is
    dated after the rule data (`answer_rows` puts them together)."""
    screener = screener or default_screener()
    raw = fact_frame(table)
    check_columns(raw.columns, as_of)
    with ThreadPoolExecutor(1) as pool:
        # The checks over all lines run beside the grouping, which does not depend on them
        # (both in Polars, without the GIL: the two cores instead of one); a check's error
        # still comes first, as in one thread.
        checked = pool.submit(check_lines, raw, as_of)
        try:
            lines = line_frame(raw, as_of, date_boundaries(regime, screener), check=False)
            keys, key_of_line = fact_keys(lines)
        except InputError:
            checked.result()
            raise
        checked.result()
    late = lines.get_column(DAY) > regime.current_as_of
    del lines, raw
    answers = answer_fact_keys(keys, regime, screener, progress, bom_base, files, processes)
    return answers, key_of_line, late


def answer_fact_keys(
    keys: pl.DataFrame,
    regime: Regime,
    screener: Screener,
    progress: Progress | None,
    bom_base: Path | None,
    files: bool = True,
    processes: int = 1,
) -> list[LineAnswer]:
    """The answer of each fact key (`fact_keys`' frame), in order, over up to `processes`
    processes; each (parties, day) screened once."""
    return answer_keys(
        keys.to_dicts(),
        partial(
            _answer,
            regime=regime,
            screener=_CachedScreener(screener),
            bom_base=bom_base,
            files=files,
            shipments=KeyShipments(),
        ),
        processes=processes,
        parent_only=_names_a_file,
        affinity=_screened,
        progress=_shifted(progress, 0, keys.height),
    )


def _shifted(progress: Progress | None, before: int, total: int) -> Callable[[int], None] | None:
    """`progress` of keys counted from `before` on, out of `total`."""
    if progress is None:
        return None
    return lambda done: progress(before + done, total)


def _screened(row: dict[str, Any]) -> tuple[str, ...]:
    """The parties a key screens: keys that share them share a process (and its cached
    screening of them)."""
    return tuple(row[c] for c in _PARTY_COLUMNS)


def _names_a_file(row: dict[str, Any]) -> bool:
    """A key whose BOM file is read (with Polars) is determined in the parent process."""
    return bool(row["bom"])


def _answer(
    row: dict[str, Any],
    regime: Regime,
    screener: Screener,
    bom_base: Path | None,
    files: bool = True,
    shipments: KeyShipments | None = None,
) -> LineAnswer:
    """The answer of one fact key (canonical columns and its representative line);
    `shipments` builds its shipment (one per batch: it validates each distinct part once)."""
    shipments = shipments or KeyShipments()
    day: date = row[DAY]
    shipment = shipments.shipment(
        row, day, row["value"], row["currency"], row["line_id"], bom_base, files=files
    )
    result = determine(shipment, regime, as_of=day, screener=screener)
    return answer_of(result, regime.as_of(day).warnings)


def _gather(
    answers: Sequence[LineAnswer], key_of_line: pl.Series, late: pl.Series, regime: Regime
) -> pl.DataFrame:
    """Per-key answers onto every line by key index; a late line's warning in front."""
    rows, index = answer_rows(answers, key_of_line, late, regime)
    return rows[index]


def answer_rows(
    answers: Sequence[LineAnswer], key_of_line: pl.Series, late: pl.Series, regime: Regime
) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct answer rows (RESULT_COLUMNS) and, per line, the index of its row.

    The late warning is written once per key, not once per line: each key's row appears
    twice (on time, then late, `n` rows further on) and a line takes the row of its key
    and lateness, so no text column is built or concatenated per line."""
    per_key = pl.DataFrame(
        {name: [getattr(a, name) for a in answers] for name in RESULT_COLUMNS},
        schema=dict.fromkeys(RESULT_COLUMNS, pl.String),
    )
    if not late.any():
        return per_key, key_of_line
    note = (
        f"date after the rule data's current_as_of ({regime.current_as_of.isoformat()}): "
        "later announcements may exist"
    )
    warned = per_key.with_columns(
        pl.when(pl.col("warnings") == "")
        .then(pl.lit(note))
        .otherwise(pl.lit(note + " | ") + pl.col("warnings"))
        .alias("warnings")
    )
    index = key_of_line + late.cast(pl.UInt32) * per_key.height
    return pl.concat([per_key, warned], rechunk=True), index  # one chunk: a 10x faster gather


STREAM_LINES = 1_000_000
"""`reec batch` streams a Parquet file of more lines than this, CHUNK_LINES at a time."""
CHUNK_LINES = 500_000


def determine_parquet_file(
    source: Path,
    target: Path,
    as_of: date | None = None,
    regime: Regime | None = None,
    *,
    screener: Screener | None = None,
    progress: Progress | None = None,
    bom_base: Path | None = None,
    chunk_lines: int = CHUNK_LINES,
    processes: int = 1,
) -> Counter[tuple[str, str]]:
    """`determine_frame` of a Parquet file, written to `target` (.parquet or .csv) chunk by
    chunk so that memory holds one chunk, not the file; the same lines with the same answers.

    The answers are the same because: the checks over all lines (empty or repeated line ids,
    values, currencies, dates; the first bad line is named) run first, on those four columns
    of the whole file; each day key's representative day is the whole file's; a fact key is
    determined once, from its first line in the file. The output is written to a temporary
    file renamed at the end, so an error leaves no half-written answers.
    Returns the number of lines per (verdict, licence policy)."""
    regime = regime or load_regime()
    screener = screener or default_screener()
    bounds = date_boundaries(regime, screener)
    scan = pl.scan_parquet(source)
    names = scan.collect_schema().names()
    check_columns(names, as_of)
    whole = day_keys(scan.select([c for c in CHECKED if c in names]).collect(), as_of, bounds)
    days = whole.group_by(DAY_KEY).agg(pl.col(DAY).min().alias(_REP_DAY))
    total = whole.height
    del whole
    cached = _CachedScreener(screener)
    answers: dict[tuple[Any, ...], LineAnswer] = {}
    shipments = KeyShipments()
    counts: Counter[tuple[str, str]] = Counter()
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    csv = target.suffix.lower() == ".csv"
    if not csv and target.suffix.lower() != ".parquet":
        raise InputError("write a .csv or .parquet file", field=str(target))
    try:
        with part.open("wb") as fh:
            writer: pq.ParquetWriter | None = None
            for start in range(0, max(total, 1), chunk_lines):
                chunk = scan.slice(start, chunk_lines).collect()
                lines = line_frame(chunk, as_of, bounds)
                late = lines.get_column(DAY) > regime.current_as_of
                lines = lines.join(days, on=DAY_KEY, how="left", maintain_order="left")
                lines = lines.with_columns(pl.col(_REP_DAY).alias(DAY)).drop(_REP_DAY)
                raw, key_of_line = _raw_keys(lines)
                del lines
                keys = canonical(raw)
                idents = raw.select(_ALL_KEY_COLUMNS).rows()
                rows = keys.to_dicts()
                new = [j for j, ident in enumerate(idents) if ident not in answers]
                fresh = answer_keys(
                    [rows[j] for j in new],
                    partial(
                        _answer,
                        regime=regime,
                        screener=cached,
                        bom_base=bom_base,
                        shipments=shipments,
                    ),
                    processes=processes,
                    parent_only=_names_a_file,
                    affinity=_screened,
                    progress=_shifted(progress, len(answers), len(answers) + len(new)),
                )
                answers.update(zip((idents[j] for j in new), fresh, strict=True))
                per_key = [answers[ident] for ident in idents]
                per_line = _gather(per_key, key_of_line, late, regime)
                counts.update(verdict_counts(per_line))
                done = chunk.drop([c for c in RESULT_COLUMNS if c in chunk.columns]).hstack(
                    per_line
                )
                if csv:
                    # the UTF-8 BOM as `write_table` writes it (Excel shows Chinese names)
                    safe = csv_safe_frame(done)
                    safe.write_csv(fh, include_header=start == 0, include_bom=start == 0)
                else:
                    arrow = done.to_arrow()
                    if writer is None:
                        writer = pq.ParquetWriter(fh, arrow.schema)
                    writer.write_table(arrow)
            if writer is not None:
                writer.close()
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    return counts


def verdict_counts(answered: pa.Table | pl.DataFrame) -> Counter[tuple[str, str]]:
    """Lines per (verdict, licence policy) of answered lines, counted by Polars (no Python
    step per line); no policy counts as ""."""
    cols = ["verdict", "licence_policy"]
    frame = pl.from_arrow(answered.select(cols)) if isinstance(answered, pa.Table) else answered
    assert isinstance(frame, pl.DataFrame)
    counts: Counter[tuple[str, str]] = Counter()
    for verdict, policy, n in frame.select(cols).group_by(cols).len().iter_rows():
        counts[(verdict, policy or "")] += n
    return counts


class _CachedScreener:
    """Screens each (parties, day) once: many keys share a customer and a representative day."""

    def __init__(self, inner: Screener) -> None:
        self.inner = inner
        self.cache: dict[tuple[tuple[Party, ...], date], ScreeningResult] = {}
        self.readings: dict[str, _CachedScreener] = {}

    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult:
        key = (tuple(parties), as_of)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self.inner.screen(parties, as_of)
        return found

    def under_reading(self, reading: str) -> _CachedScreener:
        if reading not in self.readings:
            self.readings[reading] = _CachedScreener(screener_under(self.inner, reading))
        return self.readings[reading]

    def reading_windows(self, reading: str) -> tuple[tuple[date, date], ...]:
        return list_windows(self.inner, reading)

    def reading_announcements(self, readings: Collection[str]) -> frozenset[str]:
        return listed_announcements(self.inner, readings)


def _screener_boundaries(screener: Screener) -> tuple[date, ...] | None:
    """List dates of the bundled list screener: additions and status interval edges."""
    from reec.screening.screener import ListScreener

    if not isinstance(screener, ListScreener):
        return None
    days: set[date] = set()
    for entry in screener.entries:
        days.add(entry.date_added)
        for iv in entry.intervals:
            days.add(iv.start)
            if iv.last is not None:
                days.add(iv.last + timedelta(days=1))
            days.update(last + timedelta(days=1) for _, last in iv.readings)
    return tuple(days)
