"""Work a large BOM's reading can do beside its main line, on the machine's other core.

Reading a 10M-line BOM is a chain of whole-column passes, and most of the NumPy ones run on one
core (Polars' own passes use all of them). Some passes need only what is already known: the
levels of the graph once every line's parent and child are, the facts' hashes once the file is
read. `Aside` runs such a pass on a worker thread while the main line goes on; NumPy, Arrow and
Polars release the GIL in their loops, so the two overlap. A small BOM (under `LARGE` lines), or
a machine with one core, runs each pass at once instead: the same results in the same order.
Errors stay in order too: a pass's error is raised where its result is taken.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import ParamSpec, TypeVar

from reec.bom.heap import LARGE

__all__ = ["Aside"]

P = ParamSpec("P")
T = TypeVar("T")


class Aside:
    """One worker thread for one BOM (passes run in the order given), or none; and, for a
    pass split in two, a second thread (`beside`)."""

    def __init__(self, lines: int) -> None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="reec-bom")
            if lines >= LARGE and (cores or 1) > 1
            else None
        )
        self._second: ThreadPoolExecutor | None = None

    def beside(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T] | None:
        """Half of a pass the main line is about to do, started at once on a thread of its own
        (not after the passes queued by `run`); None without a worker thread: the main line
        does it all."""
        if self._pool is None:
            return None
        if self._second is None:
            self._second = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reec-bom-half")
        return self._second.submit(fn, *args, **kwargs)

    def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if self._pool is not None:
            return self._pool.submit(fn, *args, **kwargs)
        done: Future[T] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except Exception as exc:  # raised where the result is taken, as on a thread
            done.set_exception(exc)
        return done

    def __enter__(self) -> Aside:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for pool in (self._pool, self._second):
            if pool is not None:  # a refused BOM: passes not started are dropped
                pool.shutdown(wait=True, cancel_futures=True)
