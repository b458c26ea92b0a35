"""The legal day when none is given: today in China (Asia/Shanghai), on every face of reec.

The rules are Chinese and take effect on Chinese calendar days: a shipment checked at 20:00 in
Frankfurt on 30 November is already on 1 December in Beijing. The CLI, the API, the web page,
`reec batch` and `reec exposure` all ask this one function; tests fix the clock by replacing
`utc_now`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = ["CHINA_TIME", "today_in_china", "utc_now"]

CHINA_TIME = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    """The clock (replaced in tests)."""
    return datetime.now(UTC)


def today_in_china(now: datetime | None = None) -> date:
    """The calendar day in Asia/Shanghai at `now` (default: the clock)."""
    moment = now if now is not None else utc_now()
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place on the clock: give its time zone")
    return moment.astimezone(CHINA_TIME).date()
