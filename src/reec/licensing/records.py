"""Shared plumbing of the licensing services: the clock of now, the stored determination."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.orm import Session

from reec.errors import RecordNotFoundError
from reec.model import Determination
from reec.render import determination_to_dict
from reec.store.tables import Base, DeterminationRow

__all__ = ["get_row", "jsonable", "now", "store_determination"]

T = TypeVar("T", bound=Base)


def now() -> datetime:
    return datetime.now(UTC)


def jsonable(raw: Any) -> Any:
    """Shipment documents read from YAML hold `date` objects; JSON columns want strings."""
    return json.loads(json.dumps(raw, default=str, ensure_ascii=False))


_TABLE = Base.metadata.tables[DeterminationRow.__tablename__]
_INSERT = insert(_TABLE).returning(_TABLE.c.id)


def store_determination(
    session: Session, shipment_doc: Any, determination: Determination, actor: str
) -> int:
    """Keep the determination with its full docs/format.md trace and regime version (Art. 27);
    returns its id. One INSERT statement, no ORM object (an API check pays for it, issue 16)."""
    values = {
        "created_at": now(),
        "actor": actor,
        "as_of": determination.as_of,
        "verdict": determination.verdict.value,
        "regime_version": determination.regime_version,
        "shipment": jsonable(shipment_doc),
        "trace": determination_to_dict(determination),
    }
    kept: int = session.execute(_INSERT, values).scalar_one()
    return kept


def get_row(session: Session, table: type[T], key: int, what: str) -> T:
    row = session.get(table, key)
    if row is None:
        raise RecordNotFoundError(f"no {what} {key}", field=what)
    return row
