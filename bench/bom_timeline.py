"""Debugging aid (no target): where each thread of one BOM file's read + roll-up spends its time.

Wraps the BOM modules' passes (the functions named in `STAGES`, every pass run on the worker
threads of `reec.bom.aside`, and every wait for one: `Future.result` when it is not done yet) and
prints one row per span over 20 ms: its thread, start, end, wall time, the thread's CPU
(`time.thread_time`) and the process's cores busy meanwhile (process CPU / wall), with a bar.
A thread's wall time minus its CPU is where it waited or found no free core; a WAIT row on the
main line with about one core busy is a core left idle. Run as `reec bom explain` runs:

    _RJEM_MALLOC_CONF=oversize_threshold:0 MALLOC_ARENA_MAX=1 \\
        .venv/bin/python bench/bom_timeline.py DIR/bom-10000000.parquet

(`bench/bom_rollup.py --work DIR` makes the file.) Wall times mean little while other jobs run:
read the cores column, and compare runs of two trees alternately.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

STAGES = {
    "reec.bom.build": ("build_bom", "_assemble", "_node_codes", "_codes"),
    "reec.bom.coded": ("first_places", "line_nodes", "facts_agree", "stripped_frame"),
    "reec.bom.numbers": ("scaled_column",),
    "reec.bom.graph": ("levels",),
    "reec.bom.rollup": ("_rollup", "_direct", "_contents", "_float_pass", "_exact", "_technology"),
    "reec.bom.parquet": ("_coded", "_hashes"),
}
"""Module functions traced (a name a module no longer has is left out, and said so)."""
METHODS = {
    "reec.bom.parquet": (
        ("ParquetBom", "parts"),
        ("_Reading", "parts"),
        ("_Reading", "nodes"),
        ("_Reading", "cleaned"),
    ),
}


class Timeline:
    """Spans (thread, stage, wall start and end, thread CPU, process CPU, depth)."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.spans: list[tuple[str, str, float, float, float, float, int]] = []
        self._local = threading.local()

    def traced(self, fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            depth = getattr(self._local, "depth", 0)
            self._local.depth = depth + 1
            w, c, p = time.perf_counter(), time.thread_time(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self._local.depth = depth
                name = threading.current_thread().name
                self.spans.append(
                    (
                        "main" if name == "MainThread" else name.removeprefix("reec-"),
                        stage,
                        w - self.t0,
                        time.perf_counter() - self.t0,
                        time.thread_time() - c,
                        time.process_time() - p,
                        depth,
                    )
                )

        return run

    def install(self) -> None:
        for module_name, names in STAGES.items():
            module = importlib.import_module(module_name)
            for name in names:
                original = getattr(module, name, None)
                if original is None:
                    print(f"(not traced: {module_name}.{name})")
                    continue
                wrapped = self.traced(original, name)
                for other in (m for m in _bom_modules() if getattr(m, name, None) is original):
                    setattr(other, name, wrapped)
        for module_name, pairs in METHODS.items():
            module = importlib.import_module(module_name)
            for cls_name, name in pairs:
                cls = getattr(module, cls_name, None)
                if cls is None or name not in vars(cls):
                    print(f"(not traced: {module_name}.{cls_name}.{name})")
                    continue
                setattr(cls, name, self.traced(vars(cls)[name], f"{cls_name}.{name}"))
        self._threads()

    def _threads(self) -> None:
        from reec.bom import aside

        run, beside, result = aside.Aside.run, aside.Aside.beside, Future.result
        timeline = self

        def named(fn: Callable[..., Any]) -> str:
            return str(getattr(fn, "__qualname__", fn))

        def traced_run(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            done = run(self, timeline.traced(fn, f"[run] {named(fn)}"), *args, **kwargs)
            done.stage = named(fn)
            return done

        def traced_beside(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            done = beside(self, timeline.traced(fn, f"[beside] {named(fn)}"), *args, **kwargs)
            if done is not None:
                done.stage = named(fn)
            return done

        def traced_result(self: Any, timeout: float | None = None) -> Any:
            if self.done():
                return result(self, timeout)
            stage = f"WAIT {getattr(self, 'stage', '?')}"
            return timeline.traced(result, stage)(self, timeout)

        aside.Aside.run = traced_run  # type: ignore[method-assign]  # traced for this run only
        aside.Aside.beside = traced_beside  # type: ignore[method-assign]  # traced, as above
        Future.result = traced_result  # type: ignore[method-assign]  # waits traced, as above

    def table(self, width: int = 60) -> str:
        end = max(s[3] for s in self.spans)
        rows = [f"{'thread':8} {'stage':40} {'start':>6} {'end':>6} {'wall':>5} {'cpu':>5} cores"]
        for thread, stage, a, b, cpu, proc, depth in sorted(self.spans, key=lambda s: (s[2], s[6])):
            if b - a < 0.02:
                continue
            lo = int(a / end * width)
            bar = " " * lo + ("." if stage.startswith("WAIT") else "=") * max(
                1, int(b / end * width) - lo
            )
            rows.append(
                f"{thread:8.8} {'  ' * depth + stage:40.40} {a:6.2f} {b:6.2f} {b - a:5.2f} "
                f"{cpu:5.2f} {proc / (b - a):5.2f} |{bar:{width}}|"
            )
        return "\n".join(rows)


def _bom_modules() -> list[Any]:
    import sys

    return [m for n, m in list(sys.modules.items()) if n.startswith("reec.")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path, help="a BOM file (Parquet or CSV)")
    args = ap.parse_args()
    from reec.bom.polars_memory import keep_large_blocks

    keep_large_blocks()  # as `reec bom explain`, before Polars loads
    from reec.bom.readers import read_bom
    from reec.bom.rollup import rollup
    from reec.regime.snapshot import load_regime

    regime = load_regime()
    timeline = Timeline()
    timeline.install()
    before = resource.getrusage(resource.RUSAGE_SELF)
    timeline.t0 = time.perf_counter()
    bom = timeline.traced(read_bom, "read_bom")(args.file)
    read = time.perf_counter() - timeline.t0
    timeline.traced(rollup, "rollup")(bom, regime)
    total = time.perf_counter() - timeline.t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(timeline.table())
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    faults = after.ru_minflt - before.ru_minflt
    print(
        f"read {read:.2f} s, roll-up {total - read:.2f} s, total {total:.2f} s; CPU {cpu:.2f} s, "
        f"page faults {faults:,}, peak {after.ru_maxrss / 2**20:.2f} GiB"
    )


if __name__ == "__main__":
    main()
