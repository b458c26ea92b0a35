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
import resource
import time
from collections.abc import Iterator
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["serving_app", "wrap"]

_now = time.perf_counter
_requests: dict[str, dict[str, float]] = {}
_received: dict[str, float] = {}
_connection: dict[str, tuple[int, int]] = {}  # (connection, its nth request) by probe id
_transactions: list[tuple[float, float, float, int]] = []  # (start, wall, lock wait, checks)
_events: list[tuple[str, float, float]] = []  # (what, start, seconds): collections, checkpoints
_stacks: list[tuple[float, float, list[str]]] = []  # (when, stalled for, main thread's stack)
_beat = [0.0]  # the loop's last tick (`_watch`)
_lags: list[tuple[float, float, float, float]] = []  # (due, late, thread CPU, run-queue wait)
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
            ident = data[at + 9 : data.index(b"\r", at)].decode()
            served = self.__dict__.setdefault("_probe_served", [0])
            served[0] += 1
            _received[ident] = _now()
            _connection[ident] = (id(self), served[0])
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

    statements: list[tuple[str, float, float]] = []  # (first word, wall, thread CPU)

    class _Cursor:
        def __init__(self, cursor: Any) -> None:
            self._cursor = cursor

        def __getattr__(self, name: str) -> Any:
            return getattr(self._cursor, name)

        def execute(self, sql: str, *args: Any) -> Any:
            start, cpu = _now(), time.thread_time()
            out = self._cursor.execute(sql, *args)
            statements.append((sql.split()[0], _now() - start, time.thread_time() - cpu))
            return out

        def executemany(self, sql: str, *args: Any) -> Any:
            start, cpu = _now(), time.thread_time()
            out = self._cursor.executemany(sql, *args)
            statements.append((sql.split()[0], _now() - start, time.thread_time() - cpu))
            return out

    class _Conn:
        def __init__(self, conn: Any) -> None:
            self._conn = conn

        def __getattr__(self, name: str) -> Any:
            return getattr(self._conn, name)

        def cursor(self) -> _Cursor:
            return _Cursor(self._conn.cursor())

    connection = LoopKeeper._connection

    def probed_connection(self: LoopKeeper) -> Any:
        return _Conn(connection(self))

    LoopKeeper._connection = probed_connection  # type: ignore[method-assign]  # the probe's hook

    def timed_commit(self: LoopKeeper, checks: Any) -> Any:
        start, cpu = _now(), time.thread_time()
        turns.clear()
        statements.clear()
        ids = commit(self, checks)
        wall = _now() - start
        _transactions.append(
            (start, wall, sum(turns), len(checks), time.thread_time() - cpu, list(statements))
        )
        return ids

    turn = Store.write_turn

    @contextlib.contextmanager
    def write_turn(self: Store, within: float) -> Iterator[bool]:
        start = _now()
        with turn(self, within) as held:
            turns.append(_now() - start)
            yield held

    from reec.desk import loop_keeper

    checkpoints = loop_keeper._Checkpoints

    def run_checkpoints(self: Any) -> None:  # _Checkpoints._run, timed
        conn = self.store.engine.raw_connection()
        try:
            while self._wrote.wait() and not self._stop.wait(loop_keeper.CHECKPOINT_SECONDS):
                self._wrote.clear()
                start = _now()
                done = conn.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                _events.append((f"checkpoint {done[0][1]}/{done[0][2]}", start, _now() - start))
        finally:
            conn.close()

    from reec.api.keys import KeyBook

    verify = KeyBook.verify

    def timed_verify(self: Any, token: str) -> Any:
        start = _now()
        key = verify(self, token)
        _events.append(("verify", start, _now() - start))
        return key

    KeyBook.verify = timed_verify  # type: ignore[method-assign]  # the probe's hook
    checkpoints._run = run_checkpoints  # type: ignore[method-assign]  # the probe's hook
    collecting: list[float] = []

    def collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[:] = [_now()]
        elif collecting:
            took = _now() - collecting[0]
            what = f"gc{info['generation']}"
            if info["generation"] == 2:
                what += f" collected {info['collected']} frozen {gc.get_freeze_count()}"
            _events.append((what, collecting[0], took))

    import gc

    gc.callbacks.append(collection)
    _Guarded.data_received = data_received  # type: ignore[method-assign]  # the probe's hook
    LoopKeeper.keep_async = keep_async  # type: ignore[method-assign]  # the probe's hook
    LoopKeeper._commit = timed_commit  # type: ignore[method-assign]  # the probe's hook
    Store.write_turn = write_turn  # type: ignore[method-assign]  # the probe's hook


