"""The party lists' entries as the engine keeps them: frozen values, dated statuses, and where
the list files are.

Apart from the list files' pydantic models (reec.screening.lists) so that the kept screener
(reec.screening.default_screener), whose entries are these values, is read back without
importing the models that validate the files (docs/performance.md, cold start).

Reading of periods (one place): "suspended N days / one year from D" follows PRC Civil Code
Art. 201 (the starting day is not counted; the period runs from the next day), so the last
suspended day is D + N (D + 1 year for "one year"), and the measures are in force again the day
after. This makes the chain 2025-05-14 +90 d -> 2025-08-12, +90 d -> 2025-11-10, +1 year ->
2026-11-10 seamless, and matches the regime's reading of No. 70's "until 2026-11-10" (through
that day; regime.yaml `suspension_end_inclusive`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reec.model import Citation
from reec.regime.location import bundled_data_dir, data_dir
from reec.slots_pickle import quick_setstate

__all__ = [
    "LIST_NAMES",
    "ListEntry",
    "ListStatus",
    "StatusInterval",
    "bundled_lists_dir",
    "last_day",
    "lists_dir",
]

LIST_NAMES: tuple[str, ...] = ("control_list", "watch_list", "unreliable_entity_list")
_PERIOD = re.compile(r"^(\d+) (day|days|month|months|year|years)$")


def last_day(start: date, period: str) -> date:
    """Last day of a period "N days/months/years from `start`" (Civil Code Art. 201)."""
    m = _PERIOD.match(period)
    if m is None:
        raise ValueError(f"period {period!r} is not 'N days', 'N months' or 'N years'")
    n, unit = int(m.group(1)), m.group(2).rstrip("s")
    if unit == "day":
        return start + timedelta(days=n)
    months = n * (12 if unit == "year" else 1)
    y, mo = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, mo + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


@quick_setstate
@dataclass(frozen=True, slots=True)
class StatusInterval:
    """A dated spell in which a listing's measures are suspended, stopped or removed."""

    state: str
    start: date
    last: date | None
    """Last day the measures are not in force; None = open-ended (stopped, removed)."""
    by: str
    wording: str
    source: str
    readings: tuple[tuple[str, date], ...] = ()
    """Last day under another reading (readings.yaml): (reading id, last day) pairs (a tuple,
    so that list entries stay hashable)."""

    def alternative(self, reading: str | None) -> date | None:
        """The last day under `reading`, if that reading changes it."""
        return next((d for r, d in self.readings if r == reading), None)

    def last_under(self, reading: str | None) -> date | None:
        return self.alternative(reading) or self.last

    def covers(self, day: date, reading: str | None = None) -> bool:
        last = self.last_under(reading)
        return self.start <= day and (last is None or day <= last)


@dataclass(frozen=True, slots=True)
class ListStatus:
    """Whether an entry is listed on a day and its measures in force, and why."""

    listed: bool
    """On the list that day (added on or before it, not removed)."""
    in_force: bool
    detail: str


@quick_setstate
@dataclass(frozen=True, slots=True)
class ListEntry:
    """One entry of a list file as the screener keeps it, with its dated statuses."""

    key: str
    """file stem + position, stable for one data version: `control-2026-11#3`."""
    list_name: str
    name: str
    name_zh: str | None
    aliases: tuple[str, ...]
    country: str | None
    announcement: str
    date_added: date
    measures: str
    intervals: tuple[StatusInterval, ...]
    citation: Citation
    confidence: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def status_on(self, day: date, reading: str | None = None) -> ListStatus:
        """The status on `day` under the published text, or under another `reading`."""
        if day < self.date_added:
            return ListStatus(False, False, f"not yet listed on {day} (added {self.date_added})")
        for iv in self.intervals:
            if iv.covers(day, reading) and iv.state == "removed":
                return ListStatus(False, False, f"removed from {iv.start} ({iv.by})")
        for iv in self.intervals:
            if iv.covers(day, reading):
                last = iv.last_under(reading)
                until = f" through {last}" if last else ""
                if iv.alternative(reading) is not None:
                    until += f" under the {reading} reading"
                return ListStatus(
                    True,
                    False,
                    f"listed {self.date_added} by {self.announcement}; measures {iv.state} on "
                    f"{day} ({iv.wording}; read as from {iv.start}{until}; {iv.by})",
                )
        return ListStatus(
            True,
            True,
            f"listed {self.date_added} by {self.announcement}; measures in force on {day}",
        )


def bundled_lists_dir() -> Path:
    return bundled_data_dir() / "lists"


def lists_dir() -> Path:
    """The list files of the rule data reec answers from (REEC_DATA_DIR or the bundled)."""
    return data_dir() / "lists"
