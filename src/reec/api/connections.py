"""Connections `reec serve` holds: bounded in number and in how long a slow client may take.

uvicorn's HTTP/1.1 protocol (h11) accepts every connection and waits for a request's headers
for ever, so a thousand clients sending a byte a minute used up the open-file limit (issue 11).
`GuardedH11Protocol` closes a connection past `REEC_MAX_CONNECTIONS` as soon as it is accepted
and one whose request headers have not arrived within `REEC_HEADER_TIMEOUT` seconds; the body
has `REEC_BODY_TIMEOUT` (`reec.api.limits.RequestGate`) and an idle keep-alive connection
`REEC_TIMEOUT_KEEP_ALIVE`. Requests in flight past `REEC_LIMIT_CONCURRENCY` are answered 503.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from dataclasses import dataclass
from functools import cache

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["GuardedH11Protocol", "raise_open_file_limit"]

log = logging.getLogger("reec.api.connections")


@dataclass(frozen=True, slots=True)
class _Bounds:
    max_connections: int
    header_timeout: float


@cache
def _bounds() -> _Bounds:
    """Read once per worker process (the protocol is built by uvicorn, one per connection)."""
    from reec.api.settings import ApiSettings

    settings = ApiSettings()
    return _Bounds(settings.max_connections, settings.header_timeout)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a connection cap and a deadline for request headers."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > _bounds().max_connections:
            log.warning("connection refused: too many open connections")
            transport.abort()  # the file descriptor is freed at once
            return
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
