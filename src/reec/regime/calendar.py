"""China's working-day calendar as data: the State Council holiday notices, one file a year.

ALL Art. 82 counts licensing time limits in working days excluding statutory holidays; each
year's days off and make-up working days (调休上班) are set by a State Council General Office
notice published around November of the year before. reec ships the notices it knows as cited
YAML files under `holidays/` of the rule-data folder, and a user adds the next one the day it is
published (`REEC_HOLIDAYS_FILE`, same format; docs/data.md).

For a year with no notice the calendar still answers: weekends and the statutory holidays of the
全国年节及纪念日放假办法 as the `holidays` package computes them for China (including the
weekday a holiday falling on a weekend moves to, Art. 6), with no make-up working days. Such a
day is *provisional*: `provisional_reason(year)` says why, and every clock that counts over it
carries that reason. The calendar never refuses a date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from reec.slots_pickle import quick_setstate

if TYPE_CHECKING:
    from reec.regime.holiday_files import HolidayNoticeData

__all__ = [
    "HolidayNotice",
    "WorkingCalendar",
    "statutory_source",
]


@quick_setstate
@dataclass(frozen=True, slots=True)
class HolidayNotice:
    """One year's State Council holiday notice as the calendar counts it: days off, make-up days."""

    year: int
    title: str
    issued: date
    source: str
    confidence: str
    days_off: frozenset[date]
    make_up: frozenset[date]
    origin: str
    """Where reec read it: `holidays/2026.yaml` or the path of a REEC_HOLIDAYS_FILE."""

    @classmethod
    def from_data(cls, data: HolidayNoticeData, origin: str) -> HolidayNotice:
        return cls(
            data.year,
            data.title,
            data.issued,
            data.source,
            data.confidence,
            frozenset(d for span in data.holidays for d in span.days()),
            frozenset(data.make_up_working_days),
            origin,
        )


@lru_cache(maxsize=1)
def statutory_source() -> str:
    from importlib.metadata import version  # email, zipfile, csv: not for every cold start

    return f"holidays {version('holidays')} (China, statutory days)"


@lru_cache(maxsize=64)
def _statutory(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and weekend working days the `holidays` package knows for China in `year`
    (imported here: it takes most of a second, and only a count past the notices needs it)."""
    import holidays as holidays_pkg

    cn = holidays_pkg.country_holidays("CN", years=year)
    off = frozenset(d for d in cn if d.year == year)
    workdays = frozenset(d for d in getattr(cn, "weekend_workdays", ()) if d.year == year)
    return off, workdays


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days on the notices in the data; statutory days (provisional) for other years."""

    notices: Mapping[int, HolidayNotice] = field(default_factory=dict)
    _days_off: frozenset[date] = field(init=False, repr=False)
    _make_up: frozenset[date] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_days_off", frozenset(d for n in self.notices.values() for d in n.days_off)
        )
        object.__setattr__(
            self, "_make_up", frozenset(d for n in self.notices.values() for d in n.make_up)
        )

    @classmethod
    def of(cls, notices: Iterable[HolidayNotice]) -> WorkingCalendar:
        """Later notices of the same year replace earlier ones (a user's file wins)."""
        return cls({n.year: n for n in notices})

    def known(self, year: int) -> bool:
        return year in self.notices

    def is_working_day(self, day: date) -> bool:
        if day in self._make_up:
            return True
        if day in self._days_off:
            return False
        if not self.known(day.year):
            off, workdays = _statutory(day.year)
            if day in workdays:
                return True
            if day in off:
                return False
        return day.weekday() < 5

    def provisional_reason(self, year: int) -> str | None:
        """Why a count over `year` may still move, or None if its notice is in the data."""
        if self.known(year):
            return None
        return (
            f"no State Council holiday notice for {year} in the rule data: {year} is counted on "
            f"weekends and the statutory holidays ({statutory_source()}), with no make-up "
            "working days; the date is provisional until the notice is added "
            "(REEC_HOLIDAYS_FILE or a data update)"
        )

    def provisional_reasons(self, start: date, end: date) -> tuple[str, ...]:
        """Reasons for every year between `start` and `end` (inclusive) without a notice."""
        return tuple(
            r
            for y in range(start.year, end.year + 1)
            if (r := self.provisional_reason(y)) is not None
        )

    def source(self) -> str:
        years = sorted(self.notices)
        if not years:
            return f"no State Council notices in the data; {statutory_source()}"
        return (
            f"State Council holiday notices {', '.join(map(str, years))} (rule data); "
            f"other years: {statutory_source()}, provisional"
        )
