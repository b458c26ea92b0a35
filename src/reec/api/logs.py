"""Structured logs: one JSON object per line on stderr, one access line per request.

The volume is bounded (issue 11): each logger may write `REEC_LOG_LINES_PER_SECOND` lines a
second; the rest are dropped and counted in the next line written (`"dropped": N`), so a flood
of requests, refused connections or server warnings cannot fill the disk. A traceback is cut to
its last `MAX_EXC_CHARS` characters.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLogMiddleware", "JsonFormatter", "LineBudget", "configure_logging"]

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
MAX_EXC_CHARS = 8000
LOGGERS = ("reec", "uvicorn", "uvicorn.error", "asyncio")
"""Routed through the one JSON handler (asyncio: "socket.accept() out of system resource")."""


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", ...extra}`; a traceback goes in `exc`."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)[-MAX_EXC_CHARS:]
        return json.dumps(out, default=str, ensure_ascii=False)


class LineBudget(logging.Filter):
    """At most `per_second` lines a second from each logger; the lines dropped are counted in
    the `dropped` field of that logger's next line."""

    def __init__(self, per_second: int) -> None:
        super().__init__()
        self.per_second = per_second
        self._lock = threading.Lock()
        self._window: dict[str, tuple[int, int, int]] = {}  # logger -> (second, written, dropped)

    def filter(self, record: logging.LogRecord) -> bool:
        second = int(record.created)
        with self._lock:
            start, written, dropped = self._window.get(record.name, (second, 0, 0))
            if second != start:
                start, written = second, 0
            if written >= self.per_second:
                self._window[record.name] = (start, written, dropped + 1)
                return False
            self._window[record.name] = (start, written + 1, 0)
        if dropped:
            record.dropped = dropped
        return True


def configure_logging(level: str = "info", lines_per_second: int | None = None) -> None:
    """Route reec's, uvicorn's and asyncio's loggers through one JSON handler on stderr, at
    most `lines_per_second` lines a second per logger."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    if lines_per_second is not None:
        handler.addFilter(LineBudget(lines_per_second))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # replaced by AccessLogMiddleware


class AccessLogMiddleware:
    """Logs method, path, status, duration and the API key's name (set by the auth layer)."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        self.log = logging.getLogger("reec.api.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def tracking_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            state = scope.get("state") or {}
            client = scope.get("client")
            self.log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round((time.perf_counter() - start) * 1000, 2),
                    "key": state.get("key_name"),
                    "client": client[0] if client else None,
                },
            )
