"""Load test (issue 11): `/health` and determinations keep answering under abuse.

Starts `reec serve` on loopback (throw-away SQLite licence book, one analyst key), then for
`--seconds` each (default 8, so the whole run is bounded to about half a minute):
  0. quiet: the latency of `/health` and of a determination (examples/01) alone;
  1. flood: `--flooders` threads send determinations with a body and no key, or a wrong key,
     as fast as they can, while one probe measures `/health` and determinations;
  2. 5 MiB body: clients keep sending a body just under the 5 MiB limit with a valid key
     (a 10,000-line shipment), while the probe measures the same two;
  3. over the limit: chunked 6 MiB bodies without `Content-Length` and no key.
Prints per phase: probe answers, failures, p50 / p99 / max latency, and what the abusers got.
Loopback only: the server binds 127.0.0.1.

    .venv/bin/python bench/flood.py [--seconds 8] [--flooders 8]
"""

from __future__ import annotations

import argparse
import json
import os
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
        self.latency: dict[str, list[float]] = {"health": [], "determination": []}
        self.failed: Counter[str] = Counter()

    def run(self, stop: threading.Event) -> None:
        with httpx.Client(timeout=30) as c:
            while not stop.is_set():
                for name, call in (
                    ("health", lambda: c.get(f"{self.url}/health")),
                    (
                        "determination",
                        lambda: c.post(
                            f"{self.url}/v1/determinations",
                            content=self.body,
                            headers={"X-API-Key": self.key, "content-type": "application/json"},
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


def phase(
    name: str,
    url: str,
    key: str,
    body: bytes,
    seconds: float,
    abusers: list[Callable[[threading.Event], None]],
) -> None:
    stop = threading.Event()
    probe = Probe(url, key, body)
    threads = [threading.Thread(target=probe.run, args=(stop,))]
    threads += [threading.Thread(target=a, args=(stop,)) for a in abusers]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    for what, values in probe.latency.items():
        print(
            f"  {name:<14} {what:<13} {len(values):>5} answered, {probe.failed[what]:>3} failed;"
            f" p50 {_pct(values, 0.5):7.1f} ms  p99 {_pct(values, 0.99):7.1f} ms"
            f"  max {max(values, default=float('nan')):7.1f} ms"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--flooders", type=int, default=8)
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
    env = {**os.environ, "REEC_DATABASE_URL": db, "REEC_LOG_LEVEL": "warning"}
    env["REEC_ACCESS_LOG"] = "false"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "reec"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("reec serve did not start")
            time.sleep(0.2)
        print(f"server {url}, {os.cpu_count()} cores, client threads in this process")
        print(f"  big body {len(big) / MiB:.2f} MiB ({len(json.loads(big)['items'])} lines)")
        phase("quiet", url, key, small, args.seconds, [])
        unauth: Counter[str] = Counter()
        headers = {"content-type": "application/json"}
        flood = [
            _abuser(
                lambda c, i=i: c.post(
                    f"{url}/v1/determinations",
                    content=big if i % 2 else small,
                    headers={**headers, **({"X-API-Key": "reec_wrong"} if i % 4 == 1 else {})},
                ),
                unauth,
            )
            for i in range(args.flooders)
        ]
        phase("flood no key", url, key, small, args.seconds, flood)
        print(f"  flood answers: {dict(unauth)}")
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
        phase("5 MiB body", url, key, small, args.seconds, big_senders)
        print(f"  5 MiB answers: {dict(heavy)}")
        over: Counter[str] = Counter()
        chunked = [
            _abuser(
                lambda c: c.post(
                    f"{url}/v1/determinations",
                    content=_chunks(6 * MiB),
                    headers={**headers, "X-API-Key": key},
                ),
                over,
            )
            for _ in range(2)
        ]
        phase("6 MiB chunked", url, key, small, args.seconds, chunked)
        print(f"  chunked 6 MiB answers: {dict(over)}")
        rss = Path(f"/proc/{server.pid}/status").read_text().split("VmHWM:")[1].split()[0]
        print(f"  server peak resident memory: {int(rss) / 1024:.0f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=30)
        tmp.cleanup()


if __name__ == "__main__":
    main()
