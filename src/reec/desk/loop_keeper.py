"""Kept checks of a SQLite file written on the event loop, straight through the driver.

`CheckKeeper` writes on a thread of its own, and under load that thread and the event loop
fought for the interpreter: every SQLite call lets go of the GIL, and a thread that wants it
back while the other runs Python waits up to the switch interval (5 ms) for it. A batch of
seven such calls (the lock, BEGIN, four statements, COMMIT) could take tens of milliseconds
while requests piled up behind the loop, and each answer then waited for the loop to take the
GIL back from the writer: with 2 workers the p99 at 200 requests/s was 44 ms on the idle
machine against 8 ms with nothing kept (issue 16).

So on a SQLite file the API keeps its checks on the loop itself: whatever queued during one
pass of the loop is written in one transaction at its end, through the driver's own
connection with the values SQLAlchemy would bind (`keep_clean_dbapi`: the same rows and audit
entries as `keep_clean`), about 0.4 ms of CPU for one check against 0.9 ms through
SQLAlchemy's session. No other thread is involved, so nothing waits for the GIL. What must not
stall the loop is kept off it:

- **The write lock**: one try waits at most `TURN_WAIT` for it (another worker's transaction
  takes a fraction of a millisecond); if another writer still holds it (a worker that lost the
  processor, a desk transaction with a match, a writer that is not reec), the batch is tried
  again `RETRY` later while the loop serves other requests, and whatever queued meanwhile joins
  it. After `LOCKED_FOR` seconds of this the queued checks fail, as a transaction's busy
  timeout would. (Handing such a batch to a writer thread instead brought the fight for the
  GIL back: under load that thread held the lock for milliseconds, and the loop's next tries
  failed and were handed over in turn.)
- **WAL checkpoints**: SQLite copies the WAL back into the database inside the commit that
  passes 1,000 pages, with an fsync (1 % of commits took 3-48 ms on a busy machine). The
  keeper's connection checkpoints nothing itself; a thread runs a PASSIVE checkpoint (which
  never blocks a writer) on a connection of its own every `CHECKPOINT_SECONDS` while checks
  are being written. A PASSIVE checkpoint copies the WAL back but cannot start it over while
  readers come and go without a pause, so under steady traffic the WAL grew by chance only
  (30,000 frames, about 130 MB, in a 25 s run at 200 requests/s): once it holds
  `WAL_LIMIT_FRAMES` frames, all copied back, the thread asks for a TRUNCATE checkpoint, which
  waits at most `TRUNCATE_WAIT_MS` for the readers of older snapshots (writers wait meanwhile)
  and empties the file; if they are not done by then it is tried after the next writes.

"Kept" means what it meant: a check's future is resolved only after the transaction holding
it has committed, the API answers only then, and a batch that fails is retried check by check.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from typing import Any

from reec.desk.check import CleanCheck, bind_clean, keep_clean_dbapi
from reec.desk.keeper import MAX_BATCH
from reec.errors import StoreError
from reec.store.db import BUSY_TIMEOUT, Store

__all__ = [
    "CHECKPOINT_SECONDS",
    "LOCKED_FOR",
    "RETRY",
    "TRUNCATE_WAIT_MS",
    "TURN_WAIT",
    "WAL_LIMIT_FRAMES",
    "LoopKeeper",
    "checkpoint",
]

TURN_WAIT = 0.001
"""Seconds the loop waits for the write lock in one try (another worker's transaction on its
loop takes a fraction of a millisecond)."""

RETRY = 0.001
"""Seconds until the next try when the write lock was taken (the loop serves meanwhile)."""

LOCKED_FOR = float(BUSY_TIMEOUT)
"""Seconds of tries after which the queued checks fail, as a transaction's busy timeout would."""

CHECKPOINT_SECONDS = 1.0
"""Seconds between the checkpoint thread's PASSIVE checkpoints while checks are written."""

WAL_LIMIT_FRAMES = 16_384
"""Frames in the WAL (64 MiB of 4 KiB pages) past which the checkpoint thread empties it."""

TRUNCATE_WAIT_MS = 20
"""Milliseconds a TRUNCATE checkpoint waits for readers (and holds writers back) at most."""

_Job = tuple[CleanCheck, "asyncio.Future[int]"]

log = logging.getLogger("reec.desk.keeper")


