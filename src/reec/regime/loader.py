"""Load and validate the rule data under `regime/data/` (or a user's own folder).

Every failure is a `RegimeDataError` naming the file, the key path and what is wrong, so a
data maintainer can fix it without reading Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reec.errors import RegimeDataError
from reec.regime.calendar import HolidayNotice
from reec.regime.holiday_files import HolidayNoticeData
from reec.regime.location import (
    DATA_DIR_ENV,
    HOLIDAYS_FILE_ENV,
    bundled_data_dir,
    data_dir,
    holidays_file,
)
from reec.regime.schema import AnnouncementData, PoliciesFile, ReadingsFile, RegimeMeta
from reec.yamlio import YamlSyntaxError, load_yaml_text, pydantic_error_path

__all__ = [
    "DATA_DIR_ENV",
    "HOLIDAYS_FILE_ENV",
    "RegimeData",
    "bundled_data_dir",
    "data_dir",
    "holidays_file",
    "load_readings",
    "load_regime_data",
]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RegimeData:
    meta: RegimeMeta
    announcements: tuple[AnnouncementData, ...]
    policies: PoliciesFile
    digest: str
    """sha256 over every data file: the regime version stamped on each determination."""
    holidays: tuple[HolidayNotice, ...] = ()
    """The State Council holiday notices (`holidays/*.yaml`, then REEC_HOLIDAYS_FILE)."""
    root: Path | None = None
    """The folder the data was read from."""
    readings: ReadingsFile = field(default_factory=ReadingsFile)
    """The open questions and their readings (`readings.yaml`; none when absent)."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Announcement id -> its file (`announcements/….yaml`), for error messages."""


def _raw(path: Path, hasher: Any, name: str, label: str | None = None) -> Any:
    """Parse one file; the digest covers `label` (default `name`) and the text, never where
    the folder is, so the same data has the same version on every machine."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegimeDataError(f"cannot read the file ({exc})", field=name) from None
    hasher.update((label or name).encode())
    hasher.update(text.encode())
    try:
        return load_yaml_text(text, name)
    except YamlSyntaxError as exc:
        raise RegimeDataError(str(exc)) from exc


def _validate(raw: Any, model: type[M], name: str, prefix: str = "") -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = prefix + (pydantic_error_path(first["loc"]) or "(top level)")
        raise RegimeDataError(
            f"{first['msg']} (fix the value at this key; {exc.error_count()} error(s) in file)",
            field=f"{name}: {where}",
        ) from exc


def _read(path: Path, model: type[M], hasher: Any, name: str | None = None) -> M:
    name = name or path.name
    return _validate(_raw(path, hasher, name), model, name)


def _notices(path: Path, hasher: Any, name: str, label: str | None = None) -> list[HolidayNotice]:
    """A notice file holds one notice, or a list of them (a user's REEC_HOLIDAYS_FILE)."""
    raw = _raw(path, hasher, name, label)
    if isinstance(raw, list):
        return [
            HolidayNotice.from_data(_validate(r, HolidayNoticeData, name, f"[{i}]."), name)
            for i, r in enumerate(raw)
        ]
    return [HolidayNotice.from_data(_validate(raw, HolidayNoticeData, name), name)]


def _load_holidays(root: Path, extra: Path | None, hasher: Any) -> tuple[HolidayNotice, ...]:
    notices: list[HolidayNotice] = []
    for path in sorted((root / "holidays").glob("*.yaml")):
        notices.extend(_notices(path, hasher, f"holidays/{path.name}"))
    years = [n.year for n in notices]
    twice = sorted({y for y in years if years.count(y) > 1})
    if twice:
        raise RegimeDataError(f"more than one notice for year(s) {twice}", field="holidays")
    if extra is not None:
        if not extra.is_file():
            raise RegimeDataError("no such file", field=f"{HOLIDAYS_FILE_ENV}={extra}")
        notices.extend(_notices(extra, hasher, str(extra), HOLIDAYS_FILE_ENV))
    return tuple(notices)


def load_readings(root: Path | None = None) -> ReadingsFile:
    """Only `readings.yaml` of a data folder (the party lists check their readings against it)."""
    path = (root or bundled_data_dir()) / "readings.yaml"
    return _read(path, ReadingsFile, hashlib.sha256()) if path.is_file() else ReadingsFile()


def load_regime_data(directory: Path | None = None, holidays: Path | None = None) -> RegimeData:
    """Read `regime.yaml`, `policies.yaml`, `readings.yaml`, every `announcements/*.yaml` and
    the holiday notices (`holidays/*.yaml`, then the file `holidays`); the digest covers every
    file."""
    root = directory or bundled_data_dir()
    hasher = hashlib.sha256()
    if not root.is_dir():
        raise RegimeDataError("not a folder of rule data", field=str(root))
    if not (root / "regime.yaml").is_file():
        raise RegimeDataError("regime.yaml is missing", field=str(root))
    meta = _read(root / "regime.yaml", RegimeMeta, hasher)
    paths = sorted((root / "announcements").glob("*.yaml"))
    announcements = tuple(_read(p, AnnouncementData, hasher) for p in paths)
    files = {a.id: f"announcements/{p.name}" for a, p in zip(announcements, paths, strict=True)}
    ids = [a.id for a in announcements]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RegimeDataError(f"announcement id(s) used twice: {duplicates}", field="announcements")
    policies = _read(root / "policies.yaml", PoliciesFile, hasher)
    readings = (
        _read(root / "readings.yaml", ReadingsFile, hasher)
        if (root / "readings.yaml").is_file()
        else ReadingsFile()
    )
    _check_readings(announcements, readings)
    # The party lists are validated by reec.screening.lists; they are hashed here too, because
    # screening decides policies, so a list change must change the version on every answer.
    for path in sorted((root / "lists").glob("*.yaml")):
        hasher.update(path.name.encode())
        hasher.update(path.read_bytes())
    notices = _load_holidays(root, holidays, hasher)
    digest = hasher.hexdigest()[:12]
    return RegimeData(meta, announcements, policies, digest, notices, root, readings, files)


def _check_readings(announcements: tuple[AnnouncementData, ...], readings: ReadingsFile) -> None:
    """Every reading a suspension names is an alternative reading of readings.yaml."""
    for ann in announcements:
        for where, suspensions in [
            ("suspensions", ann.suspensions),
            *((f"provisions.{p.id}.suspensions", p.suspensions) for p in ann.provisions),
        ]:
            for s in suspensions:
                problem = readings.unknown(s.readings)
                if problem:
                    raise RegimeDataError(problem, field=f"{ann.id}: {where} (by {s.by})")
