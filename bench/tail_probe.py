"""Per-request timestamps inside each `reec serve` worker, for `bench/api_tail.py` only.

A worker's app is wrapped (`serving_app`, the factory `bench/api_tail.py` has uvicorn load in
place of reec's) and, for each request that carries an `X-Probe` id, records on the one clock
every process shares (`time.perf_counter`, CLOCK_MONOTONIC on Linux):

- `rx`: when the connection's bytes holding the request were handed to the HTTP parser;
- `app`: when the app was called with it (the wait between the two is the event loop serving
  something else);
- `keep0`, `keep1`: when the route handed its check to the loop keeper and when it came back
  committed;
- `end`: when the answer's last byte was handed to the transport;
- `runq`, `cpu`: seconds the worker's thread waited for a core, and ran, between `app` and
  `end` (`/proc/thread-self/schedstat`; steal time counts as neither).

and every loop-keeper transaction's wall time and write-lock wait. Written as JSON to
`$TAIL_PROBE_DIR/worker-<pid>.json` when the worker shuts down. It patches reec's classes in
the worker it runs in, so it is never imported by reec itself.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import time
from collections.abc import Iterator
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["serving_app", "wrap"]

_now = time.perf_counter
_requests: dict[str, dict[str, float]] = {}
_received: dict[str, float] = {}
_transactions: list[tuple[float, float, float]] = []  # (start, wall, write-lock wait)
_current: contextvars.ContextVar[dict[str, float]] = contextvars.ContextVar("tail_probe")


def _schedstat() -> tuple[float, float]:
    """Seconds this thread has run (`time.thread_time`: exact, where the schedstat's count
    moves at scheduler ticks) and waited on a run queue (counted when it is given a core)."""
    with open("/proc/thread-self/schedstat", "rb") as stat:
        waited = stat.read().split()[1]
    return time.thread_time(), int(waited) / 1e9


def _patch() -> None:
    from reec.api.connections import _Guarded
    from reec.desk.loop_keeper import LoopKeeper
    from reec.store.db import Store

    parse = _Guarded.data_received

    def data_received(self: Any, data: bytes) -> None:
        at = data.find(b"x-probe: ")
        if at >= 0:
            _received[data[at + 9 : data.index(b"\r", at)].decode()] = _now()
        parse(self, data)

    keep = LoopKeeper.keep_async

    async def keep_async(self: LoopKeeper, check: Any) -> int:
        times = _current.get(None)
        if times is not None:
            times["keep0"] = _now()
        kept = await keep(self, check)
        if times is not None:
            times["keep1"] = _now()
        return kept

    commit = LoopKeeper._commit
    turns: list[float] = []

    def timed_commit(self: LoopKeeper, checks: Any) -> Any:
        start = _now()
        turns.clear()
        ids = commit(self, checks)
        _transactions.append((start, _now() - start, sum(turns)))
        return ids

    turn = Store.write_turn

    @contextlib.contextmanager
    def write_turn(self: Store, within: float) -> Iterator[bool]:
        start = _now()
        with turn(self, within) as held:
            turns.append(_now() - start)
            yield held

    _Guarded.data_received = data_received  # type: ignore[method-assign]  # the probe's hook
    LoopKeeper.keep_async = keep_async  # type: ignore[method-assign]  # the probe's hook
    LoopKeeper._commit = timed_commit  # type: ignore[method-assign]  # the probe's hook
    Store.write_turn = write_turn  # type: ignore[method-assign]  # the probe's hook


def _dump() -> None:
    folder = os.environ.get("TAIL_PROBE_DIR")
    if folder:
        with open(os.path.join(folder, f"worker-{os.getpid()}.json"), "w") as out:
            json.dump({"requests": _requests, "transactions": _transactions}, out)


def wrap(app: ASGIApp) -> ASGIApp:
    """`app` with the probe around it (see the module's docstring)."""
    _patch()

    async def probe(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await app(scope, receive, send)
            _dump()
            return
        ident = None
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"x-probe":
                    ident = value.decode()
        if ident is None:
            await app(scope, receive, send)
            return
        ran, waited = _schedstat()
        times = {"app": _now(), "rx": _received.pop(ident, float("nan"))}
        _current.set(times)

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                times["end"] = _now()

        await app(scope, receive, timed_send)
        ran_after, waited_after = _schedstat()
        times["cpu"], times["runq"] = ran_after - ran, waited_after - waited
        _requests[ident] = times

    return probe


def serving_app() -> ASGIApp:
    """What uvicorn loads in each worker in place of `reec.api.app:serving_app`."""
    from reec.api.app import serving_app as reec_app

    return wrap(reec_app())
