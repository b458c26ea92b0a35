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
from typing import Any

import loadgen
from api import _body, _limits, _request, _start, _warm
from loadgen import Canaries, OpenLoop, Steal

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


def _report(
    generator: OpenLoop, steal: Steal, folder: Path, stalls: list[tuple[float, float]]
) -> None:
    server: dict[str, dict[str, float]] = {}
    transactions: list[list[float]] = []
    events: dict[int, list[tuple[str, float, float]]] = {}
    lags: dict[int, list[list[float]]] = {}
    keeps: dict[int, list[list[float]]] = {}
    stacks: list[list[Any]] = []
    for path in sorted(folder.glob("worker-*.json")):
        data = json.loads(path.read_text())
        pid = int(path.stem.split("-")[1])
        for ident, times in data["requests"].items():
            conn = data.get("connections", {}).get(ident, [0, 0])
            server[ident] = {**times, "worker": float(pid), "nth": float(conn[1])}
        transactions += data["transactions"]
        events[pid] = [(str(w), float(s), float(t)) for w, s, t in data.get("events", [])]
        lags[pid] = data.get("lags", [])
        keeps[pid] = data["transactions"]
        stacks.extend(data.get("stacks", []))
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
        slow_tx = [t for t in transactions if t[1] > 0.002]
        blocked = sum(t[1] - t[4] > 0.5 * t[1] for t in slow_tx)
        print(f"transactions over 2 ms: {len(slow_tx)}, of them off-CPU for most: {blocked}")
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
    start, end = min(r["due"] for r in rows), max(r["answered"] for r in rows)
    during = sorted(late * 1000 for at, late in stalls if start <= at <= end)
    if during:
        print(
            f"the cores away (a real-time canary per core woke > 2 ms late): {len(during)} "
            f"times, {sum(during):.0f} ms in all, the longest {during[-1]:.1f} ms"
        )
    events[0] = [("core away", at, late) for at, late in stalls]
    if os.environ.get("TAIL_EACH"):
        _each(rows, events, lags, keeps, steal, int(os.environ["TAIL_EACH"]))
    if stacks:
        _stall_stacks(stacks, min(r["due"] for r in rows), max(r["answered"] for r in rows))


def _stall_stacks(stacks: list[list[Any]], start: float, end: float) -> None:
    """What the loops ran while they were stalled (the stall sampler's stacks, during the
    open loop): each frame's share of the samples, innermost first."""
    inside = [s for s in stacks if start <= s[0] <= end]
    print(f"stall samples during the open loop: {len(inside)}")
    counts: dict[str, int] = {}
    leaf: dict[str, int] = {}
    for _, _, stack in inside:
        for frame in set(stack):
            counts[frame] = counts.get(frame, 0) + 1
        if stack:
            leaf[stack[0]] = leaf.get(stack[0], 0) + 1
    for name, table in (("innermost", leaf), ("anywhere", counts)):
        print(f"  {name}:")
        for frame, n in sorted(table.items(), key=lambda kv: -kv[1])[:40]:
            print(f"    {n:4d}  {frame}")


def _causes(
    r: dict[str, float],
    events: dict[int, list[tuple[str, float, float]]],
    lags: dict[int, list[list[float]]],
    keeps: dict[int, list[list[float]]],
    steal: Steal,
) -> set[str]:
    """What overlapped one request (its worker's events, the other's checkpoints)."""
    pid, lo, hi = int(r["worker"]), r["due"], r["answered"]
    found = set()
    if steal.overlapped(lo, hi):
        found.add("steal")
    for other, evs in events.items():
        for what, at, took in evs:
            if at < hi and at + took > lo:
                kind = what.split()[0]
                if kind == "core":
                    found.add("core away")
                elif kind == "checkpoint" or (other == pid and kind in ("verify", "gc2", "gc1")):
                    found.add(("" if other == pid else "other ") + kind)
    for due, late, cpu, _, _, _ in lags[pid]:
        if due < hi and due + late > lo and late > 0.004:
            found.add("loop busy > 4 ms" if cpu > 0.8 * late else "loop off-CPU > 4 ms")
    for at, wall, *_ in keeps[pid]:
        if at < hi and at + wall > lo and wall > 0.002:
            found.add("own tx > 2 ms")
    if r["sent"] - r["due"] > 0.003:
        found.add("generator late > 3 ms")
    return found or {"none of these"}


