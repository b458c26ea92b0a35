"""The rule data a running service answers from, swapped whole on SIGHUP.

`Rules` pairs the compiled regime and the party screener built from one data folder; it is
immutable. The app keeps one in `app.state.rules`; `RulesMiddleware` pins the current one to each
request when it starts (so a request answers from one data version even if a reload lands
meanwhile) and names that version in the `X-Reec-Data-Version` header of every answer.
`reload_rules(app)` loads the folder again off the event loop and replaces `app.state.rules` in
one assignment: no request is dropped or sees half-new data. A folder that does not load is
logged and the old rules stay.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reec.api.heap import refreeze
from reec.errors import ReecError
from reec.regime.snapshot import Regime, reload_regime
from reec.screening.base import Screener

__all__ = [
    "HEADER",
    "Rules",
    "RulesMiddleware",
    "install_sighup",
    "load_rules",
    "reload_rules",
    "rules_of",
]

HEADER = "X-Reec-Data-Version"
log = logging.getLogger("reec.api")


@dataclass(frozen=True, slots=True)
class Rules:
    regime: Regime
    screener: Screener

    @property
    def version(self) -> str:
        return self.regime.version


def rules_of(app: Any, scope: Scope | None = None) -> Rules:
    """The rules pinned to this request, else the app's current ones."""
    pinned = (scope or {}).get("state", {}).get("reec_rules")
    if isinstance(pinned, Rules):
        return pinned
    current: Rules = app.state.rules
    return current


class RulesMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rules: Rules = scope["app"].state.rules
        scope.setdefault("state", {})["reec_rules"] = rules
        version = rules.version.encode()

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (HEADER.lower().encode(), version),
                ]
            await send(message)

        await self.app(scope, receive, send_with_version)


def load_rules() -> Rules:
    """The rule data of REEC_DATA_DIR (or the bundled), read from disk now."""
    from reec.regime.loader import data_dir
    from reec.screening import screener_for

    regime = reload_regime()
    return Rules(regime, screener_for(regime.data.root or data_dir(), regime))


def reload_rules(app: Any) -> Rules:
    """Load the data folder again and swap it in; keep the old rules if it does not load."""
    old: Rules = app.state.rules
    try:
        new = load_rules()
    except ReecError as exc:
        log.error("rule data not reloaded, still answering from %s: %s", old.version, exc)
        return old
    app.state.rules = new
    refreeze()  # the old rules collectable again, the new ones out of the full walks
    log.info("rule data reloaded: %s -> %s", old.version, new.version)
    return new


def install_sighup(app: Any) -> bool:
    """Reload on SIGHUP (in a worker thread, off the event loop). Only in the main thread of a
    running loop (a server); returns whether it was installed."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        return False
    loop = asyncio.get_running_loop()

    def on_hup() -> None:
        loop.run_in_executor(None, reload_rules, app)

    try:
        loop.add_signal_handler(signal.SIGHUP, on_hup)
    except (NotImplementedError, RuntimeError, ValueError):
        return False
    return True
