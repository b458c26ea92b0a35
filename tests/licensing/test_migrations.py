"""The Alembic migrations build exactly the schema the table models declare, on both backends.

A model changed without a migration (or a migration that drifted from the models) fails here,
instead of on a user's database after `reec db upgrade`.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import reec.api.keys  # registers the api_keys table on the shared metadata
import reec.desk.tables  # noqa: F401 - and the desk tables
from reec.store import Store
from reec.store.tables import Base


def test_upgraded_database_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_reaches_the_single_head(store: Store) -> None:
    assert store.current() == store.head()
