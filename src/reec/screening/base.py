"""The seam between the determination and party screening.

The determination only needs, per party, which list entries it hits on the day (directly or as
a >= 50% affiliate) and which possible matches want a human review. `Screener` is that
contract; `reec.screening` provides the implementations. The result types (`ListHit`,
`ScreeningResult`) live in `reec.model` so that the regime and engine layers can name them
without importing screening; they are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from reec.model import ListHit, Party, ScreeningResult

__all__ = ["ListHit", "NullScreener", "Screener", "ScreeningResult"]


class Screener(Protocol):
    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult: ...


class NullScreener:
    """Checks nothing, and says so: for callers that screen parties elsewhere."""

    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult:
        return ScreeningResult(as_of, (), (), ())
