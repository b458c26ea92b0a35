"""The audit trail, readable: filter the hash-chained log by date, actor, action and record.

Entries are never changed here (the chain is `reec audit verify`'s business); this reads them
and shapes them for a table: the payload parsed, its data version lifted into a column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from reec.store.db import Store
from reec.store.tables import AuditRow

__all__ = ["AUDIT_COLUMNS", "AuditEntry", "AuditFilter", "list_audit"]

AUDIT_COLUMNS = ("seq", "at", "actor", "action", "subject", "data_version", "payload", "hash")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    since: date | None = None
    until: date | None = None
    """Inclusive."""
    actor: str | None = None
    action: str | None = None
    """An action or its prefix: `review` matches review.raise, review.decide, review.lapse."""
    record: str | None = None
    """The subject or part of it: `review:7`, `determination:12`, `customer:C-1001`."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    data_version: str | None
    payload: dict[str, Any]
    hash: str

    def to_row(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__slots__}
        out["payload"] = json.dumps(self.payload, ensure_ascii=False, sort_keys=True)
        return out


def list_audit(store: Store, f: AuditFilter, limit: int = 1000) -> list[AuditEntry]:
    """Newest first, at most `limit` entries."""
    q = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
    if f.since is not None:
        q = q.where(AuditRow.at >= f.since.isoformat())
    if f.until is not None:
        q = q.where(AuditRow.at < (f.until + timedelta(days=1)).isoformat())
    if f.actor:
        q = q.where(AuditRow.actor == f.actor)
    if f.action:
        q = q.where((AuditRow.action == f.action) | AuditRow.action.startswith(f.action + "."))
    if f.record:
        q = q.where(AuditRow.subject.contains(f.record, autoescape=True))
    with store.transaction() as s:
        rows = list(s.scalars(q))
    out = []
    for r in rows:
        payload = json.loads(r.payload)
        payload = payload if isinstance(payload, dict) else {"value": payload}
        version = payload.get("data_version") or payload.get("regime_version")
        out.append(
            AuditEntry(
                r.seq,
                r.at,
                r.actor,
                r.action,
                r.subject,
                str(version) if version else None,
                payload,
                r.hash,
            )
        )
    return out
