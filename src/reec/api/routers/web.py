"""The web page for compliance officers: server-rendered Jinja2, HTMX for partial updates.

Every page works without JavaScript (plain forms); with htmx loaded, checking a shipment swaps
only the result. The verdict shown is the engine's JSON answer, rendered: nothing here decides.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from reec.api.auth import COOKIE, Permission, Principal, allowed
from reec.api.csrf import csrf_field
from reec.api.examples import EXAMPLE_TITLES, EXAMPLES_YAML
from reec.api.limits import GATE_PRINCIPAL
from reec.api.paging import Pager
from reec.api.regime_view import entry_out, regime_out
from reec.api.routers.bom import analyse_bom_file
from reec.api.rules import rules_of
from reec.api.timeline import timeline_svg
from reec.desk.check import desk_determination
from reec.errors import InputError, ReecError
from reec.headline import headline
from reec.model import EndUse
from reec.model import Form as ItemForm
from reec.render import determination_to_dict
from reec.shipment_input import parse_shipment
from reec.store.settings import StoreSettings
from reec.today import today_in_china
from reec.yamlio import YamlSyntaxError, load_yaml_text

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


def _number(value: Any) -> str:
    """A quantity for people: '200', '1,440.5', never '2E+2' (Babel, CLDR English)."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale="en", decimal_quantization=False))


def _money(value: Any, currency: str) -> str:
    """'96,000.00 USD' rather than '9.6E+4 USD'."""
    from babel.numbers import format_currency

    return str(format_currency(value, currency, format="#,##0.00 ¤¤", locale="en"))


templates.env.filters["number"] = _number
templates.env.filters["money"] = _money
templates.env.globals["csrf_field"] = csrf_field


def _principal(request: Request) -> Principal | None:
    gated = request.scope.get("state", {}).get(GATE_PRINCIPAL)
    if isinstance(gated, Principal):
        return gated
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    key = request.app.state.keybook.verify(token)
    if key is None:
        return None
    request.scope.setdefault("state", {})["key_name"] = key.name
    return Principal(key.name, frozenset(key.roles))


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("principal", _principal(request))
    return templates.TemplateResponse(request, name, context, status_code=status)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date: {value!r} (use YYYY-MM-DD)", field=field) from None


UNITS = ("kg", "g", "t", "piece", "set", "m")
CURRENCIES = ("USD", "CNY", "EUR", "JPY", "GBP", "KRW")


@lru_cache(maxsize=1)
def _countries() -> list[dict[str, str]]:
    """ISO 3166 alpha-2 codes with their English names (Babel's CLDR data), for the pickers."""
    from babel import Locale

    names = Locale("en").territories
    return [
        {"code": code, "name": names[code]}
        for code in sorted(names)
        if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO")
    ]


def _check_page(request: Request, **context: Any) -> HTMLResponse:
    return _page(
        request,
        "check.html",
        page="check",
        examples=[
            {"name": name, "label": name.split("-")[0], "title": EXAMPLE_TITLES[name]}
            for name in EXAMPLES_YAML
        ],
        end_uses=[u.value for u in EndUse],
        forms=[f.value for f in ItemForm],
        countries=_countries(),
        units=UNITS,
        currencies=CURRENCIES,
        **context,
    )


def _result(
    request: Request, raw: Any, as_of: str | None, text: str, status_if_ok: int = 200
) -> HTMLResponse:
    """Determine and render; an input error is shown in place of the verdict."""
    principal = _principal(request)
    context: dict[str, Any] = {"principal": principal}
    status = status_if_ok
    if principal is None or not allowed(principal, Permission.DETERMINE):
        why = "Sign in with a key that has the analyst role to check shipments."
        context["error"] = {"field": None, "message": why}
        status = 401 if principal is None else 403
    else:
        try:
            shipment = parse_shipment(raw, files=False)
            rules = rules_of(request.app, request.scope)
            kept = desk_determination(  # review items, decisions, audit (docs/desk.md)
                request.app.state.store,
                raw,
                shipment,
                rules.regime,
                rules.screener,
                actor=principal.name,
                via="web",
                as_of=_day(as_of, "as_of"),
            )
            answer = determination_to_dict(kept.determination)
            context["headline"] = headline(kept.determination)
            context["determination"] = answer
            context["json"] = json.dumps(answer, ensure_ascii=False, indent=2)
        except ReecError as exc:
            context["error"] = exc.to_dict()
            status = exc.http_status
    if request.headers.get("HX-Request"):
        return _page(request, "result.html", status, **context)
    html = templates.get_template("result.html").render(**context)
    return _check_page(request, shipment_text=text, as_of=as_of, result_html=html)


