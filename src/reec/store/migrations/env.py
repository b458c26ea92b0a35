"""Alembic environment: runs on the connection `Store.upgrade` hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from reec.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - reec always passes a connection
    raise RuntimeError("reec's migrations run through `reec db upgrade` (Store.upgrade)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
