"""The seam between the determination and party screening.

The determination only needs, per party, which list entries it hits on the day (directly or as
a >= 50% affiliate) and which possible matches want a human review. `Screener` is that
contract; `reec.screening` provides the implementations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from reec.model import Citation, Party, PartyRole

__all__ = ["ListHit", "NullScreener", "Screener", "ScreeningResult"]


@dataclass(frozen=True, slots=True)
class ListHit:
    role: PartyRole
    party_name: str
    list_name: str
    """control_list | watch_list | unreliable_entity_list"""
    entry_name: str
    announcement: str
    date_added: date
    in_force: bool
    """Whether the listing's measures are in force on the screening day."""
    status_detail: str
    score: float
    citation: Citation
    via_owner: str | None = None
    """Set when the party is caught as a >= 50% affiliate of this listed owner."""
    owner_share: str | None = None
    measures: str | None = None
    explanation: str = ""
    matched_name: str | None = None
    """Which of the party's names (or, for an affiliate, its listed owner's) matched which
    entry name: ``'Lockheed Martin Corp' ~ 'Lockheed Martin Corporation'``."""
    features: tuple[Mapping[str, str | float], ...] = ()
    """Each scoring feature: name, weight, value, detail and the two values compared."""


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    as_of: date
    hits: tuple[ListHit, ...]
    possible: tuple[ListHit, ...]
    """Below the automatic threshold: warnings for review, never dropped."""
    lists_checked: tuple[str, ...]


class Screener(Protocol):
    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult: ...


class NullScreener:
    """Checks nothing, and says so: for callers that screen parties elsewhere."""

    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult:
        return ScreeningResult(as_of, (), (), ())
