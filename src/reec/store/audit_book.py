"""The licence book's rows as the audit log records them, and the check of the book against it.

Every entry that changes the book carries, in its payload under `rows`, the values of each row it
wrote after the change: `application/3`, `application_event/9`, `licence/2`, `licence_line/4`,
`drawdown/7` (with its lines). `check_book` compares every row of those tables with the last
value the chain recorded for it, names rows added or removed outside reec, and checks that each
licence line's drawn totals are the sum of its recorded draw-downs.

Values are kept JSON-plain (dates and moments as ISO text in UTC, quantities in the table's
integer minor units, the application's items as one SHA-256), so the comparison is exact on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from reec.store.tables import (
    MONEY_SCALE,
    QUANTITY_SCALE,
    ApplicationEventRow,
    ApplicationRow,
    DrawdownLineRow,
    DrawdownRow,
    LicenceLineRow,
    LicenceRow,
)

__all__ = [
    "BookCounts",
    "RecordedBook",
    "application_rows",
    "check_book",
    "drawdown_rows",
    "licence_rows",
]

Fields = dict[str, Any]
# Which entry actions change the book: one of them without `rows` was written before reec
# recorded row values (the rows it wrote are then not checked, and the report says so).
BOOK_ACTIONS = ("application.", "licence.")
_SCALES = {
    "quantity": QUANTITY_SCALE,
    "drawn_quantity": QUANTITY_SCALE,
    "value": MONEY_SCALE,
    "drawn_value": MONEY_SCALE,
}


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _moment(value: datetime | str | None) -> str | None:
    """A moment in UTC, whichever way the backend hands it back (SQLite: naive UTC text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _day(value: date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _application(row: ApplicationRow | Row[Any]) -> Fields:
    return {
        "created_at": _moment(row.created_at),
        "created_by": row.created_by,
        "kind": row.kind,
        "licence_kind": row.licence_kind,
        "state": row.state,
        "determination_id": row.determination_id,
        "exporter": row.exporter,
        "destination": row.destination,
        "end_users": list(row.end_users),
        "end_uses": list(row.end_uses),
        "items_sha256": hashlib.sha256(_canon(row.items).encode("utf-8")).hexdigest(),
        "certificates": list(row.certificates),
        "no_time_limit": row.no_time_limit,
        "changes_licence_id": row.changes_licence_id,
    }


def _event(row: ApplicationEventRow | Row[Any]) -> Fields:
    return {
        "application_id": row.application_id,
        "action": row.action,
        "from_state": row.from_state,
        "to_state": row.to_state,
        "on_date": _day(row.on_date),
        "at": _moment(row.at),
        "actor": row.actor,
        "detail": row.detail,
    }


def _licence(row: LicenceRow | Row[Any]) -> Fields:
    return {
        "number": row.number,
        "application_id": row.application_id,
        "kind": row.kind,
        "status": row.status,
        "exporter": row.exporter,
        "destination": row.destination,
        "end_users": list(row.end_users),
        "end_uses": list(row.end_uses),
        "valid_from": _day(row.valid_from),
        "valid_until": _day(row.valid_until),
        "issued_at": _moment(row.issued_at),
        "issued_by": row.issued_by,
        "regime_version": row.regime_version,
    }


def _line(row: LicenceLineRow | Row[Any]) -> Fields:
    return {
        "licence_id": row.licence_id,
        "item_ref": row.item_ref,
        "description": row.description,
        "control_codes": list(row.control_codes),
        "unit": row.unit,
        "quantity": row.quantity,
        "currency": row.currency,
        "value": row.value,
        "drawn_quantity": row.drawn_quantity,
        "drawn_value": row.drawn_value,
    }


def _drawdown(row: DrawdownRow | Row[Any], lines: Iterable[DrawdownLineRow | Row[Any]]) -> Fields:
    return {
        "licence_id": row.licence_id,
        "determination_id": row.determination_id,
        "shipment_ref": row.shipment_ref,
        "on_date": _day(row.on_date),
        "at": _moment(row.at),
        "actor": row.actor,
        "keep_records_until": _day(row.keep_records_until),
        "lines": sorted([ln.licence_line_id, ln.item_ref, ln.quantity, ln.value] for ln in lines),
    }


# --- what an entry records ---------------------------------------------------------------


def application_rows(app: ApplicationRow, *events: ApplicationEventRow) -> dict[str, Fields]:
    """An application after a change, and the events that change added (flushed: ids known)."""
    rows = {f"application/{app.id}": _application(app)}
    rows.update({f"application_event/{e.id}": _event(e) for e in events})
    return rows


def licence_rows(
    session: Session, licence: LicenceRow, line_ids: Iterable[int] | None = None
) -> dict[str, Fields]:
    """A licence after a change and its lines (all, or those `line_ids` names), as stored."""
    q = select(LicenceLineRow).where(LicenceLineRow.licence_id == licence.id)
    if line_ids is not None:
        q = q.where(LicenceLineRow.id.in_(list(line_ids)))
    rows = {f"licence/{licence.id}": _licence(licence)}
    # populate_existing: a conditional UPDATE may have changed drawn totals behind the session
    fresh = q.order_by(LicenceLineRow.id).execution_options(populate_existing=True)
    for ln in session.scalars(fresh):
        rows[f"licence_line/{ln.id}"] = _line(ln)
    return rows


def drawdown_rows(dd: DrawdownRow, lines: Iterable[DrawdownLineRow]) -> dict[str, Fields]:
    """A new draw-down with all its lines (flushed: ids known)."""
    return {f"drawdown/{dd.id}": _drawdown(dd, lines)}


# --- the check ---------------------------------------------------------------------------


@dataclass(slots=True)
class RecordedBook:
    """What the chain says about the book, gathered while the chain is walked."""

    last: dict[str, tuple[int, Fields]] = field(default_factory=dict)
    legacy: set[str] = field(default_factory=set)
    """Rows named by entries written before reec recorded row values: `application/3`,
    `licence/2`, `drawdown/7` (they must be in the chain; their values are not compared)."""

    def take(self, seq: int, action: str, subject: str, payload: str) -> None:
        if not action.startswith(BOOK_ACTIONS):
            return
        if '"rows":' not in payload:
            self.legacy.add(subject)
            drawdown = json.loads(payload).get("drawdown")
            if drawdown is not None:
                self.legacy.add(f"drawdown/{drawdown}")
            return
        rows = json.loads(payload).get("rows")
        if isinstance(rows, dict):
            for key, values in rows.items():
                self.last[key] = (seq, values)


@dataclass(frozen=True, slots=True)
class BookCounts:
    applications: int
    events: int
    licences: int
    lines: int
    drawdowns: int
    unchecked: int = 0
    """Rows written before reec recorded row values: present, but not compared."""

    def __str__(self) -> str:
        text = (
            f"{self.applications} application(s) ({self.events} events), {self.licences} "
            f"licence(s) ({self.lines} lines), {self.drawdowns} draw-down(s)"
        )
        return text + (
            f", {self.unchecked} of them older than recorded values" if self.unchecked else ""
        )


def _label(key: str) -> str:
    kind, _, ident = key.partition("/")
    return f"{kind.replace('_', ' ').replace('drawdown', 'draw-down')} {ident}"


def _shown(name: str, value: Any) -> str:
    if name in _SCALES and isinstance(value, int):
        return str(Decimal(value) / _SCALES[name])
    return _canon(value) if not isinstance(value, str) else value


def _current(session: Session) -> Iterator[tuple[str, Fields]]:
    """Every book row as it is now (plain rows, not ORM objects: a book of thousands is read
    in a fraction of the time)."""

    def rows(table: Any) -> Any:
        return session.execute(select(table.__table__).order_by(table.__table__.c.id))

    for a in rows(ApplicationRow):
        yield f"application/{a.id}", _application(a)
    for e in rows(ApplicationEventRow):
        yield f"application_event/{e.id}", _event(e)
    for lic in rows(LicenceRow):
        yield f"licence/{lic.id}", _licence(lic)
    for ln in rows(LicenceLineRow):
        yield f"licence_line/{ln.id}", _line(ln)
    by_dd: dict[int, list[Row[Any]]] = {}
    for dl in rows(DrawdownLineRow):
        by_dd.setdefault(dl.drawdown_id, []).append(dl)
    for dd in rows(DrawdownRow):
        yield f"drawdown/{dd.id}", _drawdown(dd, by_dd.get(dd.id, ()))


def check_book(
    session: Session, recorded: RecordedBook
) -> tuple[list[tuple[int, str]], BookCounts]:
    """Problems as (entry seq, text): rows that differ from, or are missing from, the chain."""
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    counts = dict.fromkeys(("application", "application_event", "licence", "licence_line"), 0)
    counts["drawdown"] = 0
    unchecked = 0
    for key, now in _current(session):
        seen.add(key)
        counts[key.partition("/")[0]] += 1
        entry = recorded.last.get(key)
        if entry is None:
            if _legacy(recorded.legacy, key, now):
                unchecked += 1
            else:
                problems.append((0, f"{_label(key)} is not in the audit log (added outside reec)"))
            continue
        seq, was = entry
        if all(was.get(k, v) == v for k, v in now.items()):
            continue  # the usual case, without serialising anything
        for name in sorted(now):  # a field `was` lacks was not recorded then: not compared
            if name in was and _canon(was[name]) != _canon(now[name]):
                problems.append(
                    (
                        seq,
                        f"{_label(key)}: {name} is {_shown(name, now[name])}; the audit log "
                        f"recorded {_shown(name, was[name])}",
                    )
                )
    for key in sorted(set(recorded.last) - seen, key=lambda k: recorded.last[k][0]):
        problems.append((recorded.last[key][0], f"{_label(key)} is gone from the licence book"))
    problems.extend(_balances(session))
    return problems, BookCounts(
        counts["application"],
        counts["application_event"],
        counts["licence"],
        counts["licence_line"],
        counts["drawdown"],
        unchecked,
    )


def _legacy(named: set[str], key: str, now: Fields) -> bool:
    """A row an entry of before recorded values vouches for: itself, or its application or
    licence, named by such an entry."""
    kind = key.partition("/")[0]
    if kind == "application_event":
        return f"application/{now['application_id']}" in named
    if kind == "licence_line":
        return f"licence/{now['licence_id']}" in named
    return key in named


def _balances(session: Session) -> list[tuple[int, str]]:
    """Each line's drawn totals are the sum of its draw-downs' lines."""
    sums = {
        line_id: (int(q or 0), int(v or 0))
        for line_id, q, v in session.execute(
            select(
                DrawdownLineRow.licence_line_id,
                func.sum(DrawdownLineRow.quantity),
                func.sum(DrawdownLineRow.value),
            ).group_by(DrawdownLineRow.licence_line_id)
        )
    }
    problems = []
    lines = session.execute(select(LicenceLineRow.__table__).order_by(LicenceLineRow.id))
    for ln in lines:
        q, v = sums.get(ln.id, (0, 0))
        if (ln.drawn_quantity, ln.drawn_value) != (q, v):
            problems.append(
                (
                    0,
                    f"licence line {ln.id} (licence {ln.licence_id}): drawn "
                    f"{_shown('quantity', ln.drawn_quantity)} {ln.unit} / "
                    f"{_shown('value', ln.drawn_value)} {ln.currency}, but its draw-downs add "
                    f"up to {_shown('quantity', q)} {ln.unit} / {_shown('value', v)} {ln.currency}",
                )
            )
    return problems
