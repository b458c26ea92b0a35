"""Pydantic models of the holiday notice files (`holidays/*.yaml`, a `REEC_HOLIDAYS_FILE`).

The loader validates each file with them; the engine keeps the notices as frozen
`reec.regime.calendar.HolidayNotice` values, so answering from the kept compiled regime never
imports these models (docs/performance.md, cold start).
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field, field_validator, model_validator

from reec.regime.schema import Confidence, _Strict

__all__ = ["HolidayNoticeData", "HolidaySpanData"]


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
