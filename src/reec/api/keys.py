"""API keys in the licence book's database: stored as sha256 hashes, shown once at creation.

A key is `reec_` + 43 random URL-safe characters (256 bits). Only its sha256 and a short prefix
(to tell keys apart in a listing) are stored. Keys are never deleted: revoking stamps who and
when, so the audit trail can always name the key behind a write.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime, Integer, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from reec.errors import InputError
from reec.store.db import Store
from reec.store.tables import Base

__all__ = ["ApiKey", "KeyBook", "Role", "api_keys", "hash_token"]

log = logging.getLogger("reec.api.keys")


class Role(StrEnum):
    ANALYST = "analyst"
    """Determinations, screening, BOM analyses."""
    APPLICANT = "applicant"
    """Files, submits and withdraws applications; records draw-downs and customs releases."""
    REVIEWER = "reviewer"
    """Accepts, approves or refuses applications; issues licences."""
    AUDITOR = "auditor"
    """Reads the licence book and verifies the audit log."""
    ADMIN = "admin"
    """Creates, lists and revokes API keys."""


api_keys = Table(
    "api_keys",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("roles", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_by", String(200), nullable=True),
)


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str
    prefix: str
    roles: tuple[Role, ...]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _roles(raw: str) -> tuple[Role, ...]:
    return tuple(Role(r) for r in raw.split(",") if r)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns stored datetimes without their zone; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _key(row: object) -> ApiKey:
    m = row._mapping  # type: ignore[attr-defined]  # a SQLAlchemy Row, typed object by the callers
    return ApiKey(
        id=m["id"],
        name=m["name"],
        prefix=m["prefix"],
        roles=_roles(m["roles"]),
        created_at=_utc(m["created_at"]) or datetime.now(UTC),
        created_by=m["created_by"],
        revoked_at=_utc(m["revoked_at"]),
        revoked_by=m["revoked_by"],
    )


class KeyBook:
    """Create, list, revoke and verify keys; verified keys are cached for `cache_seconds`.

    A cached key is read again in the background once it is half that old (`known`), so a
    key in steady use never expires on a request's path: when it did, every `cache_seconds`
    the next requests of each worker waited for a lookup in the thread pool (a thread hop and
    the interpreter handed back and forth with the event loop: 2-15 ms on two busy cores,
    issue 16). What a request sees is never older than `cache_seconds` from its database
    read, as before; a revocation through the API clears the cache at once, and a refresh read
    before it is not kept."""

    def __init__(self, store: Store, cache_seconds: float = 5.0) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, ApiKey]] = {}
        self._misses: dict[str, float] = {}
        self._lock = threading.Lock()
        self._refreshing: dict[str, Future[None]] = {}
        self._generation = 0  # moved by `revoke`: a read begun before it is not cached

    def create(self, name: str, roles: Iterable[Role | str], actor: str) -> tuple[ApiKey, str]:
        """A new key; returns it with its token (the only time the token is seen)."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InputError("a key name is 1 to 100 characters", field="name")
        try:
            wanted = tuple(dict.fromkeys(Role(r) for r in roles))
        except ValueError as exc:
            raise InputError(
                f"{exc}; roles are {', '.join(r.value for r in Role)}", field="roles"
            ) from None
        if not wanted:
            raise InputError("a key needs at least one role", field="roles")
        token = "reec_" + secrets.token_urlsafe(32)
        values = {
            "name": name,
            "prefix": token[:12],
            "token_sha256": hash_token(token),
            "roles": ",".join(r.value for r in wanted),
            "created_at": datetime.now(UTC),
            "created_by": actor,
        }
        try:
            with self.store.transaction() as session:
                session.execute(insert(api_keys).values(**values))
        except IntegrityError:
            raise InputError(f"a key named {name!r} exists already", field="name") from None
        with self._lock:
            self._misses.clear()
        return self.get(name), token

    def list(self) -> list[ApiKey]:
        with self.store.transaction() as session:
            rows = session.execute(select(api_keys).order_by(api_keys.c.id)).all()
        return [_key(r) for r in rows]

    def get(self, name: str) -> ApiKey:
        from reec.api.errors import NotFoundError

        with self.store.transaction() as session:
            row = session.execute(select(api_keys).where(api_keys.c.name == name)).first()
        if row is None:
            raise NotFoundError(f"no API key named {name!r}", field="name")
        return _key(row)

    def revoke(self, name: str, actor: str) -> ApiKey:
        key = self.get(name)
        if key.active:
            with self.store.transaction() as session:
                session.execute(
                    update(api_keys)
                    .where(api_keys.c.id == key.id, api_keys.c.revoked_at.is_(None))
                    .values(revoked_at=datetime.now(UTC), revoked_by=actor)
                )
        with self._lock:
            self._cache.clear()
            self._generation += 1
        return self.get(name)

    def known(self, token: str) -> ApiKey | None:
        """The key with this token if it was verified within the cache period; no lookup on
        the caller's thread (one in the background once the entry is half that old)."""
        digest = hash_token(token)
        with self._lock:
            hit = self._cache.get(digest)
        if hit is None:
            return None
        age = time.monotonic() - hit[0]
        if age >= self.cache_seconds:
            return None
        if age >= self.cache_seconds / 2:
            self._refresh_soon(digest)
        return hit[1]

    def verify(self, token: str) -> ApiKey | None:
        """The active key with this token, or None."""
        digest = hash_token(token)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(digest)
            generation = self._generation
        if hit is not None and now - hit[0] < self.cache_seconds:
            return hit[1]
        with self._lock:
            missed = self._misses.get(digest)
        if missed is not None and now - missed < self.cache_seconds:
            return None  # a flood of one wrong key asks the database once per cache period
        return self._remember(digest, now, generation, self._lookup(digest))

    def wait_refreshed(self, timeout: float = 10.0) -> None:
        """Wait for the background reads under way (tests; nothing else needs them done)."""
        with self._lock:
            running = list(self._refreshing.values())
        wait(running, timeout)

    def _lookup(self, digest: str) -> object | None:
        with self.store.read() as conn:  # no write transaction: never waits behind a writer
            return conn.execute(
                select(api_keys).where(
                    api_keys.c.token_sha256 == digest, api_keys.c.revoked_at.is_(None)
                )
            ).first()

    def _remember(
        self, digest: str, read_at: float, generation: int, row: object | None
    ) -> ApiKey | None:
        """Cache what a read begun at `read_at` found (unless a revocation came since)."""
        key = None if row is None else _key(row)
        with self._lock:
            if generation != self._generation:  # revoked meanwhile: ask again next time
                return key
            if len(self._cache) > 10_000:
                self._cache.clear()
            if len(self._misses) > 10_000:
                self._misses.clear()
            if key is None:
                self._cache.pop(digest, None)
                self._misses[digest] = read_at
            else:
                self._cache[digest] = (read_at, key)
        return key

    def _refresh_soon(self, digest: str) -> None:
        with self._lock:
            if digest in self._refreshing:
                return
            self._refreshing[digest] = _refresher().submit(self._refresh, digest)

    def _refresh(self, digest: str) -> None:
        try:
            with self._lock:
                generation = self._generation
            now = time.monotonic()
            self._remember(digest, now, generation, self._lookup(digest))
        except Exception:  # the entry expires as before and the next request looks it up
            log.warning("refreshing a cached API key failed", exc_info=True)
        finally:
            with self._lock:
                self._refreshing.pop(digest, None)


_executor: list[ThreadPoolExecutor] = []
_executor_lock = threading.Lock()


def _refresher() -> ThreadPoolExecutor:
    """One thread for every KeyBook's background reads, started when first needed."""
    with _executor_lock:
        if not _executor:
            _executor.append(ThreadPoolExecutor(1, thread_name_prefix="reec-key-refresh"))
        return _executor[0]
