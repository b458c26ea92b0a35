"""A lean HTTP/1.1 load generator for `bench/api.py`, and the host's steal time beside it.

The generator shares the machine's two cores with the server it measures, so every
microsecond of its own CPU is taken from the workers: the asyncio-streams client it replaces
cost 0.42-0.54 ms of CPU per request (issue 16, measured with `time.process_time`), a fifth to a
quarter of what a kept check costs the server. This one runs on uvloop, sends pre-encoded
requests from callbacks (no task, queue or stream reader per request) and reads each answer
with one `asyncio.Protocol` per keep-alive connection. It measures the same thing: a request's
latency counts from the moment it was due (`time.perf_counter`), so a late send or a wait for
a free connection behind a server that fell behind is in it, up to the moment the last byte
of the answer arrived.

`Steal` reads the host's steal time from /proc/stat: on a virtual machine the host may run
something else on a virtual core for tens of milliseconds while the guest thinks its thread
runs (issue 16: all 20 of the slowest 1 % of requests overlapped such a gap in one run, 16 of
the fastest 1,000). Printing it beside the figures says whether a tail was the code's or the
host's.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

__all__ = ["Canaries", "ClosedLoop", "OpenLoop", "Steal", "run"]

_Done = Callable[[int, float], None]
"""Called with the answer's status (0: the connection failed) and the time its last byte came."""


