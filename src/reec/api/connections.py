"""Connections `reec serve` holds: bounded in number and in how long a slow client may take.

uvicorn's HTTP/1.1 protocol (h11) accepts every connection and waits for a request's headers
for ever, so a thousand clients sending a byte a minute used up the open-file limit (issue 11).
`GuardedH11Protocol` closes a connection as soon as it is accepted when the worker holds
`REEC_MAX_CONNECTIONS` already or its client address holds `REEC_MAX_CONNECTIONS_PER_CLIENT`
(trusted proxies excepted), and one whose request headers have not arrived within
`REEC_HEADER_TIMEOUT` seconds; the body
has `REEC_BODY_TIMEOUT` (`reec.api.limits.RequestGate`) and an idle keep-alive connection
`REEC_TIMEOUT_KEEP_ALIVE`. Requests in flight past `REEC_LIMIT_CONCURRENCY` are answered 503.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import resource
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from reec.api.ratelimit import is_trusted

__all__ = ["GuardedH11Protocol", "raise_open_file_limit"]

log = logging.getLogger("reec.api.connections")


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


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a connection cap and a deadline for request headers."""

    _header_timer: asyncio.TimerHandle | None = None
    _counted: str | None = None
    _per_client: ClassVar[Counter[str]] = Counter()  # open connections per address

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as H11Protocol narrows BaseTransport
        super().connection_made(transport)
        bounds = _bounds()
        peer = self.client[0] if self.client else ""
        crowded = len(self.connections) > bounds.max_connections
        if not crowded and self._per_client[peer] >= bounds.per_client:
            crowded = not bounds.trusted(peer)
        if crowded:
            log.warning("connection refused: too many open connections", extra={"peer": peer})
            self.connections.discard(self)  # not open any more for the next one's count
            transport.abort()  # the file descriptor is freed at once
            return
        self._per_client[peer] += 1
        self._counted = peer
        self._arm()

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(_bounds().header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_headers():
            self._arm()  # a new request has begun to arrive: its headers have the deadline
        super().data_received(data)
        if not self._waiting_for_headers():
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._counted is not None:
            self._per_client[self._counted] -= 1
            if self._per_client[self._counted] <= 0:
                del self._per_client[self._counted]
            self._counted = None
        super().connection_lost(exc)


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