@router.get("/", response_class=HTMLResponse)
def check_page(request: Request, example: str | None = None) -> HTMLResponse:
    text = EXAMPLES_YAML.get(example or "", "")
    return _check_page(request, shipment_text=text)


@router.post("/check", response_class=HTMLResponse)
def check(
    request: Request,
    shipment: Annotated[str, Form(max_length=2_000_000)] = "",
    as_of: Annotated[str, Form()] = "",
) -> HTMLResponse:
    try:
        raw = load_yaml_text(shipment, "shipment") if shipment.strip() else None
    except YamlSyntaxError as exc:
        raw = exc
    if isinstance(raw, YamlSyntaxError) or raw is None:
        message = str(raw) if raw is not None else "paste a shipment file first"
        raw = {"__error__": message}
        err = InputError(message, field="shipment")
        context = {"error": err.to_dict(), "principal": _principal(request)}
        if request.headers.get("HX-Request"):
            return _page(request, "result.html", 422, **context)
        html = templates.get_template("result.html").render(**context)
        return _check_page(request, shipment_text=shipment, as_of=as_of, result_html=html)
    return _result(request, raw, as_of or None, shipment)


def _composition(text: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for part in text.replace(";", ",").split(","):
        bits = part.replace(":", " ").split()
        if not bits:
            continue
        if len(bits) != 2:
            raise InputError(f"cannot read {part.strip()!r}: write 'Dy 87.1'", field="composition")
        out[bits[0]] = bits[1]
    return out or None


@router.post("/check/form", response_class=HTMLResponse)
def check_form(
    request: Request,
    destination: Annotated[str, Form()],
    exporter: Annotated[str, Form()],
    exporter_country: Annotated[str, Form()],
    form: Annotated[str, Form()],
    value: Annotated[str, Form()],
    date_: Annotated[str, Form(alias="date")] = "",
    currency: Annotated[str, Form()] = "USD",
    importer: Annotated[str, Form()] = "",
    importer_country: Annotated[str, Form()] = "",
    end_user: Annotated[str, Form()] = "",
    end_user_country: Annotated[str, Form()] = "",
    end_use: Annotated[str, Form()] = "unknown",
    military: Annotated[str, Form()] = "",
    origin: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    composition: Annotated[str, Form()] = "",
    hs_code: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "kg",
) -> HTMLResponse:
    item: dict[str, Any] = {
        "id": "L1",
        "description": description,
        "form": form,
        "value": {"amount": value, "currency": currency.upper()},
    }
    if origin:
        item["origin"] = origin.upper()
    if hs_code:
        item["hs_code"] = hs_code
    if quantity.strip():
        item["quantity"] = {"amount": quantity.strip(), "unit": unit}
    raw: dict[str, Any] = {
        **({"date": date_} if date_.strip() else {}),
        "exporter": {"name": exporter, "country": exporter_country.upper()},
        "destination": destination.upper(),
        "end_uses": [end_use],
        "items": [item],
    }
    parties = []
    for role, name, country in (
        ("importer", importer, importer_country),
        ("end_user", end_user, end_user_country),
    ):
        if name.strip():
            party: dict[str, Any] = {"role": role, "name": name.strip()}
            party["country"] = (country or destination).upper()
            if military and role == "end_user":
                party["military"] = True
            parties.append(party)
    if parties:
        raw["parties"] = parties
    try:
        item["composition"] = _composition(composition)
    except InputError as exc:
        item["composition"] = {"__bad__": str(exc)}
    return _result(request, raw, None, yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))


