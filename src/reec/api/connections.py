"""Connections `reec serve` holds: bounded in number and in how long a slow client may take.

uvicorn's HTTP/1.1 protocols accept every connection and wait for a request's headers for ever,
so a thousand clients sending a byte a minute used up the open-file limit (issue 11). The
guarded protocols close a connection as soon as it is accepted when the worker holds
`REEC_MAX_CONNECTIONS` already or its client address holds `REEC_MAX_CONNECTIONS_PER_CLIENT`
(trusted proxies excepted), one whose request headers have not arrived within
`REEC_HEADER_TIMEOUT` seconds, and one whose headers pass `MAX_HEADER_BYTES` without ending; the
body has `REEC_BODY_TIMEOUT` (`reec.api.limits.RequestGate`) and an idle keep-alive connection
`REEC_TIMEOUT_KEEP_ALIVE`. Requests in flight past `REEC_LIMIT_CONCURRENCY` are answered 503.
`reec serve` runs `GuardedHttpToolsProtocol` (httptools' C parser, on uvloop);
`GuardedH11Protocol` is the same guard over the pure-Python h11.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import resource
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, cast

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from reec.api.ratelimit import is_trusted

__all__ = [
    "MAX_HEADER_BYTES",
    "GuardedH11Protocol",
    "GuardedHttpToolsProtocol",
    "raise_open_file_limit",
]

log = logging.getLogger("reec.api.connections")

MAX_HEADER_BYTES = 64 * 1024
"""A request whose headers pass this many bytes without ending has its connection closed
(h11 refused past 16 KiB by itself; llhttp has no limit of its own)."""


@dataclass(frozen=True, slots=True)
class _Bounds:
    max_connections: int
    per_client: int
    header_timeout: float
    proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    def trusted(self, address: str) -> bool:
        return is_trusted(address, self.proxies)


@cache
def _bounds() -> _Bounds:
    """Read once per worker process (the protocol is built by uvicorn, one per connection)."""
    from reec.api.settings import ApiSettings

    settings = ApiSettings()
    return _Bounds(
        settings.max_connections,
        settings.max_connections_per_client,
        settings.header_timeout,
        settings.proxy_networks(),
    )


class _Guard:
    """The bounds of one connection, for either of uvicorn's HTTP/1.1 protocols: the caps
    checked when it is accepted, the deadline and the size limit of each request's headers."""

    _per_client: ClassVar[Counter[str]] = Counter()  # open connections per address, per worker

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol
        self.timer: asyncio.TimerHandle | None = None
        self.counted: str | None = None
        self.header_bytes = 0

    def accepted(self, transport: asyncio.Transport) -> bool:
        """Counts the connection in, or closes it at once past a cap (False)."""
        bounds = _bounds()
        protocol = self.protocol
        peer = protocol.client[0] if protocol.client else ""
        crowded = len(protocol.connections) > bounds.max_connections
        if not crowded and self._per_client[peer] >= bounds.per_client:
            crowded = not bounds.trusted(peer)
        if crowded:
            log.warning("connection refused: too many open connections", extra={"peer": peer})
            protocol.connections.discard(protocol)  # not open any more for the next one's count
            transport.abort()  # the file descriptor is freed at once
            return False
        self._per_client[peer] += 1
        self.counted = peer
        self.arm()
        return True

    def waiting_for_headers(self) -> bool:
        cycle = self.protocol.cycle
        return cycle is None or bool(cycle.response_complete)

    def arm(self) -> None:
        if self.timer is None:
            self.timer = self.protocol.loop.call_later(_bounds().header_timeout, self.too_slow)

    def disarm(self) -> None:
        self.header_bytes = 0
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def too_slow(self) -> None:
        self.timer = None
        transport = self.protocol.transport
        if self.waiting_for_headers() and not transport.is_closing():
            transport.close()

    def before(self, data: bytes) -> None:
        """Data arrived: a new request's headers have begun, and have the deadline."""
        if self.waiting_for_headers():
            self.arm()
            self.header_bytes += len(data)

    def after(self) -> None:
        """The data was parsed: headers in, or still coming (then held to MAX_HEADER_BYTES)."""
        if not self.waiting_for_headers():
            self.disarm()
        elif self.header_bytes > MAX_HEADER_BYTES:
            transport = self.protocol.transport
            if not transport.is_closing():
                log.warning("connection closed: request headers too large")
                transport.close()

    def lost(self) -> None:
        self.disarm()
        if self.counted is not None:
            self._per_client[self.counted] -= 1
            if self._per_client[self.counted] <= 0:
                del self._per_client[self.counted]
            self.counted = None


class _Guarded(asyncio.Protocol):
    """The guard's hooks, put in front of one of uvicorn's protocols (listed after it)."""

    _guard: _Guard | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        guard = _Guard(self)
        if guard.accepted(cast("asyncio.Transport", transport)):
            self._guard = guard

    def data_received(self, data: bytes) -> None:
        guard = self._guard
        if guard is not None:
            guard.before(data)
        super().data_received(data)
        if guard is not None:
            guard.after()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._guard is not None:
            self._guard.lost()
            self._guard = None
        super().connection_lost(exc)


class GuardedHttpToolsProtocol(_Guarded, HttpToolsProtocol):
    """uvicorn's httptools (llhttp, in C) protocol with the connection guard: what
    `reec serve` runs (a request's parsing costs a fraction of h11's, issue 16)."""


class GuardedH11Protocol(_Guarded, H11Protocol):
    """uvicorn's h11 (pure Python) protocol with the same guard."""


def raise_open_file_limit(wanted: int) -> int:
    """Raise the soft open-file limit towards `wanted` (never past the hard limit); the limit
    in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < wanted:
        log.warning(
            "open-file limit below what the connection settings need",
            extra={"limit": soft, "wanted": wanted},
        )
    return int(soft)
