"""Where the slowest requests of `bench/api.py`'s open loop spend their time (issue 16).

Starts `reec serve` with its own options (through `reec.cli.serve`) but with each worker's app
wrapped by bench/tail_probe.py, sends the open loop of bench/api.py (200 requests/s of
examples/01, every check kept) with a number on each request, and prints, for the median, the
p99 and the slowest 1 % of requests, where the time between the moment a request was due and
its answer's last byte went: the generator's own delay, the wait for the worker's event loop,
the app before its check is kept, the wait for the kept write, the rest of the answer; how long
the worker's thread waited for a core and ran meanwhile; the loop keeper's transactions and
write-lock waits; and the host's steal time the slowest requests overlapped. A diagnosis, not
a target figure: the probe itself costs each request some microseconds.

    .venv/bin/python bench/api_tail.py [--workers 2] [--rate 200] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import loadgen
from api import _body, _limits, _request, _start, _warm
from loadgen import OpenLoop, Steal

_STAGES = (
    ("generator late", "due", "sent"),
    ("until the app ran", "sent", "app"),
    ("  of it after parsing", "rx", "app"),
    ("app before keeping", "app", "keep0"),
    ("kept write", "keep0", "keep1"),
    ("rest of the answer", "keep1", "end"),
    ("back to the generator", "end", "answered"),
    ("total", "due", "answered"),
)


def _serve(port: int, workers: int) -> None:
    """`reec serve --port port --workers workers` with each worker's app probed."""
    import uvicorn

    from reec.cli.serve import serve

    run = uvicorn.run

    def probed(app: object, **options: object) -> None:
        if app == "reec.api.app:serving_app":
            app = "tail_probe:serving_app"
        elif not isinstance(app, str):
            from tail_probe import wrap

            app = wrap(app)  # type: ignore[arg-type]  # an ASGI app: what serving_app made
        run(app, **options)  # type: ignore[arg-type]  # uvicorn types each keyword

    uvicorn.run = probed
    serve(port=port, workers=workers)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else math.nan


def _report(generator: OpenLoop, steal: Steal, folder: Path) -> None:
    server: dict[str, dict[str, float]] = {}
    transactions: list[list[float]] = []
    for path in sorted(folder.glob("worker-*.json")):
        data = json.loads(path.read_text())
        for ident, times in data["requests"].items():
            server[ident] = {**times, "worker": float(path.stem.split("-")[1])}
        transactions += data["transactions"]
    rows = []
    for i, (due, sent, answered) in generator.sent.items():
        times = server.get(str(i))
        if times is not None and "keep1" in times:  # answered 200, its check kept
            rows.append({"due": due, "sent": sent, "answered": answered, **times})
    rows.sort(key=lambda r: r["answered"] - r["due"])
    slow = rows[-max(1, len(rows) // 100) :]
    print(
        f"{len(rows)} kept checks probed (of {len(generator.sent)} requests, "
        f"{generator.errors} errors); milliseconds:"
    )
    print(f"{'':24} {'p50':>7} {'p99':>7}  {'slowest 1 %: mean':>18}")
    for label, start, end in _STAGES:
        spans = [(r[end] - r[start]) * 1000 for r in rows]
        mean = sum((r[end] - r[start]) * 1000 for r in slow) / len(slow)
        print(f"{label:24} {_pct(spans, 0.5):7.2f} {_pct(spans, 0.99):7.2f}  {mean:18.2f}")
    for label, key in (("thread waited for a core", "runq"), ("thread ran", "cpu")):
        spans = [r[key] * 1000 for r in rows]
        mean = sum(r[key] * 1000 for r in slow) / len(slow)
        print(f"{label:24} {_pct(spans, 0.5):7.2f} {_pct(spans, 0.99):7.2f}  {mean:18.2f}")
    workers = sorted({int(r["worker"]) for r in slow})
    print(
        "the slowest 1 % by worker: "
        + ", ".join(f"{w}: {sum(int(r['worker']) == w for r in slow)}" for w in workers)
    )
    if transactions:
        walls = [t[1] * 1000 for t in transactions]
        waits = [t[2] * 1000 for t in transactions]
        print(
            f"loop-keeper transactions: {len(walls)}, wall p50 {_pct(walls, 0.5):.2f} p99 "
            f"{_pct(walls, 0.99):.2f} max {max(walls):.2f}; write-lock wait p99 "
            f"{_pct(waits, 0.99):.2f} max {max(waits):.2f}"
        )
    if steal.samples:
        hit = sum(steal.overlapped(r["due"], r["answered"]) for r in slow)
        print(
            f"host steal time: {steal.share(os.cpu_count() or 1):.1%} of the cores; it "
            f"overlapped {hit} of the slowest {len(slow)} requests"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--key-limit", default="2000/second")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server's own process
    args = ap.parse_args()
    if args.serve:
        _serve(args.serve, args.workers)
        return
    body = _body()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="reec-tail-") as tmp:
        probes = Path(tmp) / "probes"
        probes.mkdir()
        os.environ["TAIL_PROBE_DIR"] = str(probes)
        command = [sys.executable, __file__, "--workers", str(args.workers), "--serve"]
        server, url, key = _start(tmp, args.workers, _limits(args), command)
        try:
            generator = OpenLoop(*_request(url, key, body), args.connections, tagged=True)
            _warm(url, key, body, 16, server.pid, args.workers)
            with Steal() as steal:
                loadgen.run(generator.run(args.rate, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
        deadline = time.monotonic() + 10
        while len(list(probes.glob("worker-*.json"))) < args.workers:
            if time.monotonic() > deadline:
                raise SystemExit("the workers wrote no probe")
            time.sleep(0.1)
        _report(generator, steal, probes)


if __name__ == "__main__":
    main()
