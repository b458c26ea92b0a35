"""`determine_table`: an Arrow table of shipment lines in, the same table with answers out.

Design (docs/batch.md): normalise every line into a canonical fact key with Polars, take the
unique keys, run the engine's `determine` once per unique key (a loop over keys, never over
lines) and gather the answers back onto every line by key index (vectorised). The cost is one
determination per unique key; the worst case, every line a different key, is one per line.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from reec.batch.columns import KEY_COLUMNS, RESULT_COLUMNS
from reec.batch.facts import LineAnswer, answer_of, parse_key, validated
from reec.batch.normalise import DAY, DAY_KEY, ROW, VALUE_KEY, canonical, line_frame
from reec.determine import determine
from reec.determine_readings import list_windows, listed_announcements, screener_under
from reec.model import Party
from reec.regime.snapshot import Regime, load_regime
from reec.screening import default_screener
from reec.screening.base import NullScreener, Screener, ScreeningResult

__all__ = ["Progress", "date_boundaries", "determine_frame", "determine_table", "fact_keys"]

Progress = Callable[[int, int], None]
"""Called with (keys done, keys in all) while the unique keys are determined."""

_KEY = "__key"
_ALL_KEY_COLUMNS = [*KEY_COLUMNS, DAY_KEY, VALUE_KEY]


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
    # One representative day per day key, shared by every key in it: the answers (and the
    # party screening, cached per parties and day) are those of that day.
    lines = lines.with_columns(
        pl.col(DAY).min().over(DAY_KEY).alias(DAY), pl.int_range(pl.len()).alias(ROW)
    )
    groups = lines.group_by(_ALL_KEY_COLUMNS).agg(
        pl.col(ROW),
        pl.col("line_id").first(),
        pl.col(DAY).first(),
        pl.col("value").first(),
        pl.col("currency").first(),
    )
    groups = groups.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias(_KEY))
    pairs = groups.select(_KEY, ROW).explode(ROW, empty_as_null=True)
    key_of_line = np.empty(lines.height, dtype=np.uint32)
    key_of_line[pairs.get_column(ROW).to_numpy()] = pairs.get_column(_KEY).to_numpy()
    return canonical(groups.drop(ROW)), pl.Series(_KEY, key_of_line)


def determine_table(
    table: pa.Table,
    as_of: date | None = None,
    regime: Regime | None = None,
    *,
    screener: Screener | None = None,
    progress: Progress | None = None,
    bom_base: Path | None = None,
) -> pa.Table:
    """Determine every line of `table` (columns: docs/batch.md) on `as_of` (default: each
    line's date). Returns `table` with RESULT_COLUMNS appended, rows in the same order.

    `bom_base`: the folder `bom` references are relative to (the input file's)."""
    per_line = _per_line(table, as_of, regime, screener, progress, bom_base)
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
) -> pl.DataFrame:
    """`determine_table` on a Polars frame, the answers appended as Polars columns: what
    `reec batch` runs, so that a file read by Polars is never converted to Arrow and back
    (at 1M lines that conversion cost more than the determinations)."""
    per_line = _per_line(frame, as_of, regime, screener, progress, bom_base)
    return frame.drop([c for c in RESULT_COLUMNS if c in frame.columns]).hstack(per_line)


def _per_line(
    table: pa.Table | pl.DataFrame,
    as_of: date | None,
    regime: Regime | None,
    screener: Screener | None,
    progress: Progress | None,
    bom_base: Path | None,
) -> pl.DataFrame:
    """The RESULT_COLUMNS of every line, in line order."""
    regime = regime or load_regime()
    screener = screener or default_screener()
    lines = line_frame(table, as_of, date_boundaries(regime, screener))
    late = lines.get_column(DAY) > regime.current_as_of
    cached = _CachedScreener(screener)
    keys, key_of_line = fact_keys(lines)
    del lines
    answers: list[LineAnswer] = []
    total = keys.height
    for n, row in enumerate(keys.iter_rows(named=True)):
        day: date = row[DAY]
        doc = parse_key(row, day, row["value"], row["currency"], row["line_id"])
        shipment = validated(doc, row["line_id"], bom_base)
        result = determine(shipment, regime, as_of=day, screener=cached)
        answers.append(answer_of(result, regime.as_of(day).warnings))
        if progress is not None:
            progress(n + 1, total)
    per_key = pl.DataFrame(
        {name: [getattr(a, name) for a in answers] for name in RESULT_COLUMNS},
        schema=dict.fromkeys(RESULT_COLUMNS, pl.String),
    )
    per_line = per_key[key_of_line]
    if late.any():
        note = (
            f"date after the rule data's current_as_of ({regime.current_as_of.isoformat()}): "
            "later announcements may exist"
        )
        per_line = per_line.with_columns(
            pl.when(pl.Series(late))
            .then(
                pl.when(pl.col("warnings") == "")
                .then(pl.lit(note))
                .otherwise(pl.lit(note + " | ") + pl.col("warnings"))
            )
            .otherwise(pl.col("warnings"))
            .alias("warnings")
        )
    return per_line


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
