"""The gate every request passes before the app reads a byte of its body (docs/security.md).

A pure ASGI middleware, in this order:

1. a declared `Content-Length` over `REEC_MAX_BODY_BYTES` is refused with 413 at once;
2. a request with a body to a route that needs a key is authenticated (and its role checked)
   first, off the event loop: no key, an unknown key or a key without the role is answered
   401/403 and the body is never read. API routes take the `X-API-Key` header only; the web
   page's form routes take its sign-in cookie;
3. the body is then read whatever its framing (`Content-Length`, chunked, both) and every byte
   counted: past the limit the answer is 413, before the app sees any of it; a body that has
   not all arrived within `REEC_BODY_TIMEOUT` seconds is answered 408;
4. a JSON body nested deeper than `MAX_DEPTH` is refused with 422 before any parser recurses
   into it.

The key found is left in the request scope, so the route's own check does not look it up again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import anyio
import anyio.to_thread
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reec.api.errors import error_body
from reec.input_limits import MAX_DEPTH, json_depth

__all__ = ["GATE_PRINCIPAL", "WEB_FORMS", "RequestGate", "SecurityHeaders", "gate_table"]

GATE_PRINCIPAL = "gate_principal"
"""Key of the scope state entry holding the `Principal` the gate verified."""
INLINE_DEPTH_BYTES = 64 * 1024
"""A JSON body up to this size has its depth measured on the event loop (a few tens of
microseconds, cheaper than the hop to a worker thread); a larger one in the thread pool."""

WEB_FORMS: dict[str, str] = {
    "/check": "determine",
    "/check/form": "determine",
    "/check/bom": "determine",
    "/exposure": "determine",
}
"""Web form routes (cookie sign-in) and the permission each needs before its body is read."""


@dataclass(frozen=True, slots=True)
class _Need:
    permission: str
    web: bool


def _permission_of(route: APIRoute) -> str | None:
    """The permission a route's `require(...)` dependency checks, or "" for any valid key."""
    stack = list(route.dependant.dependencies)
    found: str | None = None
    while stack:
        dep = stack.pop()
        permission = getattr(dep.call, "permission", None)
        if permission is not None:
            return str(permission)
        if getattr(dep.call, "authenticates", False):
            found = ""
        stack.extend(dep.dependencies)
    return found


GateTable = Sequence[tuple[frozenset[str], re.Pattern[str], _Need]]


def gate_table(routes: Iterable[BaseRoute], web_routes: Iterable[BaseRoute] = ()) -> GateTable:
    """Which routes need a key (and which permission) before their body is read: taken from
    each route's own `require(...)` dependency, so the role matrix is stated once. Every form
    of the web page (`web_routes`, but the sign-in) needs a signed-in cookie; the page checks
    the role of its other forms itself."""
    table: list[tuple[frozenset[str], re.Pattern[str], _Need]] = []
    web = {id(r) for r in web_routes}
    for route in [*routes, *web_routes]:
        if not isinstance(route, APIRoute):
            continue
        need: _Need | None = None
        if route.path in WEB_FORMS:
            need = _Need(WEB_FORMS[route.path], web=True)
        elif id(route) in web:
            need = _Need("", web=True) if route.path != "/login" else None
        else:
            permission = _permission_of(route)
            need = _Need(permission, web=False) if permission is not None else None
        if need is not None:
            table.append((frozenset(route.methods or ()), route.path_regex, need))
    return tuple(table)


