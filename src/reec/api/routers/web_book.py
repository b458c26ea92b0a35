"""The licence book on the web page: one page per application and per licence, with the
actions the signed-in key's roles allow as plain forms (submit, accept, approve, issue, draw
down, release). Every action calls the same `reec.licensing` service as the API and the CLI;
a refused action is shown on the page, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reec.api.auth import Permission, Principal, allowed
from reec.api.routers.licensing import ACTION_PERMISSION
from reec.api.routers.web import _day, _page, _principal
from reec.api.rules import rules_of
from reec.errors import InputError, ReecError
from reec.licensing.applications import TRANSITIONS
from reec.today import today_in_china

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Application actions in the order a case moves, each with its button label.
ACTIONS = (
    ("submit", "Submit to MOFCOM"),
    ("accept", "Accept (the clock starts)"),
    ("stop_clock", "Stop the clock"),
    ("resume_clock", "Resume the clock"),
    ("approve", "Approve"),
    ("refuse", "Refuse"),
    ("withdraw", "Withdraw"),
)


def _signed_in(request: Request) -> Principal | Response:
    principal = _principal(request)
    if principal is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return principal


def _application_page(
    request: Request, principal: Principal, app_id: int, status: int = 200, **ctx: Any
) -> HTMLResponse:
    from reec import licensing as lic
    from reec.store import StoreSettings

    store = request.app.state.store
    today = today_in_china()
    calendar = rules_of(request.app, request.scope).regime.calendar
    start = StoreSettings().clock_start
    c = lic.application_clock(store, app_id, today=today, start=start, calendar=calendar)
    licences = lic.list_licences(store, application_id=app_id)
    state = c.application.state
    actions = [
        (a, label)
        for a, label in ACTIONS
        if allowed(principal, ACTION_PERMISSION[a]) and state in TRANSITIONS[a][0]
    ]  # fmt: skip: only what this key may do from the application's present state
    return _page(
        request,
        "book_application.html",
        status,
        page="book",
        c=c,
        licences=licences,
        actions=actions,
        can_issue=allowed(principal, Permission.DECIDE) and c.application.state == "approved",
        today=today,
        **ctx,
    )


_NO_BOOK = "Your key's roles may not read the licence book (applicant, reviewer or auditor)."


def _view(
    request: Request, show: Callable[[Request, Principal, int], HTMLResponse], record: int
) -> Response:
    """A book page for a signed-in key that may read the book; a missing record is a 404 page."""
    who = _signed_in(request)
    if not isinstance(who, Principal):
        return who
    if not allowed(who, Permission.READ_BOOK):
        return _page(request, "book.html", 403, page="book", error=_NO_BOOK)
    try:
        return show(request, who, record)
    except ReecError as exc:
        return _page(request, "book.html", exc.http_status, page="book", error=str(exc))


@router.get("/book/applications/{app_id}", response_class=HTMLResponse)
def application_page(request: Request, app_id: int) -> Response:
    return _view(request, _application_page, app_id)


@router.post("/book/applications/{app_id}/events", response_class=HTMLResponse)
def application_action(
    request: Request,
    app_id: int,
    action: Annotated[str, Form()],
    on_date: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    from reec import licensing as lic

    who = _signed_in(request)
    if not isinstance(who, Principal):
        return who
    try:
        permission = ACTION_PERMISSION.get(action)
        if permission is None:
            raise InputError(f"unknown action {action!r}", field="action")
        if not allowed(who, permission):
            raise InputError(f"your key's roles may not {action.replace('_', ' ')}", field="action")
        lic.transition(
            request.app.state.store,
            app_id,
            action,
            on_date=_day(on_date, "on_date") or today_in_china(),
            actor=who.name,
            detail=note or None,
        )
    except ReecError as exc:
        return _application_page(request, who, app_id, exc.http_status, error=str(exc))
    return RedirectResponse(f"/book/applications/{app_id}", status_code=303)


@router.post("/book/applications/{app_id}/licence", response_class=HTMLResponse)
def issue_licence(
    request: Request,
    app_id: int,
    valid_from: Annotated[str, Form()] = "",
    scale: Annotated[str, Form()] = "1",
) -> Response:
    from reec import licensing as lic

    who = _signed_in(request)
    if not isinstance(who, Principal):
        return who
    try:
        if not allowed(who, Permission.DECIDE):
            raise InputError("issuing a licence needs the reviewer role", field="action")
        try:
            factor = Decimal(scale or "1")
        except InvalidOperation:
            raise InputError(f"not a number: {scale!r}", field="scale") from None
        view = lic.issue(
            request.app.state.store,
            app_id,
            actor=who.name,
            valid_from=_day(valid_from, "valid_from") or today_in_china(),
            scale=factor,
            regime_version=rules_of(request.app, request.scope).version,
        )
    except ReecError as exc:
        return _application_page(request, who, app_id, exc.http_status, error=str(exc))
    return RedirectResponse(f"/book/licences/{view.id}", status_code=303)


def _licence_page(
    request: Request, principal: Principal, licence_id: int, status: int = 200, **ctx: Any
) -> HTMLResponse:
    from reec import licensing as lic

    view = lic.get_licence(request.app.state.store, licence_id)
    return _page(
        request,
        "book_licence.html",
        status,
        page="book",
        v=view,
        can_draw=allowed(principal, Permission.DRAW),
        can_release=allowed(principal, Permission.RELEASE),
        **ctx,
    )


@router.get("/book/licences/{licence_id}", response_class=HTMLResponse)
def licence_page(request: Request, licence_id: int) -> Response:
    return _view(request, _licence_page, licence_id)


@router.post("/book/licences/{licence_id}/{action}", response_class=HTMLResponse)
def licence_action(
    request: Request,
    licence_id: int,
    action: str,
    shipment: Annotated[str, Form(max_length=2_000_000)] = "",
    as_of: Annotated[str, Form()] = "",
) -> Response:
    """`draw` (a draw-down) or `release` (customs release): the shipment as YAML."""
    from reec import licensing as lic
    from reec.determine import determine
    from reec.shipment_input import parse_shipment
    from reec.yamlio import YamlSyntaxError, load_yaml_text

    who = _signed_in(request)
    if not isinstance(who, Principal):
        return who
    message = None
    try:
        need = {"draw": Permission.DRAW, "release": Permission.RELEASE}.get(action)
        if need is None:
            raise InputError(f"unknown action {action!r}", field="action")
        if not allowed(who, need):
            raise InputError(f"your key's roles may not {action}", field="action")
        try:
            raw = load_yaml_text(shipment, "shipment", dates_as_text=True)
        except YamlSyntaxError as exc:
            raise InputError(str(exc), field="shipment") from exc
        ship = parse_shipment(raw, files=False)  # HTTP input never names a server file
        det = determine(
            ship,
            rules_of(request.app, request.scope).regime,
            as_of=_day(as_of, "as_of"),
            screener=rules_of(request.app, request.scope).screener,
        )
        store = request.app.state.store
        if action == "draw":
            dd = lic.draw(
                store, licence_id, shipment_doc=raw, shipment=ship, determination=det,
                actor=who.name, shipment_ref="web page",
            )  # fmt: skip
            message = f"Draw-down {dd.id} recorded; keep records until {dd.keep_records_until}."
        else:
            d = lic.release(
                store, shipment_doc=raw, shipment=ship, determination=det, licence_id=licence_id,
                actor=who.name, shipment_ref="web page",
            )  # fmt: skip
            word = "RELEASE" if d.released else "HOLD"
            message = f"{word} ({d.verdict}): " + "; ".join(d.reasons)
    except ReecError as exc:
        return _licence_page(request, who, licence_id, exc.http_status, error=str(exc))
    return _licence_page(request, who, licence_id, message=message)
