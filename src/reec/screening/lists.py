"""The three party lists' files: load and validate them strictly (pydantic at the edge).

A list file (src/reec/regime/data/lists/*.yaml, or a user's own under `--lists DIR`) holds one
listing announcement: which list, when, with what measures, the dated status intervals of those
measures (suspensions, stops) and the entries. Pydantic checks the file at the edge; the engine
sees frozen `ListEntry` values (reec.screening.list_entries, which also reads the periods).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reec.errors import InputError, RegimeDataError
from reec.model import Citation
from reec.regime.loader import load_readings
from reec.regime.schema import ReadingsFile
from reec.screening.list_entries import (
    LIST_NAMES,
    ListEntry,
    ListStatus,
    StatusInterval,
    bundled_lists_dir,
    last_day,
    lists_dir,
)
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