def run(main: Coroutine[Any, Any, Any]) -> Any:
    """`main` on uvloop where installed (as `reec serve` runs), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


class _Connection(asyncio.Protocol):
    """One keep-alive connection: sends a request, reads its answer (Content-Length bodies:
    what the API sends), calls back."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._buffer = bytearray()
        self._need = -1  # bytes of the whole answer, once its head is in
        self._status = 0
        self._done: _Done | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # uvloop's is not a subclass

    def send(self, request: bytes, done: _Done) -> None:
        assert self.transport is not None
        self._done, self._need = done, -1
        self._buffer.clear()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        if self._need < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            self._status = int(head[9:12])
            at = head.find(b"content-length:")
            length = int(head[at + 15 : head.index(b"\r\n", at)]) if at >= 0 else 0
            self._need = end + 4 + length
        if len(buffer) >= self._need:
            self._finish(self._status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._finish(0)

    def _finish(self, status: int) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(status, time.perf_counter())


async def _connect(host: str, port: int) -> _Connection:
    loop = asyncio.get_running_loop()
    _, connection = await loop.create_connection(_Connection, host, port)
    return connection


@dataclass
class OpenLoop:
    """Requests sent at a fixed rate over a pool of keep-alive connections; one waits for a
    free connection when all are busy (and that wait is in its latency)."""

    host: str
    port: int
    request: bytes
    connections: int
    latencies: list[tuple[float, float]] = field(default_factory=list)
    """(due, answered) of each request, `time.perf_counter` seconds."""
    lateness: list[float] = field(default_factory=list)
    """Seconds each request was sent after it was due (the generator's own delay)."""
    errors: int = 0
    cpu: float = 0.0
    """Seconds of CPU of the generator's thread (the event loop's) over the run."""
    tagged: bool = False
    """Each request carries its number in an `X-Probe` header (for bench/api_tail.py)."""
    sent: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    """When tagged: (due, sent, answered) of each request by its number."""

    def _request(self, i: int) -> bytes:
        if not self.tagged:
            return self.request
        line, rest = self.request.split(b"\r\n", 1)
        return b"%s\r\nx-probe: %d\r\n%s" % (line, i, rest)

    async def run(self, rate: float, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        pool = [await _connect(self.host, self.port) for _ in range(self.connections)]
        idle: deque[_Connection] = deque(pool)
        backlog: deque[tuple[int, float]] = deque()  # requests waiting for a free connection
        reopening: set[asyncio.Task[None]] = set()
        finished = loop.create_future()
        n = int(rate * seconds)
        answered = 0

        def dispatch(i: int, due: float) -> None:
            connection = idle.popleft()
            if connection.closed:  # the server closed an idle one: replace it, then send
                task = loop.create_task(reopen(i, due))
                reopening.add(task)
                task.add_done_callback(reopening.discard)
                return
            sent = time.perf_counter()
            self.lateness.append(sent - due)

            def done(status: int, at: float) -> None:
                nonlocal answered
                self.latencies.append((due, at))
                if self.tagged:
                    self.sent[i] = (due, sent, at)
                self.errors += status != 200
                answered += 1
                if not connection.closed:
                    idle.append(connection)
                if backlog and idle:
                    dispatch(*backlog.popleft())
                if answered == n and not finished.done():
                    finished.set_result(None)

            connection.send(self._request(i), done)

        async def reopen(i: int, due: float) -> None:
            try:
                idle.appendleft(await _connect(self.host, self.port))
            except OSError:  # refused: an error, and the next request tries again
                self.latencies.append((due, time.perf_counter()))
                self.errors += 1
                nonlocal answered
                answered += 1
                dead = _Connection()
                dead.closed = True
                idle.append(dead)
                if answered == n and not finished.done():
                    finished.set_result(None)
                return
            dispatch(i, due)

        start = time.perf_counter() + 0.01
        cpu = time.thread_time()

        def tick(i: int) -> None:
            """Send every request due by now, then sleep until the next one is due."""
            now = time.perf_counter()
            while i < n and start + i / rate <= now:
                due = start + i / rate
                if idle:
                    dispatch(i, due)
                else:
                    backlog.append((i, due))
                i += 1
            if i < n:
                loop.call_later(start + i / rate - time.perf_counter(), tick, i)

        tick(0)
        await finished
        self.cpu = time.thread_time() - cpu
        for connection in pool:
            if connection.transport is not None:
                connection.transport.close()


@dataclass
class ClosedLoop:
    """`clients` keep-alive connections, each sending its next request the moment the last
    one is answered, for `seconds`."""

    host: str
    port: int
    request: bytes
    clients: int
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    took: float = 0.0

    async def run(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        pool = [await _connect(self.host, self.port) for _ in range(self.clients)]
        stop = time.perf_counter() + seconds
        left = [len(pool)]
        finished = loop.create_future()

        def go(connection: _Connection) -> None:
            sent = time.perf_counter()

            def done(status: int, at: float) -> None:
                self.latencies.append(at - sent)
                self.failed += status != 200
                if at < stop and status == 200:
                    go(connection)
                else:
                    left[0] -= 1
                    if not left[0]:
                        finished.set_result(None)

            connection.send(self.request, done)

        start = time.perf_counter()
        for connection in pool:
            go(connection)
        await finished
        self.took = time.perf_counter() - start
        for connection in pool:
            if connection.transport is not None:
                connection.transport.close()


class Steal:
    """The host's steal time of this virtual machine's cores, sampled every `every` seconds on
    a thread from /proc/stat (Linux; nothing elsewhere), to tell which requests overlapped it.
    The kernel counts steal in ticks of 10 ms; a read of /proc/stat costs about 0.1 ms of CPU,
    so sampling every 20 ms costs the generator's process about 0.5 % of a core."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.samples: list[tuple[float, int]] = []  # (perf_counter, steal ticks of all cores)
        self._times: list[float] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.available = Path("/proc/stat").is_file()

    def __enter__(self) -> Steal:
        if self.available:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        with open("/proc/stat", "rb", buffering=0) as stat:
            while True:
                stat.seek(0)
                line = stat.readline()  # "cpu  user nice system idle iowait irq softirq steal"
                self.samples.append((time.perf_counter(), int(line.split()[8])))
                if self._stop.wait(self.every):
                    return

    def share(self, cores: int) -> float:
        """Steal as a share of the cores' time over the whole sampling."""
        if len(self.samples) < 2:
            return float("nan")
        (t0, s0), (t1, s1) = self.samples[0], self.samples[-1]
        return (s1 - s0) / os.sysconf("SC_CLK_TCK") / (cores * (t1 - t0))

    def overlapped(self, start: float, end: float) -> bool:
        """Whether steal ticks were counted between `start` and `end` (one sample's slack)."""
        if len(self._times) != len(self.samples):
            self._times = [t for t, _ in self.samples]
        times = self._times
        i = max(0, bisect.bisect_left(times, start) - 1)
        j = min(len(times) - 1, bisect.bisect_right(times, end))
        return bool(self.samples) and self.samples[j][1] > self.samples[i][1]


class Canaries:
    """bench/canary.py on every core while in the `with` block: the moments a core was away
    (a real-time task woke more than 2 ms late: the host ran something else on it, whether
    or not /proc/stat counted it as steal), to tell which requests overlapped them."""

    def __init__(self) -> None:
        self.stalls: list[tuple[float, float]] = []  # (start, seconds late)
        self._folder = tempfile.TemporaryDirectory(prefix="reec-canary-")
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Canaries:
        script = str(Path(__file__).with_name("canary.py"))
        for cpu in sorted(os.sched_getaffinity(0)):
            out = f"{self._folder.name}/canary-{cpu}.json"
            command = [sys.executable, script, "--cpu", str(cpu), "--out", out]
            self._procs.append(subprocess.Popen(command))
        time.sleep(0.2)  # each has set its priority and affinity
        return self

    def __exit__(self, *_: object) -> None:
        for proc in self._procs:
            proc.terminate()
            proc.wait(timeout=10)
        for path in Path(self._folder.name).glob("canary-*.json"):
            self.stalls += [(start, late) for start, late in json.loads(path.read_text())]
        self.stalls.sort()
        self._folder.cleanup()

    def within(self, start: float, end: float) -> list[float]:
        """Seconds late of the stalls between `start` and `end`."""
        return [late for at, late in self.stalls if start <= at <= end]

    def overlapped(self, start: float, end: float) -> bool:
        return any(at < end and at + late + 0.001 > start for at, late in self.stalls)