def _dump() -> None:
    folder = os.environ.get("TAIL_PROBE_DIR")
    if folder:
        with open(os.path.join(folder, f"worker-{os.getpid()}.json"), "w") as out:
            json.dump(
                {
                    "requests": _requests,
                    "transactions": _transactions,
                    "events": _events,
                    "lags": _lags,
                    "connections": _connection,
                    "stacks": _stacks,
                },
                out,
            )


async def _watch(every: float = 0.002) -> None:
    """The loop's lateness every `every` seconds: a tick later than 1.5 ms is kept with the
    thread's CPU and run-queue wait over it (ran: the loop was busy; neither: blocked or the
    host took the core)."""
    import asyncio

    with open("/proc/thread-self/schedstat", "rb", buffering=0) as stat:

        def waited() -> float:
            stat.seek(0)
            return int(stat.read().split()[1]) / 1e9

        def sys_faults() -> tuple[float, int]:
            used = resource.getrusage(resource.RUSAGE_THREAD)
            return used.ru_stime, used.ru_minflt

        due, cpu, runq, kern = _now() + every, time.thread_time(), waited(), sys_faults()
        while True:
            await asyncio.sleep(max(0.0, due - _now()))
            now = _now()
            cpu_now, runq_now, kern_now = time.thread_time(), waited(), sys_faults()
            if now - due > 0.0015:
                _lags.append(
                    (
                        due,
                        now - due,
                        cpu_now - cpu,
                        runq_now - runq,
                        kern_now[0] - kern[0],
                        kern_now[1] - kern[1],
                    )
                )
            due, cpu, runq, kern = now + every, cpu_now, runq_now, kern_now
            _beat[0] = now


def _sample_stalls(main: int, stalled: float = 0.003) -> None:
    """A thread: the main thread's Python stack whenever the loop has not ticked for
    `stalled` seconds (it gets the interpreter within the switch interval, 5 ms)."""
    import sys

    while True:
        time.sleep(0.001)
        now = _now()
        if _beat[0] and now - _beat[0] > stalled:
            frame = sys._current_frames().get(main)
            stack = []
            while frame is not None and len(stack) < 40:
                code = frame.f_code
                stack.append(
                    f"{code.co_filename.split('site-packages/')[-1]}:{code.co_name}:{frame.f_lineno}"
                )
                frame = frame.f_back
            _stacks.append((now, now - _beat[0], stack))


def wrap(app: ASGIApp) -> ASGIApp:
    """`app` with the probe around it (see the module's docstring)."""
    _patch()

    async def probe(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            import asyncio

            watch = asyncio.get_running_loop().create_task(_watch(0.001))
            if os.environ.get("TAIL_PROBE_STACKS"):
                import threading

                threading.Thread(
                    target=_sample_stalls, args=(threading.get_ident(),), daemon=True
                ).start()
            await app(scope, receive, send)
            watch.cancel()
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
        usage = resource.getrusage(resource.RUSAGE_THREAD)
        times = {"app": _now(), "rx": _received.pop(ident, float("nan"))}
        _current.set(times)

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                times["end"] = _now()

        await app(scope, receive, timed_send)
        ran_after, waited_after = _schedstat()
        times["cpu"], times["runq"] = ran_after - ran, waited_after - waited
        used = resource.getrusage(resource.RUSAGE_THREAD)
        times["sys"] = used.ru_stime - usage.ru_stime
        times["faults"] = used.ru_minflt - usage.ru_minflt
        _requests[ident] = times

    return probe


def serving_app() -> ASGIApp:
    """What uvicorn loads in each worker in place of `reec.api.app:serving_app`."""
    from reec.api.app import serving_app as reec_app

    return wrap(reec_app())
