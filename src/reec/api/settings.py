"""Settings of the HTTP service, from `REEC_*` environment variables (docs/settings.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
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
