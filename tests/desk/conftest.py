"""A desk on a throw-away SQLite licence book (PostgreSQL too where the test asks for it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from reec.api.app import create_app
from reec.api.keys import KeyBook, Role
from reec.api.settings import ApiSettings
from reec.store.db import Store

PG = os.environ.get("REEC_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG, reason="no PG"))]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """SQLite always; PostgreSQL when REEC_TEST_POSTGRES_URL is set (CI), wiped first."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reec.db'}"
    else:
        assert PG is not None
        engine = create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        url = PG
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
