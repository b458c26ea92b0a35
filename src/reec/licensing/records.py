"""Shared plumbing of the licensing services: the clock of now, the stored determination."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from reec.errors import RecordNotFoundError
from reec.model import Determination
from reec.render import determination_to_dict
from reec.store.tables import Base, DeterminationRow

__all__ = [
    "JsonDoc",
    "KeptRow",
    "bind_determinations",
    "get_row",
    "jsonable",
    "now",
    "store_determination",
    "store_determinations",
    "store_determinations_dbapi",
]

T = TypeVar("T", bound=Base)


def now() -> datetime:
    return datetime.now(UTC)


class JsonDoc(dict[str, Any]):
    """A shipment document made of JSON's types only (pydantic's `model_dump(mode="json")`, as
    the API makes it): `jsonable` keeps it as it is, where its JSON round trip would build the
    same document again (about 30 us of a kept API check's 1.5 ms, issue 16)."""

    __slots__ = ()


def jsonable(raw: Any) -> Any:
    """Shipment documents read from YAML hold `date` objects; JSON columns want strings."""
    if type(raw) is JsonDoc:
        return raw
    return json.loads(json.dumps(raw, default=str, ensure_ascii=False))


KeptRow = tuple[Any, Determination, str, "dict[str, Any] | None"]
"""A determination row to write: the shipment document, the determination, the actor, and the
determination's docs/format.md dict when the caller has made it already (the API answers with
the same dict, so it is not made twice)."""

_TABLE = Base.metadata.tables[DeterminationRow.__tablename__]
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
_INSERT_MANY = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)


def store_determination(
    session: Session, shipment_doc: Any, determination: Determination, actor: str
) -> int:
    """Keep the determination with its full docs/format.md trace and regime version (Art. 27);
    returns its id. One INSERT statement, no ORM object (an API check pays for it, issue 16)."""
    return store_determinations(session, [(shipment_doc, determination, actor, None)])[0]


def store_determinations(session: Session | Connection, checks: Sequence[KeptRow]) -> list[int]:
    """`store_determination` for several rows (`KeptRow`) at once: one INSERT of all their
    rows; their ids in the same order. On a session the statement runs on its connection
    (Core): the ORM's execute path cost more than the SQL."""
    conn = session.connection() if isinstance(session, Session) else session
    values = _values(checks)
    if len(values) == 1:
        return [int(conn.execute(_INSERT, values[0]).scalar_one())]
    return [int(i) for i in conn.execute(_INSERT_MANY, values).scalars()]


def store_determinations_dbapi(
    cursor: Any,
    dialect: Dialect,
    checks: Sequence[KeptRow],
    bound: list[list[Any]] | None = None,
) -> list[int]:
    """`store_determinations` on a SQLite driver cursor (`sqlite3`) inside the caller's write
    transaction: the values bound as SQLAlchemy binds them for `dialect` (the engine's), so
    the rows are the same, without SQLAlchemy's execute path (`reec.desk.loop_keeper`).
    `bound`: `bind_determinations`' values, made before the write lock was taken."""
    ids = []
    for row in bound if bound is not None else bind_determinations(dialect, checks):
        cursor.execute(_INSERT_SQL, row)
        ids.append(int(cursor.lastrowid))
    return ids


def bind_determinations(dialect: Dialect, checks: Sequence[KeptRow]) -> list[list[Any]]:
    """The rows' values as SQLAlchemy binds them for `dialect`, in `_INSERT_SQL`'s order (their
    JSON written here: the work is done before the write lock is taken, not while it is held)."""
    processors = _processors(dialect)
    return [
        [row[c] if p is None else p(row[c]) for c, p in zip(_COLUMNS, processors, strict=True)]
        for row in _values(checks)
    ]


@cache
def _processors(dialect: Dialect) -> list[Callable[[Any], Any] | None]:
    return [_TABLE.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in _COLUMNS]


def _values(checks: Sequence[KeptRow]) -> list[dict[str, Any]]:
    at = now()
    return [
        {
            "created_at": at,
            "actor": actor,
            "as_of": determination.as_of,
            "verdict": determination.verdict.value,
            "regime_version": determination.regime_version,
            "shipment": jsonable(shipment_doc),
            "trace": determination_to_dict(determination) if trace is None else trace,
        }
        for shipment_doc, determination, actor, trace in checks
    ]


_COLUMNS = ("created_at", "actor", "as_of", "verdict", "regime_version", "shipment", "trace")
_INSERT_SQL = (
    f"INSERT INTO {_TABLE.name} ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
)


def get_row(session: Session, table: type[T], key: int, what: str) -> T:
    row = session.get(table, key)
    if row is None:
        raise RecordNotFoundError(f"no {what} {key}", field=what)
    return row
