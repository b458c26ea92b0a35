"""Named screening settings, each overridable by a `REEC_SCREEN_*` environment variable.

Thresholds and weights are policy choices, not facts of the law, so they live here with their
reasons rather than as literals in the matcher. docs/screening.md lists them in one table.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reec.errors import InputError

__all__ = ["ScreeningSettings", "screening_settings"]

ENV_PREFIX = "REEC_SCREEN_"
REMOVED_AFFILIATE_SHARE = ENV_PREFIX + "AFFILIATE_SHARE"
"""Was a setting until the affiliate share became a cited parameter of the rule data."""


class ScreeningSettings(BaseModel):
    """Read like a pydantic-settings model (arguments, then `REEC_SCREEN_<FIELD>` in any
    case, then the default), without importing pydantic-settings (and asyncio) on every
    `reec check`: 0.06 s of the cold start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, **values: Any) -> None:
        env = {k.lower(): v for k, v in os.environ.items()}
        if REMOVED_AFFILIATE_SHARE.lower() in env:
            raise InputError(
                "this setting is no longer read: the >= 50% affiliate share is law, read from "
                "the rule data (MOFCOM-2025-61/art2 parameter affiliate_share); for a what-if, "
                "change it in a "
                "copy of the data folder and answer with --data (docs/data.md, 'Parameters')",
                field=REMOVED_AFFILIATE_SHARE,
            )
        given = {
            name: env[key]
            for name in type(self).model_fields
            if (key := (ENV_PREFIX + name).lower()) in env
        }
        super().__init__(**{**given, **values})

    auto_threshold: float = Field(
        default=0.91,
        ge=0,
        le=1,
        description="Score at or above which a match is a hit the determination acts on. "
        "Chosen on tests/screening/cases.csv: no hard non-match reaches it (0.91 since the 2026-12 "
        "list data: 'Mitsubishi Electric Corporation' scores 0.906 against a listed subsidiary).",
    )
    review_threshold: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="Score at or above which a match below the auto threshold is reported as "
        "a possible match for human review (a warning, never dropped).",
    )
    ownership_reading: Literal["control", "multiply"] = Field(
        default="control",
        description="How indirect shares combine (docs/screening.md, 'Ownership'): 'control' "
        "treats an entity held >= 50% by listed parties as listed for its own holdings; "
        "'multiply' multiplies shares along each chain and sums over paths.",
    )
    max_postings: int = Field(
        default=30,
        ge=1,
        description="Blocking keys shared by more list names than this are too common to "
        "select candidates (e.g. 'sys', 'tech'); they are used only when a name has no other key.",
    )
    processes: int = Field(
        default=2,
        ge=1,
        description="Processes for batch screening of large files (capped at the core count).",
    )
    parallel_min: int = Field(
        default=20_000, ge=1, description="Batches smaller than this run in one process."
    )
    workers: int = Field(
        default=-1, description="Threads for rapidfuzz bulk scoring (-1 = all cores)."
    )


@lru_cache(maxsize=1)
def screening_settings() -> ScreeningSettings:
    return ScreeningSettings()
