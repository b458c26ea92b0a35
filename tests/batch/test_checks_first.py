"""The checks over all lines run beside the grouping of the keys (two threads), yet their
error still comes first: a book with a bad line for a check and an earlier bad military flag
(found while the keys are grouped) is refused with the check's error, as in one thread."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from reec.batch import determine_frame, read_frame
from reec.batch.normalise import line_frame
from reec.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _set(frame: pl.DataFrame, line: str, column: str, value: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col("line_id") == line)
        .then(pl.lit(value))
        .otherwise(pl.col(column).cast(pl.String))
        .alias(column)
    )


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("line_id", " ", "line  , column line_id"),
        ("line_id", "O-1001", "line O-1001, column line_id"),
        ("value", "-3", "line O-1007, column value"),
        ("currency", "US", "line O-1007, column currency"),
        ("date", "2025-13-01", "line O-1007, column date"),
    ],
)
def test_a_check_error_comes_before_an_error_found_while_grouping(
    column: str, value: str, field: str
) -> None:
    frame = read_frame(EXAMPLES / "orders.csv")
    frame = _set(frame, "O-1002", "importer_military", "perhaps")  # canonical() refuses it
    frame = _set(frame, "O-1007", column, value)
    with pytest.raises(InputError) as checks_alone:
        line_frame(frame, None, None)
    with pytest.raises(InputError) as batch:
        determine_frame(frame, processes=1)
    assert (batch.value.message, batch.value.field) == (
        checks_alone.value.message,
        checks_alone.value.field,
    )
    assert batch.value.field == field


def test_the_grouping_error_when_every_check_passes() -> None:
    frame = _set(read_frame(EXAMPLES / "orders.csv"), "O-1002", "importer_military", "perhaps")
    with pytest.raises(InputError) as batch:
        determine_frame(frame, processes=1)
    assert batch.value.field == "line O-1002, column importer_military"
