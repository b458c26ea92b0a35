"""Response models of the licence book (applications, clocks, licences, draw-downs, release)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import Field

from reec import licensing as lic
from reec.api.schemas import Out

__all__ = [
    "ApplicationOut",
    "AuditHeadOut",
    "AuditOut",
    "AuditProblemOut",
    "ClockOut",
    "DrawdownOut",
    "DrawnLineOut",
    "EventOut",
    "LicenceOut",
    "LineOut",
    "ReleaseOut",
    "RemarkOut",
    "application_out",
    "licence_out",
]


class EventOut(Out):
    action: str = Field(examples=["accept"])
    from_state: str | None = Field(examples=["submitted"])
    to_state: str = Field(examples=["accepted"])
    on_date: date = Field(examples=["2025-06-05"])
    actor: str = Field(
        description="Name of the API key (or user) that acted.", examples=["mofcom-desk"]
    )
    detail: str | None = Field(examples=[None])


class ClockOut(Out):
    limit: int | None = Field(description="Working days allowed.", examples=[45])
    first_day: date = Field(examples=["2025-06-06"])
    due: date | None = Field(examples=["2025-08-08"])
    used: int = Field(examples=[12])
    remaining: int | None = Field(examples=[33])
    stopped_since: date | None = Field(examples=[None])
    excluded_days: int = Field(description="Days not counted (stops).", examples=[0])
    calendar: str = Field(
        examples=[
            "State Council holiday notices 2025, 2026 (rule data); other years: holidays 0.109 "
            "(China, statutory days), provisional"
        ]
    )
    provisional: bool = Field(
        description="The count runs over a year whose State Council holiday notice is not in "
        "the rule data: counted on weekends and statutory holidays, so the dates may move.",
        examples=[False],
    )
    provisional_reasons: list[str] = Field(examples=[[]])


class ApplicationOut(Out):
    id: int = Field(examples=[1])
    kind: str = Field(examples=["new"])
    licence_kind: str = Field(examples=["individual"])
    state: str = Field(examples=["accepted"])
    determination_id: int = Field(examples=[1])
    exporter: str = Field(examples=["Ganzhou Example Rare Earth Co., Ltd."])
    destination: str = Field(examples=["DE"])
    end_users: list[str] = Field(examples=[["Example Magnetwerke GmbH"]])
    end_uses: list[str] = Field(examples=[["civil"]])
    items: list[dict[str, Any]] = Field(
        examples=[[{"item_ref": "L1", "control_codes": ["1C905.b"]}]]
    )
    certificates: list[str] = Field(examples=[["EUC-2025-0042"]])
    no_time_limit: str | None = Field(examples=[None])
    changes_licence_id: int | None = Field(examples=[None])
    events: list[EventOut] = Field(examples=[[]])
    accepted: date | None = Field(examples=["2025-06-05"])
    clock: ClockOut | None = Field(examples=[None])
    clock_why: list[str] = Field(
        description="How the due date was reached.",
        examples=[["Accepted on 2025-06-05; first counted working day 2025-06-06."]],
    )


class LineOut(Out):
    id: int = Field(examples=[1])
    item_ref: str = Field(examples=["L1"])
    description: str = Field(examples=["Dysprosium oxide, 99.9 %"])
    control_codes: list[str] = Field(examples=[["1C905.b"]])
    unit: str = Field(examples=["kg"])
    quantity: Decimal = Field(examples=["100"])
    drawn_quantity: Decimal = Field(examples=["40"])
    remaining_quantity: Decimal = Field(examples=["60"])
    currency: str = Field(examples=["USD"])
    value: Decimal = Field(examples=["48000"])
    drawn_value: Decimal = Field(examples=["19200"])
    remaining_value: Decimal = Field(examples=["28800"])


class LicenceOut(Out):
    id: int = Field(examples=[1])
    number: str = Field(examples=["REEC-2025-000001"])
    application_id: int = Field(examples=[1])
    kind: str = Field(examples=["individual"])
    status: str = Field(examples=["valid"])
    exporter: str = Field(examples=["Ganzhou Example Rare Earth Co., Ltd."])
    destination: str = Field(examples=["DE"])
    end_users: list[str] = Field(examples=[["Example Magnetwerke GmbH"]])
    end_uses: list[str] = Field(examples=[["civil"]])
    valid_from: date = Field(examples=["2025-08-01"])
    valid_until: date = Field(examples=["2026-07-31"])
    lines: list[LineOut] = Field(examples=[[]])
    drawdowns: int = Field(examples=[2])


class DrawnLineOut(Out):
    item_ref: str = Field(examples=["L1"])
    quantity: Decimal = Field(examples=["40"])
    value: Decimal = Field(examples=["19200"])


class DrawdownOut(Out):
    id: int = Field(examples=[3])
    determination_id: int = Field(examples=[7])
    keep_records_until: date = Field(examples=["2030-08-01"])
    lines: list[DrawnLineOut] = Field(examples=[[]])
    licence: LicenceOut = Field(
        description="The licence after the draw-down.",
        examples=[
            {
                "id": 1,
                "number": "REEC-2025-000001",
                "application_id": 1,
                "kind": "individual",
                "status": "valid",
                "exporter": "Example Co.",
                "destination": "DE",
                "end_users": ["Example Magnetwerke GmbH"],
                "end_uses": ["civil"],
                "valid_from": "2025-08-01",
                "valid_until": "2026-07-31",
                "lines": [],
                "drawdowns": 1,
            }
        ],
    )


class RemarkOut(Out):
    item: str = Field(examples=["L1"])
    remark: str = Field(examples=["1C905.b; form oxide; Dy 87.1%, O 12.9%"])


class ReleaseOut(Out):
    released: bool = Field(examples=[True])
    verdict: str = Field(examples=["LICENCE_REQUIRED"])
    reasons: list[str] = Field(examples=[["Licence REEC-2025-000001 covers the shipment."]])
    remarks: list[RemarkOut] = Field(examples=[[]])
    drawdown_id: int | None = Field(examples=[3])
    answer_questioning_by: date | None = Field(examples=[None])


class AuditProblemOut(Out):
    seq: int = Field(examples=[12])
    problem: str = Field(examples=["hash does not match the entry's content (edited?)"])


class AuditOut(Out):
    ok: bool = Field(examples=[True])
    entries: int = Field(examples=[42])
    last_hash: str = Field(
        examples=["9f2c1e0b7d6a5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3"]
    )
    problems: list[AuditProblemOut] = Field(examples=[[]])
    keyed: bool = Field(
        default=False,
        description="The head's HMAC was checked with REEC_AUDIT_KEY.",
        examples=[True],
    )
    guarantees: list[str] = Field(
        default_factory=list,
        description="What this verification proves and what it could not (docs/security.md).",
        examples=[["chain: 42 entries, each unedited, none inserted or removed before the head"]],
    )


class AuditHeadOut(Out):
    """An exported head: keep it elsewhere; `?head_seq=&head_hash=` checks the chain holds it."""

    seq: int = Field(examples=[42])
    hash: str = Field(examples=["9f2c1e0b7d6a5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3"])
    at: str = Field(examples=["2026-12-01T09:30:00.123456+00:00"])


def application_out(c: lic.ApplicationClock) -> ApplicationOut:
    a = c.application
    clock = None
    if c.clock is not None:
        k = c.clock
        clock = ClockOut(
            limit=k.limit,
            first_day=k.first_day,
            due=k.due,
            used=k.used,
            remaining=k.remaining,
            stopped_since=k.stopped_since,
            excluded_days=k.excluded_days,
            calendar=k.calendar,
            provisional=bool(k.provisional),
            provisional_reasons=list(k.provisional),
        )
    return ApplicationOut(
        id=a.id,
        kind=a.kind,
        licence_kind=a.licence_kind,
        state=a.state,
        determination_id=a.determination_id,
        exporter=a.exporter,
        destination=a.destination,
        end_users=list(a.end_users),
        end_uses=list(a.end_uses),
        items=[dict(i) for i in a.items],
        certificates=list(a.certificates),
        no_time_limit=a.no_time_limit,
        changes_licence_id=a.changes_licence_id,
        events=[
            EventOut(
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                on_date=e.on_date,
                actor=e.actor,
                detail=e.detail,
            )
            for e in a.events
        ],
        accepted=c.accepted,
        clock=clock,
        clock_why=list(c.why),
    )


def licence_out(v: lic.LicenceView) -> LicenceOut:
    return LicenceOut(
        id=v.id,
        number=v.number,
        application_id=v.application_id,
        kind=v.kind,
        status=v.status,
        exporter=v.exporter,
        destination=v.destination,
        end_users=list(v.end_users),
        end_uses=list(v.end_uses),
        valid_from=v.valid_from,
        valid_until=v.valid_until,
        drawdowns=v.drawdowns,
        lines=[
            LineOut(
                id=ln.id,
                item_ref=ln.item_ref,
                description=ln.description,
                control_codes=list(ln.control_codes),
                unit=ln.unit,
                quantity=ln.quantity,
                drawn_quantity=ln.drawn_quantity,
                remaining_quantity=ln.quantity - ln.drawn_quantity,
                currency=ln.currency,
                value=ln.value,
                drawn_value=ln.drawn_value,
                remaining_value=ln.value - ln.drawn_value,
            )
            for ln in v.lines
        ],
    )
