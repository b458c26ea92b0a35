"""The review clock on China's official calendar (procedure.md 1.4 and 3)."""

from __future__ import annotations

from datetime import date, timedelta

from reec.licensing import ClockStop, add_working_days, is_working_day, procedural_limits
from reec.licensing.clock import review_clock

LIMIT = procedural_limits().review_working_days.value


def test_limits_come_from_the_rule_data_with_citations() -> None:
    lim = procedural_limits()
    assert (LIMIT, lim.change_review_working_days.value) == (45, 20)
    assert lim.questioning_working_days.value == 7
    assert lim.record_keeping_years.value == 5
    assert lim.review_working_days.citation.clause == "Art. 17"


def test_2026_holiday_table() -> None:
    assert is_working_day(date(2026, 2, 28))  # make-up Saturday (State Council, 4 Nov 2025)
    assert is_working_day(date(2026, 1, 4))  # make-up Sunday
    assert not is_working_day(date(2026, 2, 16))  # Spring Festival
    assert not is_working_day(date(2025, 10, 8))  # National Day 2025
    assert is_working_day(date(2025, 10, 11))  # make-up Saturday 2025


def test_accepted_2025_12_20_day_45_is_the_make_up_saturday() -> None:
    clock = review_clock(date(2025, 12, 20), LIMIT, [])
    assert clock.first_day == date(2025, 12, 22)
    assert clock.due == date(2026, 2, 28)
    assert clock.due.weekday() == 5  # a Saturday: only a make-up working day can be day 45
    # A naive Monday-to-Friday count without holidays lands elsewhere: the date is right
    # because the calendar knows both the holidays and the make-up days.
    day, n = date(2025, 12, 20), 0
    while n < LIMIT:
        day += timedelta(days=1)
        n += day.weekday() < 5
    assert day != clock.due


def test_acceptance_day_setting_matters_on_a_working_day() -> None:
    nxt = review_clock(date(2025, 12, 19), LIMIT, [], start="next_working_day")
    same = review_clock(date(2025, 12, 19), LIMIT, [], start="acceptance_day")
    assert (same.due, nxt.due) == (date(2026, 2, 27), date(2026, 2, 28))


def test_stopped_interval_is_not_counted() -> None:
    stop = ClockStop("identification", date(2026, 1, 5), date(2026, 1, 12))  # 5 working days
    assert review_clock(date(2025, 12, 20), LIMIT, [stop]).due == date(2026, 3, 6)
    open_stop = ClockStop("expert_review", date(2026, 1, 5))
    c = review_clock(date(2025, 12, 20), LIMIT, [open_stop], today=date(2026, 1, 20))
    assert c.due is None
    assert c.used == 9
    assert c.stopped_since == date(2026, 1, 5)


def test_no_limit_and_questioning() -> None:
    assert review_clock(date(2025, 12, 20), None, []).due is None
    assert add_working_days(date(2026, 9, 30), 7) == date(2026, 10, 15)
    assert add_working_days(date(2026, 10, 7), 3) == date(2026, 10, 10)  # make-up Saturday


def test_accepted_2026_12_01_gets_a_provisional_due_date_in_february_2027() -> None:
    """Worked by hand from DUR Art. 17 (45 working days from acceptance), ALL Art. 82 (working
    days, statutory holidays excluded) and the next-working-day start (procedure.md 1.4):
    day 1 = Wed 2026-12-02; December 2026 gives 22 working days (no holiday); 2027-01-01 (Fri)
    is New Year's Day; January 4-29 gives 20 more (42); Feb 1, 2, 3 are days 43-45. The 2027
    notice is not published, so make-up working days are unknown: provisional."""
    clock = review_clock(date(2026, 12, 1), LIMIT, [])
    assert clock.first_day == date(2026, 12, 2)
    assert clock.due == date(2027, 2, 3)
    assert len(clock.provisional) == 1
    assert "no State Council holiday notice for 2027" in clock.provisional[0]
    assert "holidays" in clock.provisional[0]


def test_a_count_inside_notice_years_is_not_provisional() -> None:
    assert review_clock(date(2026, 9, 1), LIMIT, []).provisional == ()
    # ... but one that is counted up to a day in 2027 is, even when due earlier
    c = review_clock(date(2026, 9, 1), LIMIT, [], today=date(2027, 1, 5))
    assert c.due is not None
    assert c.due.year == 2026
    assert c.provisional


def test_statutory_2027_days_without_a_notice() -> None:
    assert not is_working_day(date(2027, 1, 1))  # New Year's Day (Friday)
    assert not is_working_day(date(2027, 2, 5))  # Spring Festival Eve, statutory from 2025
    assert not is_working_day(date(2027, 2, 9))  # Feb 6 (Sat) moved to a weekday (Art. 6)
    assert is_working_day(date(2027, 2, 3))
    assert not is_working_day(date(2027, 1, 2))  # a Saturday: make-up days are unknown
