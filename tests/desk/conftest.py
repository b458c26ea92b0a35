"""A desk on a throw-away SQLite licence book (PostgreSQL too where the test asks for it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reec.api.app import create_app
from reec.api.keys import KeyBook, Role
from reec.api.settings import ApiSettings
from reec.store.db import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'reec.db'}")
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
