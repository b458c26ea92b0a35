"""Kept checks of a SQLite file written on the event loop (`reec.desk.loop_keeper`, issue 16):
the same rows and audit entries as through SQLAlchemy, each check kept once in fewer
transactions than checks, a batch that cannot have the write lock at once tried again without
holding up the loop, one check's failure its own, nothing queued lost on close, and the WAL
checkpointed off the commits."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from desk_helpers import assert_kept_once, clean_check
from sqlalchemy import select

import reec.desk.loop_keeper as loop_module
from reec.api.rules import Rules, load_rules
from reec.desk.check import CleanCheck, keep_clean, keep_clean_dbapi
from reec.desk.loop_keeper import LoopKeeper
from reec.errors import StoreError
from reec.licensing.records import JsonDoc, jsonable
from reec.store import audit
from reec.store.db import Store
from reec.store.tables import DeterminationRow


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


@pytest.fixture
def book(tmp_path: Path) -> Any:
    s = Store(f"sqlite:///{tmp_path / 'reec.db'}")
    s.ensure_schema()
    yield s
    s.dispose()


def _stored(store: Store, ids: list[int]) -> list[tuple[Any, ...]]:
    """The rows and entries as the file holds them (text as stored), but ids, times and
    hashes."""
    path = store.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as conn:
        out = []
        for i in ids:
            row = conn.execute(
                "SELECT actor, as_of, verdict, regime_version, shipment, trace, "
                "length(created_at) FROM determinations WHERE id = ?",
                (i,),
            ).fetchone()
            entry = conn.execute(
                "SELECT actor, action, payload FROM audit_log WHERE subject = ?",
                (f"determination:{i}",),
            ).fetchone()
            out.append((*row, *entry))
        return out


def test_the_driver_path_keeps_what_sqlalchemy_keeps(book: Store, rules: Rules) -> None:
    checks = [clean_check(rules, n) for n in range(3)]
    with book.transaction() as s:
        through_orm = keep_clean(s, checks)
    fairy = book.engine.raw_connection()
    try:
        cursor = fairy.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        through_driver = keep_clean_dbapi(cursor, book.engine.dialect, checks)
        cursor.execute("COMMIT")
    finally:
        fairy.close()
    assert _stored(book, through_driver) == _stored(book, through_orm)
    with book.transaction() as s:
        rows = [s.get(DeterminationRow, i) for i in through_orm + through_driver]
        assert all(r is not None and r.created_at.year > 2000 for r in rows)
        assert audit.verify(s).ok


def test_a_document_marked_json_is_kept_as_the_same_text(book: Store, rules: Rules) -> None:
    """The API marks its shipment document `JsonDoc` (made by pydantic in JSON mode): kept
    without the JSON round trip, its row holds the same text as the unmarked document's."""
    checks = [clean_check(rules, n) for n in range(2)]
    marked = [replace(c, shipment_doc=JsonDoc(c.shipment_doc)) for c in checks]
    assert jsonable(marked[0].shipment_doc) is marked[0].shipment_doc
    with book.transaction() as s:
        plain_ids = keep_clean(s, checks)
        marked_ids = keep_clean(s, marked)
    assert _stored(book, marked_ids) == _stored(book, plain_ids)


def test_concurrent_checks_are_kept_once_each_in_fewer_transactions(
    book: Store, rules: Rules
) -> None:
    checks = [clean_check(rules, n) for n in range(40)]
    keeper = LoopKeeper(book)

    async def run() -> list[int]:
        ids = await asyncio.gather(*(keeper.keep_async(c) for c in checks))
        await keeper.aclose()
        return list(ids)

    ids = asyncio.run(run())
    assert len(set(ids)) == len(checks)
    assert 0 < keeper.batches < len(checks), "no two checks shared a commit"
    assert keeper.waits == 0
    assert_kept_once(book, checks, ids)


