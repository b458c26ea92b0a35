"""The tamper-evident audit log: every change appends one entry, hash-chained to the previous.

`hash = sha256(canonical JSON of {seq, at, actor, action, subject, payload, prev_hash})`. The
canonical form (sorted keys, no spaces, UTF-8) is stored verbatim in `payload` so the hash can be
recomputed byte for byte on any backend. Appends lock the single `audit_head` row, so concurrent
writers cannot fork the chain; the entry is written in the same transaction as the change it
records, so a crash (even kill -9) leaves both or neither.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reec.store.tables import AuditHeadRow, AuditRow

__all__ = [
    "AuditProblem",
    "AuditReport",
    "append",
    "canonical_json",
    "entry_hash",
    "verify",
]

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(
    seq: int, at: str, actor: str, action: str, subject: str, payload: str, prev_hash: str
) -> str:
    body = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "payload": payload,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    session: Session, *, actor: str, action: str, subject: str, payload: dict[str, Any]
) -> AuditRow:
    """Append one entry inside the caller's transaction (call it last, after the change)."""
    head = session.scalars(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()).one()
    seq = head.seq + 1
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    body = canonical_json(payload)
    digest = entry_hash(seq, at, actor, action, subject, body, head.hash)
    row = AuditRow(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        payload=body,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(row)
    head.seq = seq
    head.hash = digest
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class AuditProblem:
    seq: int
    problem: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    entries: int
    last_hash: str
    problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, batch: int = 5000) -> AuditReport:
    """Walk the chain from the start; name every row that was edited, removed or inserted."""
    problems: list[AuditProblem] = []
    expected_seq, prev, count = 1, GENESIS, 0
    last_seen = 0
    while True:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.seq > last_seen).order_by(AuditRow.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            count += 1
            if row.seq != expected_seq:
                gap = (
                    f"{expected_seq}"
                    if row.seq == expected_seq + 1
                    else (f"{expected_seq}..{row.seq - 1}")
                )
                problems.append(AuditProblem(row.seq, f"entry {gap} missing (deleted)"))
            if row.prev_hash != prev:
                problems.append(
                    AuditProblem(row.seq, "prev_hash does not match the entry before it")
                )
            recomputed = entry_hash(
                row.seq, row.at, row.actor, row.action, row.subject, row.payload, row.prev_hash
            )
            if recomputed != row.hash:
                problems.append(AuditProblem(row.seq, "content edited: hash does not match"))
            prev, expected_seq, last_seen = row.hash, row.seq + 1, row.seq
    head = session.get(AuditHeadRow, 1)
    if head is not None and (head.seq != last_seen or head.hash != prev):
        problems.append(
            AuditProblem(
                head.seq,
                f"log ends at entry {last_seen} but the head records entry {head.seq}: "
                "entries at the end were deleted (or the head was edited)",
            )
        )
    return AuditReport(count, prev, tuple(problems))
