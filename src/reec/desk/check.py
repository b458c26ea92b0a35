"""Checks made through the desk: the engine's answer, shaped by the review decisions, kept.

A desk determination screens through `DeskScreener` (which raises review items and applies
decisions), stores the determination with its trace in the licence book, and appends one
`determination` entry (key name, data version, verdict, review items raised) to the audit log,
all in one transaction. `desk_screening` does the same for a list of parties.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from reec.desk.identity import entry_versions
from reec.desk.review import CheckSource, apply_reviews
from reec.determine import determine
from reec.determine_readings import list_windows, listed_announcements, screener_under
from reec.licensing.records import (
    KeptRow,
    bind_determinations,
    store_determination,
    store_determinations,
    store_determinations_dbapi,
)
from reec.model import Determination, Party, Shipment
from reec.regime.snapshot import Regime
from reec.screening.base import Screener, ScreeningResult
from reec.store import audit
from reec.store.db import Store

__all__ = [
    "CleanCheck",
    "DeskCheck",
    "DeskScreener",
    "answer_unkept",
    "bind_clean",
    "desk_determination",
    "desk_screening",
    "keep_clean",
    "keep_clean_dbapi",
    "shipment_ref",
]


class DeskScreener:
    """A `Screener` that puts every match through the review queue of one transaction."""

    def __init__(
        self, inner: Screener, session: Session, source: CheckSource, raise_items: bool = True
    ) -> None:
        self.inner, self.session, self.source = inner, session, source
        self.raise_items = raise_items
        self.raised: list[int] = []

    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult:
        result = self.inner.screen(parties, as_of)
        if not (result.hits or result.possible):
            return result  # nothing to review: no lookup
        shaped, raised = apply_reviews(
            self.session, result, parties, entry_versions(self.inner), self.source,
            raise_items=self.raise_items,
        )  # fmt: skip
        self.raised.extend(raised)
        return shaped

    def under_reading(self, reading: str) -> DeskScreener:
        """Another reading (readings.yaml) re-screens the same parties: reviews are applied,
        never raised twice."""
        return DeskScreener(screener_under(self.inner, reading), self.session, self.source, False)

    def reading_windows(self, reading: str) -> tuple[tuple[date, date], ...]:
        return list_windows(self.inner, reading)

    def reading_announcements(self, readings: Collection[str]) -> frozenset[str]:
        return listed_announcements(self.inner, readings)


class _Peek:
    """A screener that remembers whether anything matched, under any reading.

    It answers `under_reading`, `reading_windows` and `reading_announcements` as the screener it
    wraps (so contested list readings come out as through `DeskScreener`), and every screener it
    hands out for another reading sets the same flag."""

    def __init__(self, inner: Screener, seen: list[bool] | None = None) -> None:
        self.inner = inner
        self._seen = seen if seen is not None else [False]

    @property
    def matched(self) -> bool:
        return self._seen[0]

    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult:
        result = self.inner.screen(parties, as_of)
        if result.hits or result.possible:
            self._seen[0] = True
        return result

    def under_reading(self, reading: str) -> _Peek:
        return _Peek(screener_under(self.inner, reading), self._seen)

    def reading_windows(self, reading: str) -> tuple[tuple[date, date], ...]:
        return list_windows(self.inner, reading)

    def reading_announcements(self, readings: Collection[str]) -> frozenset[str]:
        return listed_announcements(self.inner, readings)


def shipment_ref(shipment: Shipment) -> str:
    """A readable reference: exporter -> destination on the day."""
    return f"{shipment.exporter.name} -> {shipment.destination} {shipment.date}"


@dataclass(frozen=True, slots=True)
class DeskCheck:
    determination: Determination
    determination_id: int | None
    """None when the check was not kept (`REEC_DESK_KEEP_CHECKS=false`, no match)."""
    reviews_raised: tuple[int, ...]


def answer_unkept(
    shipment: Shipment, regime: Regime, screener: Screener, as_of: date | None = None
) -> tuple[Determination, bool]:
    """The engine's answer outside any transaction, and whether anything matched under any
    reading (then the answer must be given again through the review queue)."""
    peek = _Peek(screener)
    plain = determine(shipment, regime, as_of=as_of, screener=peek)
    return plain, peek.matched


def desk_determination(
    store: Store,
    shipment_doc: Any,
    shipment: Shipment,
    regime: Regime,
    screener: Screener,
    *,
    actor: str,
    via: str,
    as_of: date | None = None,
    keep: bool = True,
    answered: tuple[Determination, bool] | None = None,
) -> DeskCheck:
    """`keep=False` keeps (and reviews) only a check with a hit or a possible match.

    The engine answers first, outside the transaction: with no match under any reading the
    review queue has nothing to add (`DeskScreener` passes such an answer through unchanged),
    so only the two writes hold the database's write lock. A check with a match is answered
    again inside the transaction, where its review items are raised and decisions applied.
    `answered`: `answer_unkept`'s result when the caller has it already."""
    plain, matched = answered or answer_unkept(shipment, regime, screener, as_of)
    if not matched:
        if not keep:
            return DeskCheck(plain, None, ())
        with store.transaction() as s:
            ids = keep_clean(s, [CleanCheck(shipment_doc, shipment, plain, regime, actor, via)])
        return DeskCheck(plain, ids[0], ())
    with store.transaction() as s:
        source = CheckSource(actor, "shipment", shipment_ref(shipment), regime.version)
        desk = DeskScreener(screener, s, source)
        det = determine(shipment, regime, as_of=as_of, screener=desk)
        kept = _keep(
            s, shipment_doc, shipment, det, regime, actor=actor, via=via, raised=desk.raised
        )
        return DeskCheck(det, kept, tuple(desk.raised))


