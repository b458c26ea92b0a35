"""Load test (issue 11): `/health` and determinations keep answering under abuse.

Starts `reec serve` on loopback (throw-away SQLite licence book, one analyst key, the access log
on, the server's stderr in a file, open files capped at `--nofile` as on the machine of the
issue), then for `--seconds` each (default 8):
  0. quiet: the latency of `/health` and of a determination (examples/01) alone;
  1. flood: `--flooders` threads send determinations with a body and no key, or a wrong key,
     as fast as they can, while one probe measures `/health` and determinations;
  2. 5 MiB body: clients keep sending a body just under the 5 MiB limit with a valid key
     (a 9,000-line shipment), while the probe measures the same two;
  3. over the limit: chunked 6 MiB bodies without `Content-Length` and no key;
  4. /health flood: `--flooders` threads ask `/health` without a key as fast as they can;
  5. slow connections: `--slow` connections from one address send a request's headers a byte
     a second (a slowloris).
The server believes `X-Forwarded-For` from loopback (`REEC_TRUSTED_PROXIES`), so each abuser
and the probe are told apart as different client addresses, as behind a reverse proxy.
Prints per phase: probe answers, failures, p50 / p99 / max latency, what the abusers got, the
requests per second the server answered, its resident memory growth and the log bytes written.
Loopback only: the server binds 127.0.0.1.

    .venv/bin/python bench/flood.py [--seconds 8] [--flooders 8] [--slow 1100]
        [--anonymous-limit '50/second;1200/minute'] [--nofile 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
MiB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _example() -> dict[str, Any]:
    from reec.shipment_input import _rejoin_split_names

    raw = yaml.safe_load((ROOT / "examples/01-dy-oxide-from-china.yaml").read_text("utf-8"))
    _rejoin_split_names(raw["exporter"], frozenset({"name", "country"}))
    example: dict[str, Any] = json.loads(json.dumps(raw, default=str))
    return example


def _big(limit: int) -> bytes:
    """A valid shipment just under `limit` bytes: as many lines as fit, padded descriptions."""
    doc = _example()
    item = doc["items"][0]
    lines = 9_000
    pad = max(0, (limit - 4096) // lines - len(json.dumps(item)) - 40)
    doc["items"] = [dict(item, id=f"L{i}", description="x" * pad) for i in range(lines)]
    body = json.dumps(doc).encode()
    assert len(body) <= limit, len(body)
    return body


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class Probe:
    """Alternates `/health` and a small determination; records each latency and failure."""

    def __init__(self, url: str, key: str, body: bytes) -> None:
        self.url, self.key, self.body = url, key, body
        self.headers = {"X-Forwarded-For": "198.51.100.7"}  # a client of its own
        self.latency: dict[str, list[float]] = {"health": [], "determination": []}
        self.failed: Counter[str] = Counter()

    def run(self, stop: threading.Event) -> None:
        with httpx.Client(timeout=30) as c:
            while not stop.is_set():
                for name, call in (
                    ("health", lambda: c.get(f"{self.url}/health", headers=self.headers)),
                    (
                        "determination",
                        lambda: c.post(
                            f"{self.url}/v1/determinations",
                            content=self.body,
                            headers={
                                **self.headers,
                                "X-API-Key": self.key,
                                "content-type": "application/json",
                            },
                        ),
                    ),
                ):
                    t = time.perf_counter()
                    try:
                        ok = call().status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    self.latency[name].append((time.perf_counter() - t) * 1000)
                    if not ok:
                        self.failed[name] += 1
                time.sleep(0.02)


def _abuser(
    make: Callable[[httpx.Client], httpx.Response], seen: Counter[str]
) -> Callable[[threading.Event], None]:
    def run(stop: threading.Event) -> None:
        with httpx.Client(timeout=30) as c:
            while not stop.is_set():
                try:
                    seen[str(make(c).status_code)] += 1
                except httpx.HTTPError as exc:
                    seen[type(exc).__name__] += 1

    return run


def _chunks(total: int) -> Iterator[bytes]:
    block = b" " * 65536
    for _ in range(total // len(block)):
        yield block


class Server:
    """The `reec serve` process: its resident memory and the bytes of log it has written."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc, self.log = proc, log

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    def log_bytes(self) -> int:
        return self.log.stat().st_size

    def open_files(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))


