"""Settings of the HTTP service, from `REEC_*` environment variables (docs/settings.md)."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]


class ApiSettings(BaseSettings):
    """`REEC_HOST`, `REEC_PORT`, `REEC_MAX_BODY_BYTES`, `REEC_LOG_LEVEL`, ... (docs/settings.md)."""

    model_config = SettingsConfigDict(env_prefix="REEC_", extra="ignore", frozen=True)

    host: str = Field(default="127.0.0.1", description="Address `reec serve` binds to.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `reec serve` listens on.")
    workers: int = Field(default=1, ge=1, description="uvicorn worker processes.")
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted; larger bodies are refused with 413.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Level of the JSON log lines on stderr."
    )
    access_log: bool = Field(default=True, description="One JSON log line per request.")
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a verified API key is remembered in-process; a key revoked by "
        "another process stops working within this time (revocation through the API is at once).",
    )
    cookie_secure: bool = Field(
        default=False, description="Mark the web page's login cookie Secure (set behind HTTPS)."
    )
    csrf_secret: str | None = Field(
        default=None,
        description="Signs the web forms' CSRF tokens; unset: a random one per start (shared by "
        "the workers of one `reec serve`). Set the same value on every host behind one name.",
    )
    # --- floods (issue 11 item 6; docs/security.md) ---------------------------------------------
    rate_limit_key: str = Field(
        default="100/second;3000/minute",
        description="Requests one API key may make (the `X-API-Key` header or the web page's "
        "sign-in), in the `limits` notation: `N/second`, `N/minute`, ... joined by `;`. Empty: "
        "no limit.",
    )
    rate_limit_anonymous: str = Field(
        default="50/second;1200/minute",
        description="Requests one client address may make without a valid key (/health, the "
        "regime, pages, static files, wrong keys). Empty: no limit.",
    )
    rate_limit_strategy: Literal["moving-window", "fixed-window"] = Field(
        default="moving-window",
        description="How the limits count: a moving window (exact) or fixed windows (cheaper, "
        "allows up to twice the rate across a window boundary).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of the reverse proxies whose "
        "`X-Forwarded-For` and `X-Forwarded-Proto` are believed; from any other peer they are "
        "ignored. Empty: the TCP peer is the client.",
    )
    limit_concurrency: int = Field(
        default=200,
        ge=1,
        description="Requests in flight (and open connections) past which `reec serve` answers "
        "503 at once instead of queueing work.",
    )
    max_connections: int = Field(
        default=400,
        ge=1,
        description="Open connections per worker; a connection past it is closed as soon as it "
        "is accepted, so slow clients cannot use up the open-file limit.",
    )
    max_connections_per_client: int = Field(
        default=20,
        ge=1,
        description="Open connections one client address may hold in a worker (trusted proxies "
        "excepted); one past it is closed as soon as it is accepted.",
    )
    backlog: int = Field(
        default=256, ge=1, description="Connections the kernel queues before `reec serve` accepts."
    )
    timeout_keep_alive: int = Field(
        default=5, ge=1, description="Seconds an idle keep-alive connection stays open."
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a connection has to send a request's headers; a slower one is closed.",
    )
    body_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds a client has to send a whole request body; a slower one gets 408.",
    )
    log_lines_per_second: int = Field(
        default=100,
        ge=1,
        description="Log lines each logger (access, errors, server) may write per second; the "
        "rest are dropped and counted in the next line's `dropped` field.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            ipaddress.ip_network(part, strict=False)  # ValueError names the bad entry
        return value

    @field_validator("rate_limit_key", "rate_limit_anonymous")
    @classmethod
    def _limits(cls, value: str) -> str:
        from limits import parse_many

        if value.strip():
            parse_many(value)  # ValueError on a bad notation
        return value

    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        parts = (p.strip() for p in self.trusted_proxies.split(","))
        return tuple(ipaddress.ip_network(p, strict=False) for p in parts if p)
