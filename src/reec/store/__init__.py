"""The licence book's store: SQLAlchemy tables, Alembic migrations, the audit chain.

SQLite file by default (`./reec.db`, WAL), PostgreSQL by `REEC_DATABASE_URL`. The licensing
services (`reec.licensing`) are the only writers; they call `audit.append` in every transaction.
"""

from __future__ import annotations

from reec.store.audit import AuditProblem, AuditReport
from reec.store.db import Store, make_engine
from reec.store.settings import StoreSettings, default_actor

__all__ = [
    "AuditProblem",
    "AuditReport",
    "Store",
    "StoreSettings",
    "default_actor",
    "make_engine",
    "open_store",
]


def open_store(url: str | None = None, *, auto_upgrade: bool | None = None) -> Store:
    """The store named by `url` or `REEC_DATABASE_URL`, schema checked (and upgraded if allowed)."""
    settings = StoreSettings()
    store = Store(url or settings.database_url)
    try:
        store.ensure_schema(settings.auto_upgrade if auto_upgrade is None else auto_upgrade)
    except BaseException:
        store.dispose()
        raise
    return store