Abuser = Callable[[threading.Event], None]


def phase(
    name: str,
    url: str,
    key: str,
    body: bytes,
    seconds: float,
    abusers: list[Abuser],
    server: Server,
) -> float:
    stop = threading.Event()
    probe = Probe(url, key, body)
    threads = [threading.Thread(target=probe.run, args=(stop,))]
    threads += [threading.Thread(target=a, args=(stop,)) for a in abusers]
    rss, logged, started = server.rss_mib(), server.log_bytes(), time.monotonic()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    took = time.monotonic() - started
    for what, values in probe.latency.items():
        print(
            f"  {name:<14} {what:<13} {len(values):>5} answered, {probe.failed[what]:>3} failed;"
            f" p50 {_pct(values, 0.5):7.1f} ms  p99 {_pct(values, 0.99):7.1f} ms"
            f"  max {max(values, default=float('nan')):7.1f} ms"
        )
    grown = server.rss_mib() - rss
    written = server.log_bytes() - logged
    print(
        f"  {name:<14} server: resident memory {grown:+.1f} MiB, log {written / 1024:.0f} KiB"
        f" written ({written / took / 1024:.1f} KiB/s)"
    )
    return took


def _report(what: str, seen: Counter[str], took: float) -> None:
    answered = sum(n for status, n in seen.items() if status.isdigit())
    print(f"  {what}: {dict(seen)}; {answered / took:.0f} answers/s")