@router.post("/check/bom", response_class=HTMLResponse)
def check_bom(
    request: Request, file: Annotated[UploadFile, File()], as_of: Annotated[str, Form()] = ""
) -> HTMLResponse:
    principal = _principal(request)
    context: dict[str, Any] = {"principal": principal}
    status = 200
    if principal is None or not allowed(principal, Permission.DETERMINE):
        why = "Sign in with a key that has the analyst role to analyse BOMs."
        context["error"] = {"field": None, "message": why}
        status = 401 if principal is None else 403
    else:
        try:
            day = _day(as_of, "as_of") or today_in_china()
            analysis = analyse_bom_file(
                file.filename or "upload",
                file.file.read(),
                rules_of(request.app, request.scope).regime,
                day,
            )
            context["bom"] = analysis
            context["json"] = json.dumps(analysis, ensure_ascii=False, indent=2)
        except ReecError as exc:
            context["error"] = exc.to_dict()
            status = exc.http_status
    if request.headers.get("HX-Request"):
        return _page(request, "bom_result.html", status, **context)
    html = templates.get_template("bom_result.html").render(**context)
    return _check_page(request, shipment_text="", result_html=html)


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request, as_of: str | None = None) -> HTMLResponse:
    regime = rules_of(request.app, request.scope).regime
    day = _day(as_of, "as_of") or today_in_china()
    r = regime_out(regime, day)
    counts = {
        s: sum(1 for e in r.entries if e.state == s)
        for s in ("in_force", "suspended", "not_yet_effective", "repealed")
    }
    return _page(
        request, "rules.html", page="rules", r=r, svg=timeline_svg(regime, day), counts=counts
    )


@router.get("/rules/entries/{code}", response_class=HTMLResponse)
def entry(request: Request, code: str, as_of: str | None = None) -> HTMLResponse:
    regime = rules_of(request.app, request.scope).regime
    day = _day(as_of, "as_of") or today_in_china()
    return _page(
        request, "entry.html", page="rules", e=entry_out(regime.as_of(day), regime.entry(code))
    )


@router.get("/book", response_class=HTMLResponse)
def book(
    request: Request, applications_page: int | None = None, licences_page: int | None = None
) -> Response:
    """The licence book, newest first, `PAGE_SIZE` licences and applications a page."""
    principal = _principal(request)
    if principal is None:
        return RedirectResponse("/login?next=/book", status_code=303)
    if not allowed(principal, Permission.READ_BOOK):
        return _page(
            request,
            "book.html",
            403,
            page="book",
            error="Your key's roles may not read the licence book "
            "(applicant, reviewer or auditor).",
        )
    from reec import licensing as lic

    store = request.app.state.store
    today = today_in_china()
    cal = rules_of(request.app, request.scope).regime.calendar
    limits = lic.procedural_limits()
    start = StoreSettings().clock_start
    apps = Pager.of("applications_page", applications_page, lic.count_applications(store))
    lics = Pager.of("licences_page", licences_page, lic.count_licences(store))
    clocks = [
        lic.application_clock(
            store, a.id, today=today, start=start, limits=limits, calendar=cal, application=a
        )
        for a in lic.list_applications(
            store, limit=apps.size, offset=apps.offset, newest_first=True
        )
    ]
    return _page(
        request,
        "book.html",
        page="book",
        licences=lic.list_licences(store, limit=lics.size, offset=lics.offset, newest_first=True),
        clocks=clocks,
        today=today,
        apps_pager=apps,
        licences_pager=lics,
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, "login.html", next=next if next.startswith("/") else "/")


@router.post("/login", response_model=None)
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    token = token.strip()
    key = request.app.state.keybook.verify(token)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    if key is None:
        return _page(request, "login.html", 401, next=target, error="Unknown or revoked key.")
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
        max_age=8 * 3600,
    )
    return resp


@router.get("/logout")
def logout() -> Response:
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp
