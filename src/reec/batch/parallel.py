"""A batch's unique keys determined over forked processes, with the answers and the first
error of the loop in one process.

The per-key determination is Python, so threads would not run it in parallel; forked
processes inherit the rule data, the screener and the keys (nothing is pickled on the way
in) and send back only the compact answers. A key that names a BOM file stays in the parent:
reading it uses Polars, whose thread pool does not survive a fork. The first error is the
error of the lowest key index, as in one loop: each process stops at its own first error
and the parent raises the lowest of them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from reec.errors import ReecError

__all__ = ["MIN_KEYS_PER_PROCESS", "answer_keys", "default_processes"]

K = TypeVar("K")
A = TypeVar("A")

MIN_KEYS_PER_PROCESS = 250
"""Fewer keys than this per process are not worth a fork (a fork and the answers' way back
cost tens of milliseconds; a key about half a millisecond)."""

_Failure = tuple[int, type[ReecError], str, str | None]
"""(key index, error class, message, field): an error as it crosses back from a child."""


class _Work(Generic[K, A]):
    """What a forked child inherits: the keys, how to answer one, and a shared counter of
    the keys it has answered (for the progress bar)."""

    def __init__(self, keys: Sequence[K], answer: Callable[[K], A], counter: Any) -> None:
        self.keys, self.answer, self.counter = keys, answer, counter

    def run(self, indices: Sequence[int]) -> tuple[list[A], _Failure | None]:
        """Answers of `indices` in order, up to the first error (returned, not raised, so
        that its field crosses back: an exception is pickled with its message only)."""
        out: list[A] = []
        for i in indices:
            try:
                out.append(self.answer(self.keys[i]))
            except ReecError as exc:
                return out, (i, type(exc), exc.message, exc.field)
            if self.counter is not None:
                with self.counter.get_lock():
                    self.counter.value += 1
        return out, None


_FORKED: _Work[Any, Any] | None = None
"""The work a forked child inherits (set just before forking, never pickled)."""


def _run_in_child(indices: list[int]) -> tuple[list[Any], _Failure | None]:
    assert _FORKED is not None
    return _FORKED.run(indices)


def default_processes() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def answer_keys(
    keys: Sequence[K],
    answer: Callable[[K], A],
    *,
    processes: int = 1,
    parent_only: Callable[[K], bool] = lambda key: False,
    affinity: Callable[[K], Any] = lambda key: 0,
    progress: Callable[[int], None] | None = None,
) -> list[A]:
    """`[answer(k) for k in keys]`, over up to `processes` processes when there are at least
    MIN_KEYS_PER_PROCESS keys for each. A key with `parent_only` is answered here; keys of
    equal `affinity` go to the same process where they can (its caches, e.g. the screening
    of a customer on a day, are its own). `progress` is called with the keys answered."""
    n = min(processes, len(keys) // MIN_KEYS_PER_PROCESS)
    if n <= 1 or os.name != "posix" or multiprocessing.current_process().daemon:
        return _one_process(keys, answer, progress)
    # The first key is answered before the fork: what the first determination builds
    # (validators, the rule data's lookups) is then built once, not in every process.
    first = answer(keys[0])
    if progress is not None:
        progress(1)
    parts = _parts(keys, n, parent_only, affinity)
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    global _FORKED
    _FORKED = _Work(keys, answer, counter)
    try:
        with context.Pool(n - 1) as pool:
            pending = pool.map_async(_run_in_child, parts[1:])
            mine: list[A] = [first]
            failure: _Failure | None = None
            here = _Work(keys, answer, None)
            for i in parts[0]:
                done, failure = here.run([i])
                mine.extend(done)
                if failure is not None:
                    break
                if progress is not None:
                    progress(len(mine) + counter.value)
            results = [([], failure), *pending.get()]
    finally:
        _FORKED = None
    failures = [f for _, f in results if f is not None]
    if failures:
        _, cls, message, field = min(failures, key=lambda f: f[0])
        raise cls(message, field=field)
    by_index: dict[int, A] = dict(zip([0, *parts[0]], mine, strict=True))
    for part, (answers, _) in zip(parts[1:], results[1:], strict=True):
        by_index.update(zip(part, answers, strict=True))
    if progress is not None:
        progress(len(keys))
    return [by_index[i] for i in range(len(keys))]


def _parts(
    keys: Sequence[K], n: int, parent_only: Callable[[K], bool], affinity: Callable[[K], Any]
) -> list[list[int]]:
    """Key indices 1.. in `n` parts (the first the parent's), each in ascending order so
    that a process meets its errors in key order: keys sorted by affinity and cut into
    equal runs, the keys for the parent only added to its part."""
    rest = range(1, len(keys))
    spread = sorted((i for i in rest if not parent_only(keys[i])), key=lambda i: affinity(keys[i]))
    size = -(-len(spread) // n)
    parts = [sorted(spread[p * size : (p + 1) * size]) for p in range(n)]
    parts[0] = sorted([*parts[0], *(i for i in rest if parent_only(keys[i]))])
    return parts


def _one_process(
    keys: Sequence[K], answer: Callable[[K], A], progress: Callable[[int], None] | None
) -> list[A]:
    out: list[A] = []
    for key in keys:
        out.append(answer(key))
        if progress is not None:
            progress(len(out))
    return out
