"""Settings of the licence book, from `REEC_*` environment variables (docs/settings.md).

One pydantic-settings model so the CLI, the future HTTP API and the tests read the same names.
"""

from __future__ import annotations

import getpass
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ClockStart", "StoreSettings", "default_actor"]

ClockStart = Literal["next_working_day", "acceptance_day"]


def default_actor() -> str:
    """The OS user: who did it, when nobody said (the audit log never records an empty actor)."""
    try:
        return getpass.getuser()
    except Exception:  # getuser raises OSError or KeyError in containers without a passwd entry
        return "unknown"


class StoreSettings(BaseSettings):
    """`REEC_DATABASE_URL`, `REEC_ACTOR`, `REEC_CLOCK_START`, `REEC_AUTO_UPGRADE`."""

    model_config = SettingsConfigDict(
        env_prefix="REEC_", extra="ignore", use_attribute_docstrings=True
    )

    database_url: str = "sqlite:///./reec.db"
    """The licence book: a SQLite file (WAL mode, created on first use) or
    `postgresql://user@host:port/db` (driven by psycopg 3)."""
    actor: str | None = None
    """Who is recorded for each step when `--actor` is not given; unset: the OS user."""
    clock_start: ClockStart = "next_working_day"
    """Whether the acceptance day is day 1 of the review clock (`acceptance_day`) or counting
    starts the next working day (default; docs/licensing.md)."""
    auto_upgrade: bool = True
    """Create or migrate the schema on first use; with `false`, commands refuse until
    `reec db upgrade`."""

    def who(self, explicit: str | None = None) -> str:
        from reec.errors import InputError
        from reec.input_limits import MAX_ACTOR

        actor = explicit or self.actor or default_actor()
        if len(actor) > MAX_ACTOR:
            raise InputError(f"an actor name is at most {MAX_ACTOR} characters", field="--actor")
        return actor
