"""The bundled announcements cut down to the provisions holding the parameters the engine reads
(no entries, suspensions or readings): what a minimal data folder must add to load."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from typing import Any

from reec.regime.loader import bundled_data_dir
from reec.regime.parameters import ENGINE_PARAMETERS
from reec.regime.snapshot import load_regime
from reec.yamlio import load_yaml_text

_KEEP = ("id", "short", "title_en", "issuers", "issued", "url", "confidence")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


@lru_cache(maxsize=1)
def engine_parameter_files() -> dict[str, str]:
    """File name -> text (JSON, which YAML reads) for each announcement holding one."""
    files = load_regime(bundled_data_dir()).data.files
    wanted: dict[str, set[str]] = {}
    for p in ENGINE_PARAMETERS:
        ann, _, prov = p.provision.partition("/")
        wanted.setdefault(ann, set()).add(prov)
    out = {}
    for ann, provisions in sorted(wanted.items()):
        path = bundled_data_dir() / files[ann]
        raw = load_yaml_text(path.read_text(encoding="utf-8"), path.name)
        cut = {k: raw[k] for k in _KEEP if k in raw}
        cut["provisions"] = [
            {k: v for k, v in prov.items() if k not in ("suspensions", "suspended")}
            for prov in raw["provisions"]
            if prov["id"] in provisions
        ]
        out[path.name] = json.dumps(_plain(cut), ensure_ascii=False, indent=1)
    return out
