"""The tamper-evident audit log: every change appends one entry, hash-chained to the previous.

`hash = sha256(canonical JSON of {seq, at, actor, action, subject, payload, prev_hash})`. The
canonical form (sorted keys, no spaces, UTF-8) is stored verbatim in `payload` so the hash can be
recomputed byte for byte on any backend. Appends lock the single `audit_head` row, so concurrent
writers cannot fork the chain; the entry is written in the same transaction as the change it
records, so a crash (even kill -9) leaves both or neither.

What the chain alone cannot show (the hash has no secret: anyone who can write the database can
rewrite it whole, or cut entries off its end and move the head back) is covered two ways:

- `REEC_AUDIT_KEY`: the head row carries `HMAC-SHA256(key, "reec-audit-head:{seq}:{hash}")`,
  recomputed on every append; without the key nobody can make a rewritten or shortened chain's
  head check. Once a head is sealed, a process without the key refuses to write (it could not
  seal the next head).
- An exported head (`reec audit head`), kept somewhere else: `verify(anchor=...)` checks that the
  chain still holds that entry with that hash, so it can only have grown since.

`verify` also checks the licence book against the chain (`reec.store.audit_book`): every
application, event, licence, licence line and draw-down matches the last value recorded for it,
and drawn totals are the sums of the recorded draw-downs. docs/security.md says what that proves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from reec.errors import InputError, StoreError
from reec.store.audit_book import BookCounts, RecordedBook, check_book
from reec.store.tables import AuditHeadRow, AuditRow, Base

if TYPE_CHECKING:
    from reec.store.db import Store

__all__ = [
    "AuditAnchor",
    "AuditProblem",
    "AuditReport",
    "Entry",
    "append",
    "append_many",
    "append_many_dbapi",
    "audit_key",
    "canonical_json",
    "current_anchor",
    "entry_hash",
    "head_mac",
    "read_anchor",
    "seal",
    "verify",
    "verify_store",
]

GENESIS = "0" * 64
KEY_VARIABLE = "REEC_AUDIT_KEY"


def audit_key() -> str | None:
    """`REEC_AUDIT_KEY` (docs/settings.md), read on each use; empty means unset."""
    return os.environ.get(KEY_VARIABLE) or None


def head_mac(key: str, seq: int, digest: str) -> str:
    message = f"reec-audit-head:{seq}:{digest}".encode()
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


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


# built once: a statement made per call cost more than running it
_HEAD = Base.metadata.tables[AuditHeadRow.__tablename__]
_LOG = Base.metadata.tables[AuditRow.__tablename__]
_READ_HEAD = select(_HEAD.c.seq, _HEAD.c.hash, _HEAD.c.mac).where(_HEAD.c.id == 1).with_for_update()
_INSERT_ENTRY = insert(_LOG)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1)


def append(
    session: Session, *, actor: str, action: str, subject: str, payload: dict[str, Any]
) -> int:
    """Append one entry inside the caller's transaction (call it last, after the change);
    returns its entry number.

    A change to the licence book puts the rows it wrote in `payload["rows"]`
    (`reec.store.audit_book`), so `verify` can check the book against them.

    Written with plain SQL statements, not ORM objects: the unit of work cost an API check
    about 2 ms of CPU for these three statements (issue 16)."""
    return append_many(session, [Entry(actor, action, subject, payload)])[0]


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry to append: who did what to which subject, and its payload."""

    actor: str
    action: str
    subject: str
    payload: dict[str, Any]


def append_many(session: Session | Connection, entries: list[Entry]) -> list[int]:
    """Append `entries` in order inside the caller's transaction; their entry numbers.

    The head is read (and locked) once and moved once, and the entries are inserted in one
    statement: the same chain as one `append` after the other, for the group commits of kept
    checks (`reec.desk.keeper`). The statements run on the session's connection (Core): the
    ORM's execute path cost more than the SQL (issue 16)."""
    if not entries:
        return []
    conn = session
    if isinstance(session, Session):
        session.flush()  # the changes these entries record go first
        conn = session.connection()
    head = conn.execute(_READ_HEAD).one()
    rows, head_row = _chain(entries, int(head.seq), str(head.hash), head.mac)
    conn.execute(_INSERT_ENTRY, rows if len(rows) > 1 else rows[0])
    conn.execute(_MOVE_HEAD, head_row)
    if isinstance(session, Session):
        loaded = session.identity_map.get(session.identity_key(AuditHeadRow, 1))
        if loaded is not None:  # a head read through the ORM earlier in this session is stale
            session.expire(loaded)
    return [int(r["seq"]) for r in rows]


