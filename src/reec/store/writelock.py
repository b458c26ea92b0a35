"""SQLite writers take turns in a queue instead of sleeping in SQLite's busy handler.

SQLite lets one writer in at a time; a `BEGIN IMMEDIATE` that finds the lock taken retries in
the busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries and
is never woken when the lock comes free. Under a steady 200 requests/s (the API's thread pool in
one worker, or two `reec serve` workers) the writers fell into those sleeps and the p99 became
seconds, with 2 workers worse than 1 (issue 16). So a write transaction on a SQLite file first
takes this lock:

- in the process, a `threading.RLock` per database file: the waiting threads are woken the
  moment the writer before them is done (re-entrant, so a transaction opened inside another on
  the same file in the same thread does not wait for itself);
- across processes, `flock` on `<database>-writer` next to the file (POSIX only): the thread at
  the head of its process's queue tries it every `POLL` seconds (never the whole busy-handler
  ladder), and after `busy_timeout` seconds goes on without it, so SQLite's own lock and timeout
  still decide; a process that dies lets go of its `flock` with it.

It is an ordering aid only: SQLite's lock still guarantees that writes exclude each other, so a
writer that does not take this lock (another tool, an Alembic migration) is only slower, never
unsafe. PostgreSQL and in-memory SQLite need none of it.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the in-process queue only
    fcntl = None  # type: ignore[assignment]  # no cross-process lock there

__all__ = ["POLL", "WriteLock", "write_lock_for"]

POLL = 0.0005
"""Seconds between tries of the cross-process lock by the head of a process's queue."""

_locks: weakref.WeakValueDictionary[str, WriteLock] = weakref.WeakValueDictionary()
_guard = threading.Lock()


class WriteLock:
    """The writers' queue of one SQLite file in this process (see the module's docstring)."""

    def __init__(self, path: Path, busy_timeout: float) -> None:
        self.path = path.with_name(path.name + "-writer")
        self.busy_timeout = busy_timeout
        self._local = threading.RLock()
        self._fd: int | None = None  # the lock file, kept open (see `_open`)
        self._pid = 0  # the process that opened it
        self._holding = False  # this process holds the flock
        self._depth = 0
        self._closer: weakref.finalize[Any, WriteLock] | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._local:
            self._depth += 1
            try:
                if self._depth == 1:
                    self._holding = self._acquire(self.busy_timeout)[0]
                yield
            finally:
                self._let_go()

    @contextmanager
    def try_hold(self, within: float) -> Iterator[bool]:
        """`hold` if this process's turn, and the `flock`, come within `within` seconds (True);
        False, holding nothing, if they do not (for the event loop, which must not wait long:
        `reec.desk.loop_keeper` tries such a write again a millisecond later, serving
        meanwhile). The `flock` is tried every `within / 20` seconds (at most `POLL`): another
        worker's transaction on the loop takes a fraction of a millisecond."""
        if not self._local.acquire(timeout=within):
            yield False
            return
        try:
            self._depth += 1
            got = True
            if self._depth == 1:
                self._holding, got = self._acquire(within, min(POLL, within / 20))
            yield got
        finally:
            self._let_go()
            self._local.release()

    def _let_go(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._holding:
            self._holding = False
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)  # type: ignore[arg-type]  # held: open
            except OSError:  # closing the file lets go of it too
                self._close()

    def _open(self) -> int | None:
        """The lock file's descriptor, opened once per process and kept: opening and closing it
        for each transaction cost an API check about 15 us of its 1.5 ms (issue 16). A process
        forked from this one shares the open file (and a `flock` on it), so it opens its own."""
        if self._fd is not None and self._pid == os.getpid():
            return self._fd
        self._fd = None
        if self._closer is not None:
            self._closer()  # the descriptor this process inherited; the parent's stays open
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError:  # a read-only folder: SQLite's lock only
            return None
        self._fd, self._pid = fd, os.getpid()
        self._closer = weakref.finalize(self, os.close, fd)
        return fd

    def _close(self) -> None:
        self._fd = None
        if self._closer is not None:
            self._closer()

    def _acquire(self, timeout: float, poll: float = POLL) -> tuple[bool, bool]:
        """(True, True) once the lock file is flocked; (False, False) if another process held
        it for `timeout` seconds; (False, True) where there is no flock (SQLite's lock
        decides)."""
        if fcntl is None:
            return False, True
        fd = self._open()
        if fd is None:
            return False, True
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True, True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False, False  # `hold`: SQLite's busy timeout decides from here
                time.sleep(poll)
            except OSError:  # a file system without flock
                self._close()
                return False, True


def write_lock_for(database: str | None, busy_timeout: float) -> WriteLock | None:
    """The process's write lock of a SQLite database file (None for `:memory:` or no file)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(os.path.abspath(database))
    with _guard:
        lock = _locks.get(str(path))
        if lock is None:
            lock = _locks[str(path)] = WriteLock(path, busy_timeout)
        return lock