def _each(
    rows: list[dict[str, float]],
    events: dict[int, list[tuple[str, float, float]]],
    lags: dict[int, list[list[float]]],
    keeps: dict[int, list[list[float]]],
    steal: Steal,
    count: int,
) -> None:
    """One line for each of the slowest `count` requests: its stages and what overlapped it."""
    start = min(r["due"] for r in rows)
    for pid, evs in events.items():
        if not pid:
            continue
        kinds: dict[str, list[float]] = {}
        for what, _, took in evs:
            kinds.setdefault(what.split()[0], []).append(took * 1000)
        print(
            f"worker {pid}: "
            + "; ".join(
                f"{k} {len(v)}x max {max(v):.1f} ms sum {sum(v):.0f}" for k, v in kinds.items()
            )
            + f"; loop lags > 1.5 ms: {len(lags[pid])}"
        )
        for what, at, took in evs:
            if took > 0.002:
                print(f"  at {at - start:7.2f} s: {what} {took * 1000:.1f} ms")
    causes: dict[str, int] = {}
    for r in rows[-count:]:
        for cause in _causes(r, events, lags, keeps, steal):
            causes[cause] = causes.get(cause, 0) + 1
    print(
        f"what overlapped the slowest {count}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(causes.items(), key=lambda kv: -kv[1]))
    )
    print(
        "  t s  worker nth  total   late  ->rx  rx>app  app>k0  kept  rest  back   cpu   sys  flt"
        " steal  overlapping"
    )
    for r in rows[-count:]:
        pid, lo, hi = int(r["worker"]), r["due"], r["answered"]
        tags = []
        for other, evs in events.items():
            for what, at, took in evs:
                if at < hi and at + took > lo:
                    tags.append(f"{'' if other == pid else 'other '}{what} {took * 1000:.1f}")
        for due, late, cpu, runq, kern, faults in lags[pid]:
            if due < hi and due + late > lo:
                tags.append(
                    f"lag {late * 1000:.1f} (cpu {cpu * 1000:.1f} sys {kern * 1000:.1f} "
                    f"flt {faults:.0f} runq {runq * 1000:.1f})"
                )
        for other, txs in keeps.items():
            for at, wall, wait, n, cpu, parts in txs:
                if at < hi and at + wall > lo and wall > 0.002:
                    who = "" if other == pid else "other "
                    slow = " ".join(f"{w}:{t * 1000:.1f}/{c * 1000:.1f}" for w, t, c in parts)
                    tags.append(
                        f"{who}tx {wall * 1000:.1f} cpu {cpu * 1000:.1f} (lock {wait * 1000:.1f}, "
                        f"{n:.0f}; {slow})"
                    )
        ms = [
            (r[b] - r[a]) * 1000
            for a, b in (
                ("due", "answered"),
                ("due", "sent"),
                ("sent", "rx"),
                ("rx", "app"),
                ("app", "keep0"),
                ("keep0", "keep1"),
                ("keep1", "end"),
                ("end", "answered"),
            )
        ]
        print(
            f"{lo - start:5.2f} {pid:7d} {r['nth']:3.0f} "
            + " ".join(f"{m:6.2f}" for m in ms)
            + f" {r['cpu'] * 1000:5.2f} {r['sys'] * 1000:5.2f} {r['faults']:4.0f}"
            + f" {'yes' if steal.overlapped(lo, hi) else 'no':>5}  "
            + "; ".join(tags)
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
            with Canaries() as canaries, Steal() as steal:
                loadgen.run(generator.run(args.rate, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
        stalls = canaries.stalls
        deadline = time.monotonic() + 10
        while len(list(probes.glob("worker-*.json"))) < args.workers:
            if time.monotonic() > deadline:
                raise SystemExit("the workers wrote no probe")
            time.sleep(0.1)
        _report(generator, steal, probes, stalls)
        keep = os.environ.get("TAIL_KEEP")
        if keep:  # the raw probes and the generator's times, for a closer look
            import shutil

            shutil.copytree(probes, keep, dirs_exist_ok=True)
            sent = {"sent": generator.sent, "steal": steal.samples}
            (Path(keep) / "generator.json").write_text(json.dumps(sent))


if __name__ == "__main__":
    main()
