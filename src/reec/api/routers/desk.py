"""`/v1/reviews`: the hit review queue of the compliance desk (docs/desk.md).

Analysts raise items (every hit and possible match of their determinations and screenings);
reviewers decide them; analysts, reviewers and auditors read them.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from reec.api.auth import Principal, current_key
from reec.api.deps import RegimeDep, StoreDep
from reec.api.errors import PermissionDeniedError
from reec.api.keys import Role
from reec.api.rules import Rules, rules_of
from reec.api.schemas import Out, responses
from reec.desk import review as rv
from reec.desk.settings import DeskSettings
from reec.errors import InputError
from reec.screening.base import Screener
from reec.store.db import Store

__all__ = ["DESK_ROLES", "desk_role", "router"]

router = APIRouter(prefix="/v1", tags=["desk"])
# Path is pathlib's here; FastAPI's path parameter is PathParam.

DESK_ROLES: dict[str, frozenset[Role]] = {
    "read": frozenset({Role.ANALYST, Role.REVIEWER, Role.AUDITOR}),
    "raise": frozenset({Role.ANALYST}),
    "decide": frozenset({Role.REVIEWER}),
    "ack": frozenset({Role.ANALYST, Role.REVIEWER}),
    "audit": frozenset({Role.AUDITOR, Role.REVIEWER}),
    "documents": frozenset({Role.ANALYST, Role.REVIEWER, Role.AUDITOR, Role.APPLICANT}),
}
"""Who may do what at the desk (docs/desk.md has the table)."""
_DOING = {
    "read": "read the compliance desk",
    "raise": "import or re-screen customers",
    "decide": "decide review items",
    "ack": "acknowledge alerts",
    "audit": "read the audit trail",
    "documents": "produce documents",
}


def desk_role(what: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: Annotated[Principal, Depends(current_key)]) -> Principal:
        if not principal.roles & DESK_ROLES[what]:
            roles = ", ".join(sorted(r.value for r in DESK_ROLES[what]))
            raise PermissionDeniedError(
                f"key {principal.name!r} may not {_DOING[what]}: that needs the role {roles}",
                field="X-API-Key",
            )
        return principal

    return check


Reader = Annotated[Principal, Depends(desk_role("read"))]
Reviewer = Annotated[Principal, Depends(desk_role("decide"))]

_FEATURE = {"name": "token_set", "weight": 0.5, "value": 0.97, "detail": "", "a": "", "b": ""}


class ReviewOut(Out):
    id: int = Field(examples=[7])
    status: str = Field(
        description="open, match, false_positive or lapsed", examples=["false_positive"]
    )
    note: str = Field(
        description="How later checks show the item.",
        examples=["cleared by key-reviewer on 2026-12-01: different company, Munich register"],
    )
    party_name: str = Field(examples=["Example Magnetwerke GmbH"])
    party_country: str | None = Field(examples=["DE"])
    party_role: str = Field(examples=["end_user"])
    customer_ref: str | None = Field(examples=["C-1001"])
    list_name: str = Field(examples=["unreliable_entity_list"])
    entry_name: str = Field(examples=["Example Magnetics Inc."])
    announcement: str = Field(examples=["UEL 2025 No. 1"])
    entry_version: str = Field(examples=["4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a"])
    kind: str = Field(description="hit or possible", examples=["possible"])
    score: float = Field(examples=[0.81])
    via_owner: str | None = Field(examples=[None])
    features: list[dict[str, Any]] = Field(examples=[[_FEATURE]])
    explanation: str = Field(examples=["name token_set 0.81 vs entry; country DE != US"])
    source_kind: str = Field(description="shipment or customer", examples=["shipment"])
    source_ref: str = Field(examples=["Ganzhou Example Rare Earth Co., Ltd. -> DE 2025-06-02"])
    data_version: str = Field(examples=["2026.11.1+3f9a1c2e"])
    raised_at: datetime = Field(examples=["2026-12-01T09:30:00+00:00"])
    raised_by: str = Field(examples=["key-analyst"])
    decided_at: datetime | None = Field(examples=["2026-12-01T10:02:00+00:00"])
    decided_by: str | None = Field(examples=["key-reviewer"])
    reason: str | None = Field(examples=["different company, Munich register"])
    lapsed_why: str | None = Field(examples=[None])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    decision: Literal["match", "false_positive"]
    reason: str = Field(min_length=1, max_length=2000, examples=["different company"])


def review_out(v: rv.ReviewView) -> ReviewOut:
    return ReviewOut.model_validate(v.to_dict())


@router.get(
    "/reviews",
    response_model=list[ReviewOut],
    summary="The review queue (newest first)",
    responses=responses(401, 403, 422),
)
def list_reviews(
    store: StoreDep,
    _key: Reader,
    status: Annotated[
        Literal["open", "match", "false_positive", "lapsed"] | None,
        Query(description="Only items in this state."),
    ] = None,
) -> list[ReviewOut]:
    return [review_out(v) for v in rv.list_reviews(store, status)]


@router.get(
    "/reviews/{review_id}",
    response_model=ReviewOut,
    summary="One review item",
    responses=responses(401, 403, 404, 422),
)
def get_review(store: StoreDep, _key: Reader, review_id: Annotated[int, PathParam()]) -> ReviewOut:
    return review_out(rv.get_review(store, review_id))


@router.post(
    "/reviews/{review_id}/decision",
    response_model=ReviewOut,
    summary="Decide a review item: match or false_positive, with a reason",
    responses=responses(401, 403, 404, 409, 422),
)
def decide_review(
    store: StoreDep,
    regime: RegimeDep,
    key: Reviewer,
    body: DecisionIn,
    review_id: Annotated[int, PathParam()],
) -> ReviewOut:
    """The decision is remembered per party, list entry and entry version and applies to
    every later check until the entry or the party's name, country or ownership changes."""
    return review_out(
        rv.decide(store, review_id, body.decision, body.reason, key.name, regime.version)
    )


