"""Decimal columns (reec.bom.numbers): the whole-column fast reading gives the same numerators
and scale as the text-by-text checks, and on any value it does not take, the same first error
naming the same row."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from unittest.mock import patch

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reec.bom import numbers
from reec.bom.numbers import MAX_DECIMALS, scaled_column
from reec.errors import BomError

PLAIN = st.builds(
    lambda i, f: f"{i}.{f}" if f is not None else str(i),
    st.integers(0, 10**12),
    st.none() | st.text("0123456789", min_size=0, max_size=MAX_DECIMALS + 2),
)
ODD = st.sampled_from(
    [
        "",
        " 2",
        "1e-05",
        "+3",
        ".5",
        "1.",
        "-1",
        "0",
        "0.000",
        "abc",
        "1.5000000000",
        "0.0000000001",
        "9" * 19,
        "99999999999.99999999",
        "1e999999999",
        "٣",
    ]
)


def _outcome(
    values: Sequence[str | None], positive: bool, repeated: bool = False
) -> tuple[str, object]:
    s = pl.Series("quantity", values, dtype=pl.String)
    try:
        nums, scale = scaled_column(
            s,
            "quantity",
            lambda r, c: f"row {r}, column {c}",
            positive=positive,
            repeated=repeated,
        )
    except BomError as exc:
        return "error", (exc.message, exc.field)
    assert nums.dtype == np.int64
    return "ok", (nums.tolist(), scale)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN | ODD | st.none(), max_size=12), st.booleans())
def test_fast_and_text_by_text_readings_agree(values: list[str | None], positive: bool) -> None:
    fast = _outcome(values, positive)
    with patch.object(numbers, "_fast", return_value=None):
        slow = _outcome(values, positive)
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(
    st.lists(PLAIN | ODD | st.none(), min_size=1, max_size=5),
    st.lists(st.integers(0, 4), max_size=30),
    st.booleans(),
)
def test_distinct_values_read_once_agree(
    pool: list[str | None], picks: list[int], positive: bool
) -> None:
    """A line column read value by distinct value (`repeated`) gives the same numerators and
    scale, or the same first error, as the text-by-text checks."""
    values = [pool[i % len(pool)] for i in picks]
    distinct = _outcome(values, positive, repeated=True)
    with patch.object(numbers, "_fast", return_value=None):
        slow = _outcome(values, positive)
    assert distinct == slow


@settings(max_examples=100, deadline=None)
@given(st.lists(PLAIN, min_size=1, max_size=4), st.lists(st.integers(0, 3), min_size=1))
def test_repeated_plain_values_take_the_distinct_reading(pool: list[str], picks: list[int]) -> None:
    values = [pool[i % len(pool)] for i in picks]
    written = max(len(v.partition(".")[2]) for v in values)
    if written <= MAX_DECIMALS and all(0 < Decimal(v).scaleb(written) < 10**18 for v in values):
        assert numbers._by_distinct(pl.Series(values, dtype=pl.String), True) is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(PLAIN, min_size=1, max_size=12))
def test_plain_values_take_the_fast_reading(values: list[str]) -> None:
    """Plain values within the limits are read whole-column (when the fast reading refuses
    one, the test above still holds but the speed is lost)."""
    s = pl.Series(values, dtype=pl.String)
    written = max(len(v.partition(".")[2]) for v in values)
    if written <= MAX_DECIMALS and all(Decimal(v).scaleb(written) < 10**18 for v in values):
        assert numbers._fast(s, positive=False) is not None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["1", "1.0000000001", "2.5"], "quantity 1.0000000001 has more than 9 decimal places"),
        (["1", "0.0"], "quantity must be more than 0 (got 0.0)"),
        (["1", "-2", "x"], "quantity -2 is negative"),
        (["1", "1234567890.123456789"], "quantity 1234567890.123456789 is too large"),
        (["1", "", "2"], "quantity is missing"),
        (["1", "2x"], "quantity '2x' is not a number of at most 18 digits"),
    ],
)
def test_an_offending_value_is_named_with_its_row(values: list[str], message: str) -> None:
    assert _outcome(values, positive=True) == ("error", (message, "row 1, column quantity"))
