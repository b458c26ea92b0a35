"""The review clocks, counted on China's working-day calendar (`reec.regime.calendar`).

ALL Art. 82 counts licensing time limits in working days excluding statutory holidays; the
State Council's yearly notice also moves some weekend days to working days (调休上班). The notices
are rule data (`holidays/*.yaml`, REEC_HOLIDAYS_FILE). A count that runs into a year without a
notice is still made, on weekends and statutory holidays, and marked provisional with the reason:
the clock never fails (docs/licensing.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reec.regime.calendar import WorkingCalendar
from reec.store.settings import ClockStart

__all__ = [
    "Clock",
    "ClockStop",
    "add_working_days",
    "calendar_source",
    "default_calendar",
    "first_counting_day",
    "is_working_day",
    "review_clock",
]


def default_calendar() -> WorkingCalendar:
    """The calendar of the rule data reec answers from (REEC_DATA_DIR, REEC_HOLIDAYS_FILE)."""
    from reec.regime.snapshot import load_regime

    return load_regime().calendar


def calendar_source(calendar: WorkingCalendar | None = None) -> str:
    return (calendar or default_calendar()).source()


def is_working_day(day: date, calendar: WorkingCalendar | None = None) -> bool:
    return (calendar or default_calendar()).is_working_day(day)


def add_working_days(start: date, days: int, calendar: WorkingCalendar | None = None) -> date:
    """The `days`-th working day after `start` (start itself not counted)."""
    cal = calendar or default_calendar()
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
    return day


@dataclass(frozen=True, slots=True)
class ClockStop:
    """Time not counted (DUR Art. 17(3)): working days from `start` up to the day before `end`."""

    kind: str
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Clock:
    limit: int | None
    first_day: date
    due: date | None
    used: int
    stopped_since: date | None
    stops: tuple[ClockStop, ...]
    excluded_days: int
    calendar: str
    provisional: tuple[str, ...] = ()
    """Why the dates may still move (a year counted without its State Council notice)."""

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


def first_counting_day(
    accepted: date, start: ClockStart, calendar: WorkingCalendar | None = None
) -> date:
    cal = calendar or default_calendar()
    if start == "acceptance_day" and cal.is_working_day(accepted):
        return accepted
    return add_working_days(accepted, 1, cal)


def review_clock(
    accepted: date,
    limit: int | None,
    stops: Sequence[ClockStop],
    *,
    start: ClockStart = "next_working_day",
    today: date | None = None,
    calendar: WorkingCalendar | None = None,
) -> Clock:
    """Count `limit` working days from acceptance, skipping stopped intervals.

    `due` is the day the limit is reached, or None if there is no limit or the clock is stopped
    now (then it depends on when it resumes). `used` counts working days up to `today`.
    """
    cal = calendar or default_calendar()
    first = first_counting_day(accepted, start, cal)
    open_stop = next((s for s in stops if s.end is None), None)
    day, counted, excluded, used, due = first, 0, 0, 0, None
    horizon = today or first
    while True:
        if open_stop is not None and day >= open_stop.start and day > horizon:
            break
        if limit is None and day > horizon:
            break
        if limit is not None and counted >= limit and day > horizon:
            break
        if cal.is_working_day(day):
            if any(s.covers(day) for s in stops):
                excluded += 1
            else:
                counted += 1
                if today is not None and day <= today:
                    used += 1
                if limit is not None and counted == limit:
                    due = day
        day += timedelta(days=1)
    if open_stop is not None:
        due = None
    last = max(due or first, today or first)
    return Clock(
        limit=limit,
        first_day=first,
        due=due,
        used=used if today is not None else 0,
        stopped_since=open_stop.start if open_stop else None,
        stops=tuple(stops),
        excluded_days=excluded,
        calendar=cal.source(),
        provisional=cal.provisional_reasons(accepted, last),
    )
