"""Engines and transactions: SQLite (WAL, `BEGIN IMMEDIATE`) by default, PostgreSQL by URL.

Why `BEGIN IMMEDIATE`: SQLite's default deferred transaction takes the write lock only at the
first write, so two draw-downs can both read a balance and then one fails with "database is
locked" mid-transaction. Taking the lock at BEGIN serialises writers cleanly (they wait up to
`busy_timeout`). PostgreSQL uses row locks (`SELECT ... FOR UPDATE`) and conditional updates.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from reec.errors import StoreError
from reec.store.writelock import WriteLock, write_lock_for

__all__ = ["Store", "alembic_config", "make_engine"]

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT = 60
"""Seconds a SQLite writer waits for the write lock before the work fails."""


def _normalise(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would pick psycopg2 by default)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(_normalise(url))
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}", field="REEC_DATABASE_URL") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Store.read(): a plain (deferred) BEGIN takes no write lock, so a key lookup or
            # the health check never waits behind, or holds up, a writer.
            read = conn.get_execution_options().get("reec_read", False)
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config() -> Config:
    """Migrations ship inside the package, so `reec db upgrade` works from a wheel."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


class Store:
    """One database: an engine, a session factory, and the schema check."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writers: WriteLock | None = None
        if self.engine.dialect.name == "sqlite":  # writers queue, not sleep (reec.store.writelock)
            self._writers = write_lock_for(self.engine.url.database, BUSY_TIMEOUT)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def is_sqlite_file(self) -> bool:
        """A SQLite database in a file, whose writers queue (`reec.store.writelock`)."""
        return self._writers is not None

    @contextmanager
    def write_turn(self, within: float) -> Iterator[bool]:
        """The writers' queue of a SQLite file held if the turn comes within `within` seconds
        (True), or nothing held (False); see `WriteLock.try_hold`. Elsewhere always True."""
        if self._writers is None:
            yield True
            return
        with self._writers.try_hold(within) as held:
            yield held

    def upgrade(self) -> str:
        """Bring the schema to the newest migration; returns the revision."""
        cfg = alembic_config()
        try:
            with self.engine.begin() as conn:
                if self.is_postgresql:  # two first uses at once must not both create tables
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242005)")
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except DatabaseError as exc:  # also a corrupt file ("file is not a database")
            raise StoreError(f"cannot open the database: {exc.orig}", field="database") from None
        return self.head()

    def head(self) -> str:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        return head or ""

    def current(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def ensure_schema(self, auto_upgrade: bool = True) -> None:
        try:
            current = self.current()
        except DatabaseError as exc:  # also a corrupt file ("file is not a database")
            raise StoreError(f"cannot open the database: {exc.orig}", field="database") from None
        if current == self.head():
            return
        if not auto_upgrade:
            raise StoreError(
                f"schema is at {current or 'nothing'}, reec needs {self.head()}: "
                "run `reec db upgrade`",
                field="database",
            )
        self.upgrade()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only look: no write lock on SQLite (a deferred BEGIN), rolled back after."""
        with self.engine.connect() as conn:
            conn.execution_options(reec_read=True)
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error. A database that
        cannot take the write (disk full, corrupt file, gone) is a `StoreError`, not a crash.
        On SQLite the writers of this process, and of other reec processes, queue for the write
        lock (`reec.store.writelock`) rather than poll for it."""
        queue = self._writers.hold() if self._writers is not None else nullcontext()
        try:
            with queue, self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StoreError(
                f"the database refused the work: {exc.orig}", field="database"
            ) from None

    def dispose(self) -> None:
        self.engine.dispose()