class RequestGate:
    def __init__(
        self, app: ASGIApp, max_bytes: int, table: GateTable = (), body_timeout: float = 60.0
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.table = table
        self.body_timeout = body_timeout

    # --- answers ---------------------------------------------------------------------------

    @staticmethod
    async def _send(send: Send, status: int, body: bytes, kind: bytes, extra: Any = ()) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    *extra,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _error(
        self, send: Send, status: int, code: str, message: str, field: str | None, web: bool
    ) -> None:
        if web:  # the page's error block (htmx swaps it in), with a way to sign in
            html = (
                '<div class="error" id="error" role="alert"><b>Cannot do this.</b> '
                f'{escape(message)} <a href="/login">Sign in</a></div>'
            )
            await self._send(send, status, html.encode(), b"text/html; charset=utf-8")
            return
        extra = [(b"www-authenticate", b"ApiKey")] if status == 401 else []
        body = json.dumps(error_body(code, message, field)).encode()
        await self._send(send, status, body, b"application/json", extra)

    async def _too_large(self, send: Send) -> None:
        message = f"the request body is larger than the limit of {self.max_bytes} bytes"
        await self._error(send, 413, "body_too_large", message, "body", web=False)

    # --- the route's needs -----------------------------------------------------------------

    def _need(self, scope: Scope) -> _Need | None:
        path, method = scope.get("path", ""), scope.get("method", "")
        for methods, pattern, need in self.table:
            if method in methods and pattern.match(path):
                return need
        return None

    async def _authorise(self, scope: Scope, send: Send, need: _Need) -> bool:
        from reec.api.auth import COOKIE, DOING, PERMISSIONS, Permission, Principal, allowed

        headers = dict(scope.get("headers", []))
        token: str | None = None
        if need.web:
            for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
                name, _, value = part.strip().partition("=")
                if name == COOKIE:
                    token = value
        else:
            raw = headers.get(b"x-api-key")
            token = raw.decode("latin-1") if raw else None
        what = None
        if need.web:
            what = "Sign in with a key that has the analyst role to do this."
            what = what if need.permission else "Sign in first."
        if not token:
            message = what or "this needs an API key in the X-API-Key header"
            await self._error(send, 401, "unauthenticated", message, "X-API-Key", need.web)
            return False
        book = scope["app"].state.keybook
        # a key verified within the cache period needs no lookup, nor the hop to a thread
        key = book.known(token) or await anyio.to_thread.run_sync(book.verify, token)
        if key is None:
            message = what or "unknown or revoked API key"
            await self._error(send, 401, "unauthenticated", message, "X-API-Key", need.web)
            return False
        principal = Principal(key.name, frozenset(key.roles))
        scope.setdefault("state", {})["key_name"] = key.name
        if need.permission:
            permission = Permission(need.permission)
            if not allowed(principal, permission):
                roles = ", ".join(sorted(r.value for r in PERMISSIONS[permission]))
                message = (
                    what
                    or f"key {key.name!r} may not {DOING[permission]}: that needs the role {roles}"
                )
                await self._error(send, 403, "forbidden", message, "X-API-Key", need.web)
                return False
        scope["state"][GATE_PRINCIPAL] = principal
        return True

    # --- the middleware --------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = 0
        if b"content-length" in headers:
            try:
                declared = int(headers[b"content-length"])
            except ValueError:
                declared = 0
            if declared > self.max_bytes:
                await self._too_large(send)
                return
        if declared <= 0 and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        need = self._need(scope)
        if need is not None and not await self._authorise(scope, send, need):
            return
        # Read it all (up to the limit, within the time) before the app sees any of it,
        # whatever the framing.
        chunks: list[Message] = []
        seen = 0
        with anyio.move_on_after(self.body_timeout) as waited:
            while True:
                message = await receive()
                chunks.append(message)
                if message["type"] != "http.request":
                    break
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    await self._too_large(send)
                    return
                if not message.get("more_body", False):
                    break
        if waited.cancelled_caught:
            slow = f"the request body did not arrive within {self.body_timeout:g} seconds"
            await self._error(send, 408, "body_timeout", slow, "body", web=False)
            return

        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind == b"application/json" or kind.endswith(b"+json"):
            body = b"".join(m.get("body", b"") for m in chunks if m["type"] == "http.request")
            # it cannot nest deeper than it has opening brackets (counted in C); else a small
            # body is measured at once (tens of microseconds), a large one off the loop
            if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
                depth = 0
            elif len(body) <= INLINE_DEPTH_BYTES:
                depth = json_depth(body)
            else:
                depth = await anyio.to_thread.run_sync(json_depth, body)
            if depth > MAX_DEPTH:
                deep = f"the JSON body nests more than {MAX_DEPTH} levels deep"
                await self._error(send, 422, "invalid_input", deep, "body", web=False)
                return

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
"""The page's Content-Security-Policy: its own scripts and style sheets only (htmx is served
from /static; no template holds an inline script or style attribute), no framing, forms post
only to reec. Swagger UI at /docs is served from the package under the same policy."""


class SecurityHeaders:
    """Adds `X-Content-Type-Options`, `Referrer-Policy`, `X-Frame-Options` to every answer and
    the CSP to every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", CSP.encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
