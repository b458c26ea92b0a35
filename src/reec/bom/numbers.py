"""Exact decimal columns as scaled integers, so the roll-up can be vectorised and still exact.

A column of decimal strings ("12.5", "0.001") becomes int64 numerators over one power of ten
(the column's largest number of decimal places). Integer arithmetic on the numerators is exact,
which is what makes a share of exactly 0.1 % trigger and 0.0999 % not. Parquet or Excel floats
arrive as their shortest repr ("0.1"), so they read as the decimal the user typed.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import cast

import numpy as np
import numpy.typing as npt
import polars as pl

from reec.errors import BomError

__all__ = ["MAX_DECIMALS", "Scaled", "decimal_text", "quick_scaled", "scaled_column"]

MAX_DECIMALS = 9
"""More decimal places than this is taken as noise (a float artefact), not a value."""

_PLAIN = r"^[0-9]+(\.[0-9]*)?$"
_MAX_DIGITS = 18
"""Digits in all (int64 numerators): more is "too large"."""

_FAST = rf"^[0-9]+(\.[0-9]{{0,{MAX_DECIMALS}}})?$"
"""Plain, and no more decimal places than a value may have even before trailing zeros go:
Polars' decimal cast reads such a text exactly (it rounds more places away, silently)."""

Scaled = tuple[npt.NDArray[np.int64], int]


def decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _plain(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Rewrite the rare non-plain spellings (1e-05, +3) through Decimal; others pass. Also
    whether each value (rewritten) is plain."""
    plain = s.str.contains(_PLAIN)
    bad = s.is_not_null() & ~plain
    if not bad.any():
        return s, plain
    fixed: list[str | None] = []
    for text, is_bad in zip(s.to_list(), bad.to_list(), strict=True):
        if not is_bad:
            fixed.append(text)
            continue
        try:
            d = Decimal(text)
            # 1e999999999 would spell a billion digits: only what can fit is spelt out
            fits = d.is_finite() and -MAX_DECIMALS - 1 <= d.adjusted() <= _MAX_DIGITS
            fixed.append(format(d, "f") if fits else text)
        except InvalidOperation:
            fixed.append(text)
    out = pl.Series(s.name, fixed, dtype=pl.String)
    return out, out.str.contains(_PLAIN)


def _fast(s: pl.Series, positive: bool) -> Scaled | None:
    """The common case in a few whole-column passes, with no text copied: every value plain,
    within the limits and (if `positive`) above 0. None when any is not: `scaled_column`'s
    checks then name the first offending row exactly as they always have."""
    if s.null_count() or not s.str.contains(_FAST).all():
        return None
    places = s.str.len_bytes().cast(pl.Int64) - s.str.find(".", literal=True) - 1
    written = _int(places.max() or 0)  # None: no value has a point
    nums = (
        s.cast(pl.Decimal(38, written), strict=False)
        .to_physical()
        .cast(pl.Int64, strict=False)  # more than int64 holds: null
    )
    if nums.null_count():
        return None
    # trailing zeros are no places ("1.50"); Polars' integer ops by a constant are
    # strength-reduced, several times NumPy's here
    scale = written
    while scale and not (nums % 10 ** (written - scale + 1) != 0).any():
        scale -= 1
    nums = nums // 10 ** (written - scale)
    if len(nums) and (_int(nums.max()) >= 10**_MAX_DIGITS or (positive and _int(nums.min()) <= 0)):
        return None
    return nums.to_numpy(), scale


def _by_distinct(s: pl.Series, positive: bool) -> Scaled | None:
    """`_fast` on each distinct text once: a line column (quantities) repeats a few values, and
    one categorical encoding costs less than the pattern, length and decimal passes over every
    line (10M quantities: 1.5 -> 0.5 s CPU). Same numerators and scale: both are decided by the
    set of values."""
    if s.null_count():
        return None
    texts = pl.Categories.random()  # its own codes (code i is the i-th text), freed after
    coded = s.cast(pl.Categorical(texts))
    fast = _fast(texts.to_series(), positive)
    if fast is None:
        return None
    nums, scale = fast
    return nums[coded.to_physical().to_numpy()], scale


def _int(x: object) -> int:
    """A max or min of an Int64 column (Polars types it as any Python scalar)."""
    return cast(int, x)


def quick_scaled(s: pl.Series, *, positive: bool = True, repeated: bool = False) -> Scaled | None:
    """`scaled_column`'s answer when every value is plain (whole-column passes, no text copied),
    else None: `scaled_column` then checks value by value and names the first bad row."""
    return _by_distinct(s, positive) if repeated else _fast(s, positive)


def scaled_column(
    s: pl.Series,
    column: str,
    locate: Callable[[int, str], str],
    *,
    positive: bool = True,
    repeated: bool = False,
) -> Scaled:
    """Numerators and scale of a decimal-string column; every value must be > 0. `repeated`:
    the column holds few distinct values (a line's quantity), read once each."""
    fast = quick_scaled(s, positive=positive, repeated=repeated)
    if fast is not None:
        return fast
    s, plain = _plain(s.str.strip_chars())
    missing = s.is_null() | (s == "")
    if missing.any():
        row = int(missing.arg_true()[0])
        raise BomError(f"{column} is missing", field=locate(row, column))
    negative = s.str.starts_with("-")
    if negative.any():
        row = int(negative.arg_true()[0])
        raise BomError(f"{column} {s[row]} is negative", field=locate(row, column))
    bad = ~plain
    if bad.any():
        row = int(bad.arg_true()[0])
        raise BomError(
            f"{column} {s[row][:40]!r} is not a number of at most {_MAX_DIGITS} digits",
            field=locate(row, column),
        )
    parts = s.str.split_exact(".", 1).struct.rename_fields(["i", "f"]).struct.unnest()
    frac = parts["f"].fill_null("").str.strip_chars_end("0")
    lengths = frac.str.len_bytes()  # ASCII digits (the pattern above)
    scale = int(lengths.to_numpy().max(initial=0))
    if scale > MAX_DECIMALS:
        row = int(lengths.arg_max() or 0)
        raise BomError(
            f"{column} {s[row]} has more than {MAX_DECIMALS} decimal places",
            field=locate(row, column),
        )
    digits = parts["i"].str.strip_chars_start("0").str.len_bytes()
    if int(digits.to_numpy().max(initial=0)) + scale > _MAX_DIGITS:
        row = int(digits.arg_max() or 0)
        raise BomError(f"{column} {s[row]} is too large", field=locate(row, column))
    ints = parts["i"].cast(pl.Int64).to_numpy()
    fracs = (
        frac.str.pad_end(scale, "0").replace("", "0").cast(pl.Int64).to_numpy()
        if scale
        else np.zeros(len(s), dtype=np.int64)
    )
    nums = ints * np.int64(10**scale) + fracs
    if positive and (nums <= 0).any():
        row = int(np.flatnonzero(nums <= 0)[0])
        raise BomError(f"{column} must be more than 0 (got {s[row]})", field=locate(row, column))
    return nums.astype(np.int64), scale