# --- customers, alerts, audit trail, documents ------------------------------------------

Raiser = Annotated[Principal, Depends(desk_role("raise"))]
Acker = Annotated[Principal, Depends(desk_role("ack"))]
Auditor = Annotated[Principal, Depends(desk_role("audit"))]
DocReader = Annotated[Principal, Depends(desk_role("documents"))]


def desk_settings(request: Request) -> DeskSettings:
    """The app's desk settings (tests set `app.state.desk_settings`)."""
    found = getattr(request.app.state, "desk_settings", None)
    if not isinstance(found, DeskSettings):
        found = DeskSettings()
        request.app.state.desk_settings = found
    return found


def refresh_screener(app: Any) -> Screener:
    """With `REEC_DESK_LISTS_DIR`, re-read the list folder when its files (or the rule data,
    reloaded on SIGHUP) changed and use the new lists for every later check; otherwise the
    app's screener as it is."""
    settings: DeskSettings = getattr(app.state, "desk_settings", None) or DeskSettings()
    folder = settings.lists_dir
    rules: Rules = app.state.rules
    if folder is None:
        return rules.screener
    from reec.screening import ListScreener
    from reec.screening.lists import load_lists

    files = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yaml"))
    )
    stamp = (rules.version, files)
    if getattr(app.state, "desk_lists_stamp", None) != stamp:
        screener = ListScreener(load_lists(folder) if files else load_lists())
        app.state.rules = replace(rules, screener=screener)
        app.state.desk_lists_stamp = stamp
        return screener
    return rules.screener


class ImportOut(Out):
    rows: int = Field(examples=[3])
    added: int = Field(examples=[2])
    updated: int = Field(examples=[1])
    unchanged: int = Field(examples=[0])
    lapsed_decisions: int = Field(examples=[1])


class ChangeOut(Out):
    customer_ref: str = Field(examples=["C-1001"])
    customer: str = Field(examples=["Acme Widgets GmbH"])
    change: str = Field(description="new or removed", examples=["new"])
    status: str = Field(description="hit, possible or cleared", examples=["hit"])
    list_name: str = Field(examples=["unreliable_entity_list"])
    entry: str = Field(examples=["Acme Widgets GmbH"])
    score: float | None = Field(examples=[1.0])
    review: str | None = Field(examples=["review item #4 open (raised by key-analyst)"])


class RescreenOut(Out):
    as_of: date = Field(examples=["2026-12-01"])
    data_version: str = Field(examples=["2026.12.1+3f9a1c2e"])
    customers: int = Field(examples=[1200])
    screened: int = Field(description="Only those the change can affect.", examples=[14])
    changed_entries: int = Field(examples=[3])
    first_run: bool = Field(examples=[False])
    changes: list[ChangeOut] = Field(examples=[[]])
    alerts: list[int] = Field(examples=[[12, 13]])


class AlertOut(Out):
    id: int = Field(examples=[12])
    at: datetime = Field(examples=["2026-12-01T09:30:00+00:00"])
    kind: str = Field(
        description="new_hit, removed_hit, rule_change or review_clock", examples=["new_hit"]
    )
    subject: str = Field(examples=["customer:C-1001"])
    message: str = Field(
        examples=["Hit: customer Acme Widgets GmbH (C-1001) ~ unreliable_entity_list entry"]
    )
    payload: dict[str, Any] = Field(examples=[{"customer": "C-1001", "status": "hit"}])
    acknowledged_at: datetime | None = Field(examples=[None])
    acknowledged_by: str | None = Field(examples=[None])
    delivered_at: datetime | None = Field(examples=["2026-12-01T09:30:01+00:00"])
    attempts: int = Field(examples=[1])
    last_error: str | None = Field(examples=[None])


