"""Exposure over time: which SKUs, markets and customers need a licence, per day and scenario.

An answer can only change on a boundary day (a day on which some provision's or list entry's
status changes: `Regime.boundaries()` and the screener's list dates), so the portfolio is
determined on the first day of the range and on each boundary day inside it, and every other day
takes the answer of the last evaluated day before it (forward fill). The portfolio goes through
`reec.batch.determine_table`: nothing here decides a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
import pyarrow as pa

from reec.batch.table import date_boundaries, determine_table
from reec.determine_readings import screener_under
from reec.elements import RARE_EARTHS
from reec.errors import InputError
from reec.exposure.scenarios import AS_IS, Scenario, reading_scenarios
from reec.screening import default_screener
from reec.screening.base import Screener

__all__ = [
    "RARE_EARTHS",
    "ExposureFrames",
    "evaluation_days",
    "exposure_frames",
    "principal_rare_earth",
]

LICENCE = "LICENCE_REQUIRED"


@dataclass(frozen=True)
class ExposureFrames:
    """`lines`: one row per portfolio line, scenario and interval (valid_from..valid_to) with
    the answer; `daily`: per scenario and calendar day, value under licence and its share;
    `by_market` / `by_element`: the share per market / element on each interval."""

    lines: pl.DataFrame
    daily: pl.DataFrame
    by_market: pl.DataFrame
    by_element: pl.DataFrame
    scenarios: tuple[str, ...]
    start: date
    end: date


def evaluation_days(
    scenario: Scenario, start: date, end: date, screener: Screener
) -> tuple[date, ...]:
    bounds = date_boundaries(scenario.regime, screener)
    if bounds is None:  # a screener without known dates: every day
        return tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
    return (start, *(d for d in bounds if start < d <= end))


def principal_rare_earth(composition: str) -> str | None:
    """The rare earth with the largest mass share in `Dy:87.1;O:12.9`, or None."""
    best: tuple[float, str] | None = None
    for part in composition.split(";"):
        symbol, _, pct = part.partition(":")
        try:
            share = float(pct)
        except ValueError:
            continue
        if symbol.strip() in RARE_EARTHS and (best is None or share > best[0]):
            best = (share, symbol.strip())
    return best[1] if best else None


def _elements(df: pl.DataFrame) -> pl.Series:
    """Per line: its principal rare earth; `technology` for a technology, `other` without one
    (computed once per distinct composition). An `element` column in the portfolio wins."""
    comp = df.get_column("composition").cast(pl.String).fill_null("")
    mapping = {c: principal_rare_earth(c) or "other" for c in comp.unique().to_list()}
    element = comp.replace_strict(mapping, return_dtype=pl.String)
    form = df.get_column("form").cast(pl.String).str.strip_chars().str.to_lowercase()
    return (
        pl.select(pl.when(form == "technology").then(pl.lit("technology")).otherwise(element))
        .to_series()
        .alias("element")
    )


def _portfolio(table: pa.Table) -> pl.DataFrame:
    df = pl.from_arrow(table)
    if not isinstance(df, pl.DataFrame):
        raise InputError("the portfolio is not a table")
    for name in ("sku", "value", "currency"):
        if name not in df.columns:
            raise InputError(f"required column missing: {name}", field="columns")
    currencies = df.get_column("currency").cast(pl.String).str.strip_chars().unique().to_list()
    if len(currencies) > 1:
        raise InputError(
            f"values in {sorted(map(str, currencies))}: give the portfolio in one currency "
            "(shares of value are sums)",
            field="column currency",
        )
    if "customer" not in df.columns:
        df = df.with_columns(pl.col("importer_name").alias("customer"))
    if "element" not in df.columns:
        df = df.with_columns(_elements(df))
    return df.with_columns(
        pl.col("value").cast(pl.Float64, strict=False),
        pl.col("destination").alias("market"),
    )


def _shares(lines: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return (
        lines.group_by(["scenario", "valid_from", "valid_to", *by])
        .agg(
            pl.col("value").sum().alias("value_total"),
            pl.col("value").filter(pl.col("verdict") == LICENCE).sum().alias("value_licence"),
        )
        .with_columns((pl.col("value_licence") / pl.col("value_total")).alias("share_licence"))
        .sort(["scenario", "valid_from", *by])
    )


def _with_readings(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The scenarios asked for, and after the data as it stands each other reading of an open
    dated fact (readings.yaml) as a scenario of its own."""
    out = list(scenarios)
    names = {s.name for s in out}
    for s in scenarios:
        if s.name == AS_IS:
            out.extend(r for r in reading_scenarios(s.regime) if r.name not in names)
    return out


def exposure_frames(
    portfolio: pa.Table,
    start: date,
    end: date,
    scenarios: Sequence[Scenario],
    *,
    screener: Screener | None = None,
    files: bool = True,
) -> ExposureFrames:
    """`files=False` for an uploaded portfolio: a `bom` column naming a file is refused."""
    if end < start:
        raise InputError(f"--to {end} is before --from {start}", field="--to")
    screener = screener or default_screener()
    base = _portfolio(portfolio)
    raw = pl.from_arrow(portfolio)
    assert isinstance(raw, pl.DataFrame)
    if "line_id" not in raw.columns:
        raw = raw.with_columns(pl.int_range(pl.len()).cast(pl.String).alias("line_id"))
    keep = ["sku", "customer", "market", "element", "value"]
    parts: list[pl.DataFrame] = []
    scenarios = _with_readings(scenarios)
    for scenario in scenarios:
        lists = screener if scenario.reading is None else screener_under(screener, scenario.reading)
        days = evaluation_days(scenario, start, end, lists)
        ends = [*(d - timedelta(days=1) for d in days[1:]), end]
        # One table of every line on every evaluation day, determined in one call: keys shared
        # across days (and the screening cache) are computed once.
        stacked = pl.concat(
            [
                raw.with_columns(
                    pl.lit(day.isoformat()).alias("date"),
                    (pl.col("line_id").cast(pl.String) + "@" + day.isoformat()).alias("line_id"),
                )
                for day in days
            ]
        )
        answered = pl.from_arrow(
            determine_table(stacked.to_arrow(), None, scenario.regime, screener=lists, files=files)
        )
        assert isinstance(answered, pl.DataFrame)
        spans = pl.DataFrame(
            {"valid_from": list(days), "valid_to": ends},
            schema={"valid_from": pl.Date, "valid_to": pl.Date},
        )
        parts.append(
            spans.select(pl.all().repeat_by(base.height).explode(empty_as_null=True))
            .hstack(pl.concat([base.select(keep)] * len(days)))
            .hstack(answered.select("verdict", "licence_policy", "control_codes"))
            .with_columns(pl.lit(scenario.name).alias("scenario"))
        )
    lines = pl.concat(parts).select(
        "scenario", "valid_from", "valid_to", *keep, "verdict", "licence_policy", "control_codes"
    )
    totals = _shares(lines, [])
    daily = (
        totals.with_columns(pl.date_ranges("valid_from", "valid_to", "1d").alias("day"))
        .explode("day", empty_as_null=True)
        .select("scenario", "day", "value_total", "value_licence", "share_licence")
        .sort("scenario", "day")
    )
    return ExposureFrames(
        lines=lines,
        daily=daily,
        by_market=_shares(lines, ["market"]),
        by_element=_shares(lines, ["element"]),
        scenarios=tuple(s.name for s in scenarios),
        start=start,
        end=end,
    )
