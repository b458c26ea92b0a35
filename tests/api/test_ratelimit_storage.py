"""The rate limits' storage sweeps expired entries inline, without a thread per 10 ms of
traffic (issue 16), and limits exactly as `limits`' own in-memory storage does."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from reec.api import ratelimit
from reec.api.ratelimit import SweptMemoryStorage


@pytest.mark.parametrize("strategy", [MovingWindowRateLimiter, FixedWindowRateLimiter])
def test_no_thread_is_started_however_many_requests(
    strategy: type[MovingWindowRateLimiter | FixedWindowRateLimiter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[threading.Thread] = []
    real_start = threading.Timer.start

    def counting_start(self: threading.Timer) -> None:
        started.append(self)
        real_start(self)

    monkeypatch.setattr(threading.Timer, "start", counting_start)
    limiter = strategy(SweptMemoryStorage())  # `limits` starts one timer as it is made
    started.clear()
    item = parse("100000/second")
    for i in range(2000):
        assert limiter.hit(item, f"key:{i % 3}")
        if i % 500 == 0:
            time.sleep(0.02)  # `MemoryStorage` would have started a timer after each pause
    assert started == []
    stock = strategy(MemoryStorage())
    time.sleep(0.05)  # its first timer has run out
    started.clear()
    stock.hit(item, "key:0")
    assert started, "limits' own storage starts a timer: the test sees one"


@pytest.mark.parametrize("strategy", [MovingWindowRateLimiter, FixedWindowRateLimiter])
def test_limits_as_the_library_does(
    strategy: type[MovingWindowRateLimiter | FixedWindowRateLimiter],
) -> None:
    item = parse("3/second")
    ours, theirs = strategy(SweptMemoryStorage()), strategy(MemoryStorage())
    got = [(ours.hit(item, "k"), theirs.hit(item, "k")) for _ in range(5)]
    assert [a for a, _ in got] == [b for _, b in got] == [True, True, True, False, False]


def test_expired_entries_are_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "SWEEP_SECONDS", 0.0)
    storage = SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("5/second")
    limiter.hit(item, "gone")
    assert storage.events
    time.sleep(1.1)
    limiter.hit(item, "other")  # a later request sweeps
    assert not [e for key, e in storage.events.items() if "gone" in key and e]
