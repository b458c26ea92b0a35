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
entries as `keep_clean`), about 0.3 ms for one check against 1.2 ms through SQLAlchemy's
session. No other thread is involved, so nothing waits for the GIL. What must not stall the
loop is kept off it:

- **The write lock**: the loop waits at most `TURN_WAIT` for its turn (another worker's
  transaction takes a fraction of a millisecond); a batch that does not get it in time, or that
  SQLite itself finds locked (a writer that is not reec), goes to a `CheckKeeper`, whose thread
  waits as long as it takes.
- **WAL checkpoints**: SQLite copies the WAL back into the database inside the commit that
  passes 1,000 pages, with an fsync (1 % of commits took 3-48 ms on a busy machine). The
  keeper's connection checkpoints nothing itself; a thread runs a PASSIVE checkpoint (which
  never blocks a writer) on a connection of its own every `CHECKPOINT_SECONDS` while checks
  are being written.

"Kept" means what it meant: a check's future is resolved only after the transaction holding
it has committed, the API answers only then, and a batch that fails is retried check by check.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from concurrent.futures import Future
from functools import partial
from typing import Any

from reec.desk.check import CleanCheck, keep_clean_dbapi
from reec.desk.keeper import MAX_BATCH, CheckKeeper
from reec.errors import StoreError
from reec.store.db import Store

__all__ = ["CHECKPOINT_SECONDS", "TURN_WAIT", "LoopKeeper"]

TURN_WAIT = 0.002
"""Seconds the loop waits for the write lock before a thread takes the batch over."""

CHECKPOINT_SECONDS = 1.0
"""Seconds between the checkpoint thread's PASSIVE checkpoints while checks are written."""

_Job = tuple[CleanCheck, "asyncio.Future[int]"]

log = logging.getLogger("reec.desk.keeper")


class LoopKeeper:
    """Keeps `CleanCheck`s of a SQLite file in group commits on the event loop (see the
    module's docstring). `keep` is called on one loop; `aclose` on the same loop."""

    def __init__(self, store: Store, max_batch: int = MAX_BATCH) -> None:
        if not store.is_sqlite_file:
            raise ValueError("LoopKeeper writes to a SQLite file; CheckKeeper elsewhere")
        self.store = store
        self.max_batch = max_batch
        self._pending: list[_Job] = []
        self._scheduled = False
        self._conn: Any = None  # the driver's connection, opened on the first write
        self._thread_keeper: CheckKeeper | None = None
        self._checkpoints = _Checkpoints(store)
        self.batches = 0
        """Transactions committed on the loop (for tests and benchmarks)."""
        self.handed_over = 0
        """Checks the writer thread kept because the loop could not have the lock at once."""

    async def keep_async(self, check: CleanCheck) -> int:
        """The id of the check's row, once the transaction holding it has committed. The
        check is written even if the caller is cancelled meanwhile."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._pending.append((check, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await future

    async def aclose(self) -> None:
        """Write what is queued (waiting for the lock as long as it takes), then stop the
        writer and checkpoint threads."""
        while self._pending:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            self._write(batch)
        if self._thread_keeper is not None:
            await asyncio.to_thread(self._thread_keeper.close)
        await asyncio.to_thread(self._checkpoints.close)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _flush(self) -> None:
        self._scheduled = False
        batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
        if self._pending:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        if batch:
            self._write(batch)

    def _write(self, batch: list[_Job]) -> None:
        try:
            ids = self._commit([check for check, _ in batch])
        except Exception as exc:
            if len(batch) > 1:  # one check's error fails that check alone
                for job in batch:
                    self._write([job])
                return
            _settle(batch[0][1], None, exc)
            return
        if ids is None:  # the lock was not free at once: the writer thread waits for it
            self._hand_over(batch)
            return
        for (_, future), kept in zip(batch, ids, strict=True):
            _settle(future, kept, None)

    def _commit(self, checks: list[CleanCheck]) -> list[int] | None:
        """The checks kept in one transaction, their ids; None if the write lock could not be
        had within `TURN_WAIT` (nothing written then)."""
        conn = self._connection()
        try:
            with self.store.write_turn(TURN_WAIT) as turn:
                if not turn:
                    return None
                cursor = conn.cursor()
                try:
                    cursor.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    if exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                        return None  # a writer that is not reec: the thread waits for it
                    raise
                try:
                    ids = keep_clean_dbapi(cursor, self.store.engine.dialect, checks)
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

    def _hand_over(self, batch: list[_Job]) -> None:
        if self._thread_keeper is None:
            self._thread_keeper = CheckKeeper(self.store)
        loop = asyncio.get_running_loop()
        for check, future in batch:
            self.handed_over += 1
            done = self._thread_keeper.submit(check)
            done.add_done_callback(partial(_settle_from, loop, future))


def _settle(future: asyncio.Future[int], kept: int | None, exc: BaseException | None) -> None:
    if future.done():  # the caller was cancelled: its check is kept all the same
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        assert kept is not None
        future.set_result(kept)


def _settle_from(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[int], done: Future[int]
) -> None:
    exc = done.exception()
    loop.call_soon_threadsafe(_settle, future, None if exc else done.result(), exc)


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
                    conn.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # tried again after the next writes
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            conn.close()