def append_many_dbapi(cursor: Any, entries: list[Entry]) -> list[int]:
    """`append_many` on a SQLite driver cursor (`sqlite3`, qmark parameters) inside the
    caller's write transaction: the same chain, the same rows, without SQLAlchemy's execute
    path (the API's kept checks on the event loop, `reec.desk.loop_keeper`, issue 16)."""
    if not entries:
        return []
    seq, prev, mac = cursor.execute(_READ_HEAD_SQL).fetchone()
    rows, head_row = _chain(entries, int(seq), str(prev), mac)
    cursor.executemany(_INSERT_ENTRY_SQL, [tuple(r[c] for c in _ENTRY_COLUMNS) for r in rows])
    cursor.execute(_MOVE_HEAD_SQL, (head_row["seq"], head_row["hash"], head_row["mac"]))
    return [int(r["seq"]) for r in rows]


_ENTRY_COLUMNS = tuple(c.name for c in _LOG.c)
_READ_HEAD_SQL = f"SELECT seq, hash, mac FROM {_HEAD.name} WHERE id = 1"
_INSERT_ENTRY_SQL = (
    f"INSERT INTO {_LOG.name} ({', '.join(_ENTRY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _ENTRY_COLUMNS)})"
)
_MOVE_HEAD_SQL = f"UPDATE {_HEAD.name} SET seq = ?, hash = ?, mac = ? WHERE id = 1"


