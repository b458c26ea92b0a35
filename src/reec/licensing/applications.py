"""Licence applications: created from a determination, moved through MOFCOM's procedure.

States (DUR Arts. 16-17): draft -> submitted -> accepted -> (clock_stopped <-> accepted) ->
approved | refused | withdrawn. Every transition is a new row in `application_events` with who,
when (wall clock) and the legal day it happened on; nothing is updated in place but the cached
`state`. The review clock (`application_clock`) is computed from those events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reec.errors import InputError, StateTransitionError
from reec.input_limits import MAX_TEXT
from reec.licensing.clock import Clock, ClockStop, review_clock
from reec.licensing.limits import ProceduralLimits, procedural_limits
from reec.licensing.records import get_row, now, store_determination
from reec.model import Determination, Outcome, PartyRole, Shipment, Verdict
from reec.regime.calendar import WorkingCalendar
from reec.store import audit
from reec.store.audit_book import application_rows
from reec.store.db import Store
from reec.store.settings import ClockStart
from reec.store.tables import ApplicationEventRow, ApplicationRow, LicenceRow

__all__ = [
    "ApplicationClock",
    "ApplicationEvent",
    "ApplicationView",
    "application_clock",
    "count_applications",
    "create_application",
    "get_application",
    "key_elements",
    "list_applications",
    "transition",
]

LicenceKind = Literal["individual", "general"]
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft"}), "submitted"),
    "accept": (frozenset({"submitted"}), "accepted"),
    "stop_clock": (frozenset({"accepted"}), "clock_stopped"),
    "resume_clock": (frozenset({"clock_stopped"}), "accepted"),
    "approve": (frozenset({"accepted"}), "approved"),
    "refuse": (frozenset({"accepted", "clock_stopped"}), "refused"),
    "withdraw": (frozenset({"draft", "submitted", "accepted", "clock_stopped"}), "withdrawn"),
}


@dataclass(frozen=True, slots=True)
class ApplicationEvent:
    action: str
    from_state: str | None
    to_state: str
    on_date: date
    actor: str
    detail: str | None


@dataclass(frozen=True, slots=True)
class ApplicationView:
    id: int
    kind: str
    licence_kind: str
    state: str
    determination_id: int
    exporter: str
    destination: str
    end_users: tuple[str, ...]
    end_uses: tuple[str, ...]
    items: tuple[dict[str, Any], ...]
    certificates: tuple[str, ...]
    no_time_limit: str | None
    changes_licence_id: int | None
    events: tuple[ApplicationEvent, ...]


def _items(det: Determination, shipment: Shipment) -> list[dict[str, Any]]:
    by_id = {i.id: i for i in shipment.items}
    out = []
    for d in det.items:
        if d.verdict is not Verdict.LICENCE_REQUIRED:
            continue
        item = by_id[d.id]
        out.append(
            {
                "id": item.id,
                "description": item.description,
                "control_codes": list(d.control_codes),
                "quantity": str(item.quantity.amount) if item.quantity else "0",
                "unit": item.quantity.unit if item.quantity else "",
                "value": str(item.value.amount),
                "currency": item.value.currency,
            }
        )
    return out


def key_elements(
    items: list[Any], destination: str, end_users: list[Any], end_uses: list[Any]
) -> dict[str, Any]:
    """The Art. 18 key elements, comparable between an application and a licence."""
    return {
        "item": sorted({c for i in items for c in i["control_codes"]}),
        "destination": destination,
        "end_user": sorted(str(u).casefold() for u in end_users),
        "end_use": sorted(end_uses),
    }


def create_application(
    store: Store,
    *,
    shipment_doc: Any,
    shipment: Shipment,
    determination: Determination,
    actor: str,
    licence_kind: LicenceKind = "individual",
    certificates: tuple[str, ...] = (),
    state_council: bool = False,
    changes_licence_id: int | None = None,
    limits: ProceduralLimits | None = None,
) -> ApplicationView:
    """A draft application for what the determination says needs a licence."""
    lim = limits or procedural_limits()
    if determination.verdict is not Verdict.LICENCE_REQUIRED:
        raise InputError(
            f"the shipment needs no licence on {determination.as_of} "
            f"({determination.verdict.value}): nothing to apply for",
            field="shipment",
        )
    items = _items(determination, shipment)
    end_users = [p.name for p in shipment.parties if p.role is PartyRole.END_USER]
    end_uses = [e.value for e in shipment.end_uses]
    no_limit = None
    if state_council:
        no_limit = "State Council / CMC approval case: not bound by the limit (DUR Art. 17(2))"
    elif any(
        r.rule == "watch-list-party" and r.outcome == Outcome.APPLIES for r in determination.reasons
    ):
        c = lim.no_limit_citation
        no_limit = f"Watch List importer or end user: no review time limit ({c.clause}(2))"
    with store.transaction() as s:
        if changes_licence_id is not None:
            lic = get_row(s, LicenceRow, changes_licence_id, "licence")
            old = key_elements(
                [{"control_codes": c} for c in _licence_codes(s, lic.id)],
                lic.destination,
                lic.end_users,
                lic.end_uses,
            )
            new = key_elements(items, shipment.destination, end_users, end_uses)
            changed = [k for k in lim.key_elements if old.get(k) != new.get(k)]
            if changed:
                raise InputError(
                    f"key element(s) {', '.join(changed)} differ from licence {lic.number}: "
                    "that needs a new licence application, not a change "
                    f"({lim.change_review_working_days.citation.announcement} Art. 18)",
                    field="--changes",
                )
        det_row_id = store_determination(s, shipment_doc, determination, actor)
        row = ApplicationRow(
            created_at=now(),
            created_by=actor,
            kind="change" if changes_licence_id is not None else "new",
            licence_kind=licence_kind,
            state="draft",
            determination_id=det_row_id,
            exporter=shipment.exporter.name,
            destination=shipment.destination,
            end_users=end_users,
            end_uses=end_uses,
            items=items,
            certificates=list(certificates),
            no_time_limit=no_limit,
            changes_licence_id=changes_licence_id,
        )
        s.add(row)
        s.flush()
        event = _event(row.id, "create", None, "draft", determination.as_of, actor, None)
        s.add(event)
        s.flush()
        audit.append(
            s,
            actor=actor,
            action="application.create",
            subject=f"application/{row.id}",
            payload={
                "determination": det_row_id,
                "items": items,
                "kind": row.kind,
                "rows": application_rows(row, event),
            },
        )
        return _view(s, row)


def _licence_codes(s: Session, licence_id: int) -> list[list[str]]:
    from reec.store.tables import LicenceLineRow

    rows = s.scalars(select(LicenceLineRow).where(LicenceLineRow.licence_id == licence_id))
    return [list(r.control_codes) for r in rows]


def _event(
    app_id: int, action: str, frm: str | None, to: str, on: date, actor: str, detail: str | None
) -> ApplicationEventRow:
    return ApplicationEventRow(
        application_id=app_id,
        action=action,
        from_state=frm,
        to_state=to,
        on_date=on,
        at=now(),
        actor=actor,
        detail=detail,
    )


def transition(
    store: Store,
    app_id: int,
    action: str,
    *,
    on_date: date,
    actor: str,
    detail: str | None = None,
    limits: ProceduralLimits | None = None,
) -> ApplicationView:
    """Apply one action; refuse (StateTransitionError) anything the procedure does not allow."""
    if action not in TRANSITIONS:
        raise InputError(f"unknown action {action!r} ({', '.join(TRANSITIONS)})", field="action")
    allowed_from, to_state = TRANSITIONS[action]
    if detail is not None and len(detail) > MAX_TEXT:
        raise InputError(f"a note is at most {MAX_TEXT} characters", field="note")
    if action == "stop_clock":
        kinds = (limits or procedural_limits()).stop_kinds
        if detail not in kinds:
            raise InputError(
                f"a clock stop is one of {', '.join(kinds)} (DUR Art. 17(3)); got {detail!r}",
                field="kind",
            )
    with store.transaction() as s:
        row = s.scalars(
            select(ApplicationRow).where(ApplicationRow.id == app_id).with_for_update()
        ).one_or_none()
        if row is None:
            get_row(s, ApplicationRow, app_id, "application")
            raise AssertionError  # unreachable: get_row raised
        if row.state not in allowed_from:
            raise StateTransitionError(
                f"application {app_id} is {row.state}; {action} needs it to be "
                f"{' or '.join(sorted(allowed_from))}",
                field="state",
            )
        last = _events(s, app_id)[-1]
        if last.action != "create" and on_date < last.on_date:
            raise InputError(
                f"{action} on {on_date} is before the last event ({last.action} on {last.on_date})",
                field="--on",
            )
        event = _event(app_id, action, row.state, to_state, on_date, actor, detail)
        s.add(event)
        row.state = to_state
        s.flush()
        audit.append(
            s,
            actor=actor,
            action=f"application.{action}",
            subject=f"application/{app_id}",
            payload={
                "on": on_date.isoformat(),
                "to": to_state,
                "detail": detail,
                "rows": application_rows(row, event),
            },
        )
        s.flush()
        return _view(s, row)


def _events(s: Session, app_id: int) -> list[ApplicationEventRow]:
    q = select(ApplicationEventRow).where(ApplicationEventRow.application_id == app_id)
    return list(s.scalars(q.order_by(ApplicationEventRow.id)))


def _view(s: Session, row: ApplicationRow) -> ApplicationView:
    return ApplicationView(
        id=row.id,
        kind=row.kind,
        licence_kind=row.licence_kind,
        state=row.state,
        determination_id=row.determination_id,
        exporter=row.exporter,
        destination=row.destination,
        end_users=tuple(row.end_users),
        end_uses=tuple(row.end_uses),
        items=tuple(row.items),
        certificates=tuple(row.certificates),
        no_time_limit=row.no_time_limit,
        changes_licence_id=row.changes_licence_id,
        events=tuple(
            ApplicationEvent(e.action, e.from_state, e.to_state, e.on_date, e.actor, e.detail)
            for e in _events(s, row.id)
        ),
    )


def get_application(store: Store, app_id: int) -> ApplicationView:
    with store.transaction() as s:
        return _view(s, get_row(s, ApplicationRow, app_id, "application"))


def list_applications(
    store: Store, *, limit: int | None = None, offset: int = 0, newest_first: bool = False
) -> list[ApplicationView]:
    """Applications in a stable order (by id; `newest_first` reverses it), one page of `limit`
    after `offset` when a limit is given (the list pages and `GET /v1/applications`)."""
    order = ApplicationRow.id.desc() if newest_first else ApplicationRow.id
    q = select(ApplicationRow).order_by(order).offset(offset).limit(limit)
    with store.transaction() as s:
        return [_view(s, r) for r in s.scalars(q)]


def count_applications(store: Store) -> int:
    with store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(ApplicationRow)) or 0)


_DECISIONS = ("approve", "refuse", "withdraw")


@dataclass(frozen=True, slots=True)
class ApplicationClock:
    application: ApplicationView
    accepted: date | None
    clock: Clock | None
    why: tuple[str, ...]
    decided: date | None = None
    """The day MOFCOM approved or refused it, or it was withdrawn: the clock counts no further."""
    today: date | None = None
    """The day the clock was read on."""

    @property
    def overdue(self) -> bool:
        """Undecided past its due date (Art. 17's limit has run out)."""
        due = self.clock.due if self.clock else None
        return (
            self.decided is None and due is not None and self.today is not None and self.today > due
        )


def application_clock(
    store: Store,
    app_id: int,
    *,
    today: date,
    start: ClockStart = "next_working_day",
    limits: ProceduralLimits | None = None,
    calendar: WorkingCalendar | None = None,
    application: ApplicationView | None = None,
) -> ApplicationClock:
    """The due date and why: limit, first counted day, stops excluded, calendar used.
    `application`: the application already read (a list page), else it is read by id.

    Never fails on the calendar: a count into a year without its State Council notice gives a
    provisional due date (`clock.provisional` and the last lines of `why` say why)."""
    lim = limits or procedural_limits()
    app = application if application is not None else get_application(store, app_id)
    accepted = next((e.on_date for e in app.events if e.action == "accept"), None)
    if accepted is None:
        return ApplicationClock(app, None, None, ("Not accepted yet: the clock has not started.",))
    stops: list[ClockStop] = []
    for e in app.events:
        if e.action == "stop_clock":
            stops.append(ClockStop(e.detail or "", e.on_date))
        elif e.action in ("resume_clock", "refuse", "withdraw") and stops and stops[-1].end is None:
            stops[-1] = ClockStop(stops[-1].kind, stops[-1].start, e.on_date)
    limit_src = lim.change_review_working_days if app.kind == "change" else lim.review_working_days
    limit = None if app.no_time_limit else limit_src.value
    decided = next((e.on_date for e in app.events if e.action in _DECISIONS), None)
    counted_to = min(today, decided) if decided else today
    clock = review_clock(accepted, limit, stops, start=start, today=counted_to, calendar=calendar)
    why = [f"Accepted on {accepted}; first counted working day {clock.first_day} ({start})."]
    if limit is None:
        why.append(f"No time limit: {app.no_time_limit}.")
    else:
        c = limit_src.citation
        why.append(
            f"Limit: {limit} working days ({c.announcement} {c.clause}), statutory holidays "
            f"excluded and make-up working days counted ({clock.calendar})."
        )
    for st in stops:
        until = f"resumed {st.end}" if st.end else "still stopped"
        why.append(
            f"Clock stopped for {st.kind} from {st.start}, {until}: not counted (Art. 17(3))."
        )
    if clock.due is not None:
        why.append(
            f"Day {limit} is {clock.due}; {clock.used} of {limit} working days used as of "
            f"{counted_to}."
        )
    elif clock.stopped_since is not None and limit is not None:
        why.append(
            f"{clock.used} of {limit} working days used; the due date moves once the clock resumes."
        )
    why.extend(f"Provisional: {reason}." for reason in clock.provisional)
    if decided is not None and decided <= today:
        why.append(f"Decided on {decided}: the clock stopped there.")
    elif clock.due is not None and today > clock.due:
        why.append(f"Overdue: no decision by {clock.due}, the last day of the limit.")
    return ApplicationClock(
        app, accepted, clock, tuple(why), decided if decided and decided <= today else None, today
    )