def _raw_flood(port: int, request: bytes, connections: int, seen: Counter[str]) -> Abuser:
    """`connections` keep-alive connections sending `request` back to back from one asyncio
    loop: far cheaper per request than an HTTP client library, so the server is the limit."""

    async def one(stop: threading.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not stop.is_set():
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = head.split(b" ", 2)[1].decode()
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                seen[status] += 1
                if b"connection: close" in head.lower():
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except (OSError, asyncio.IncompleteReadError) as exc:
            seen[type(exc).__name__] += 1
        finally:
            writer.close()

    def run(stop: threading.Event) -> None:
        async def all_of_them() -> None:
            await asyncio.gather(*(one(stop) for _ in range(connections)))

        asyncio.run(all_of_them())

    return run


def _slowloris(port: int, count: int, seen: Counter[str]) -> Abuser:
    """`count` connections from one client (127.0.0.2) that send a request line, then a
    header byte a second."""

    def run(stop: threading.Event) -> None:
        socks: list[socket.socket] = []
        for _ in range(count):
            try:
                s = socket.create_connection(
                    ("127.0.0.1", port), timeout=5, source_address=("127.0.0.2", 0)
                )
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                socks.append(s)
            except OSError as exc:
                seen[f"connect {type(exc).__name__}"] += 1
        seen["opened"] = len(socks)
        while not stop.wait(1.0):
            for s in list(socks):
                try:
                    s.sendall(b"a")
                except OSError:
                    seen["closed by the server"] += 1
                    socks.remove(s)
                    s.close()
        seen["still open at the end"] = len(socks)
        for s in socks:
            s.close()

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--flooders", type=int, default=8)
    ap.add_argument("--slow", type=int, default=1100, help="slow connections in phase 5")
    ap.add_argument(
        "--anonymous-limit",
        default=None,
        help="REEC_RATE_LIMIT_ANONYMOUS for the server (default: the setting's default; "
        "'' for none)",
    )
    ap.add_argument("--nofile", type=int, default=1024, help="the server's open-file limit")
    ap.add_argument(
        "--phases",
        default="quiet,flood,big,chunked,health,slow",
        help="which phases to run, comma-separated",
    )
    args = ap.parse_args()
    small = json.dumps(_example()).encode()
    big = _big(5 * MiB - 1024)
    tmp = tempfile.TemporaryDirectory(prefix="reec-flood-")
    from reec.api.keys import KeyBook
    from reec.store.db import Store

    db = f"sqlite:///{tmp.name}/reec.db"
    store = Store(db)
    store.ensure_schema()
    key = KeyBook(store).create("bench", ["analyst"], actor="bench")[1]
    store.dispose()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "REEC_DATABASE_URL": db, "REEC_LOG_LEVEL": "info"}
    env["REEC_ACCESS_LOG"] = "true"
    env["REEC_TRUSTED_PROXIES"] = "127.0.0.1"
    if args.anonymous_limit is not None:
        env["REEC_RATE_LIMIT_ANONYMOUS"] = args.anonymous_limit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.slow + 256)), hard))
    log = Path(tmp.name) / "server.log"

    def cap_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (args.nofile, args.nofile))

    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "reec"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stderr=sink,
            preexec_fn=cap_files,
        )
    server = Server(proc, log)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("reec serve did not start")
            time.sleep(0.2)
        limit = env.get("REEC_RATE_LIMIT_ANONYMOUS", "the default")
        print(
            f"server {url}, {os.cpu_count()} cores, client threads in this process;"
            f" open files {args.nofile}; anonymous limit {limit or 'none'} per address"
        )
        print(f"  big body {len(big) / MiB:.2f} MiB ({len(json.loads(big)['items'])} lines)")
        print(f"  server resident memory at start: {server.rss_mib():.0f} MiB")
        phases = set(args.phases.split(","))
        if "quiet" in phases:
            phase("quiet", url, key, small, args.seconds, [], server)
        if "flood" in phases:
            unauth: Counter[str] = Counter()
            headers = {"content-type": "application/json"}
            flood = [
                _abuser(
                    lambda c, i=i: c.post(
                        f"{url}/v1/determinations",
                        content=big if i % 2 else small,
                        headers={
                            **headers,
                            "X-Forwarded-For": f"203.0.113.{i + 1}",
                            **({"X-API-Key": "reec_wrong"} if i % 4 == 1 else {}),
                        },
                    ),
                    unauth,
                )
                for i in range(args.flooders)
            ]
            took = phase("flood no key", url, key, small, args.seconds, flood, server)
            _report("flood answers", unauth, took)
        if "big" in phases:
            heavy: Counter[str] = Counter()
            big_senders = [
                _abuser(
                    lambda c: c.post(
                        f"{url}/v1/determinations",
                        content=big,
                        headers={**headers, "X-API-Key": key},
                    ),
                    heavy,
                )
            ]
            took = phase("5 MiB body", url, key, small, args.seconds, big_senders, server)
            _report("5 MiB answers", heavy, took)
        if "chunked" in phases:
            over: Counter[str] = Counter()
            chunked = [
                _abuser(
                    lambda c, i=i: c.post(
                        f"{url}/v1/determinations",
                        content=_chunks(6 * MiB),
                        headers={**headers, "X-Forwarded-For": f"203.0.113.{50 + i}"},
                    ),
                    over,
                )
                for i in range(2)
            ]
            took = phase("6 MiB chunked", url, key, small, args.seconds, chunked, server)
            _report("chunked 6 MiB answers", over, took)
        if "health" in phases:
            health: Counter[str] = Counter()
            request = (
                b"GET /health HTTP/1.1\r\nHost: bench\r\nX-Forwarded-For: 203.0.113.100\r\n\r\n"
            )
            health_flood = [_raw_flood(port, request, args.flooders, health)]
            took = phase("/health flood", url, key, small, args.seconds, health_flood, server)
            _report(
                f"/health flood answers (no key, one address, {args.flooders} conns)", health, took
            )
        if "slow" in phases:
            slow: Counter[str] = Counter()
            slowloris = [_slowloris(port, args.slow, slow)]
            peak = [0]

            def count_files(stop: threading.Event) -> None:
                while not stop.wait(0.2):
                    peak[0] = max(peak[0], server.open_files())

            took = phase(
                "slow conns", url, key, small, args.seconds, [*slowloris, count_files], server
            )
            print(f"  {args.slow} slow connections: {dict(slow)}; server open files peak {peak[0]}")
        rss = Path(f"/proc/{proc.pid}/status").read_text().split("VmHWM:")[1].split()[0]
        print(f"  server peak resident memory: {int(rss) / 1024:.0f} MiB")
        print(f"  server log written over the whole run: {server.log_bytes() / 1024:.0f} KiB")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        tmp.cleanup()


if __name__ == "__main__":
    main()
