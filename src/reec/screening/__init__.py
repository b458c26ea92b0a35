"""Party screening against China's Control List, Watch List and Unreliable Entity List."""

from __future__ import annotations

from reec.screening.base import ListHit, NullScreener, Screener, ScreeningResult

__all__ = ["ListHit", "NullScreener", "Screener", "ScreeningResult", "default_screener"]


def default_screener() -> Screener:
    """The screener the CLI and API use by default (list data bundled with reec)."""
    return NullScreener()