def _holding_the_lock(book: Store) -> tuple[threading.Thread, threading.Event]:
    """Another thread in a write transaction until the event returned is set."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with book.transaction():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    return holder, release


def test_a_batch_that_cannot_have_the_lock_waits_without_holding_up_the_loop(
    book: Store, rules: Rules
) -> None:
    """Another writer holds the lock: the loop goes on serving (here: ticks of 10 ms on time),
    the check is tried again until the lock is free, and its answer waits for that commit."""
    holder, release = _holding_the_lock(book)
    keeper = LoopKeeper(book)

    async def run() -> int:
        task = asyncio.ensure_future(keeper.keep_async(clean_check(rules, 1)))
        started = time.perf_counter()
        for _ in range(5):
            await asyncio.sleep(0.01)
        assert time.perf_counter() - started < 1.0, "the loop was held up"
        assert not task.done(), "answered before the check was committed"
        later = asyncio.ensure_future(keeper.keep_async(clean_check(rules, 2)))
        await asyncio.sleep(0.01)
        release.set()
        kept = await task
        assert await later > kept
        await keeper.aclose()
        return kept

    asyncio.run(run())
    holder.join()
    assert keeper.waits > 0
    assert keeper.batches == 1, "the check queued meanwhile joins the waiting batch"
    with book.transaction() as s:
        assert len(s.scalars(select(DeterminationRow.id)).all()) == 2
        assert audit.verify(s).ok


def test_checks_fail_after_the_lock_stayed_taken(
    book: Store, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loop_module, "LOCKED_FOR", 0.05)
    holder, release = _holding_the_lock(book)
    keeper = LoopKeeper(book)

    async def run() -> None:
        with pytest.raises(StoreError, match="locked"):
            await keeper.keep_async(clean_check(rules, 1))
        await keeper.aclose()

    try:
        asyncio.run(run())
    finally:
        release.set()
        holder.join()
    with book.transaction() as s:
        assert s.scalars(select(DeterminationRow.id)).all() == []


def test_one_bad_check_fails_alone(
    book: Store, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = loop_module.keep_clean_dbapi  # type: ignore[attr-defined]  # patched where looked up

    def keep_or_fail(cursor: Any, dialect: Any, checks: list[CleanCheck], bound: Any) -> list[int]:
        if any(c.actor == "bad" for c in checks):
            raise RuntimeError("this check cannot be kept")
        return real(cursor, dialect, checks, bound)

    monkeypatch.setattr(loop_module, "keep_clean_dbapi", keep_or_fail)
    keeper = LoopKeeper(book)

    async def run() -> list[Any]:
        checks = [clean_check(rules, n, "bad" if n == 2 else "tester") for n in range(4)]
        out = await asyncio.gather(*(keeper.keep_async(c) for c in checks), return_exceptions=True)
        await keeper.aclose()
        return out

    results = asyncio.run(run())
    assert isinstance(results[2], RuntimeError)
    assert all(isinstance(r, int) for i, r in enumerate(results) if i != 2)
    with book.transaction() as s:
        assert len(s.scalars(select(DeterminationRow.id)).all()) == 3
        assert audit.verify(s).ok


def test_close_writes_what_is_queued_and_a_cancelled_caller_is_kept(
    book: Store, rules: Rules
) -> None:
    keeper = LoopKeeper(book)

    async def run() -> None:
        tasks = [asyncio.ensure_future(keeper.keep_async(clean_check(rules, n))) for n in range(5)]
        await asyncio.sleep(0)  # queued, not yet written
        tasks[0].cancel()
        await keeper.aclose()
        assert all(t.done() for t in tasks)

    asyncio.run(run())
    with book.transaction() as s:
        assert len(s.scalars(select(DeterminationRow.id)).all()) == 5
        assert audit.verify(s).ok


def test_the_wal_is_checkpointed_off_the_commits(
    tmp_path: Path, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keeper's commits checkpoint nothing; its checkpoint thread does, so the WAL starts
    over: after five commits, a pause and one more commit it holds that one commit's pages
    (against all six commits' with a checkpoint thread that never comes round)."""

    def frames_in_wal(interval: float, name: str) -> int:
        monkeypatch.setattr(loop_module, "CHECKPOINT_SECONDS", interval)
        store = Store(f"sqlite:///{tmp_path / name}")
        store.ensure_schema()
        keeper = LoopKeeper(store)

        async def run() -> int:
            for n in range(5):
                await keeper.keep_async(clean_check(rules, n))
            auto = keeper._connection().execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            assert auto == 0, "the keeper's commits would checkpoint"
            await asyncio.sleep(0.3)  # the checkpoint thread's turn
            await keeper.keep_async(clean_check(rules, 5))
            with sqlite3.connect(tmp_path / name) as probe:  # how far the WAL reaches
                frames = int(probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
            await keeper.aclose()
            return frames

        try:
            return asyncio.run(run())
        finally:
            store.dispose()

    checkpointed, never = frames_in_wal(0.01, "a.db"), frames_in_wal(600, "b.db")
    assert 0 < checkpointed * 3 < never


def test_only_a_sqlite_file_is_kept_on_the_loop(tmp_path: Path) -> None:
    memory = Store("sqlite://")
    with pytest.raises(ValueError, match="SQLite file"):
        LoopKeeper(memory)
    memory.dispose()


def _wal_of(tmp_path: Path, rows: int) -> tuple[Path, sqlite3.Connection]:
    """A WAL database with `rows` writes not yet checkpointed, and a connection that would wait
    60 s for a lock, as the store's do."""
    path = tmp_path / "wal.db"
    with sqlite3.connect(path) as writer:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("CREATE TABLE t (x TEXT)")
        for n in range(rows):
            writer.execute("INSERT INTO t VALUES (?)", (f"{n:04d}" * 500,))
            writer.commit()
    return path, sqlite3.connect(path, isolation_level=None, timeout=60)


def test_a_long_wal_is_emptied_once_copied_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Steady traffic never gives a PASSIVE checkpoint a pause to start the WAL over: past
    WAL_LIMIT_FRAMES frames, all copied back, a TRUNCATE checkpoint empties the file; below
    it the file is left alone (an empty WAL costs its next writer a new file)."""
    monkeypatch.setattr(loop_module, "WAL_LIMIT_FRAMES", 10_000)
    path, conn = _wal_of(tmp_path, 60)
    wal = Path(f"{path}-wal")
    busy, frames, copied = loop_module.checkpoint(conn)
    assert (busy, copied) == (0, frames)
    assert 0 < frames < 10_000
    assert wal.stat().st_size > 0  # below the limit: copied back, the file kept
    monkeypatch.setattr(loop_module, "WAL_LIMIT_FRAMES", frames)
    assert loop_module.checkpoint(conn) == (0, 0, 0)
    assert wal.stat().st_size == 0
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 60  # nothing lost
    conn.close()


def test_a_reader_holds_off_the_truncate_for_a_moment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader in the middle of a read transaction makes the TRUNCATE checkpoint give up after
    about TRUNCATE_WAIT_MS (writers wait no longer than that), and the next turn, once the
    reader is done, empties the WAL."""
    monkeypatch.setattr(loop_module, "WAL_LIMIT_FRAMES", 1)
    path, conn = _wal_of(tmp_path, 20)
    wal = Path(f"{path}-wal")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 20
    start = time.perf_counter()
    busy, _frames, _copied = loop_module.checkpoint(conn)
    waited = time.perf_counter() - start
    assert busy == 1
    assert waited < 2.0  # not the connection's own 60 s
    assert wal.stat().st_size > 0
    reader.execute("COMMIT")
    assert loop_module.checkpoint(conn) == (0, 0, 0)
    assert wal.stat().st_size == 0
    reader.close()
    conn.close()
