"""API benchmark: `POST /v1/determinations` with examples/01 against a running `reec serve`.

Starts `reec serve` in its own process (throw-away SQLite licence book, one analyst key), then
drives it from this process over keep-alive HTTP/1.1 connections (bench/loadgen.py: uvloop,
pre-encoded requests, its own CPU per request printed):
  1. open loop at a fixed rate (default 200 requests/s for 20 s) over `--connections` keep-alive
     connections: p50 / p99 latency counted from the moment each request was due (so waiting
     for a free connection behind a server that fell behind is in it), errors, and the host's
     steal time meanwhile (a virtual machine's cores taken by the host: which of the slowest
     requests it overlapped);
  2. closed loop (default 16 concurrent clients for 10 s): the most requests/s it serves, and
     the server's CPU time per request over it (all its processes, from /proc: the figure that
     says what a request costs whatever else the machine is doing).
Each worker count (default 1 and 2, set through REEC_WORKERS as a deployment would) gets its
own server, warmed up first (each worker loads the rules and lists on its first request).

The flood protections stay on (issue 11), set as a deployment that serves 200 requests/s to one
ERP gateway would set them, and printed: the gateway's key gets a budget above what it sends
(`--key-limit`, REEC_RATE_LIMIT_KEY, counted per worker), and its one address may hold the
bench's keep-alive connections (`--connections`, REEC_MAX_CONNECTIONS_PER_CLIENT); the
anonymous limit and REEC_LIMIT_CONCURRENCY keep their defaults. A capacity test is not a flood
test: bench/flood.py measures the floods.
Targets (2 cores): p99 < 25 ms at 200 requests/s (issue 6); with REEC_WORKERS=2, p99 < 10 ms
at 200 requests/s, printed beside the 1-worker figures (issue 16).

    .venv/bin/python bench/api.py [--rate 200] [--seconds 20] [--clients 16] [--workers 1,2]
                                  [--key-limit 2000/second] [--connections 64]
                                  [--canary] [--url URL --key K]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import yaml

import loadgen
from loadgen import Canaries, ClosedLoop, OpenLoop, Steal

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _body() -> bytes:
    from reec.shipment_input import _rejoin_split_names

    raw = yaml.safe_load((ROOT / "examples/01-dy-oxide-from-china.yaml").read_text("utf-8"))
    _rejoin_split_names(raw["exporter"], frozenset({"name", "country"}))
    return json.dumps(raw, default=str).encode()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _request(url: str, key: str, body: bytes) -> tuple[str, int, bytes]:
    hostport = url.split("://", 1)[1].rstrip("/")
    host, port = hostport.rsplit(":", 1)
    head = (
        f"POST /v1/determinations HTTP/1.1\r\nHost: {hostport}\r\nX-API-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return host, int(port), head.encode() + body


def _open_loop(
    url: str,
    key: str,
    body: bytes,
    rate: float,
    seconds: float,
    connections: int,
    canary: bool = False,
) -> tuple[float, float, int]:
    """p50, p99 (ms, from the moment each request was due) and errors of the open loop."""
    generator = OpenLoop(*_request(url, key, body), connections)
    with contextlib.ExitStack() as stack:
        canaries = stack.enter_context(Canaries()) if canary else None
        steal = stack.enter_context(Steal())
        loadgen.run(generator.run(rate, seconds))
    spans = generator.latencies
    lat = [(at - due) * 1000 for due, at in spans]
    first, last = min(due for due, _ in spans), max(at for _, at in spans)
    took = last - first
    # the slowest 1 % and the fastest half, for what host stalls overlapped
    ordered = sorted(spans, key=lambda span: span[1] - span[0])
    slow = ordered[-max(1, len(ordered) // 100) :]
    fast = ordered[: len(ordered) // 2]
    p99 = _pct(lat, 0.99)
    late = [s * 1000 for s in generator.lateness]
    print(
        f"open loop  {rate:.0f} req/s offered for {seconds:.0f} s: {len(lat)} requests in "
        f"{took:.1f} s ({len(lat) / took:.0f} req/s achieved), errors {generator.errors}; "
        f"latency ms p50 {statistics.median(lat):.2f}  p90 {_pct(lat, 0.90):.2f}  p99 {p99:.2f}"
        f"  max {max(lat):.2f}"
    )
    print(
        f"  the generator: {generator.cpu * 1000 / len(lat):.3f} ms of CPU per request, sent "
        f"p50 {statistics.median(late):.2f} / p99 {_pct(late, 0.99):.2f} ms after due"
    )
    if steal.samples:
        hit = sum(steal.overlapped(due, at) for due, at in slow)
        base = sum(steal.overlapped(due, at) for due, at in fast)
        print(
            f"  host steal time meanwhile: {steal.share(os.cpu_count() or 1):.1%} of the cores; "
            f"it overlapped {hit} of the slowest {len(slow)} requests and {base} of the "
            f"fastest {len(fast)}"
        )
    if canaries is not None:
        away = canaries.within(first, last)
        hit = sum(canaries.overlapped(due, at) for due, at in slow)
        print(
            f"  cores away (--canary: a real-time task per core woke > 2 ms late): {len(away)} "
            f"times, {sum(away) * 1000:.0f} ms in all, the longest "
            f"{max(away, default=0) * 1000:.1f} ms; they overlapped {hit} of the slowest "
            f"{len(slow)} requests"
        )
    return statistics.median(lat), p99, generator.errors


def _closed_loop(
    url: str, key: str, body: bytes, clients: int, seconds: float, quiet: bool = False
) -> float:
    generator = ClosedLoop(*_request(url, key, body), clients)
    loadgen.run(generator.run(seconds))
    if generator.failed:
        raise SystemExit("a request failed")
    lat = [s * 1000 for s in generator.latencies]
    rps = len(lat) / generator.took
    if not quiet:
        print(
            f"closed loop {clients} clients for {seconds:.0f} s: {rps:.0f} req/s; "
            f"latency ms p50 {statistics.median(lat):.2f}  p99 {_pct(lat, 0.99):.2f}"
        )
    return rps


def _server_cpu(pid: int | None) -> float | None:
    """CPU seconds (user + system) of the server process and its workers so far, from /proc
    (Linux); None elsewhere or for a server this script did not start."""
    if pid is None or not Path("/proc").is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # the server or one of its workers
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _workers_of(pid: int) -> list[int]:
    """The worker processes of the server `pid` (uvicorn spawns them), else the server."""
    workers = []
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                workers.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return workers or [pid]


def _sockets(pid: int) -> int:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
        return sum(os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:") for fd in fds)
    except OSError:
        return 0


def _watch(base: dict[int, int], served: set[int], stop: threading.Event) -> None:
    """Adds to `served` each worker holding more sockets than its `base`, until `stop`."""
    while not stop.wait(0.05):
        served.update(p for p, n in base.items() if _sockets(p) > n)


def _warm(url: str, key: str, body: bytes, clients: int, pid: int | None, workers: int) -> None:
    """Warm every worker up. `/health` answers once one worker is up; a worker still loading
    its rules when the warm-up's connections open gets none of them (they stay with the first
    for the whole warm-up), and would pay its first requests' one-off costs in the measured
    run (rigour's legal-form table alone: 40 ms). So closed loops on fresh connections run
    until each worker has held one of them (its open sockets, from /proc), then the warm-up."""
    deadline = time.monotonic() + 180
    while pid is not None and Path("/proc").is_dir():
        procs = _workers_of(pid)
        if len(procs) >= workers:
            base = {p: _sockets(p) for p in procs}
            served: set[int] = set()
            stop = threading.Event()
            watcher = threading.Thread(target=_watch, args=(base, served, stop))
            watcher.start()
            try:
                _closed_loop(url, key, body, clients, 0.5, quiet=True)
            finally:
                stop.set()
                watcher.join()
            if len(served) == len(procs):
                break
        if time.monotonic() > deadline:
            raise SystemExit("a worker of reec serve never took a connection")
        time.sleep(0.2)
    _closed_loop(url, key, body, clients, 2.0, quiet=True)


def _limits(args: argparse.Namespace) -> dict[str, str]:
    """The flood settings the bench's server runs under (see the module's docstring)."""
    return {
        "REEC_RATE_LIMIT_KEY": args.key_limit,
        "REEC_MAX_CONNECTIONS_PER_CLIENT": str(args.connections),
    }


def _start(
    tmp: str, workers: int, limits: dict[str, str], command: list[str] | None = None
) -> tuple[subprocess.Popen[bytes], str, str]:
    """`reec serve` with REEC_WORKERS=workers on a throw-away SQLite book and analyst key
    (`command` + the port in its place: bench/api_tail.py's probed server)."""
    from reec.api.keys import KeyBook
    from reec.store.db import Store

    db = f"sqlite:///{tmp}/reec-{workers}.db"
    store = Store(db)
    store.ensure_schema()
    key = KeyBook(store).create("bench", ["analyst"], actor="bench")[1]
    store.dispose()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "REEC_DATABASE_URL": db,
        "REEC_ACCESS_LOG": "false",
        "REEC_LOG_LEVEL": "warning",
        "REEC_WORKERS": str(workers),
        **limits,
    }
    serve = command or [str(Path(sys.executable).parent / "reec"), "serve", "--port"]
    server = subprocess.Popen([*serve, str(port)], env=env)
    deadline = time.monotonic() + 180  # a worker loads the rules first; slow on a busy machine
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return server, url, key
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit("reec serve did not start")
        time.sleep(0.2)


