"""CPU of one `POST /v1/determinations` in a `reec serve` worker, measured in-process (issue 16).

The wall latencies of bench/api.py depend on what else the machine and its host run; the CPU a
request costs the server does not, much. This script builds the worker's app as `reec serve`
does (`serving_app`, on a throw-away SQLite licence book, every check kept unless
REEC_DESK_KEEP_CHECKS says otherwise), runs its lifespan, and feeds `--clients` in-memory
connections of uvicorn's protocol (`GuardedHttpToolsProtocol`, what `reec serve` runs: llhttp's
parsing, the ASGI cycle, the answer's bytes) on uvloop, each sending the next request the moment
its answer's last byte was written. No socket and no other process: what is counted is the
worker's own work per request, Python and C, parsing to answer, the kept write included. The
figure is CPU milliseconds per request of the whole process (`time.process_time`: the checkpoint
thread too), repeated `--runs` times after a warm-up; `--profile` prints a cProfile (CPU timer)
of one run instead (and writes it to $API_CPU_PROFILE if set). Under
`valgrind --tool=cachegrind --cache-sim=no` two runs of different lengths (`--runs 1
--warmup 200 --requests 10` and `--requests 510`) give the instructions per request from their
difference: the measure that does not move with the machine's load.

    .venv/bin/python bench/api_cpu.py [--requests 2000] [--clients 1] [--runs 5] [--warmup 500]
                                      [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from typing import Any

import loadgen
from api import _body


class _Transport(asyncio.Transport):
    """What uvicorn's protocol writes to: keeps the answer's bytes, tells the client when the
    whole answer (Content-Length) has been written."""

    def __init__(self, done: Any) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._done = done
        self._closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        buffer = self._buffer
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(buffer[: end + 2]).lower()
        at = head.find(b"content-length:")
        length = int(head[at + 15 : head.index(b"\r\n", at)]) if at >= 0 else 0
        if len(buffer) >= end + 4 + length:
            answer = bytes(buffer)
            buffer.clear()
            self._done(answer)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def abort(self) -> None:
        self._closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


async def _measure(
    request: bytes, requests: int, clients: int, runs: int, profile: bool, warmup: int
) -> None:
    from uvicorn.config import Config
    from uvicorn.lifespan.on import LifespanOn
    from uvicorn.server import ServerState

    from reec.api.app import serving_app
    from reec.api.connections import GuardedHttpToolsProtocol

    config = Config(
        serving_app(),
        http=GuardedHttpToolsProtocol,
        lifespan="on",
        log_config=None,
        access_log=False,
        proxy_headers=False,
        limit_concurrency=200,
    )
    config.load()
    lifespan = LifespanOn(config)
    await lifespan.startup()
    state = ServerState()
    loop = asyncio.get_running_loop()
    answers: list[bytes] = []

    async def batch(n: int) -> None:
        finished = loop.create_future()
        left, unsent = [n], [n - clients]
        protocols = []

        def open_one() -> None:
            protocol = GuardedHttpToolsProtocol(
                config=config, server_state=state, app_state=lifespan.state, _loop=loop
            )

            def done(answer: bytes) -> None:
                answers.append(answer)
                left[0] -= 1
                if unsent[0] > 0:
                    unsent[0] -= 1
                    loop.call_soon(protocol.data_received, request)
                elif left[0] <= 0 and not finished.done():
                    finished.set_result(None)

            protocol.connection_made(_Transport(done))
            protocols.append(protocol)
            protocol.data_received(request)

        for _ in range(clients):
            open_one()
        await finished
        for protocol in protocols:
            protocol.connection_lost(None)

    await batch(warmup)  # the first requests load tables and fill caches
    if not answers[-1].startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"not answered 200: {answers[-1][:300]!r}")
    keeps = os.environ.get("REEC_DESK_KEEP_CHECKS", "true")
    print(
        f"{requests} requests a run, {clients} connection(s), REEC_DESK_KEEP_CHECKS={keeps}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        await batch(requests)
        profiler.disable()
        if os.environ.get("API_CPU_PROFILE"):  # a file for pstats as well
            profiler.dump_stats(os.environ["API_CPU_PROFILE"])
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(45)
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(60)
    else:
        figures = []
        for _ in range(runs):
            cpu = time.process_time()
            await batch(requests)
            figures.append((time.process_time() - cpu) * 1000 / requests)
        shown = " ".join(f"{f:.3f}" for f in figures)
        print(
            f"server CPU per request, ms: {shown}; median {statistics.median(figures):.3f}, "
            f"min {min(figures):.3f}"
        )
    await lifespan.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=1, help="connections, each a request at a time")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=500, help="requests before the runs")
    ap.add_argument("--profile", action="store_true", help="a cProfile of one run instead")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="reec-api-cpu-") as tmp:
        from reec.api.keys import KeyBook
        from reec.store.db import Store

        db = f"sqlite:///{tmp}/reec.db"
        store = Store(db)
        store.ensure_schema()
        key = KeyBook(store).create("bench", ["analyst"], actor="bench")[1]
        store.dispose()
        os.environ.update(
            {
                "REEC_DATABASE_URL": db,
                "REEC_ACCESS_LOG": "false",
                "REEC_LOG_LEVEL": "warning",
                "REEC_RATE_LIMIT_KEY": "2000/second",  # as bench/api.py sets it
            }
        )
        body = _body()
        request = (
            b"POST /v1/determinations HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
            b"X-API-Key: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (key.encode(), len(body), body)
        )
        loadgen.run(
            _measure(request, args.requests, args.clients, args.runs, args.profile, args.warmup)
        )


if __name__ == "__main__":
    main()
