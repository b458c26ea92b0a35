"""A cached API key is read again in the background before it expires (issue 16), without
keeping a revoked key alive longer than before."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import update

from reec.api import keys as keys_module
from reec.api.keys import KeyBook, api_keys
from reec.store.db import Store


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The key book's monotonic clock, set by the test."""
    now = [0.0]
    monkeypatch.setattr(keys_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


def _gateway(store: Store) -> tuple[KeyBook, str]:
    """A key book with a 5 s cache and a key verified (cached) at 0 s, and its token."""
    book = KeyBook(store, cache_seconds=5)
    token = book.create("gateway", ["analyst"], actor="tests")[1]
    assert book.verify(token) is not None
    return book, token


def _held_lookups(
    book: KeyBook, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], threading.Event, threading.Event]:
    """The book's database reads recorded and held until the last event is set; the first
    event is set once a read has been made."""
    reads: list[str] = []
    read, go_on = threading.Event(), threading.Event()
    lookup = book._lookup

    def held(digest: str) -> Any:
        row = lookup(digest)
        reads.append(digest)
        read.set()
        go_on.wait(10)
        return row

    monkeypatch.setattr(book, "_lookup", held)
    return reads, read, go_on


def _revoke_elsewhere(store: Store, name: str) -> None:
    """What another process revoking the key does: the row changes, this cache does not."""
    with store.transaction() as session:
        session.execute(
            update(api_keys)
            .where(api_keys.c.name == name)
            .values(revoked_at=datetime.now(UTC), revoked_by="elsewhere")
        )


def test_a_key_in_use_never_expires_on_a_request(store: Store, clock: list[float]) -> None:
    book, token = _gateway(store)  # read at 0
    clock[0] = 2.0
    assert book.known(token) is not None  # young: no read
    clock[0] = 3.0
    assert book.known(token) is not None  # past half its life: read again in the background
    book.wait_refreshed()
    clock[0] = 7.0  # past the first read's expiry, within the second's
    key = book.known(token)
    assert key is not None
    assert key.name == "gateway"


def test_an_entry_unused_past_its_period_is_looked_up_again(
    store: Store, clock: list[float]
) -> None:
    book, token = _gateway(store)
    clock[0] = 5.0
    assert book.known(token) is None  # expired: the caller verifies, as before
    assert book.verify(token) is not None


def test_a_key_revoked_elsewhere_stops_within_the_cache_period(
    store: Store, clock: list[float]
) -> None:
    book, token = _gateway(store)
    _revoke_elsewhere(store, "gateway")
    clock[0] = 3.0
    assert book.known(token) is not None  # cached, within the period: allowed, as before
    book.wait_refreshed()
    assert book.known(token) is None
    assert book.verify(token) is None
    clock[0] = 9.0
    assert book.verify(token) is None


def test_a_refresh_read_before_a_revocation_is_not_kept(
    store: Store, clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    book, token = _gateway(store)
    _, read, go_on = _held_lookups(book, monkeypatch)
    clock[0] = 3.0
    assert book.known(token) is not None
    assert read.wait(10)  # the key read while still active
    book.revoke("gateway", actor="tests")  # through the API: at once
    go_on.set()
    book.wait_refreshed()
    assert book.known(token) is None
    assert book.verify(token) is None


def test_one_background_read_per_key_at_a_time(
    store: Store, clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    book, token = _gateway(store)
    reads, _, go_on = _held_lookups(book, monkeypatch)
    clock[0] = 3.0
    for _ in range(50):
        assert book.known(token) is not None
    go_on.set()
    book.wait_refreshed()
    assert len(reads) == 1