def _run(
    url: str,
    key: str,
    body: bytes,
    args: argparse.Namespace,
    pid: int | None = None,
    workers: int = 1,
) -> tuple[float, ...]:
    """p50, p99 and errors of the open loop, req/s of the closed loop, and the server's CPU
    milliseconds per request over the closed loop (nan when it cannot be read)."""
    _warm(url, key, body, args.clients, pid, workers)
    p50, p99, errors = _open_loop(
        url, key, body, args.rate, args.seconds, args.connections, args.canary
    )
    before, start = _server_cpu(pid), time.perf_counter()
    rps = _closed_loop(url, key, body, args.clients, args.seconds / 2)
    after, took = _server_cpu(pid), time.perf_counter() - start
    cpu = float("nan")
    if before is not None and after is not None:
        cpu = (after - before) * 1000 / (rps * took)
        print(f"server CPU over the closed loop: {cpu:.2f} ms per request (all its processes)")
    return p50, p99, float(errors), rps, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--workers", default="1,2", help="REEC_WORKERS values, one server each")
    ap.add_argument(
        "--key-limit",
        default="2000/second",
        help="REEC_RATE_LIMIT_KEY of the server: the gateway key's budget, per worker",
    )
    ap.add_argument(
        "--connections",
        type=int,
        default=64,
        help="keep-alive connections of the open loop (a request waits for a free one); "
        "REEC_MAX_CONNECTIONS_PER_CLIENT of the server",
    )
    ap.add_argument(
        "--canary",
        action="store_true",
        help="during the open loop, a real-time task per core (bench/canary.py, root) says when "
        "a core was away: host stalls that /proc/stat's steal ticks miss",
    )
    ap.add_argument("--url", help="an already running server (then --key is needed)")
    ap.add_argument("--key", help="analyst API key for --url")
    args = ap.parse_args()
    body = _body()
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; client: this process "
        "(bench/loadgen.py on uvloop, keep-alive connections), same machine"
    )
    if args.url:
        _run(args.url, args.key or "", body, args)
        return
    limits = _limits(args)
    from reec.api.settings import ApiSettings

    defaults = ApiSettings()
    print(
        "server limits: "
        + ", ".join(f"{k}={v!r}" for k, v in limits.items())
        + f"; defaults kept: REEC_RATE_LIMIT_ANONYMOUS={defaults.rate_limit_anonymous!r}, "
        f"REEC_LIMIT_CONCURRENCY={defaults.limit_concurrency}, "
        f"REEC_MAX_CONNECTIONS={defaults.max_connections}"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="reec-bench-") as tmp:
        for workers in [int(w) for w in args.workers.split(",")]:
            print(f"-- REEC_WORKERS={workers}")
            server, url, key = _start(tmp, workers, limits)
            try:
                rows.append((workers, *_run(url, key, body, args, server.pid, workers)))
            finally:
                server.terminate()
                server.wait(timeout=20)
    print(
        f"\nworkers  p50 ms  p99 ms @ {args.rate:.0f} req/s  errors  closed loop "
        f"{args.clients} clients req/s  server CPU ms/req"
    )
    for workers, p50, p99, errors, rps, cpu in rows:
        print(f"{workers:7d} {p50:7.2f} {p99:16.2f} {errors:7.0f} {rps:20.0f} {cpu:18.2f}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    for workers, _, p99, errors, _, _ in rows:
        if args.rate == 200:
            limit = 10 if workers == 2 else 25
            met = "MET" if p99 < limit and not errors else "NOT MET"
            print(f"target p99 < {limit} ms at 200 req/s with {workers} worker(s): {met}")


if __name__ == "__main__":
    main()
