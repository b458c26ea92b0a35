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
from datetime import date, timedelta
from functools import lru_cache

from pydantic import Field, field_validator, model_validator

from reec.regime.schema import Confidence, _Strict

__all__ = [
    "HolidayNotice",
    "HolidayNoticeData",
    "HolidaySpanData",
    "WorkingCalendar",
    "statutory_source",
]


class HolidaySpanData(_Strict):
    """Consecutive days off for one holiday (`to` defaults to `from`)."""

    name: str
    start: date = Field(alias="from")
    end: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> HolidaySpanData:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"{self.name}: ends ({self.end}) before it starts ({self.start})")
        return self

    def days(self) -> list[date]:
        last = self.end or self.start
        return [self.start + timedelta(days=i) for i in range((last - self.start).days + 1)]


class HolidayNoticeData(_Strict):
    """One `holidays/*.yaml` file (or a `REEC_HOLIDAYS_FILE`): one year's State Council notice."""

    year: int = Field(ge=2000, le=2100)
    title: str = Field(description="The title: 国务院办公厅关于YYYY年部分节假日安排的通知.")
    issued: date = Field(description="Day the notice was published.")
    source: str = Field(pattern=r"^https?://", description="URL of the copy that was read.")
    confidence: Confidence = "verified"
    holidays: list[HolidaySpanData] = Field(min_length=1)
    make_up_working_days: list[date] = Field(
        default=[], description="Weekend days that are working days (调休上班)."
    )
    note: str | None = None

    @field_validator("make_up_working_days")
    @classmethod
    def _weekends(cls, days: list[date]) -> list[date]:
        for d in days:
            if d.weekday() < 5:
                raise ValueError(f"{d} is a weekday: a make-up working day is a Saturday or Sunday")
        return days

    @model_validator(mode="after")
    def _consistent(self) -> HolidayNoticeData:
        years = {self.year - 1, self.year, self.year + 1}
        off = {d for span in self.holidays for d in span.days()}
        for d in sorted(off | set(self.make_up_working_days)):
            if d.year not in years:
                raise ValueError(f"holidays: {d} is not in or next to the year {self.year}")
        for d in self.make_up_working_days:
            if d in off:
                raise ValueError(f"make_up_working_days: {d} is also a day off under holidays")
        return self


@dataclass(frozen=True, slots=True)
class HolidayNotice:
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
