"""The licence book's tables (SQLAlchemy 2, typed). Migrations in `migrations/` mirror them.

Quantities and values are integers in fixed minor units (quantity x 1000, money x 100): exact,
portable between SQLite and PostgreSQL, and safe in a conditional `UPDATE ... WHERE drawn + x <=
limit`. Events, draw-downs and the audit log are only ever inserted; the `state` and `drawn_*`
columns are caches updated in the same transaction as the row that justifies them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApplicationEventRow",
    "ApplicationRow",
    "AuditHeadRow",
    "AuditRow",
    "Base",
    "DeterminationRow",
    "DrawdownLineRow",
    "DrawdownRow",
    "LicenceLineRow",
    "LicenceRow",
]

QUANTITY_SCALE = 1000
MONEY_SCALE = 100


class Base(DeclarativeBase):
    pass


class AuditHeadRow(Base):
    """One row: the newest audit entry. Locking it serialises appends to the hash chain.

    `mac`: HMAC-SHA256 of the head under `REEC_AUDIT_KEY` (null when written without one)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DeterminationRow(Base):
    __tablename__ = "determinations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)
    verdict: Mapped[str] = mapped_column(String(30))
    regime_version: Mapped[str] = mapped_column(String(60))
    shipment: Mapped[dict[str, Any]] = mapped_column(JSON)
    trace: Mapped[dict[str, Any]] = mapped_column(JSON)


class ApplicationRow(Base):
    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    licence_kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    determination_id: Mapped[int] = mapped_column(ForeignKey("determinations.id"))
    exporter: Mapped[str] = mapped_column(String(300))
    destination: Mapped[str] = mapped_column(String(2))
    end_users: Mapped[list[Any]] = mapped_column(JSON)
    end_uses: Mapped[list[Any]] = mapped_column(JSON)
    items: Mapped[list[Any]] = mapped_column(JSON)
    certificates: Mapped[list[Any]] = mapped_column(JSON)
    no_time_limit: Mapped[str | None] = mapped_column(String(300), nullable=True)
    changes_licence_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ApplicationEventRow(Base):
    """Append-only: every transition with who, when (wall clock) and on which legal day."""

    __tablename__ = "application_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    on_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(String(500), nullable=True)


class LicenceRow(Base):
    __tablename__ = "licences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    exporter: Mapped[str] = mapped_column(String(300))
    destination: Mapped[str] = mapped_column(String(2))
    end_users: Mapped[list[Any]] = mapped_column(JSON)
    end_uses: Mapped[list[Any]] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(200))
    regime_version: Mapped[str] = mapped_column(String(60))


class LicenceLineRow(Base):
    """A defence in depth: even a buggy caller cannot store a line drawn past its limit."""

    __tablename__ = "licence_lines"
    __table_args__ = (
        CheckConstraint("drawn_quantity <= quantity", name="ck_licence_lines_quantity"),
        CheckConstraint("drawn_value <= value", name="ck_licence_lines_value"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    item_ref: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500))
    control_codes: Mapped[list[Any]] = mapped_column(JSON)
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    value: Mapped[int] = mapped_column(BigInteger)
    drawn_quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    drawn_value: Mapped[int] = mapped_column(BigInteger, default=0)


class DrawdownRow(Base):
    __tablename__ = "drawdowns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    determination_id: Mapped[int] = mapped_column(ForeignKey("determinations.id"))
    shipment_ref: Mapped[str] = mapped_column(String(300))
    on_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    keep_records_until: Mapped[date] = mapped_column(Date)


class DrawdownLineRow(Base):
    __tablename__ = "drawdown_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drawdown_id: Mapped[int] = mapped_column(ForeignKey("drawdowns.id"), index=True)
    licence_line_id: Mapped[int] = mapped_column(ForeignKey("licence_lines.id"))
    item_ref: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[int] = mapped_column(BigInteger)
