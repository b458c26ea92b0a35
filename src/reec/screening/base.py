"""The seam between the determination and party screening.

The determination only needs, per party, which list entries it hits on the day (directly or as
a >= 50% affiliate) and which possible matches want a human review. `Screener` is that
contract; `reec.screening` provides the implementations. The result types (`ListHit`,
`ScreeningResult`) live in `reec.model` so that the regime and engine layers can name them
without importing screening; they are re-exported here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Protocol

from reec.model import ListHit, Party, ScreeningResult

__all__ = ["ListHit", "NullScreener", "Screener", "ScreeningResult"]


class Screener(Protocol):
    """Screens parties on a day. A screener may also offer the readings of open dated facts
    (readings.yaml): `under_reading(reading) -> Screener`, `reading_windows(reading)` (day
    ranges on which a list status differs) and `reading_announcements(readings)`; one that
    does not is used as it is under every reading (`reec.determine_readings`)."""

    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult: ...


class NullScreener:
    """Checks nothing, and says so: for callers that screen parties elsewhere."""

    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult:
        return ScreeningResult(as_of, (), (), ())

    def under_reading(self, reading: str) -> NullScreener:
        return self

    def reading_windows(self, reading: str) -> tuple[tuple[date, date], ...]:
        return ()

    def reading_announcements(self, readings: Collection[str]) -> frozenset[str]:
        return frozenset()
