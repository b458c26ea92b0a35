"""Applications, licences, draw-downs, customs release and audit: the licence book over HTTP.

Thin over `reec.licensing` (the licensing service layer): each write runs the engine on the
shipment given, then one service call with the API key's name as the actor.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from reec import licensing as lic
from reec.api.auth import PERMISSIONS, Permission, Principal, current_key, require
from reec.api.deps import RegimeDep, ScreenerDep, StoreDep
from reec.api.errors import PermissionDeniedError
from reec.api.examples import EXAMPLE_01
from reec.api.licensing_schemas import (
    ApplicationOut,
    AuditHeadOut,
    AuditOut,
    DrawdownOut,
    LicenceOut,
    ReleaseOut,
    application_out,
    licence_out,
)
from reec.api.paging import API_LIMIT, API_MAX_LIMIT, link_header
from reec.api.schemas import responses
from reec.determine import determine
from reec.errors import InputError
from reec.input_limits import MAX_TEXT
from reec.model import Determination, Shipment
from reec.regime.snapshot import Regime
from reec.screening.base import Screener
from reec.shipment_input import ShipmentIn, shipment_from_input
from reec.store import audit as audit_log
from reec.store.settings import StoreSettings
from reec.today import today_in_china

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["licensing"])

Limit = Annotated[
    int, Query(ge=1, le=API_MAX_LIMIT, description=f"Records per page (at most {API_MAX_LIMIT}).")
]
Offset = Annotated[
    int, Query(ge=0, le=2**31 - 1, description="Records to skip (the `Link` header's next).")
]


def _paged(request: Request, response: Response, offset: int, limit: int, total: int) -> None:
    """`X-Total-Count` and `Link` (rel next / prev) on a list answer."""
    response.headers["X-Total-Count"] = str(total)
    links = link_header(request.url, offset, limit, total)
    if links:
        response.headers["Link"] = links


Id = Annotated[int, Path(ge=1, le=2**62)]
Action = Literal["submit", "accept", "stop_clock", "resume_clock", "approve", "refuse", "withdraw"]
ACTION_PERMISSION: dict[str, Permission] = {
    "submit": Permission.APPLY,
    "withdraw": Permission.APPLY,
    "accept": Permission.DECIDE,
    "stop_clock": Permission.DECIDE,
    "resume_clock": Permission.DECIDE,
    "approve": Permission.DECIDE,
    "refuse": Permission.DECIDE,
}
Errors = responses(401, 403, 404, 409, 413, 422, 503)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ApplicationIn(_In):
    shipment: ShipmentIn = Field(examples=[EXAMPLE_01])
    as_of: date | None = Field(default=None, description="Determine as of this day.")
    licence_kind: Literal["individual", "general"] = "individual"
    certificates: list[str] = Field(default=[], max_length=50, examples=[["EUC-2025-0042"]])
    state_council: bool = Field(default=False, description="A State Council / CMC case.")
    changes_licence_id: int | None = Field(default=None, ge=1, le=2**62)


class EventIn(_In):
    action: Action = Field(examples=["accept"])
    on_date: date | None = Field(default=None, description="Legal date (default: today in China).")
    note: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="Kept with the event; for stop_clock the kind: identification, "
        "expert_review or on_site_check.",
    )


class LicenceIn(_In):
    application_id: int = Field(ge=1, le=2**62, examples=[1])
    valid_from: date | None = Field(default=None, description="Default: today in China.")
    valid_until: date | None = None
    scale: Decimal = Field(default=Decimal(1), gt=0, le=1000, examples=[1])


class ShipmentUse(_In):
    shipment: ShipmentIn = Field(examples=[EXAMPLE_01])
    as_of: date | None = None
    shipment_ref: str = Field(default="", max_length=200, examples=["INV-2025-0601"])


class ReleaseIn(ShipmentUse):
    licence_id: int | None = Field(default=None, ge=1, le=2**62)
    questioned_on: date | None = Field(default=None, description="Date of a questioning notice.")


def _engine(
    doc: ShipmentIn, as_of: date | None, regime: Regime, screener: Screener
) -> tuple[Any, Shipment, Determination]:
    shipment = shipment_from_input(doc, files=False)
    det = determine(shipment, regime, as_of=as_of, screener=screener)
    return doc.model_dump(mode="json", exclude_unset=True), shipment, det


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationOut,
    responses=Errors,
    summary="Draft an application from a shipment's determination",
)
def create_application(
    body: ApplicationIn,
    store: StoreDep,
    regime: RegimeDep,
    screener: ScreenerDep,
    key: Annotated[Principal, Depends(require(Permission.APPLY))],
) -> ApplicationOut:
    raw, shipment, det = _engine(body.shipment, body.as_of, regime, screener)
    view = lic.create_application(
        store,
        shipment_doc=raw,
        shipment=shipment,
        determination=det,
        actor=key.name,
        licence_kind=body.licence_kind,
        certificates=tuple(body.certificates),
        state_council=body.state_council,
        changes_licence_id=body.changes_licence_id,
    )
    return application_out(
        lic.application_clock(
            store,
            view.id,
            today=today_in_china(),
            start=StoreSettings().clock_start,
            calendar=regime.calendar,
        )
    )


@router.get(
    "/applications",
    response_model=list[ApplicationOut],
    responses=Errors,
    summary="Applications with their review clocks, one page at a time",
)
def list_applications(
    request: Request,
    response: Response,
    store: StoreDep,
    regime: RegimeDep,
    _key: Annotated[Principal, Depends(require(Permission.READ_BOOK))],
    limit: Limit = API_LIMIT,
    offset: Offset = 0,
) -> list[ApplicationOut]:
    """Oldest first, by id. `X-Total-Count` holds how many there are and `Link` the next and
    previous pages. A clock that runs into a year without its holiday notice is provisional,
    never an error."""
    start, cal, today = StoreSettings().clock_start, regime.calendar, today_in_china()
    limits = lic.procedural_limits()
    _paged(request, response, offset, limit, lic.count_applications(store))
    return [
        application_out(
            lic.application_clock(
                store, a.id, today=today, start=start, limits=limits, calendar=cal, application=a
            )
        )
        for a in lic.list_applications(store, limit=limit, offset=offset)
    ]


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    responses=Errors,
    summary="One application, its events and its review clock",
)
def get_application(
    application_id: Id,
    store: StoreDep,
    regime: RegimeDep,
    _key: Annotated[Principal, Depends(require(Permission.READ_BOOK))],
    today: Annotated[date | None, Query(description="Count the clock up to this day.")] = None,
) -> ApplicationOut:
    return application_out(
        lic.application_clock(
            store,
            application_id,
            today=today or today_in_china(),
            start=StoreSettings().clock_start,
            calendar=regime.calendar,
        )
    )


@router.post(
    "/applications/{application_id}/events",
    response_model=ApplicationOut,
    responses=Errors,
    summary="Move an application: submit, accept, approve, ...",
)
def application_event(
    application_id: Id,
    body: EventIn,
    store: StoreDep,
    regime: RegimeDep,
    key: Annotated[Principal, Depends(current_key)],
) -> ApplicationOut:
    """`submit` and `withdraw` need the applicant role; `accept`, `stop_clock`,
    `resume_clock`, `approve` and `refuse` need the reviewer role."""
    permission = ACTION_PERMISSION[body.action]
    if not key.roles & PERMISSIONS[permission]:
        roles = ", ".join(sorted(PERMISSIONS[permission]))
        raise PermissionDeniedError(
            f"key {key.name!r} may not {body.action.replace('_', ' ')} an application: that "
            f"needs the role {roles}",
            field="action",
        )
    lic.transition(
        store,
        application_id,
        body.action,
        on_date=body.on_date or today_in_china(),
        actor=key.name,
        detail=body.note,
    )
    return application_out(
        lic.application_clock(
            store,
            application_id,
            today=today_in_china(),
            start=StoreSettings().clock_start,
            calendar=regime.calendar,
        )
    )


@router.post(
    "/licences",
    status_code=201,
    response_model=LicenceOut,
    responses=Errors,
    summary="Record the licence issued on an approved application",
)
def issue_licence(
    body: LicenceIn,
    store: StoreDep,
    regime: RegimeDep,
    key: Annotated[Principal, Depends(require(Permission.DECIDE))],
) -> LicenceOut:
    view = lic.issue(
        store,
        body.application_id,
        actor=key.name,
        valid_from=body.valid_from or today_in_china(),
        valid_until=body.valid_until,
        scale=body.scale,
        regime_version=regime.version,
    )
    return licence_out(view)


@router.get(
    "/licences",
    response_model=list[LicenceOut],
    responses=Errors,
    summary="The licence book: licences with what is left on each line, one page at a time",
)
def list_licences(
    request: Request,
    response: Response,
    store: StoreDep,
    _key: Annotated[Principal, Depends(require(Permission.READ_BOOK))],
    limit: Limit = API_LIMIT,
    offset: Offset = 0,
) -> list[LicenceOut]:
    """Oldest first, by id; `X-Total-Count` and `Link` as for the applications."""
    _paged(request, response, offset, limit, lic.count_licences(store))
    return [licence_out(v) for v in lic.list_licences(store, limit=limit, offset=offset)]


@router.get(
    "/licences/{licence_id}",
    response_model=LicenceOut,
    responses=Errors,
    summary="One licence with what is drawn and what remains",
)
def get_licence(
    licence_id: Id,
    store: StoreDep,
    _key: Annotated[Principal, Depends(require(Permission.READ_BOOK))],
) -> LicenceOut:
    return licence_out(lic.get_licence(store, licence_id))


@router.post(
    "/licences/{licence_id}/drawdowns",
    status_code=201,
    response_model=DrawdownOut,
    responses=Errors,
    summary="Draw a shipment down from a licence",
)
def draw(
    licence_id: Id,
    body: ShipmentUse,
    store: StoreDep,
    regime: RegimeDep,
    screener: ScreenerDep,
    key: Annotated[Principal, Depends(require(Permission.DRAW))],
) -> DrawdownOut:
    """Refused with 409 and the reason when the licence does not cover the shipment or the
    draw-down would overdraw a line; nothing is drawn then."""
    raw, shipment, det = _engine(body.shipment, body.as_of, regime, screener)
    dd = lic.draw(
        store,
        licence_id,
        shipment_doc=raw,
        shipment=shipment,
        determination=det,
        actor=key.name,
        shipment_ref=body.shipment_ref,
    )
    return DrawdownOut.model_validate(
        {
            "id": dd.id,
            "determination_id": dd.determination_id,
            "keep_records_until": dd.keep_records_until,
            "lines": [{"item_ref": r, "quantity": q, "value": v} for r, q, v in dd.lines],
            "licence": licence_out(dd.licence),
        }
    )


@router.post(
    "/releases",
    response_model=ReleaseOut,
    responses=Errors,
    summary="Customs release check: release or hold, with the declaration remarks",
)
def release(
    body: ReleaseIn,
    store: StoreDep,
    regime: RegimeDep,
    screener: ScreenerDep,
    key: Annotated[Principal, Depends(require(Permission.RELEASE))],
) -> ReleaseOut:
    """A release against a licence draws it down (recorded with the key's name)."""
    raw, shipment, det = _engine(body.shipment, body.as_of, regime, screener)
    d = lic.release(
        store,
        shipment_doc=raw,
        shipment=shipment,
        determination=det,
        licence_id=body.licence_id,
        actor=key.name,
        shipment_ref=body.shipment_ref,
        questioned_on=body.questioned_on,
    )
    return ReleaseOut.model_validate(
        {
            "released": d.released,
            "verdict": d.verdict,
            "reasons": list(d.reasons),
            "remarks": [{"item": i, "remark": r} for i, r in d.remarks],
            "drawdown_id": d.drawdown.id if d.drawdown else None,
            "answer_questioning_by": d.answer_questioning_by,
        }
    )


@router.get(
    "/audit/verification",
    response_model=AuditOut,
    responses=Errors,
    summary="Recompute the audit log's hash chain and check the licence book against it",
)
def verify_audit(
    store: StoreDep,
    _key: Annotated[Principal, Depends(require(Permission.AUDIT))],
    head_seq: Annotated[
        int | None, Query(ge=0, description="An exported head's entry number (GET /v1/audit/head).")
    ] = None,
    head_hash: Annotated[
        str | None,
        Query(pattern="^[0-9a-f]{64}$", description="An exported head's hash."),
    ] = None,
) -> AuditOut:
    """`ok` is false when the chain or the book was tampered with (`problems` say where);
    `guarantees` say what was proved and what could not be (no REEC_AUDIT_KEY, no head)."""
    anchor = None
    if head_seq is not None or head_hash is not None:
        if head_seq is None or head_hash is None:
            raise InputError("give head_seq and head_hash together", field="head_seq")
        anchor = audit_log.AuditAnchor(head_seq, head_hash)
    report = audit_log.verify_store(store, anchor=anchor)
    return AuditOut.model_validate(
        {
            "ok": report.ok,
            "entries": report.entries,
            "last_hash": report.last_hash,
            "problems": [{"seq": p.seq, "problem": p.problem} for p in report.problems],
            "keyed": report.keyed,
            "guarantees": list(report.guarantees),
        }
    )


@router.get(
    "/audit/head",
    response_model=AuditHeadOut,
    responses=Errors,
    summary="The audit log's head, to keep elsewhere",
)
def audit_head(
    store: StoreDep, _key: Annotated[Principal, Depends(require(Permission.AUDIT))]
) -> AuditHeadOut:
    with store.transaction() as s:
        anchor = audit_log.current_anchor(s)
    return AuditHeadOut(seq=anchor.seq, hash=anchor.hash, at=anchor.at)
