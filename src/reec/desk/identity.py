"""Who and what a review decision is about: party identity and fingerprint, entry and version.

A decision is remembered per (party identity, list entry, entry version) and holds only while
the party's fingerprint is unchanged, so it lapses by itself when the entry's identifying data
(names, aliases, country, list, announcement, listing date) or the party's name, Chinese name,
country or owners change. The measures' status (suspended, in force) is not part of the entry
version: it changes what a hit means, not whether the party is the listed one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reec.screening.base import ListHit, Screener
from reec.screening.lists import ListEntry
from reec.screening.ownership import key

__all__ = [
    "PartyKey",
    "entry_ident",
    "entry_version",
    "entry_versions",
    "hit_entry_version",
    "party_key",
]


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def entry_ident(list_name: str, announcement: str, name: str) -> str:
    """Stable across data versions (a list entry's file position is not)."""
    return f"{list_name}|{announcement}|{name}"


def entry_version(entry: ListEntry) -> str:
    return _digest(
        {
            "list": entry.list_name,
            "announcement": entry.announcement,
            "name": entry.name,
            "name_zh": entry.name_zh,
            "aliases": list(entry.aliases),
            "country": entry.country,
            "date_added": entry.date_added,
        }
    )


_VERSIONS: dict[int, tuple[tuple[ListEntry, ...], dict[str, str]]] = {}
"""id(entries) -> (entries, versions): hashing ~300 entries per check would cost more than
the check itself; the entries tuple is kept so its id cannot be reused while cached."""


def entry_versions(screener: Screener) -> dict[str, str]:
    """ident -> version of every entry the screener holds (empty for other screeners)."""
    entries = getattr(screener, "entries", None)
    if not isinstance(entries, tuple):
        return {}
    found = _VERSIONS.get(id(entries))
    if found is None or found[0] is not entries:
        if len(_VERSIONS) >= 8:
            _VERSIONS.clear()
        versions = {
            entry_ident(e.list_name, e.announcement, e.name): entry_version(e) for e in entries
        }
        found = _VERSIONS[id(entries)] = (entries, versions)
    return found[1]


def hit_entry_version(hit: ListHit, versions: Mapping[str, str]) -> str:
    ident = entry_ident(hit.list_name, hit.announcement, hit.entry_name)
    return versions.get(ident) or _digest([hit.list_name, hit.announcement, hit.entry_name])


@dataclass(frozen=True, slots=True)
class PartyKey:
    identity: str
    fingerprint: str


def party_key(
    name: str, country: str | None, name_zh: str | None, owners: Iterable[tuple[str, Any]]
) -> PartyKey:
    own = sorted((key(n), str(s)) for n, s in owners)
    return PartyKey(
        f"{key(name)}|{country or ''}",
        _digest({"name": name.strip(), "zh": name_zh, "country": country, "owners": own}),
    )
