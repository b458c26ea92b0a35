"""Shipment lines -> fact keys, with Polars expressions only (no loop per line).

Two steps. `line_frame` runs every check that can fail on one line without failing on the
others with the same facts (line id, date, value, currency) over all lines, vectorised, naming
the first offending line and column, and derives the day key and the value key. `canonical`
then trims and case-folds the fact columns of the unique keys only (thousands of rows, not
millions): canonicalising is a function of the raw values, so doing it after `unique` is the
same as doing it per line. Everything else is validated once per key by the engine's own
input model (`reec.shipment_input`), naming the first line of the key.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pyarrow as pa

from reec.batch.columns import COLUMNS, KEY_COLUMNS, required_columns
from reec.errors import InputError
from reec.today import today_in_china

__all__ = [
    "CHECKED",
    "CURRENCY",
    "DAY",
    "DAY_KEY",
    "NOT_A_DATE",
    "ROW",
    "VALUE_KEY",
    "canonical",
    "check_columns",
    "check_ids_and_values",
    "check_lines",
    "day_keys",
    "fact_frame",
    "first_bad",
    "line_days",
    "line_error",
    "line_frame",
    "text_column",
    "with_day_keys",
]

ROW = "__row"
DAY = "__day"
DAY_KEY = "__day_key"
VALUE_KEY = "__value_key"
_UPPER = ("exporter_country", "destination", "importer_country", "end_user_country", "origin")
_LOWER_NO_SPACE = ("end_uses", "form", "technology_activities", "technology_origin")
_MILITARY = ("importer_military", "end_user_military")
_BOOLEAN = {
    **dict.fromkeys(("true", "yes", "y", "1", "t"), "true"),
    **dict.fromkeys(("false", "no", "n", "0", "f"), "false"),
}


def first_bad(df: pl.DataFrame, bad: pl.Expr, column: str, message: str) -> None:
    hit = df.filter(bad).head(1)
    if hit.height:
        raise line_error(hit.item(0, "line_id"), column, message, hit.item(0, column))


def line_error(line_id: object, column: str, message: str, value: object) -> InputError:
    """The error naming a bad cell: its line, its column and the value it holds."""
    return InputError(f"{message}: {value!r}", field=f"line {line_id}, column {column}")


def text_column(df: pl.DataFrame, name: str) -> pl.Expr:
    """Column `name` of `df` as the fact keys read it: text, "" where null or missing."""
    if name not in df.columns:
        return pl.lit("", dtype=pl.String).alias(name)
    col = pl.col(name)
    if df.schema[name] != pl.String:
        col = col.cast(pl.String)
    return col.fill_null("").alias(name)


CHECKED = ("line_id", "date", "value", "currency")
"""The columns of the checks over all lines (`day_keys`)."""
_NOT_POSITIVE = "not a positive number"
NOT_A_DATE = "not a date (YYYY-MM-DD)"
CURRENCY = r"^[A-Za-z]{3}$"
"""A currency cell, once stripped, is three letters (the check; the engine then looks it up)."""


def line_frame(
    table: pa.Table | pl.DataFrame,
    as_of: date | None,
    boundaries: tuple[date, ...] | None,
    *,
    check: bool = True,
) -> pl.DataFrame:
    """Per line: the raw fact columns as text ("" = not given), the day, the day key (index of
    the regime interval the day falls in, or the day itself when `boundaries` is None) and the
    value key (value and currency, only where a BOM reference makes the 0.1% value share
    depend on them). `check=False` leaves the checks over all lines to `check_lines` (run on
    the same lines before any answer is used: the keys of unchecked lines may be wrong)."""
    raw = fact_frame(table)
    check_columns(raw.columns, as_of)
    df = raw.select([text_column(raw, c.name) for c in COLUMNS])
    days = check_lines(raw, as_of) if check else line_days(raw, as_of)
    df = df.with_columns(with_day_keys(days, boundaries))
    return df.with_columns(
        pl.when(pl.col("bom") != "")
        .then(pl.col("value") + " " + pl.col("currency"))
        .otherwise(pl.lit(""))
        .alias(VALUE_KEY)
    )


def fact_frame(table: pa.Table | pl.DataFrame) -> pl.DataFrame:
    """The lines as a Polars frame (from Arrow, only the fact columns cross over)."""
    if isinstance(table, pa.Table):
        names = {c.name for c in COLUMNS}
        table = table.select([n for n in table.column_names if n in names])
    raw = pl.from_arrow(table) if isinstance(table, pa.Table) else table
    if not isinstance(raw, pl.DataFrame):  # a Table always converts to a DataFrame
        raise InputError("the batch input is not a table")
    return raw


def check_columns(columns: list[str], as_of: date | None) -> None:
    missing = [c for c in required_columns(have_as_of=as_of is not None) if c not in columns]
    if missing:
        raise InputError(f"required column(s) missing: {', '.join(missing)}", field="columns")


def day_keys(
    raw: pl.DataFrame, as_of: date | None, boundaries: tuple[date, ...] | None
) -> pl.DataFrame:
    """The checks over all lines (`check_lines`), then each line's DAY and DAY_KEY. `raw`
    needs only the CHECKED columns (the date only without `as_of`)."""
    return with_day_keys(check_lines(raw, as_of), boundaries)


def check_lines(raw: pl.DataFrame, as_of: date | None) -> pl.DataFrame:
    """The checks over all lines (the first bad line is named), in this order: line ids
    (empty, used twice), values, currencies, dates; returns each line's DAY. `raw` needs
    only the CHECKED columns (the date only without `as_of`)."""
    df = check_ids_and_values(raw)
    currency = pl.col("currency").str.strip_chars()
    first_bad(df, ~currency.str.contains(CURRENCY), "currency", "not ISO 4217")
    days = line_days(df, as_of)
    if as_of is None:
        first_bad(
            df.with_columns(days.get_column(DAY)),
            pl.col(DAY).is_null(),
            "date",
            NOT_A_DATE,
        )
    return days


def check_ids_and_values(raw: pl.DataFrame) -> pl.DataFrame:
    """The first two checks of `check_lines` (line ids, then values); returns the CHECKED
    columns as the checks read them (text but a column of numbers; a missing one empty)."""
    # A column of numbers is tested as numbers, the same test as on their text (a test holds
    # them equal); the text is written only to name a bad value.
    numbers = "value" in raw.columns and (
        raw.schema["value"].is_float() or raw.schema["value"].is_integer()
    )
    df = raw.select(pl.col(c) if c == "value" and numbers else text_column(raw, c) for c in CHECKED)
    first_bad(df, pl.col("line_id").str.strip_chars() == "", "line_id", "line id is empty")
    # Counting distinct ids is a quarter of marking every repeated one: mark them only when
    # some id repeats, to name the first. Their 64-bit hashes are counted first (a third of
    # the cost): as many distinct hashes as lines means distinct ids; fewer (a repeat, or
    # two ids of one hash) and the ids themselves are counted.
    ids = df.get_column("line_id")
    repeats = ids.hash().n_unique() < df.height and ids.n_unique() < df.height
    dupes = df.filter(ids.is_duplicated()).head(1) if repeats else df.clear()
    if dupes.height:
        line = dupes.item(0, "line_id")
        raise InputError("line id is used twice", field=f"line {line}, column line_id")
    value = pl.col("value").str.strip_chars().cast(pl.Float64, strict=False)
    bad_value = value.is_null() | (value <= 0)
    if numbers:
        given = pl.col("value")
        if df.select((given.is_null() | (given <= 0)).any()).item():
            first_bad(df.with_columns(text_column(raw, "value")), bad_value, "value", _NOT_POSITIVE)
    else:
        first_bad(df, bad_value, "value", _NOT_POSITIVE)
    return df


def line_days(raw: pl.DataFrame, as_of: date | None) -> pl.DataFrame:
    """Each line's DAY: `as_of`, else its date (null where it is not one); a line without a
    date is answered as of today in China (Asia/Shanghai)."""
    if as_of is not None:
        return pl.select(pl.repeat(as_of, raw.height, dtype=pl.Date).alias(DAY))
    text = text_column(raw, "date").str.strip_chars()
    day = text.str.to_date("%Y-%m-%d", strict=False)
    return raw.select(
        pl.when(text == "").then(pl.lit(today_in_china(), dtype=pl.Date)).otherwise(day).alias(DAY)
    )


def with_day_keys(days: pl.DataFrame, boundaries: tuple[date, ...] | None) -> pl.DataFrame:
    """DAY and its DAY_KEY: the index of the regime interval it falls in, or the day."""
    if boundaries is None:
        return days.with_columns(pl.col(DAY).cast(pl.Int64).alias(DAY_KEY))
    bounds = pl.Series("bounds", list(boundaries), dtype=pl.Date)
    index = bounds.search_sorted(days.get_column(DAY), side="right")
    return days.with_columns(index.cast(pl.Int64).alias(DAY_KEY))


def canonical(keys: pl.DataFrame) -> pl.DataFrame:
    """Trimmed, case-folded fact columns of the unique keys; bad flags name their line."""
    df = keys.with_columns(
        *(pl.col(c).str.strip_chars() for c in (*KEY_COLUMNS, "value", "currency")),
    ).with_columns(
        *(pl.col(c).str.to_uppercase() for c in (*_UPPER, "currency")),
        *(pl.col(c).str.to_lowercase().str.replace_all(r"\s+", "") for c in _LOWER_NO_SPACE),
        pl.col("composition").str.replace_all(r"\s+", ""),
        *(pl.col(c).str.to_lowercase().replace(_BOOLEAN) for c in _MILITARY),
    )
    for c in _MILITARY:
        first_bad(df, ~pl.col(c).is_in(["", "true", "false"]), c, "not true, false or empty")
    return df