@dataclass(frozen=True, slots=True)
class CleanCheck:
    """A check without a match under any reading, answered and waiting to be kept."""

    shipment_doc: Any
    shipment: Shipment
    determination: Determination
    regime: Regime
    actor: str
    via: str
    answer: dict[str, Any] | None = None
    """The determination's docs/format.md dict if the caller made it already (the API answers
    with it): the kept row's trace is that dict, not a second one made from `determination`."""


def keep_clean(s: Session, checks: Sequence[CleanCheck]) -> list[int]:
    """Keep checks without a match in the caller's transaction: their determination rows and
    `determination` audit entries (as `_keep` with no review raised), one statement for all
    the rows and one for all the entries; the rows' ids in order."""
    ids = store_determinations(s, _rows(checks))
    audit.append_many(s, _entries(checks, ids))
    return ids


def keep_clean_dbapi(
    cursor: Any,
    dialect: Dialect,
    checks: Sequence[CleanCheck],
    bound: list[list[Any]] | None = None,
) -> list[int]:
    """`keep_clean` on a SQLite driver cursor inside the caller's write transaction: the same
    rows and entries, written without SQLAlchemy (`reec.desk.loop_keeper`). `bound`:
    `bind_clean`'s values, made before the write lock was taken."""
    ids = store_determinations_dbapi(cursor, dialect, _rows(checks), bound)
    audit.append_many_dbapi(cursor, _entries(checks, ids))
    return ids


def bind_clean(dialect: Dialect, checks: Sequence[CleanCheck]) -> list[list[Any]]:
    """The determination rows' values of `checks` for `keep_clean_dbapi`, bound (JSON and all)
    before the write lock is taken."""
    return bind_determinations(dialect, _rows(checks))


def _rows(checks: Sequence[CleanCheck]) -> list[KeptRow]:
    return [(c.shipment_doc, c.determination, c.actor, c.answer) for c in checks]


def _entries(checks: Sequence[CleanCheck], ids: Sequence[int]) -> list[audit.Entry]:
    return [
        audit.Entry(c.actor, "determination", f"determination:{kept}",
                    _entry_payload(c.shipment, c.determination, c.regime, c.via, []))
        for c, kept in zip(checks, ids, strict=True)
    ]  # fmt: skip


def _entry_payload(
    shipment: Shipment, det: Determination, regime: Regime, via: str, raised: list[int]
) -> dict[str, Any]:
    return {
        "shipment": shipment_ref(shipment), "verdict": det.verdict.value,
        "licence_policy": det.licence_policy.value if det.licence_policy else None,
        "as_of": det.as_of, "data_version": regime.version, "via": via,
        "reviews_raised": raised,
    }  # fmt: skip


def _keep(
    s: Session,
    shipment_doc: Any,
    shipment: Shipment,
    det: Determination,
    regime: Regime,
    *,
    actor: str,
    via: str,
    raised: list[int],
) -> int:
    """The determination row and its `determination` audit entry; the row's id."""
    kept = store_determination(s, shipment_doc, det, actor)
    payload = _entry_payload(shipment, det, regime, via, raised)
    audit.append(s, actor=actor, action="determination", subject=f"determination:{kept}",
                 payload=payload)  # fmt: skip
    return kept


def desk_screening(
    store: Store,
    parties: Sequence[Party],
    as_of: date,
    screener: Screener,
    source: CheckSource,
    *,
    via: str,
) -> tuple[ScreeningResult, tuple[int, ...]]:
    with store.transaction() as s:
        desk = DeskScreener(screener, s, source)
        result = desk.screen(parties, as_of)
        audit.append(
            s, actor=source.actor, action="screening", subject=f"{source.kind}:{source.ref}"[:100],
            payload={
                "parties": [p.name for p in parties][:50], "as_of": as_of,
                "hits": len(result.hits), "possible": len(result.possible),
                "cleared": len(result.cleared), "data_version": source.data_version,
                "via": via, "reviews_raised": desk.raised,
            },
        )  # fmt: skip
        return result, tuple(desk.raised)
