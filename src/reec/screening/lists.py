"""The three party lists as dated data: load, validate strictly, and answer "as of a day".

A list file (src/reec/regime/data/lists/*.yaml, or a user's own under `--lists DIR`) holds one
listing announcement: which list, when, with what measures, the dated status intervals of those
measures (suspensions, stops) and the entries. Pydantic checks the file at the edge; the engine
sees frozen `ListEntry` values.

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
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reec.errors import InputError, RegimeDataError
from reec.model import Citation
from reec.regime.loader import bundled_data_dir, load_readings
from reec.regime.schema import ReadingsFile
from reec.yamlio import YamlSyntaxError, load_yaml_text, pydantic_error_path

__all__ = [
    "LIST_NAMES",
    "EntryData",
    "ListEntry",
    "ListFileData",
    "ListStatus",
    "StatusData",
    "StatusInterval",
    "bundled_lists_dir",
    "last_day",
    "lists_dir",
    "load_lists",
]

ListName = Literal["control_list", "watch_list", "unreliable_entity_list"]
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class StatusData(_Strict):
    state: Literal["suspended", "stopped", "removed"]
    start: date = Field(alias="from")
    period: str | None = Field(default=None, description="'90 days', '1 year'; none = open")
    by: str
    wording: str = Field(description="What the source says, for the explanation.")
    source: str
    readings: dict[str, date] = Field(
        default={},
        description="Other readings of the last day (readings.yaml): reading id -> last day.",
    )

    @field_validator("period")
    @classmethod
    def _period_ok(cls, v: str | None) -> str | None:
        if v is not None:
            last_day(date(2000, 1, 1), v)
        return v


class EntryData(_Strict):
    name: str = Field(min_length=1)
    name_zh: str | None = None
    aliases: list[str] = []
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    country_note: str | None = None
    confidence: Literal["high", "medium", "low"]
    source: str = Field(min_length=1)
    date_added: date | None = None
    note: str | None = None
    measures: str | None = None


class ListFileData(_Strict):
    list_name: ListName = Field(alias="list")
    announcement: str = Field(min_length=1)
    date_added: date
    confidence: Literal["verified", "secondary", "inferred"]
    source: str = Field(min_length=1)
    measures: str
    status: list[StatusData] = []
    entries: list[EntryData] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class StatusInterval:
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
    listed: bool
    """On the list that day (added on or before it, not removed)."""
    in_force: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ListEntry:
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
    from reec.regime.loader import data_dir

    return data_dir() / "lists"


def _first_url(*sources: str) -> str | None:
    for s in sources:
        m = re.search(r"https?://\S+", s)
        if m:
            return m.group(0)
    return None


def _entries(path: Path, data: ListFileData, user: bool = False) -> list[ListEntry]:
    intervals = tuple(
        StatusInterval(
            s.state, s.start, last_day(s.start, s.period) if s.period else None,
            s.by, s.wording, s.source, tuple(sorted(s.readings.items())),
        )
        for s in data.status
    )  # fmt: skip
    out = []
    for i, e in enumerate(data.entries):
        confidence = "inferred" if e.confidence == "low" else data.confidence
        out.append(
            ListEntry(
                key=f"{'user:' if user else ''}{path.stem}#{i}",
                list_name=data.list_name,
                name=e.name,
                name_zh=e.name_zh,
                aliases=tuple(e.aliases),
                country=e.country,
                announcement=data.announcement,
                date_added=e.date_added or data.date_added,
                measures=e.measures or data.measures,
                intervals=intervals,
                citation=Citation(
                    announcement=data.announcement,
                    clause=f"{data.list_name} entry {e.name!r}",
                    url=_first_url(e.source, data.source),
                    confidence=confidence,
                ),
                confidence=e.confidence,
            )
        )
    return out


def _read(path: Path, user: bool, readings: ReadingsFile) -> list[ListEntry]:
    error = InputError if user else RegimeDataError
    try:
        raw = load_yaml_text(path.read_text(encoding="utf-8"), path.name)
        data = ListFileData.model_validate(raw)
        for i, s in enumerate(data.status):
            problem = readings.unknown(s.readings)
            if problem:
                raise error(problem, field=f"{path}: status.{i}.readings")
    except YamlSyntaxError as exc:
        raise error(str(exc), field=str(path)) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = pydantic_error_path(first["loc"]) or "(top level)"
        raise error(
            f"{first['msg']} ({exc.error_count()} error(s) in file)", field=f"{path}: {where}"
        ) from exc
    return _entries(path, data, user)


def load_lists(extra: Path | None = None, base: Path | None = None) -> tuple[ListEntry, ...]:
    """The list files of the rule data (`base`, default `lists_dir()`), plus a user's folder
    of list files in the same format."""
    folder = base if base is not None else lists_dir()
    known = load_readings(folder.parent)
    entries = [e for p in sorted(folder.glob("*.yaml")) for e in _read(p, False, known)]
    if extra is not None:
        if not extra.is_dir():
            raise InputError("not a folder of list files", field=str(extra))
        files = sorted(extra.glob("*.yaml"))
        if not files:
            raise InputError("no *.yaml list files in this folder", field=str(extra))
        entries.extend(e for p in files for e in _read(p, True, known))
    return tuple(entries)


@lru_cache(maxsize=1)
def bundled_lists() -> tuple[ListEntry, ...]:
    return load_lists(base=bundled_lists_dir())
