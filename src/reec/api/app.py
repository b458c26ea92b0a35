"""`create_app()`: the FastAPI application, its routers, middlewares and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from reec import __version__
from reec.api.csrf import CsrfMiddleware, new_secret
from reec.api.errors import HANDLERS
from reec.api.heap import freeze_loaded, preload
from reec.api.keys import KeyBook
from reec.api.limits import RequestGate, SecurityHeaders, gate_table
from reec.api.logs import AccessLogMiddleware
from reec.api.ratelimit import ClientAddress, RateLimit
from reec.api.routers import (
    bom,
    desk,
    determinations,
    health,
    keys,
    licensing,
    screenings,
    web,
    web_book,
    web_desk,
    web_docs,
    web_exposure,
)
from reec.api.routers import regime as regime_routes
from reec.api.rules import Rules, RulesMiddleware, install_sighup
from reec.api.settings import ApiSettings
from reec.regime.snapshot import Regime, load_regime
from reec.screening import default_screener
from reec.screening.base import Screener
from reec.store.db import Store
from reec.store.settings import StoreSettings

__all__ = ["create_app", "serving_app"]

STATIC = Path(__file__).parent / "static"

DESCRIPTION = """\
China's rare-earth export-control regime as code. Send a shipment, get the engine's verdict
with its reasons and citations. Keys: `X-API-Key` header, one or more roles per key
(analyst, applicant, reviewer, auditor, admin); reading the regime and `/health` need none.
Every error is `{"error": {"code", "message", "field"}}`.
"""


def create_app(
    settings: ApiSettings | None = None,
    *,
    store: Store | None = None,
    regime: Regime | None = None,
    screener: Screener | None = None,
    freeze_heap: bool = False,
) -> FastAPI:
    """The service. Without arguments it reads `REEC_*` settings and opens `REEC_DATABASE_URL`
    (creating or upgrading its schema when `REEC_AUTO_UPGRADE` is on). `freeze_heap`: the
    process serves only this app (`serving_app`), so what it loaded may be frozen."""
    settings = settings or ApiSettings()
    if store is None:
        store_settings = StoreSettings()
        store = Store(store_settings.database_url)
        store.ensure_schema(store_settings.auto_upgrade)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop_schedule = desk.start_schedule(_app)  # REEC_DESK_RESCREEN_MINUTES (docs/desk.md)
        install_sighup(_app)  # `kill -HUP`: reload the rule data without dropping a request
        if freeze_heap:  # a worker of `reec serve`
            preload()  # what its first request would load (reec.api.heap)
            freeze_loaded()  # the loaded rules out of the collector's full walks (reec.api.heap)
        yield
        await stop_schedule()
        keeper = getattr(_app.state, "check_keeper", None)
        if keeper is not None:  # the kept checks still queued are written first
            await keeper.aclose()
        store.dispose()

    app = FastAPI(
        title="reec: Rare-Earth Export Controls",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # Starlette types handlers per exception class; a dict of them is what it takes at run time
        exception_handlers=HANDLERS,  # type: ignore[arg-type]  # see above
        docs_url=None,  # /docs is served from the package's own Swagger UI (web_docs)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.rules = Rules(regime or load_regime(), screener or default_screener())
    app.state.keybook = KeyBook(store, settings.key_cache_seconds)
    routers = (health, determinations, screenings, bom, regime_routes, licensing, keys, web)
    modules = (*routers, web_exposure, desk, web_desk, web_book, web_docs)
    for module in modules:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    faces = (web, web_exposure, web_desk, web_book, web_docs)
    api = [r for m in modules if m not in faces for r in m.router.routes]
    pages = [r for m in faces for r in m.router.routes]
    table = gate_table(api, pages)
    secret = settings.csrf_secret or new_secret()  # the forms' CSRF tokens (reec.api.csrf)
    app.add_middleware(CsrfMiddleware, secret=secret, secure=settings.cookie_secure)
    app.add_middleware(
        RequestGate,
        max_bytes=settings.max_body_bytes,
        table=table,
        body_timeout=settings.body_timeout,
    )
    app.add_middleware(RateLimit, settings=settings)  # 429 before a key lookup or a body
    app.add_middleware(ClientAddress, proxies=settings.proxy_networks())
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLogMiddleware, enabled=settings.access_log)
    app.add_middleware(RulesMiddleware)
    return app


def serving_app(settings: ApiSettings | None = None) -> FastAPI:
    """The app of `reec serve` (each worker builds one): `create_app` with the loaded rules
    kept out of the garbage collector's full walks (reec.api.heap)."""
    return create_app(settings, freeze_heap=True)
