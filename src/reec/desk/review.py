"""The hit review queue: every hit and possible match of a desk check becomes a review item;
a reviewer decides `match` or `false_positive` with a reason; later checks apply the decision.

`apply_reviews` is called inside the transaction of a check: it looks each match up by (party
identity, list entry, entry version, party fingerprint), raises a new item when there is none
(marking older decisions on the same party and entry as lapsed, with why), and returns the
screening result as the decisions shape it: a cleared false positive moves to `cleared`, a
confirmed possible match becomes a hit the determination acts on with its policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reec.desk.identity import entry_ident, hit_entry_version, party_key
from reec.desk.tables import ReviewRow
from reec.errors import InputError, RecordNotFoundError, StateTransitionError
from reec.model import Party
from reec.screening.base import ListHit, ScreeningResult
from reec.store import audit
from reec.store.db import Store

__all__ = [
    "DECISIONS",
    "CheckSource",
    "ReviewView",
    "apply_reviews",
    "decide",
    "get_review",
    "list_reviews",
]

Decision = Literal["match", "false_positive"]
DECISIONS: tuple[str, ...] = ("match", "false_positive")
STATUSES: tuple[str, ...] = ("open", "match", "false_positive", "lapsed")


@dataclass(frozen=True, slots=True)
class CheckSource:
    """Where a check came from and who made it: recorded on every item it raises."""

    actor: str
    kind: str
    """shipment or customer"""
    ref: str
    data_version: str
    customer_refs: Mapping[str, str] | None = None
    """party name -> customer-master reference, when the parties come from the master."""


@dataclass(frozen=True, slots=True)
class ReviewView:
    id: int
    status: str
    party_name: str
    party_country: str | None
    party_role: str
    customer_ref: str | None
    list_name: str
    entry_name: str
    announcement: str
    entry_version: str
    kind: str
    score: float
    via_owner: str | None
    features: list[Any]
    explanation: str
    source_kind: str
    source_ref: str
    data_version: str
    raised_at: datetime
    raised_by: str
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    lapsed_why: str | None

    @property
    def note(self) -> str:
        """How a check shows this item: the open item, or who decided what, when and why."""
        when = self.decided_at.date().isoformat() if self.decided_at else "?"
        if self.status == "false_positive":
            return f"cleared by {self.decided_by} on {when}: {self.reason}"
        if self.status == "match":
            return f"confirmed as a match by {self.decided_by} on {when}: {self.reason}"
        if self.status == "lapsed":
            return f"review item #{self.id} lapsed: {self.lapsed_why}"
        return f"review item #{self.id} open (raised by {self.raised_by})"

    def to_dict(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__slots__}
        for f in ("raised_at", "decided_at"):
            out[f] = out[f].isoformat() if out[f] else None
        out["note"] = self.note
        return out


def _view(r: ReviewRow) -> ReviewView:
    return ReviewView(
        r.id, r.status, r.party_name, r.party_country, r.party_role, r.customer_ref,
        r.list_name, r.entry_name, r.announcement, r.entry_version, r.kind, r.score,
        r.via_owner, list(r.features), r.explanation, r.source_kind, r.source_ref,
        r.data_version, r.raised_at, r.raised_by, r.decided_at, r.decided_by, r.reason,
        r.lapsed_why,
    )  # fmt: skip


def _lapse(row: ReviewRow, version: str, fingerprint: str) -> str:
    if row.entry_version != version:
        return "the list entry changed since the decision"
    if row.fingerprint != fingerprint:
        return "the party's name, country or ownership changed since the decision"
    return "superseded"


def _settle(
    session: Session,
    hit: ListHit,
    party: Party | None,
    versions: Mapping[str, str],
    source: CheckSource,
    raise_items: bool,
    auto: bool,
) -> tuple[ReviewRow | None, bool]:
    """The item that settles this match (decided, or open), and whether it was raised now."""
    owners = [(o.name, o.share) for o in party.owners] if party else []
    pk = party_key(hit.party_name, party.country if party else None, _zh(party), owners)
    ident = entry_ident(hit.list_name, hit.announcement, hit.entry_name)
    version = hit_entry_version(hit, versions)
    rows = session.scalars(
        select(ReviewRow)
        .where(ReviewRow.identity == pk.identity[:400], ReviewRow.entry_ident == ident)
        .order_by(ReviewRow.id.desc())
    ).all()
    same = [r for r in rows if r.entry_version == version and r.fingerprint == pk.fingerprint]
    for r in same:
        if r.status in DECISIONS:
            return r, False
    for r in same:
        if r.status == "open":
            return r, False
    if not raise_items:
        return None, False
    now = datetime.now(UTC)
    for r in rows:
        if r.status in DECISIONS:
            r.status, r.lapsed_why = "lapsed", _lapse(r, version, pk.fingerprint)
            audit.append(
                session, actor=source.actor, action="review.lapse", subject=f"review:{r.id}",
                payload={"why": r.lapsed_why, "data_version": source.data_version},
            )  # fmt: skip
    refs = source.customer_refs or {}
    row = ReviewRow(
        identity=pk.identity[:400], fingerprint=pk.fingerprint, party_name=hit.party_name[:300],
        party_country=(party.country or None) if party else None, party_role=hit.role.value,
        customer_ref=refs.get(hit.party_name), entry_ident=ident, entry_version=version,
        list_name=hit.list_name, entry_name=hit.entry_name[:300],
        announcement=hit.announcement[:200],
        kind="hit" if auto else "possible", score=hit.score, via_owner=hit.via_owner,
        features=[dict(f) for f in hit.features], explanation=hit.explanation,
        source_kind=source.kind, source_ref=source.ref[:300],
        data_version=source.data_version, status="open", raised_at=now,
        raised_by=source.actor,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.append(
        session, actor=source.actor, action="review.raise", subject=f"review:{row.id}",
        payload={
            "party": hit.party_name, "entry": ident, "entry_version": version,
            "kind": row.kind, "score": hit.score, "source": f"{source.kind}:{row.source_ref}",
            "data_version": source.data_version,
        },
    )  # fmt: skip
    return row, True


def _zh(party: Party | None) -> str | None:
    return party.name_zh if party else None


def apply_reviews(
    session: Session,
    result: ScreeningResult,
    parties: Sequence[Party],
    versions: Mapping[str, str],
    source: CheckSource,
    *,
    raise_items: bool = True,
) -> tuple[ScreeningResult, list[int]]:
    """The result as the remembered decisions shape it, and the ids of items raised now."""
    by_name = {p.name: p for p in parties}
    hits: list[ListHit] = []
    possible: list[ListHit] = []
    cleared: list[ListHit] = list(result.cleared)
    raised: list[int] = []
    for auto, group in ((True, result.hits), (False, result.possible)):
        for h in group:
            party = by_name.get(h.party_name)
            row, new = _settle(session, h, party, versions, source, raise_items, auto)
            if row is None:
                (hits if auto else possible).append(h)
                continue
            if new:
                raised.append(row.id)
            view = _view(row)
            noted = replace(h, review=view.note)
            if row.status == "false_positive":
                cleared.append(noted)
            elif row.status == "match" or auto:
                hits.append(noted)
            else:
                possible.append(noted)
    shaped = ScreeningResult(
        result.as_of, tuple(hits), tuple(possible), result.lists_checked, tuple(cleared)
    )
    return shaped, sorted(set(raised))


def decide(
    store: Store, review_id: int, decision: str, reason: str, actor: str, data_version: str
) -> ReviewView:
    """Settle an open item. The reason is required: it is what later checks show."""
    if decision not in DECISIONS:
        raise InputError(
            f"unknown decision {decision!r} (match or false_positive)", field="decision"
        )
    reason = reason.strip()
    if not reason:
        raise InputError("a decision needs a reason", field="reason")
    with store.transaction() as s:
        row = s.get(ReviewRow, review_id, with_for_update=True)
        if row is None:
            raise RecordNotFoundError(f"no review item {review_id}", field="review")
        if row.status != "open":
            raise StateTransitionError(
                f"review item {review_id} is {row.status}, not open", field="review"
            )
        row.status, row.reason = decision, reason
        row.decided_at, row.decided_by = datetime.now(UTC), actor
        audit.append(
            s, actor=actor, action="review.decide", subject=f"review:{review_id}",
            payload={
                "decision": decision, "reason": reason, "party": row.party_name,
                "entry": row.entry_ident, "entry_version": row.entry_version,
                "data_version": data_version,
            },
        )  # fmt: skip
        return _view(row)


def get_review(store: Store, review_id: int) -> ReviewView:
    with store.transaction() as s:
        row = s.get(ReviewRow, review_id)
        if row is None:
            raise RecordNotFoundError(f"no review item {review_id}", field="review")
        return _view(row)


def list_reviews(store: Store, status: str | None = None, limit: int = 500) -> list[ReviewView]:
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status {status!r} ({', '.join(STATUSES)})", field="status")
    with store.transaction() as s:
        q = select(ReviewRow).order_by(ReviewRow.id.desc()).limit(limit)
        if status is not None:
            q = q.where(ReviewRow.status == status)
        return [_view(r) for r in s.scalars(q)]
