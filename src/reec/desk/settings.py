"""Settings of the compliance desk, from `REEC_DESK_*` environment variables (docs/settings.md)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DeskSettings"]


class DeskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REEC_DESK_", extra="ignore", frozen=True)

    keep_checks: bool = Field(
        default=True,
        description="Keep every determination made through the API or the web page in the "
        "licence book and the audit log. With false, only checks with a hit or a possible "
        "match are kept (and reviewed): more requests/s, a thinner audit trail.",
    )
    rescreen_minutes: float = Field(
        default=0,
        ge=0,
        description="`reec serve` re-screens the customer master, checks review clocks and "
        "delivers alerts every this many minutes (0 = never; `reec parties rescreen` by hand).",
    )
    lists_dir: Path | None = Field(
        default=None,
        description="A folder of your own list files added to the bundled ones (as `reec screen "
        "--lists`); `reec serve` re-reads it at every scheduled re-screening.",
    )
    webhook_url: str | None = Field(
        default=None, description="Where each new alert is POSTed as JSON (unset = no webhook)."
    )
    webhook_secret: str | None = Field(
        default=None,
        description="Key of the HMAC-SHA256 signature header `X-Reec-Signature` (docs/desk.md).",
    )
    webhook_attempts: int = Field(
        default=4, ge=1, le=20, description="Tries per alert and delivery run before giving up."
    )
    webhook_backoff_seconds: float = Field(
        default=0.5, ge=0, description="Wait before the second try; doubled before each next."
    )
    webhook_timeout_seconds: float = Field(default=10, gt=0, description="Per request.")
    clock_near_days: int = Field(
        default=5,
        ge=0,
        description="An application's review clock with this many working days left or fewer "
        "raises a `review_clock` alert (and another when it is past its limit).",
    )
    templates_dir: Path | None = Field(
        default=None,
        description="A folder with your own `notice.md.j2` and/or `pack.md.j2` (docs/desk.md, "
        "'Documents'); missing ones fall back to the bundled templates.",
    )