class LoopKeeper:
    """Keeps `CleanCheck`s of a SQLite file in group commits on the event loop (see the
    module's docstring). `keep_async` and `aclose` are called on one loop."""

    def __init__(self, store: Store, max_batch: int = MAX_BATCH) -> None:
        if not store.is_sqlite_file:
            raise ValueError("LoopKeeper writes to a SQLite file; CheckKeeper elsewhere")
        self.store = store
        self.max_batch = max_batch
        self._pending: list[_Job] = []
        self._flushing: asyncio.Handle | None = None  # the next write, once scheduled
        self._locked_since: float | None = None  # since when the lock has been taken
        self._conn: Any = None  # the driver's connection, opened on the first write
        self._checkpoints = _Checkpoints(store)
        self.batches = 0
        """Transactions committed (for tests and benchmarks)."""
        self.waits = 0
        """Tries that found the write lock taken (the batch was tried again `RETRY` later)."""

    async def keep_async(self, check: CleanCheck) -> int:
        """The id of the check's row, once the transaction holding it has committed. The
        check is written even if the caller is cancelled meanwhile."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._pending.append((check, future))
        if self._flushing is None:
            self._flushing = loop.call_soon(self._flush)
        return await future

    async def aclose(self) -> None:
        """Write what is queued (waiting for the lock up to `LOCKED_FOR`), then stop the
        checkpoint thread."""
        while self._pending:
            if self._flushing is not None:
                self._flushing.cancel()
            self._flush()
            if self._pending:
                await asyncio.sleep(RETRY)
        if self._flushing is not None:
            self._flushing.cancel()
            self._flushing = None
        await asyncio.to_thread(self._checkpoints.close)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _flush(self) -> None:
        """Write the next batch; try again `RETRY` later if the lock is taken."""
        loop = asyncio.get_running_loop()
        self._flushing = None
        batch = self._pending[: self.max_batch]
        del self._pending[: len(batch)]
        left = self._write(batch) if batch else []
        if left:
            self._pending[:0] = left
            self.waits += 1
            now = time.monotonic()
            self._locked_since = self._locked_since or now
            if now - self._locked_since > LOCKED_FOR:  # as a thread's transaction would fail
                self._fail_pending()
                return
            self._flushing = loop.call_later(RETRY, self._flush)
            return
        self._locked_since = None
        if self._pending:
            self._flushing = loop.call_soon(self._flush)

    def _write(self, batch: list[_Job]) -> list[_Job]:
        """Keep `batch` in one transaction and settle its futures; the jobs left unwritten
        (all of them) if the write lock was taken."""
        try:
            ids = self._commit([check for check, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], None, exc)
                return []
            left = []  # one check's error fails that check alone
            for job in batch:
                left.extend(self._write([job]))
            return left
        if ids is None:
            return batch
        for (_, future), kept in zip(batch, ids, strict=True):
            _settle(future, kept, None)
        return []

    def _fail_pending(self) -> None:
        error = StoreError(
            f"the database refused the work: database is locked (for {LOCKED_FOR:g} s)",
            field="database",
        )
        pending, self._pending, self._locked_since = self._pending, [], None
        for _, future in pending:
            _settle(future, None, error)

    def _commit(self, checks: list[CleanCheck]) -> list[int] | None:
        """The checks kept in one transaction, their ids; None if the write lock could not be
        had within `TURN_WAIT` (nothing written then)."""
        conn = self._connection()
        bound = bind_clean(self.store.engine.dialect, checks)  # JSON and all, before the lock
        try:
            with self.store.write_turn(TURN_WAIT) as turn:
                if not turn:
                    return None
                cursor = conn.cursor()
                try:
                    cursor.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    if exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                        return None  # a writer that is not reec: tried again later
                    raise
                try:
                    ids = keep_clean_dbapi(cursor, self.store.engine.dialect, checks, bound)
                    cursor.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.rollback()
                    raise
        except sqlite3.OperationalError as exc:  # disk full, a corrupt file: as Store.transaction
            raise StoreError(f"the database refused the work: {exc}", field="database") from None
        self.batches += 1
        self._checkpoints.wrote()
        return ids

    def _connection(self) -> Any:
        """The keeper's own driver connection, as the engine opens them (WAL, foreign keys),
        out of the pool, with no automatic checkpoint and no busy wait of its own."""
        if self._conn is None:
            fairy = self.store.engine.raw_connection()
            fairy.detach()  # closed by aclose, never handed to anyone else
            conn: Any = fairy.dbapi_connection
            conn.execute("PRAGMA wal_autocheckpoint=0")
            conn.execute("PRAGMA busy_timeout=0")
            self._conn = conn
        return self._conn


def _settle(future: asyncio.Future[int], kept: int | None, exc: BaseException | None) -> None:
    if future.done():  # the caller was cancelled: its check is kept all the same
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        assert kept is not None
        future.set_result(kept)


class _Checkpoints:
    """PASSIVE checkpoints on a thread and a connection of their own, every
    `CHECKPOINT_SECONDS` while checks are being written (see the module's docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._wrote = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wrote(self) -> None:
        if not self._wrote.is_set():
            self._wrote.set()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="reec-wal-checkpoints", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wrote.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        conn = self.store.engine.raw_connection()
        try:
            while self._wrote.wait() and not self._stop.wait(CHECKPOINT_SECONDS):
                self._wrote.clear()
                try:
                    checkpoint(conn)
                except sqlite3.Error as exc:  # tried again after the next writes
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            conn.close()


def checkpoint(conn: Any) -> tuple[int, int, int]:
    """One turn of the checkpoint thread on `conn`: a PASSIVE checkpoint, then a TRUNCATE one
    when the WAL holds `WAL_LIMIT_FRAMES` frames or more, all copied back. Returns SQLite's
    (busy, frames in the WAL, frames copied back) of the last checkpoint run."""
    cursor = conn.cursor()
    busy, frames, copied = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    if frames >= WAL_LIMIT_FRAMES and copied == frames:
        cursor.execute(f"PRAGMA busy_timeout={TRUNCATE_WAIT_MS}")  # not the store's 60 s
        busy, frames, copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return int(busy), int(frames), int(copied)
