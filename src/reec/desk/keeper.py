"""Kept checks written in group commits: one writer thread, one transaction per batch.

A check through the API without a match is answered outside any transaction; keeping it is
two inserts (the determination row and its audit entry). Done one transaction per request, the
requests of a busy worker queued for the write lock in the thread pool, each paying for its own
BEGIN, head read, head update and COMMIT, and the waiting threads fought the event loop for
the interpreter: about 4 ms of CPU per kept check at 100-200 requests/s (issue 16).

`CheckKeeper` takes such checks from any thread and one writer thread keeps them: whatever has
queued while the previous batch was written goes into the next transaction (the rows in one
INSERT, the audit entries chained in order in another, the head moved once). Nothing waits for
a batch to fill: a lone check is written at once, and under load a batch is what arrived
during one commit (a few milliseconds).

What "kept" means is unchanged: the future of a check is resolved only after the transaction
holding it has committed, and the API answers only then, with the row's id; a batch that fails
is retried check by check, so one check's error fails that check alone; the audit chain is the
same as one append after the other. Checks with a match take the desk's own transaction
(`desk_determination`): their review items are raised there.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future

from reec.desk.check import CleanCheck, keep_clean
from reec.store.db import Store

__all__ = ["MAX_BATCH", "CheckKeeper"]

MAX_BATCH = 256
"""Checks in one transaction at most (a bound on how long one commit holds the write lock)."""

log = logging.getLogger("reec.desk.keeper")

_Job = tuple[CleanCheck, "Future[int]"]


class CheckKeeper:
    """Keeps `CleanCheck`s in group commits on one writer thread (see the module's docstring)."""

    def __init__(self, store: Store, max_batch: int = MAX_BATCH) -> None:
        self.store = store
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0
        """Transactions committed (for tests and benchmarks)."""

    def submit(self, check: CleanCheck) -> Future[int]:
        """The id the check's row will have, once its transaction has committed."""
        future: Future[int] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the check keeper is closed")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="reec-check-keeper", daemon=True
                )
                self._thread.start()
            self._queue.put((check, future))
        return future

    def keep(self, check: CleanCheck) -> int:
        """`submit` and wait (for callers on a thread of their own)."""
        return self.submit(check).result()

    async def keep_async(self, check: CleanCheck) -> int:
        """`submit` and wait on an event loop; the check is kept even if the caller is
        cancelled meanwhile."""
        return await asyncio.shield(asyncio.wrap_future(self.submit(check)))

    async def aclose(self) -> None:
        """`close` from an event loop."""
        await asyncio.to_thread(self.close)

    def close(self) -> None:
        """Write what is queued, then stop the writer thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._write(batch)

    def _write(self, batch: list[_Job]) -> None:
        jobs = [(c, f) for c, f in batch if f.set_running_or_notify_cancel()]
        if not jobs:
            return
        try:
            with self.store.transaction() as s:
                ids = keep_clean(s, [c for c, _ in jobs])
        except Exception as exc:
            if len(jobs) > 1:  # one check's error fails that check alone
                for job in jobs:
                    self._write_one(job)
                return
            jobs[0][1].set_exception(exc)
            return
        self.batches += 1
        for (_, future), kept in zip(jobs, ids, strict=True):
            future.set_result(kept)

    def _write_one(self, job: _Job) -> None:
        check, future = job
        try:
            with self.store.transaction() as s:
                kept = keep_clean(s, [check])[0]
        except Exception as exc:
            future.set_exception(exc)
            return
        self.batches += 1
        future.set_result(kept)
