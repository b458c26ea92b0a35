"""A Parquet `value` column of numbers is checked as numbers (`day_keys` skips writing a
million numbers as text): the same lines pass and the same first bad line is named, with the
same text, as when the column is text."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from reec.batch.normalise import day_keys
from reec.errors import InputError

_FLOAT = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))
_INT = st.one_of(st.none(), st.integers(-(2**40), 2**40))


def _outcome(raw: pl.DataFrame) -> pl.DataFrame | str:
    try:
        return day_keys(raw, None, None)
    except InputError as exc:
        return str(exc)


@given(
    st.one_of(st.lists(_FLOAT, min_size=1, max_size=20), st.lists(_INT, min_size=1, max_size=20))
)
def test_numbers_are_checked_as_their_text_would_be(values: list[float | int | None]) -> None:
    n = len(values)
    raw = pl.DataFrame(
        {
            "line_id": [f"L{i}" for i in range(n)],
            "date": ["2026-11-11"] * n,
            "value": values,
            "currency": ["USD"] * n,
        }
    )
    as_numbers = _outcome(raw)
    as_text = _outcome(raw.with_columns(pl.col("value").cast(pl.String)))
    if isinstance(as_numbers, str) or isinstance(as_text, str):
        assert as_numbers == as_text
    else:
        assert as_numbers.equals(as_text)
