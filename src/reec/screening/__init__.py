"""Party screening against China's Control List, Watch List and Unreliable Entity List."""

from __future__ import annotations

from functools import lru_cache

from reec.screening.base import ListHit, NullScreener, Screener, ScreeningResult
from reec.screening.lists import bundled_lists
from reec.screening.screener import ListScreener

__all__ = [
    "ListHit",
    "ListScreener",
    "NullScreener",
    "Screener",
    "ScreeningResult",
    "default_screener",
]


@lru_cache(maxsize=1)
def _bundled_screener() -> ListScreener:
    return ListScreener(bundled_lists())


def default_screener() -> Screener:
    """The screener the CLI and API use by default: the bundled lists, loaded and indexed once
    per process."""
    return _bundled_screener()