class AuditOut(Out):
    seq: int = Field(examples=[42])
    at: str = Field(examples=["2026-12-01T09:30:00.123456+00:00"])
    actor: str = Field(examples=["key-reviewer"])
    action: str = Field(examples=["review.decide"])
    subject: str = Field(examples=["review:7"])
    data_version: str | None = Field(examples=["2026.12.1+3f9a1c2e"])
    payload: dict[str, Any] = Field(examples=[{"decision": "false_positive"}])
    hash: str = Field(examples=["9f2c..."])


@router.post(
    "/parties/import",
    response_model=ImportOut,
    summary="Import customers from CSV or Excel (with a column mapping)",
    responses=responses(401, 403, 413, 422),
)
def import_parties(
    store: StoreDep,
    regime: RegimeDep,
    key: Raiser,
    file: Annotated[UploadFile, File(description="Customers: .csv or .xlsx.")],
    mapping: Annotated[
        str, Form(description="FIELD=COLUMN pairs, comma-separated: id=KUNNR,name=Name1")
    ] = "",
) -> ImportOut:
    from reec.desk.customers import import_customers, parse_mapping

    suffix = Path(file.filename or "upload.csv").suffix.lower() or ".csv"
    if suffix not in (".csv", ".xlsx"):
        raise InputError("give a .csv or .xlsx file", field="file")
    pairs = [p for p in mapping.split(",") if p.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"customers{suffix}"
        path.write_bytes(file.file.read())
        r = import_customers(store, path, parse_mapping(pairs), key.name, regime.version)
    return ImportOut(
        rows=r.rows, added=r.added, updated=r.updated, unchanged=r.unchanged,
        lapsed_decisions=r.lapsed_decisions,
    )  # fmt: skip


def run_rescreen(request: Request, actor: str, as_of: date | None) -> Any:
    from reec.desk.alerts import deliver
    from reec.desk.customers import rescreen

    store: Store = request.app.state.store
    screener = refresh_screener(request.app)
    report = rescreen(
        store, screener, actor=actor, data_version=rules_of(request.app, request.scope).version,
        as_of=as_of or date.today(),
    )  # fmt: skip
    deliver(store, desk_settings(request))
    return report


@router.post(
    "/parties/rescreen",
    response_model=RescreenOut,
    summary="Re-screen the customers a change of the list data can affect",
    responses=responses(401, 403, 422),
)
def rescreen_parties(
    request: Request,
    key: Raiser,
    as_of: Annotated[
        date | None, Query(description="Screen as of this day (default today).")
    ] = None,
) -> RescreenOut:
    r = run_rescreen(request, key.name, as_of)
    return RescreenOut(
        as_of=r.as_of, data_version=r.data_version, customers=r.customers, screened=r.screened,
        changed_entries=r.changed_entries, first_run=r.first_run,
        changes=[ChangeOut.model_validate(c, from_attributes=True) for c in r.changes],
        alerts=list(r.alerts),
    )  # fmt: skip


@router.get(
    "/alerts",
    response_model=list[AlertOut],
    summary="The alerts inbox (newest first)",
    responses=responses(401, 403, 422),
)
def list_alerts(
    store: StoreDep,
    _key: Reader,
    open_only: Annotated[bool, Query(alias="open", description="Only unacknowledged.")] = False,
    kind: Annotated[
        Literal["new_hit", "removed_hit", "rule_change", "review_clock"] | None, Query()
    ] = None,
) -> list[AlertOut]:
    from reec.desk.alerts import list_alerts as alerts

    return [
        AlertOut.model_validate(a.to_dict()) for a in alerts(store, open_only=open_only, kind=kind)
    ]


@router.post(
    "/alerts/{alert_id}/ack",
    response_model=AlertOut,
    summary="Acknowledge an alert (recorded)",
    responses=responses(401, 403, 404, 409, 422),
)
def ack_alert(
    store: StoreDep, regime: RegimeDep, key: Acker, alert_id: Annotated[int, PathParam()]
) -> AlertOut:
    from reec.desk.alerts import acknowledge

    return AlertOut.model_validate(acknowledge(store, alert_id, key.name, regime.version).to_dict())


@router.get(
    "/audit",
    response_model=list[AuditOut],
    summary="The audit trail, filtered by date, actor, action and record",
    responses=responses(401, 403, 422),
)
def audit_trail(
    store: StoreDep,
    _key: Auditor,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query(description="Inclusive.")] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[
        str | None, Query(max_length=60, description="An action or prefix: review, document")
    ] = None,
    record: Annotated[str | None, Query(max_length=200, examples=["review:7"])] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AuditOut]:
    from reec.desk.auditview import AuditFilter, list_audit

    entries = list_audit(store, AuditFilter(since, until, actor, action, record), limit)
    return [AuditOut.model_validate(e, from_attributes=True) for e in entries]


