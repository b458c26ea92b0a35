"""The alerts inbox: new and removed hits, rule changes that alter answers, review clocks.

An alert is raised once per fact (its `dedupe` key), inside the transaction that found it.
Delivery to a webhook happens after the commit: each undelivered alert is POSTed as JSON with
`X-Reec-Timestamp` and `X-Reec-Signature: sha256=HMAC(secret, timestamp + "." + body)`,
retried with a doubling back-off, and the attempts and last error are kept on the alert, so a
later delivery run picks up what failed. Acknowledging is recorded (who, when) and audited.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reec.desk.settings import DeskSettings
from reec.desk.tables import AlertRow
from reec.errors import InputError, RecordNotFoundError, StateTransitionError
from reec.store import audit
from reec.store.db import Store

__all__ = [
    "KINDS",
    "AlertView",
    "Delivery",
    "acknowledge",
    "clock_alerts",
    "deliver",
    "list_alerts",
    "raise_alert",
    "rule_change_alerts",
    "sign",
]

KINDS = ("new_hit", "removed_hit", "rule_change", "review_clock")


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    at: datetime
    kind: str
    subject: str
    message: str
    payload: dict[str, Any]
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    delivered_at: datetime | None
    attempts: int
    last_error: str | None

    def to_dict(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__slots__}
        for f in ("at", "acknowledged_at", "delivered_at"):
            out[f] = out[f].isoformat() if out[f] else None
        return out


def _view(r: AlertRow) -> AlertView:
    return AlertView(
        r.id, r.at, r.kind, r.subject, r.message, dict(r.payload), r.acknowledged_at,
        r.acknowledged_by, r.delivered_at, r.attempts, r.last_error,
    )  # fmt: skip


def raise_alert(
    session: Session, *, kind: str, subject: str, dedupe: str, message: str,
    payload: dict[str, Any],
) -> int | None:  # fmt: skip
    """The new alert's id, or None when the same fact was alerted before."""
    assert kind in KINDS, kind
    dedupe = dedupe[:400]
    if session.scalars(select(AlertRow.id).where(AlertRow.dedupe == dedupe)).first() is not None:
        return None
    row = AlertRow(
        at=datetime.now(UTC), kind=kind, subject=subject[:300], dedupe=dedupe, message=message,
        payload=json.loads(json.dumps(payload, default=str)), attempts=0,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


def list_alerts(
    store: Store, *, open_only: bool = False, kind: str | None = None, limit: int = 500
) -> list[AlertView]:
    if kind is not None and kind not in KINDS:
        raise InputError(f"unknown kind {kind!r} ({', '.join(KINDS)})", field="kind")
    with store.transaction() as s:
        q = select(AlertRow).order_by(AlertRow.id.desc()).limit(limit)
        if open_only:
            q = q.where(AlertRow.acknowledged_at.is_(None))
        if kind is not None:
            q = q.where(AlertRow.kind == kind)
        return [_view(r) for r in s.scalars(q)]


def acknowledge(store: Store, alert_id: int, actor: str, data_version: str) -> AlertView:
    with store.transaction() as s:
        row = s.get(AlertRow, alert_id, with_for_update=True)
        if row is None:
            raise RecordNotFoundError(f"no alert {alert_id}", field="alert")
        if row.acknowledged_at is not None:
            raise StateTransitionError(
                f"alert {alert_id} was acknowledged by {row.acknowledged_by}", field="alert"
            )
        row.acknowledged_at, row.acknowledged_by = datetime.now(UTC), actor
        audit.append(
            s, actor=actor, action="alert.ack", subject=f"alert:{alert_id}",
            payload={"kind": row.kind, "subject": row.subject, "data_version": data_version},
        )  # fmt: skip
        return _view(row)


def clock_alerts(store: Store, today: date, near_days: int) -> list[int]:
    """A `review_clock` alert for each accepted application whose clock is near or past its
    limit (once for near, once for past)."""
    from reec import licensing as lic

    found: list[tuple[str, str, str, dict[str, Any]]] = []
    for app in lic.list_applications(store):
        if app.state not in ("accepted", "clock_stopped"):
            continue
        ac = lic.application_clock(store, app.id, today=today)
        clock = ac.clock
        if clock is None or clock.due is None or clock.remaining is None:
            continue
        if today > clock.due:
            stage, text = "past", f"past its limit: due {clock.due}"
        elif clock.remaining <= near_days:
            stage, text = "near", f"{clock.remaining} working day(s) left, due {clock.due}"
        else:
            continue
        found.append((
            f"application:{app.id}", f"review_clock|{app.id}|{clock.due}|{stage}",
            f"Review clock of application {app.id} ({app.exporter} -> {app.destination}) is "
            f"{text}.",
            {"application": app.id, "due": clock.due, "remaining": clock.remaining,
             "stage": stage, "why": list(ac.why)},
        ))  # fmt: skip
    ids = []
    with store.transaction() as s:
        for subject, dedupe, message, payload in found:
            new = raise_alert(
                s, kind="review_clock", subject=subject, dedupe=dedupe, message=message,
                payload=payload,
            )  # fmt: skip
            if new is not None:
                ids.append(new)
    return ids


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "sha256=" + mac.hexdigest()


Poster = Callable[[str, bytes, dict[str, str], float], int]


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    import httpx

    return httpx.post(url, content=body, headers=headers, timeout=timeout).status_code


@dataclass(frozen=True, slots=True)
class Delivery:
    delivered: int
    failed: int


def deliver(
    store: Store,
    settings: DeskSettings | None = None,
    *,
    post: Poster = _post,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST every undelivered alert to the webhook (nothing when none is configured)."""
    settings = settings or DeskSettings()
    if not settings.webhook_url:
        return Delivery(0, 0)
    with store.transaction() as s:
        pending = [
            _view(r)
            for r in s.scalars(
                select(AlertRow).where(AlertRow.delivered_at.is_(None)).order_by(AlertRow.id)
            )
        ]
    delivered = failed = 0
    for alert in pending:
        body = json.dumps(
            {k: v for k, v in alert.to_dict().items() if k not in ("attempts", "last_error")},
            ensure_ascii=False, sort_keys=True,
        ).encode("utf-8")  # fmt: skip
        error: str | None = None
        tries = 0
        wait = settings.webhook_backoff_seconds
        for tries in range(1, settings.webhook_attempts + 1):
            stamp = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-Reec-Timestamp": stamp,
                       "X-Reec-Alert": str(alert.id)}  # fmt: skip
            if settings.webhook_secret:
                headers["X-Reec-Signature"] = sign(settings.webhook_secret, stamp, body)
            try:
                status = post(settings.webhook_url, body, headers, settings.webhook_timeout_seconds)
                error = None if 200 <= status < 300 else f"HTTP {status}"
            except Exception as exc:  # any transport error is retried, then recorded
                error = f"{type(exc).__name__}: {exc}"[:500]
            if error is None:
                break
            if tries < settings.webhook_attempts:
                sleep(wait)
                wait *= 2
        with store.transaction() as s:
            row = s.get(AlertRow, alert.id)
            assert row is not None
            row.attempts += tries
            row.last_error = error
            if error is None:
                row.delivered_at = datetime.now(UTC)
        delivered += error is None
        failed += error is not None
    return Delivery(delivered, failed)


def rule_change_alerts(store: Store, changes: Sequence[Any], old: str, new: str) -> list[int]:
    """A `rule_change` alert per answer the user holds that the new rule data changes.

    `changes` are the `AnswerChange`s of `reec data impact` (kind, subject, sentence ...), read
    by attribute so the desk does not depend on where that service lives."""
    ids = []
    with store.transaction() as s:
        for c in changes:
            subject = str(getattr(c, "subject", "?"))
            what = str(getattr(c, "what", getattr(c, "field", "")))
            new_id = raise_alert(
                s, kind="rule_change", subject=subject,
                dedupe=f"rule_change|{old}|{new}|{subject}|{what}",
                message=str(getattr(c, "sentence", subject)),
                payload={
                    "kind": getattr(c, "kind", None), "subject": subject, "what": what,
                    "before": getattr(c, "before", None), "after": getattr(c, "after", None),
                    "old_version": old, "new_version": new,
                },
            )  # fmt: skip
            if new_id is not None:
                ids.append(new_id)
    return ids
