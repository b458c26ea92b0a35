"""Typed, dated parameters: `view.parameter(KEY)` is the value in force on the view's day, as
a Decimal, int or tuple (never a string), with its reference; every key the engine reads is in
the bundled data with its type."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reec.model import Citation
from reec.regime.parameters import (
    AFFILIATE_SHARE,
    ENGINE_PARAMETERS,
    REVIEW_WORKING_DAYS,
    TECHNOLOGY_ACTIVITIES,
    VALUE_SHARE_THRESHOLD,
    Parameter,
    ParameterType,
    ParameterValue,
    convert,
)
from reec.regime.snapshot import load_regime

REGIME = load_regime()
REF = Citation("Test Announcement", "Art. 1", None, "verified")


def test_every_engine_parameter_is_in_the_bundled_data_with_its_type() -> None:
    for key in ENGINE_PARAMETERS:
        assert REGIME.parameter(key).type is key.type, key.key


def test_values_are_typed_not_strings() -> None:
    view = REGIME.as_of(date(2026, 11, 11))
    threshold = view.parameter(VALUE_SHARE_THRESHOLD)
    assert isinstance(threshold, Decimal)
    assert threshold == Decimal("0.001")
    assert view.parameter(REVIEW_WORKING_DAYS) == 45
    assert isinstance(view.parameter(REVIEW_WORKING_DAYS), int)
    assert "magnet_manufacturing" in view.parameter(TECHNOLOGY_ACTIVITIES)


def test_the_affiliate_share_is_no61_art2_cited() -> None:
    """No. 61 Art. 2: 控股50%及以上 (held 50% or more), in force from publication."""
    found = REGIME.as_of(date(2026, 11, 11)).parameter_value(AFFILIATE_SHARE)
    assert found.value == Decimal("0.5")
    assert found.start == date(2025, 10, 9)
    assert found.in_force
    assert found.reference.announcement == "MOFCOM 2025 No. 61"
    assert "Art. 2" in found.reference.clause
    assert "50%及以上" in found.reference.clause
    assert found.reference.confidence == "verified"


def test_before_its_first_date_a_parameter_answers_its_first_value_marked() -> None:
    """Art. 1(1) takes effect 2025-12-01; read earlier to explain a not-yet-effective rule."""
    before = REGIME.as_of(date(2025, 11, 30)).parameter_value(VALUE_SHARE_THRESHOLD)
    on = REGIME.as_of(date(2025, 12, 1)).parameter_value(VALUE_SHARE_THRESHOLD)
    assert before.value == on.value == Decimal("0.001")
    assert (before.in_force, on.in_force) == (False, True)


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(
    starts=st.lists(DAYS, min_size=1, max_size=6, unique=True),
    day=DAYS,
)
def test_the_value_of_a_day_is_the_last_one_started(starts: list[date], day: date) -> None:
    """Across every date boundary: the value in force is the one with the latest start on or
    before the day (each value here is its start's ordinal, so it tells which one was picked)."""
    values = tuple(ParameterValue(Decimal(s.toordinal()), s, REF) for s in sorted(starts))
    p = Parameter("TEST/x.p", ParameterType.DECIMAL, "test", None, values)
    got = p.at(day)
    started = [s for s in starts if s <= day]
    if started:
        assert got.in_force
        assert got.value == Decimal(max(started).toordinal())
        assert got.start == max(started)
    else:
        assert not got.in_force
        assert got.start == min(starts)
    assert isinstance(got.value, Decimal)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_a_dated_change_switches_on_its_day(day: date) -> None:
    change = date(2027, 1, 1)
    p = Parameter(
        "TEST/x.share",
        ParameterType.SHARE,
        "test",
        None,
        (
            ParameterValue(Decimal("0.001"), date(2025, 12, 1), REF),
            ParameterValue(Decimal("0.002"), change, REF),
        ),
    )
    assert p.at(day).value == (Decimal("0.002") if day >= change else Decimal("0.001"))
    assert p.at(change - timedelta(days=1)).value == Decimal("0.001")


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (ParameterType.SHARE, "0.001", Decimal("0.001")),
        (ParameterType.SHARE, 1, Decimal(1)),
        (ParameterType.DECIMAL, "12.5", Decimal("12.5")),
        (ParameterType.WORKING_DAYS, 45, 45),
        (ParameterType.YEARS, "5", 5),
        (ParameterType.LIST, ["CN"], ("CN",)),
    ],
)
def test_convert(kind: ParameterType, raw: object, expected: object) -> None:
    assert convert(kind, raw) == expected
    assert type(convert(kind, raw)) is type(expected)


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (ParameterType.SHARE, "1.5"),
        (ParameterType.SHARE, "half"),
        (ParameterType.WORKING_DAYS, "4.5"),
        (ParameterType.INT, -1),
        (ParameterType.LIST, "CN"),
        (ParameterType.DECIMAL, ["1"]),
        (ParameterType.DECIMAL, "NaN"),
    ],
)
def test_convert_refuses(kind: ParameterType, raw: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        convert(kind, raw)