def _document(doc: Any) -> Response:
    return Response(
        doc.content,
        media_type=doc.media_type,
        headers={"Content-Disposition": f'attachment; filename="{doc.name}"'},
    )


_DOC_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {}, "application/vnd.openxmlformats-officedocument"
                    ".wordprocessingml.document": {}},
        "description": "The document.",
    }
}  # fmt: skip


@router.get(
    "/documents/notice/{determination_id}",
    response_class=Response,
    summary="Compliance Notice (合规告知书, No. 61 Art. 7) of a kept determination",
    responses={**_DOC_RESPONSE, **responses(401, 403, 404, 422)},
)
def notice(
    request: Request,
    key: DocReader,
    determination_id: Annotated[int, PathParam()],
    format: Annotated[Literal["pdf", "docx"], Query()] = "pdf",
) -> Response:
    from reec.desk.documents import compliance_notice

    store: Store = request.app.state.store
    return _document(
        compliance_notice(store, determination_id, format, key.name, desk_settings(request))
    )


@router.get(
    "/documents/pack/{application_id}",
    response_class=Response,
    summary="Licence application pack (a preparation aid, not MOFCOM's form)",
    responses={**_DOC_RESPONSE, **responses(401, 403, 404, 422)},
)
def pack(
    request: Request,
    key: DocReader,
    application_id: Annotated[int, PathParam()],
    format: Annotated[Literal["pdf", "docx"], Query()] = "pdf",
) -> Response:
    from reec.desk.documents import application_pack

    store: Store = request.app.state.store
    return _document(
        application_pack(store, application_id, format, key.name, desk_settings(request))
    )


def scheduled_run(app: Any, today: date | None = None) -> None:
    """One scheduled round: re-screen (reloading the list folder), review clocks, webhook."""
    from reec.desk.alerts import clock_alerts, deliver
    from reec.desk.customers import rescreen

    settings: DeskSettings = getattr(app.state, "desk_settings", None) or DeskSettings()
    store: Store = app.state.store
    day = today or date.today()
    rescreen(
        store, refresh_screener(app), actor="reec-schedule",
        data_version=app.state.rules.version, as_of=day,
    )  # fmt: skip
    clock_alerts(store, day, settings.clock_near_days)
    deliver(store, settings)


def start_schedule(app: Any) -> Callable[[], Awaitable[None]]:
    """Start the `REEC_DESK_RESCREEN_MINUTES` loop of `reec serve`; returns its stopper."""
    import asyncio
    import logging

    settings: DeskSettings = getattr(app.state, "desk_settings", None) or DeskSettings()
    if settings.rescreen_minutes <= 0:

        async def nothing() -> None:
            return None

        return nothing
    log = logging.getLogger("reec.desk")

    async def loop() -> None:
        while True:
            await asyncio.sleep(settings.rescreen_minutes * 60)
            job = asyncio.ensure_future(asyncio.to_thread(scheduled_run, app))
            try:
                await asyncio.shield(job)
            except asyncio.CancelledError:  # shutting down: let the round finish first
                with contextlib.suppress(Exception):
                    await job
                raise
            except Exception:  # the schedule must outlive a bad round; the log says why
                log.exception("scheduled re-screening failed")

    task = asyncio.get_running_loop().create_task(loop())

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop


class CustomerOut(Out):
    ref: str = Field(examples=["C-1001"])
    name: str = Field(examples=["Acme Widgets GmbH"])
    name_zh: str | None = Field(examples=[None])
    country: str | None = Field(examples=["DE"])
    role: str = Field(examples=["importer"])
    owners: str = Field(examples=["Acme Holding AG: 60%"])
    screened_at: datetime | None = Field(examples=["2026-12-01T09:30:00+00:00"])
    screened_version: str | None = Field(examples=["2026.12.1+3f9a1c2e"])
    matches: str = Field(
        description="The matches at the last re-screening.",
        examples=["hit unreliable_entity_list: Acme Widgets GmbH"],
    )


@router.get(
    "/parties",
    response_model=list[CustomerOut],
    summary="The customer master with each customer's last matches",
    responses=responses(401, 403),
)
def list_parties(store: StoreDep, _key: Reader) -> list[CustomerOut]:
    from reec.desk.customers import customer_rows

    return [CustomerOut.model_validate(r) for r in customer_rows(store)]
