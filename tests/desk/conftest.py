"""A desk on a throw-away SQLite licence book (PostgreSQL too where the test asks for it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from postgres_db import AVAILABLE, wiped_url
from reec.api.app import create_app
from reec.api.keys import KeyBook, Role
from reec.api.settings import ApiSettings
from reec.store.db import Store

BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not AVAILABLE, reason="no PG")),
]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """SQLite always; PostgreSQL when REEC_TEST_POSTGRES_URL is set (CI), wiped first."""
    url = f"sqlite:///{tmp_path / 'reec.db'}" if request.param == "sqlite" else wiped_url()
    s = Store(url)
    s.ensure_schema()
    yield s
    s.dispose()


@pytest.fixture
def app(store: Store) -> FastAPI:
    return create_app(ApiSettings(access_log=False), store=store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def keys(app: FastAPI) -> dict[str, dict[str, str]]:
    """`X-API-Key` headers by role name."""
    book: KeyBook = app.state.keybook
    return {
        r.value: {"X-API-Key": book.create(f"key-{r.value}", [r], actor="tests")[1]} for r in Role
    }
