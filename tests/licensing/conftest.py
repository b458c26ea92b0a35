"""Backends for the licence-book tests: a SQLite temp file always, PostgreSQL when
`REEC_TEST_POSTGRES_URL` is set (scripts/test-env.sh sets it; CI always does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postgres_db import AVAILABLE, wiped_url
from reec.store import Store

BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not AVAILABLE, reason="no PG")),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url: str = f"sqlite:///{tmp_path / 'reec.db'}" if request.param == "sqlite" else wiped_url()
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    s.upgrade()
    yield s
    s.dispose()
