"""China's official working-day calendar and the review clocks counted on it.

ALL Art. 82 counts licensing time limits in working days excluding statutory holidays; the
State Council's yearly notice also moves some weekend days to working days (调休上班). The
`chinese-calendar` package carries those notices year by year and raises for a year it does not
know: reec turns that into `CalendarOutOfRangeError` instead of guessing (procedure.md 3.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import version

import chinese_calendar

from reec.errors import CalendarOutOfRangeError
from reec.store.settings import ClockStart

__all__ = [
    "Clock",
    "ClockStop",
    "add_working_days",
    "calendar_source",
    "is_working_day",
    "review_clock",
]


def calendar_source() -> str:
    return f"chinese-calendar {version('chinese-calendar')}"


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarOutOfRangeError(
            f"{day} is in {day.year}, a year whose State Council holiday notice is not in "
            f"{calendar_source()}; reec will not guess make-up working days (upgrade the package "
            "once the notice is out)",
            field="date",
        ) from None


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself not counted)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
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

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


def first_counting_day(accepted: date, start: ClockStart) -> date:
    if start == "acceptance_day" and is_working_day(accepted):
        return accepted
    return add_working_days(accepted, 1)


def review_clock(
    accepted: date,
    limit: int | None,
    stops: Sequence[ClockStop],
    *,
    start: ClockStart = "next_working_day",
    today: date | None = None,
) -> Clock:
    """Count `limit` working days from acceptance, skipping stopped intervals.

    `due` is the day the limit is reached, or None if there is no limit or the clock is stopped
    now (then it depends on when it resumes). `used` counts working days up to `today`.
    """
    first = first_counting_day(accepted, start)
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
        if is_working_day(day):
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
    return Clock(
        limit=limit,
        first_day=first,
        due=due,
        used=used if today is not None else 0,
        stopped_since=open_stop.start if open_stop else None,
        stops=tuple(stops),
        excluded_days=excluded,
        calendar=calendar_source(),
    )
