"""CSRF tokens for the web page's forms (issue 11 item 8): a signed double-submit token.

Every form that changes something (check, sign-in, licence-book actions, desk decisions, uploads)
carries a hidden `csrftoken` field. The same token lives in the `reec_csrf` cookie (HttpOnly,
SameSite=Strict), and it is `NONCE.MAC` with the MAC an HMAC-SHA256, under `REEC_CSRF_SECRET`, of
the nonce and of the browser's sign-in (a digest of its `reec_key` cookie; empty before signing
in): a page on another site can neither read the token nor make one the server accepts, and a token
fetched by someone else, even if planted in the browser's cookies (from a sibling subdomain, say),
is no good for another sign-in. A browser that signs in is handed a new token by the next page. A
POST, PUT, PATCH or DELETE to the web page that carries the sign-in cookie, and any post of the
sign-in form, is refused with 403 and a one-line message before the route reads the form unless its
`csrftoken` field (or `X-CSRFToken` header) equals a valid token cookie. (Without the sign-in
cookie a request has no credential a forgery could ride on: the route refuses it as
unauthenticated.)

A small module rather than a library: `asgi-csrf`, the ASGI one that reads forms, no longer
runs with current python-multipart (its parser options changed), and starlette-csrf reads a
header only. This middleware sits inside `RequestGate`, so the body it parses has been
counted against the size limit and its key checked first.

The API (`/v1/...`) is not concerned: it takes the `X-API-Key` header only, never a cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from html import escape
from http.cookies import SimpleCookie
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reec.api.auth import COOKIE as SIGN_IN_COOKIE

__all__ = ["COOKIE", "FIELD", "REFUSED", "CsrfMiddleware", "Tokens", "csrf_field", "new_secret"]

COOKIE = "reec_csrf"
FIELD = "csrftoken"
HEADER = b"x-csrftoken"
SCOPE_KEY = "csrftoken"
REFUSED = (
    "This form was not accepted: it did not carry this browser's form token (a form from "
    "another site, a page from before you signed in or out, or one older than the server's "
    "last restart). Reload the page and send it again."
)
SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SIGN_IN = "/login"


def new_secret() -> str:
    """A random signing secret, for `REEC_CSRF_SECRET` when none is set."""
    return secrets.token_urlsafe(32)


class Tokens:
    """Makes and checks `NONCE.MAC` tokens under one secret."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"reec-csrf\0" + secret.encode()).digest()

    def _mac(self, nonce: str, session: str) -> str:
        bound = hashlib.sha256(session.encode()).digest() + nonce.encode()
        digest = hmac.new(self._key, bound, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def make(self, session: str = "") -> str:
        """A new token for the sign-in `session` (the sign-in cookie's value, "" for none)."""
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._mac(nonce, session)}"

    def valid(self, token: str, session: str = "") -> bool:
        nonce, dot, mac = token.partition(".")
        return bool(nonce and dot) and hmac.compare_digest(mac, self._mac(nonce, session))


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header carries nothing
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


async def _refuse(scope: Scope, send: Send) -> None:
    """403 with the message as the page's error box (htmx swaps it into the result)."""
    headers = dict(scope.get("headers") or [])
    box = f'<div class="error" id="error" role="alert">{escape(REFUSED)}</div>'
    if b"hx-request" not in headers:
        box = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Form refused'
            '</title><link rel="stylesheet" href="/static/style.css"></head><body><main>'
            f'<h1>Form refused</h1>{box}<p><a href="/">Back to reec</a></p></main></body></html>'
        )
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/html; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": box.encode()})


async def _form_token(scope: Scope, chunks: list[Message]) -> str:
    """The `csrftoken` field of a urlencoded or multipart body already read into `chunks`."""
    pending = list(chunks)

    async def again() -> Message:
        return pending.pop(0) if pending else {"type": "http.request", "body": b""}

    try:
        async with Request(scope, again).form(max_files=100, max_fields=10_000) as form:
            value = form.get(FIELD)
    except Exception:  # an unreadable body carries no token; the route never sees it
        return ""
    return value if isinstance(value, str) else ""


class CsrfMiddleware:
    """Hands every page a token (`scope["csrftoken"]()`, sets the cookie when first used) and
    refuses an unsafe web request whose token is missing, wrong or not ours."""

    def __init__(self, app: ASGIApp, *, secret: str, secure: bool) -> None:
        self.app = app
        self.tokens = Tokens(secret)
        self.attributes = "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        session = cookies.get(SIGN_IN_COOKIE, "")
        held = cookies.get(COOKIE, "")
        known = held if held and self.tokens.valid(held, session) else ""
        token = known or self.tokens.make(session)
        handed_out = False

        def get_token() -> str:
            nonlocal handed_out
            handed_out = True
            return token

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and handed_out:
                headers = list(message.get("headers", []))
                headers.append((b"vary", b"Cookie"))
                if not known:
                    cookie = f"{COOKIE}={token}{self.attributes}"
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        scope = {**scope, SCOPE_KEY: get_token}
        signed_in = SIGN_IN_COOKIE in cookies
        if scope["method"] in SAFE or not (signed_in or scope["path"] == SIGN_IN):
            # Without the sign-in cookie a request carries no credential to ride on (the
            # route refuses it as unauthenticated); the sign-in form itself always needs one.
            await self.app(scope, receive, send_with_cookie)
            return
        chunks: list[Message] = []
        while True:  # bounded: RequestGate outside has counted it against the limit
            message = await receive()
            chunks.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        sent = dict(scope.get("headers") or []).get(HEADER, b"").decode("latin-1")
        if not sent:
            sent = await _form_token(scope, chunks)
        if not known or not hmac.compare_digest(sent.encode(), known.encode()):
            await _refuse(scope, send)
            return

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send_with_cookie)


@pass_context
def csrf_field(context: Context) -> Markup:
    """`{{ csrf_field() }}`: the hidden token field, first in every POST form. Empty where the
    middleware is not installed."""
    request: Any = context.get("request")
    token = request.scope.get(SCOPE_KEY) if request is not None else None
    if token is None:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token())
