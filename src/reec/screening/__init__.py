"""Party screening against China's Control List, Watch List and Unreliable Entity List."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reec.screening.base import ListHit, NullScreener, Screener, ScreeningResult

if TYPE_CHECKING:
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
    from reec.screening.lists import bundled_lists
    from reec.screening.screener import ListScreener

    return ListScreener(bundled_lists())


def default_screener() -> Screener:
    """The screener the CLI and API use by default: the bundled lists, loaded and indexed once
    per process."""
    return _bundled_screener()


def __getattr__(name: str) -> Any:
    """`ListScreener` on first use (PEP 562): `reec.screening.base` is imported by the rule
    conditions and must not pull in NumPy and the matcher (docs/performance.md, cold start)."""
    if name == "ListScreener":
        from reec.screening.screener import ListScreener

        return ListScreener
    raise AttributeError(f"module 'reec.screening' has no attribute {name!r}")