def _chain(
    entries: list[Entry], seq: int, prev: str, mac: str | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of `entries` chained after the head (`seq`, `prev`, `mac`), and the head's new
    values; refuses a sealed head without `REEC_AUDIT_KEY`."""
    key = audit_key()
    if key is None and mac is not None:
        raise StoreError(
            f"the audit log is sealed with {KEY_VARIABLE} and this process has none: set it "
            "(the same key) for every process that writes the licence book",
            field=KEY_VARIABLE,
        )
    rows: list[dict[str, Any]] = []
    for e in entries:
        seq += 1
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        body = canonical_json(e.payload)
        digest = entry_hash(seq, at, e.actor, e.action, e.subject, body, prev)
        rows.append(
            {"seq": seq, "at": at, "actor": e.actor, "action": e.action, "subject": e.subject,
             "payload": body, "prev_hash": prev, "hash": digest}
        )  # fmt: skip
        prev = digest
    return rows, {"seq": seq, "hash": prev, "mac": head_mac(key, seq, prev) if key else None}


def seal(session: Session) -> int:
    """Seal the current head with `REEC_AUDIT_KEY` (a key set on a log that had none).

    Verify first: sealing vouches for the chain as it is. Returns the head's entry number."""
    key = audit_key()
    if key is None:
        raise InputError(f"set {KEY_VARIABLE} to seal the audit log's head", field=KEY_VARIABLE)
    head = session.scalars(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()).one()
    head.mac = head_mac(key, head.seq, head.hash)
    session.flush()
    return head.seq


@dataclass(frozen=True, slots=True)
class AuditAnchor:
    """An exported head: the chain must still hold entry `seq` with this `hash`."""

    seq: int
    hash: str
    at: str = ""

    def to_json(self) -> str:
        return json.dumps({"reec_audit_head": 1, "seq": self.seq, "hash": self.hash, "at": self.at})


def current_anchor(session: Session) -> AuditAnchor:
    head = session.get(AuditHeadRow, 1)
    if head is None or head.seq == 0:
        return AuditAnchor(0, GENESIS)
    row = session.get(AuditRow, head.seq)
    return AuditAnchor(head.seq, head.hash, row.at if row is not None else "")


def read_anchor(path: Path) -> AuditAnchor:
    """An exported head file (`reec audit head --out FILE`); a bad one is one InputError."""
    where = f"--head {path}"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the exported head: {exc.strerror}", field=where) from None
    except (ValueError, UnicodeDecodeError):
        raise InputError("not an exported audit head (JSON)", field=where) from None
    seq, digest = (doc.get("seq"), doc.get("hash")) if isinstance(doc, dict) else (None, None)
    ok_hash = isinstance(digest, str) and len(digest) == 64
    if not (isinstance(seq, int) and seq >= 0 and ok_hash):
        raise InputError(
            "an exported audit head has an entry number `seq` and a 64-digit `hash`", field=where
        )
    assert isinstance(digest, str)
    return AuditAnchor(seq, digest.lower(), str(doc.get("at", "")))


@dataclass(frozen=True, slots=True)
class AuditProblem:
    seq: int
    problem: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    entries: int
    last_hash: str
    problems: tuple[AuditProblem, ...]
    book: BookCounts | None = None
    keyed: bool = False
    """The head's HMAC was checked with `REEC_AUDIT_KEY`."""
    anchor: AuditAnchor | None = None
    guarantees: tuple[str, ...] = ()
    """What this verification proves, and what it could not (one sentence each)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    session: Session,
    batch: int = 5000,
    *,
    anchor: AuditAnchor | None = None,
    key: str | None = None,
    book: bool = True,
) -> AuditReport:
    """Walk the chain from the start; name every entry edited, removed or inserted, every book
    row that differs from its last recorded value, a head that is not sealed with `key`
    (default `REEC_AUDIT_KEY`) and an exported `anchor` the chain no longer holds."""
    key = key if key is not None else audit_key()
    problems: list[AuditProblem] = []
    recorded = RecordedBook()
    expected_seq, prev, count = 1, GENESIS, 0
    last_seen = 0
    anchor_found = anchor is not None and anchor.seq == 0
    while True:
        log = AuditRow.__table__
        rows = session.execute(  # plain rows: no ORM object per entry
            select(log).where(log.c.seq > last_seen).order_by(log.c.seq).limit(batch)
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
            if anchor is not None and row.seq == anchor.seq:
                anchor_found = True
            if anchor is not None and row.seq == anchor.seq and row.hash != anchor.hash:
                problems.append(
                    AuditProblem(
                        row.seq,
                        f"the exported head says entry {anchor.seq} has hash "
                        f"{anchor.hash[:16]}, the chain has {row.hash[:16]}: rewritten since",
                    )
                )
            if book:
                recorded.take(row.seq, row.action, row.subject, row.payload)
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
    guarantees = [
        f"chain: {count} entries, each unedited, none inserted or removed before the head"
        if not problems
        else f"chain: {count} entries walked"
    ]
    counts = None
    if book:
        found, counts = check_book(session, recorded)
        problems.extend(AuditProblem(seq, text) for seq, text in found)
        guarantees.append(
            f"licence book: {counts} match their last recorded values; drawn totals are "
            "the sums of the recorded draw-downs"
            if not found
            else f"licence book: {counts} checked"
        )
        if counts.unchecked:
            guarantees.append(
                f"{counts.unchecked} rows predate recorded values (written before reec recorded "
                "them): present in the chain, their values not compared"
            )
    guarantees.append(_check_head(head, key, problems))
    if anchor is not None:
        held = not any(p.problem.startswith("the exported head") for p in problems)
        if anchor.seq > last_seen:
            held = False
            problems.append(
                AuditProblem(
                    anchor.seq,
                    f"the exported head is entry {anchor.seq}, the chain ends at entry "
                    f"{last_seen}: entries were cut off its end",
                )
            )
        elif not anchor_found:
            held = False
            problems.append(
                AuditProblem(anchor.seq, f"the exported head's entry {anchor.seq} is gone")
            )
        guarantees.append(
            f"exported head: entry {anchor.seq} ({anchor.hash[:16]}) "
            + (
                f"is still in the chain, which extends it by {last_seen - anchor.seq} entries"
                if held
                else "is not what the chain holds"
            )
        )
    else:
        guarantees.append(
            "no exported head given: `reec audit head` exports one to keep elsewhere, "
            "`reec audit verify --head FILE` checks the chain still holds and extends it"
        )
    return AuditReport(
        count, prev, tuple(problems), counts, key is not None, anchor, tuple(guarantees)
    )


def verify_store(store: Store, *, anchor: AuditAnchor | None = None) -> AuditReport:
    """`verify` on one consistent snapshot of the database (PostgreSQL: REPEATABLE READ, so a
    write committed mid-walk is not half seen; SQLite: a deferred read transaction, one snapshot
    that holds up no writer)."""
    with store.read() as conn:
        if store.is_postgresql:
            conn.execution_options(isolation_level="REPEATABLE READ")
        with Session(conn) as s:
            return verify(s, anchor=anchor)


def _check_head(head: AuditHeadRow | None, key: str | None, problems: list[AuditProblem]) -> str:
    if key is None:
        return (
            f"head not keyed ({KEY_VARIABLE} unset): anyone who can write the database could "
            "rewrite the whole chain, or cut entries off its end and move the head back, and "
            "this check would not show it; an exported head kept elsewhere does"
        )
    if head is None or head.seq == 0:
        return "head: the log is empty (nothing to seal yet)"
    if head.mac is None:
        problems.append(
            AuditProblem(
                head.seq,
                f"the head carries no HMAC although {KEY_VARIABLE} is set: it was written "
                "without the key, or its HMAC was removed (`reec audit seal` seals a chain you "
                "have checked)",
            )
        )
        return "head: not sealed"
    if not hmac.compare_digest(head.mac, head_mac(key, head.seq, head.hash)):
        problems.append(
            AuditProblem(
                head.seq,
                f"the head's HMAC does not match {KEY_VARIABLE}: the chain was rewritten or "
                "cut back by someone without the key (or the key is not the one it was "
                "written with)",
            )
        )
        return "head: HMAC does not match"
    return (
        f"head sealed with {KEY_VARIABLE}: nobody without the key rewrote the chain or cut "
        "it back (someone who kept an old sealed head row could still restore it: compare "
        "with an exported head)"
    )
