"""The desk's web pages: review queue, customers, alerts, audit trail, document downloads.

Plain forms (no JavaScript needed), signed in with the API-key cookie of the main page; the
same roles as the API (`DESK_ROLES`). Every write goes through the same services as the API
and the CLI, so it is audited the same way, with the key's name.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from reec.api.auth import Principal
from reec.api.csrf import csrf_field
from reec.api.routers.desk import DESK_ROLES, desk_settings, run_rescreen
from reec.api.routers.web import _principal
from reec.api.rules import rules_of
from reec.errors import ReecError

__all__ = ["router"]

router = APIRouter(prefix="/desk", include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.globals["csrf_field"] = csrf_field


def _may(p: Principal | None, what: str) -> bool:
    return p is not None and bool(p.roles & DESK_ROLES[what])


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("principal", _principal(request))
    return templates.TemplateResponse(request, f"desk/{name}", context, status_code=status)


def _refuse(request: Request, what: str, tab: str) -> HTMLResponse | None:
    p = _principal(request)
    if _may(p, what):
        return None
    roles = ", ".join(sorted(r.value for r in DESK_ROLES[what]))
    why = "Sign in" if p is None else "Your key's roles do not allow this"
    return _page(
        request, "_base.html", 401 if p is None else 403, tab=tab,
        error=f"{why}: this needs the role {roles}.",
    )  # fmt: skip


def _reviews_page(request: Request, status: str, **extra: Any) -> HTMLResponse:
    from reec import licensing as lic
    from reec.desk import review as rv
    from reec.store.tables import DeterminationRow

    store = request.app.state.store
    items = rv.list_reviews(store, None if status == "all" else status)
    with store.transaction() as s:
        dets = list(
            s.scalars(select(DeterminationRow).order_by(DeterminationRow.id.desc()).limit(30))
        )
    return _page(
        request, "reviews.html", tab="reviews", items=items, showing=status,
        can_decide=_may(_principal(request), "decide"), determinations=dets,
        applications=lic.list_applications(store), **extra,
    )  # fmt: skip


@router.get("", response_class=HTMLResponse)
def reviews(request: Request, status: str = "open") -> HTMLResponse:
    refused = _refuse(request, "read", "reviews")
    if refused is not None:
        return refused
    if status not in ("open", "match", "false_positive", "lapsed", "all"):
        status = "open"
    return _reviews_page(request, status)


@router.post("/reviews/{review_id}", response_model=None)
def decide(
    request: Request,
    review_id: int,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    from reec.desk import review as rv

    refused = _refuse(request, "decide", "reviews")
    if refused is not None:
        return refused
    p = _principal(request)
    assert p is not None
    try:
        v = rv.decide(
            request.app.state.store, review_id, decision, reason, p.name,
            rules_of(request.app, request.scope).version,
        )  # fmt: skip
    except ReecError as exc:
        return _reviews_page(request, "open", error=str(exc))
    return _reviews_page(request, "open", flash=f"Review item {v.id}: {v.note}.")


def _customers_page(request: Request, **extra: Any) -> HTMLResponse:
    from reec.desk.customers import FIELDS, customer_rows

    return _page(
        request, "customers.html", tab="customers",
        customers=customer_rows(request.app.state.store), fields=FIELDS,
        can_raise=_may(_principal(request), "raise"), **extra,
    )  # fmt: skip


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request) -> HTMLResponse:
    return _refuse(request, "read", "customers") or _customers_page(request)


@router.post("/customers/import", response_model=None)
def import_customers(
    request: Request,
    file: Annotated[UploadFile, File()],
    mapping: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    from reec.desk.customers import import_customers as run_import
    from reec.desk.customers import parse_mapping

    refused = _refuse(request, "raise", "customers")
    if refused is not None:
        return refused
    p = _principal(request)
    assert p is not None
    suffix = Path(file.filename or "upload.csv").suffix.lower()
    try:
        if suffix not in (".csv", ".xlsx"):
            raise ReecError("give a .csv or .xlsx file", field="file")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"customers{suffix}"
            path.write_bytes(file.file.read())
            pairs = [x for x in mapping.split(",") if x.strip()]
            r = run_import(
                request.app.state.store, path, parse_mapping(pairs), p.name,
                rules_of(request.app, request.scope).version,
            )  # fmt: skip
    except ReecError as exc:
        return _customers_page(request, error=str(exc))
    return _customers_page(
        request,
        flash=f"{r.rows} customers: {r.added} added, {r.updated} updated, {r.unchanged} "
        f"unchanged; {r.lapsed_decisions} review decisions lapsed.",
    )


@router.post("/customers/rescreen", response_model=None)
def rescreen(request: Request) -> Response:
    refused = _refuse(request, "raise", "customers")
    if refused is not None:
        return refused
    p = _principal(request)
    assert p is not None
    try:
        report = run_rescreen(request, p.name, None)
    except ReecError as exc:
        return _customers_page(request, error=str(exc))
    return _customers_page(request, report=report)


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request, open: str = "") -> HTMLResponse:
    from reec.desk.alerts import list_alerts

    refused = _refuse(request, "read", "alerts")
    if refused is not None:
        return refused
    settings = desk_settings(request)
    return _page(
        request, "alerts.html", tab="alerts",
        alerts=list_alerts(request.app.state.store, open_only=bool(open)),
        can_ack=_may(_principal(request), "ack"), webhook=settings.webhook_url,
    )  # fmt: skip


@router.post("/alerts/{alert_id}/ack", response_model=None)
def ack(request: Request, alert_id: int) -> Response:
    from reec.desk.alerts import acknowledge

    refused = _refuse(request, "ack", "alerts")
    if refused is not None:
        return refused
    p = _principal(request)
    assert p is not None
    with contextlib.suppress(ReecError):  # acknowledged meanwhile: the list shows by whom
        version = rules_of(request.app, request.scope).version
        acknowledge(request.app.state.store, alert_id, p.name, version)
    return RedirectResponse("/desk/alerts", status_code=303)


def _filter(since: str, until: str, actor: str, action: str, record: str) -> Any:
    from reec.api.routers.web import _day
    from reec.desk.auditview import AuditFilter

    return AuditFilter(
        _day(since, "since"), _day(until, "until"), actor or None, action or None, record or None
    )


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    since: str = "",
    until: str = "",
    actor: str = "",
    action: str = "",
    record: str = "",
) -> HTMLResponse:
    from reec.desk.auditview import list_audit

    refused = _refuse(request, "audit", "audit")
    if refused is not None:
        return refused
    raw = {"since": since, "until": until, "actor": actor, "action": action, "record": record}
    try:
        f = _filter(since, until, actor, action, record)
    except ReecError as exc:
        return _page(request, "_base.html", 422, tab="audit", error=str(exc))
    return _page(
        request, "audit.html", tab="audit", f=f,
        entries=list_audit(request.app.state.store, f, 500),
        query=urlencode({k: v for k, v in raw.items() if v}),
    )  # fmt: skip


@router.get("/audit/export", response_model=None)
def audit_export(
    request: Request,
    format: str = "xlsx",
    since: str = "",
    until: str = "",
    actor: str = "",
    action: str = "",
    record: str = "",
) -> Response:
    from reec.desk.auditview import AUDIT_COLUMNS, list_audit
    from reec.tabular import write_rows

    refused = _refuse(request, "audit", "audit")
    if refused is not None:
        return refused
    fmt = "csv" if format == "csv" else "xlsx"
    entries = list_audit(
        request.app.state.store, _filter(since, until, actor, action, record), 100_000
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"audit-{date.today()}.{fmt}"
        write_rows(path, AUDIT_COLUMNS, (e.to_row() for e in entries), "audit")
        content = path.read_bytes()
    media = "text/csv; charset=utf-8" if fmt == "csv" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )  # fmt: skip
    return Response(
        content, media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )  # fmt: skip


@router.get("/documents/{kind}/{record_id}", response_model=None)
def document(request: Request, kind: str, record_id: int, format: str = "pdf") -> Response:
    from reec.desk.documents import application_pack, compliance_notice

    refused = _refuse(request, "documents", "reviews")
    if refused is not None:
        return refused
    p = _principal(request)
    assert p is not None
    make = {"notice": compliance_notice, "pack": application_pack}.get(kind)
    if make is None:
        return _page(request, "_base.html", 404, tab="reviews", error="No such document.")
    try:
        doc = make(request.app.state.store, record_id, format, p.name, desk_settings(request))
    except ReecError as exc:
        return _page(request, "_base.html", exc.http_status, tab="reviews", error=str(exc))
    return Response(
        doc.content, media_type=doc.media_type,
        headers={"Content-Disposition": f'attachment; filename="{doc.name}"'},
    )  # fmt: skip
