"""Rate limits per API key and per client address, and who the client is behind a proxy.

An ASGI middleware in front of `RequestGate` (docs/security.md, "Floods"):

1. the client's address is the TCP peer, unless the peer is one of `REEC_TRUSTED_PROXIES`: then
   `X-Forwarded-For` is read from the right, skipping the trusted proxies, and the first other
   address is the client (`X-Forwarded-Proto` gives the scheme). From any other peer both
   headers are ignored, so a client cannot choose the address it is counted under;
2. a request carrying a key (the `X-API-Key` header, else the web page's sign-in cookie) that
   the key book knows counts against that key's limit (`REEC_RATE_LIMIT_KEY`); every other
   request (no key, a wrong key, a key not yet looked up) counts against its client address
   (`REEC_RATE_LIMIT_ANONYMOUS`): without a key against the address, with a key the key book
   has not seen within `REEC_KEY_CACHE_SECONDS` against the address's lookups (a budget of the
   same size), so a flood of made-up keys is limited like one without a key and never reaches
   the database faster, and a flood without a key does not lock key-holders out;
3. past a limit the answer is 429 `rate_limited` with `Retry-After`, before any body is read.

Counts are kept in memory (`limits` MemoryStorage), per worker process.
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections.abc import Sequence
from html import escape

import anyio.to_thread
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from reec.api.errors import error_body
from reec.api.settings import ApiSettings

__all__ = ["ClientAddress", "RateLimit", "SweptMemoryStorage", "client_address", "is_trusted"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SWEEP_SECONDS = 1.0
"""How often the rate limits' expired entries are dropped (SweptMemoryStorage)."""


def is_trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(scope: Scope, proxies: Sequence[Network]) -> str:
    """The client of a request: the TCP peer, or, when the peer is a trusted proxy, the last
    address in `X-Forwarded-For` that is not a trusted proxy."""
    peer = scope.get("client")
    address = str(peer[0]) if peer else "unknown"
    if not proxies or not is_trusted(address, proxies):
        return address
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name == b"x-forwarded-for"
    ]
    hops = [h.strip() for h in ",".join(forwarded).split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, proxies):
            return hop
        address = hop
    return address


class ClientAddress:
    """Sets `scope["client"]` (and the scheme) from the trusted proxies' headers, so the rate
    limits, the logs and the app all see the real client."""

    def __init__(self, app: ASGIApp, proxies: Sequence[Network] = ()) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.proxies:
            peer = scope.get("client")
            address = client_address(scope, self.proxies)
            if peer is None or address != peer[0]:
                scope["client"] = (address, 0)
                proto = dict(scope.get("headers", [])).get(b"x-forwarded-proto", b"")
                scheme = proto.decode("latin-1").split(",")[-1].strip().lower()
                if scheme in ("http", "https"):
                    scope["scheme"] = scheme
        await self.app(scope, receive, send)


class SweptMemoryStorage(MemoryStorage):
    """`limits`' in-memory storage with its expired entries dropped by the requests themselves,
    at most once every `SWEEP_SECONDS`.

    `MemoryStorage` starts a new timer thread to drop them whenever its last one has finished,
    that is after every 10 ms of traffic: at 200 requests/s a worker started about 100 threads a
    second, each fighting the requests for the interpreter (issue 16). Whether a request is over
    its limit never depends on that sweep (a moving window compares the entry at the limit's
    index with the window; a fixed window drops an expired counter when it reads it), so doing
    it inline and less often changes only how long expired entries stay in memory."""

    def __init__(self) -> None:
        super().__init__()
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802  # the name limits calls
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            getattr(self, "_MemoryStorage__expire_events")()  # noqa: B009  # a mangled name


class RateLimit:
    """429 past `REEC_RATE_LIMIT_KEY` per key or `REEC_RATE_LIMIT_ANONYMOUS` per address."""

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self.per_key: list[RateLimitItem] = _parse(settings.rate_limit_key)
        self.anonymous: list[RateLimitItem] = _parse(settings.rate_limit_anonymous)
        storage = SweptMemoryStorage()
        self.limiter: RateLimiter = (
            MovingWindowRateLimiter(storage)
            if settings.rate_limit_strategy == "moving-window"
            else FixedWindowRateLimiter(storage)
        )

    def _hit(self, items: list[RateLimitItem], who: str) -> RateLimitItem | None:
        """Counts one request against every limit of `who`; the first limit it is over."""
        for item in items:
            if not self.limiter.hit(item, who):
                return item
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self.per_key or self.anonymous):
            await self.app(scope, receive, send)
            return
        token = _token(scope)
        book = scope["app"].state.keybook
        key = book.known(token) if token else None
        if key is None:
            client = scope.get("client")
            address = client[0] if client else "unknown"
            # a key not looked up yet has a budget of its own per address, so that made-up keys
            # cannot reach the database faster, nor a flood without a key lock key-holders out
            who = f"{'lookup' if token else 'address'}:{address}"
            over = self._hit(self.anonymous, who)
            if over is not None:
                await self._refuse(scope, send, over, who, "this client address")
                return
            if token:  # looked up once the address may ask (a cached miss is free)
                key = await anyio.to_thread.run_sync(book.verify, token)
        if key is not None:
            who = f"key:{key.name}"
            over = self._hit(self.per_key, who)
            if over is not None:
                await self._refuse(scope, send, over, who, f"key {key.name!r}")
                return
        await self.app(scope, receive, send)

    async def _refuse(
        self, scope: Scope, send: Send, item: RateLimitItem, who: str, whose: str
    ) -> None:
        reset = self.limiter.get_window_stats(item, who).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        message = f"too many requests from {whose}: at most {_per(item)}; retry in {wait} s"
        web = not str(scope.get("path", "")).startswith(("/v1", "/health", "/openapi"))
        if web:
            body = (
                '<div class="error" id="error" role="alert"><b>Too many requests.</b> '
                f"{escape(message)}</div>"
            ).encode()
            kind = b"text/html; charset=utf-8"
        else:
            body = json.dumps(error_body("rate_limited", message, None)).encode()
            kind = b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(wait).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _per(item: RateLimitItem) -> str:
    """`100 per second`, `3000 per minute`, `5 per 10 seconds`."""
    unit = item.GRANULARITY.name
    return f"{item.amount} per " + (f"{item.multiples} {unit}s" if item.multiples > 1 else unit)


def _parse(notation: str) -> list[RateLimitItem]:
    return list(parse_many(notation)) if notation.strip() else []


def _token(scope: Scope) -> str | None:
    """The key a request carries: the API's header, else the web page's sign-in cookie."""
    from reec.api.auth import COOKIE

    cookie = b""
    for name, value in scope.get("headers", []):
        if name == b"x-api-key":
            return value.decode("latin-1") or None
        if name == b"cookie":
            cookie = value
    for part in cookie.decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            return value
    return None
