"""Load and validate the rule data under `regime/data/` (or a user's own folder).

Every failure is a `RegimeDataError` naming the file, the key path and what is wrong, so a
data maintainer can fix it without reading Python.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reec.errors import RegimeDataError
from reec.regime.schema import AnnouncementData, PoliciesFile, RegimeMeta
from reec.yamlio import YamlSyntaxError, load_yaml_text, pydantic_error_path

__all__ = ["RegimeData", "bundled_data_dir", "load_regime_data"]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RegimeData:
    meta: RegimeMeta
    announcements: tuple[AnnouncementData, ...]
    policies: PoliciesFile
    digest: str
    """sha256 over every data file: the regime version stamped on each determination."""


def bundled_data_dir() -> Path:
    return Path(str(resources.files("reec.regime") / "data"))


def _read(path: Path, model: type[M], hasher: Any) -> M:
    text = path.read_text(encoding="utf-8")
    hasher.update(path.name.encode())
    hasher.update(text.encode())
    try:
        raw = load_yaml_text(text, path.name)
    except YamlSyntaxError as exc:
        raise RegimeDataError(str(exc)) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = pydantic_error_path(first["loc"]) or "(top level)"
        raise RegimeDataError(
            f"{first['msg']} (fix the value at this key; {exc.error_count()} error(s) in file)",
            field=f"{path.name}: {where}",
        ) from exc


def load_regime_data(directory: Path | None = None) -> RegimeData:
    """Read `regime.yaml`, `policies.yaml` and every `announcements/*.yaml`."""
    root = directory or bundled_data_dir()
    hasher = hashlib.sha256()
    if not (root / "regime.yaml").is_file():
        raise RegimeDataError("regime.yaml is missing", field=str(root))
    meta = _read(root / "regime.yaml", RegimeMeta, hasher)
    announcements = tuple(
        _read(p, AnnouncementData, hasher) for p in sorted((root / "announcements").glob("*.yaml"))
    )
    ids = [a.id for a in announcements]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RegimeDataError(f"announcement id(s) used twice: {duplicates}", field="announcements")
    policies = _read(root / "policies.yaml", PoliciesFile, hasher)
    # The party lists are validated by reec.screening.lists; they are hashed here too, because
    # screening decides policies, so a list change must change the version on every answer.
    for path in sorted((root / "lists").glob("*.yaml")):
        hasher.update(path.name.encode())
        hasher.update(path.read_bytes())
    return RegimeData(meta, announcements, policies, hasher.hexdigest()[:12])
