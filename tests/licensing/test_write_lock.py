"""SQLite writers queue for the write lock (reec.store.writelock) instead of sleeping in
SQLite's busy handler; writes from threads and from processes all land, chained once each."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reec.store import audit
from reec.store.db import Store
from reec.store.tables import AuditHeadRow
from reec.store.writelock import write_lock_for

APPEND = textwrap.dedent(
    """
    import sys
    from reec.store import audit
    from reec.store.db import Store
    store = Store(sys.argv[1])
    for i in range(int(sys.argv[2])):
        with store.transaction() as s:
            audit.append(s, actor=sys.argv[3], action="test", subject=str(i), payload={"i": i})
    store.dispose()
    """
)


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'book.db'}")
    store.ensure_schema()
    return store


def test_threads_and_processes_all_land_in_one_chain(tmp_path: Path) -> None:
    store = _store(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    others = [
        subprocess.Popen([sys.executable, "-c", APPEND, store.url, "40", f"p{n}"], env=env)
        for n in range(2)
    ]

    def one(i: int) -> None:
        with store.transaction() as s:
            audit.append(s, actor="thread", action="test", subject=str(i), payload={"i": i})

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(one, range(60)))
    assert [p.wait(timeout=120) for p in others] == [0, 0]
    with store.transaction() as s:
        report = audit.verify(s)
    assert report.ok, report.problems
    assert report.entries == 140
    store.dispose()


def test_a_writer_holds_the_lock_other_processes_queue_on(tmp_path: Path) -> None:
    """The lock file next to the database is flocked for the length of a write transaction."""
    store = _store(tmp_path)
    probe = textwrap.dedent(
        """
        import fcntl, sys
        with open(sys.argv[1], "ab") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                sys.exit(3)
        """
    )
    lock_file = tmp_path / "book.db-writer"
    with store.transaction():
        held = subprocess.run([sys.executable, "-c", probe, str(lock_file)], check=False)
    free = subprocess.run([sys.executable, "-c", probe, str(lock_file)], check=False)
    assert (held.returncode, free.returncode) == (3, 0)
    store.dispose()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_a_forked_process_does_not_share_the_lock(tmp_path: Path) -> None:
    """The lock file stays open between transactions; a process forked from this one shares
    that open file (a `flock` on it would be the parent's), so it opens its own and queues."""
    lock = write_lock_for(str(tmp_path / "book.db"), 1)
    assert lock is not None
    with lock.hold():
        pass  # opened, and kept open
    held, go = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: once the parent holds the lock, this try must fail
        os.read(held, 1)
        with lock.try_hold(0.05) as got:
            os._exit(3 if got else 0)
    with lock.hold():
        os.write(go, b"x")
        _, status = os.waitpid(pid, 0)
    os.close(held)
    os.close(go)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_queue_is_reentrant_in_a_thread(tmp_path: Path) -> None:
    """Taking the lock again in the thread that holds it does not wait for itself."""
    lock = write_lock_for(str(tmp_path / "book.db"), 1)
    assert lock is not None
    with lock.hold(), lock.hold():
        assert (tmp_path / "book.db-writer").exists()


def test_an_audit_head_read_through_the_orm_is_fresh_after_an_append(tmp_path: Path) -> None:
    """`audit.append` writes with plain statements; a head object the session loaded before
    must not keep the old entry number."""
    store = _store(tmp_path)
    with store.transaction() as s:
        head = s.get(AuditHeadRow, 1)
        assert head is not None
        before = head.seq
        seq = audit.append(s, actor="a", action="test", subject="1", payload={})
        assert head.seq == seq == before + 1
        assert audit.current_anchor(s).seq == seq
    store.dispose()


@pytest.mark.parametrize("database", [None, ":memory:"])
def test_no_queue_without_a_file(database: str | None) -> None:
    assert write_lock_for(database, 1) is None
