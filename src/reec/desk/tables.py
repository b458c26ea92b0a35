"""The desk's tables, on the licence book's metadata (migration 0003_desk mirrors them).

Review items carry the decision that settles them, so "what did we decide about this party and
this list entry" is one indexed lookup on (identity, entry, entry version, party fingerprint).
Alerts and the customer master are plain rows; every change to any of them is also written to
the hash-chained audit log in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reec.store.tables import Base

__all__ = ["AlertRow", "CustomerRow", "DeskStateRow", "ReviewRow"]


def _tz() -> DateTime:
    return DateTime(timezone=True)


class CustomerRow(Base):
    """One party of the customer master, with its owners and its last screening."""

    __tablename__ = "desk_customers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_zh: Mapped[str | None] = mapped_column(String(300), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    role: Mapped[str] = mapped_column(String(20))
    owners: Mapped[list[Any]] = mapped_column(JSON)
    """[{"name": ..., "share": "0.6"}]: the ownership links the import gave."""
    fingerprint: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(_tz())
    updated_by: Mapped[str] = mapped_column(String(200))
    screened_at: Mapped[datetime | None] = mapped_column(_tz(), nullable=True)
    screened_version: Mapped[str | None] = mapped_column(String(60), nullable=True)
    last_hits: Mapped[list[Any]] = mapped_column(JSON)
    """[{"entry": ident, "status": "hit"|"possible"|"cleared", "list": ..., "name": ...}]"""


class ReviewRow(Base):
    __tablename__ = "desk_reviews"
    __table_args__ = (
        Index("ix_desk_reviews_lookup", "identity", "entry_ident", "entry_version", "fingerprint"),
        Index("ix_desk_reviews_status", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(400))
    fingerprint: Mapped[str] = mapped_column(String(32))
    party_name: Mapped[str] = mapped_column(String(300))
    party_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    party_role: Mapped[str] = mapped_column(String(20))
    customer_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    entry_ident: Mapped[str] = mapped_column(String(600))
    entry_version: Mapped[str] = mapped_column(String(32))
    list_name: Mapped[str] = mapped_column(String(40))
    entry_name: Mapped[str] = mapped_column(String(300))
    announcement: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    """hit (at or above the automatic threshold) or possible (for review)."""
    score: Mapped[float] = mapped_column(Float)
    via_owner: Mapped[str | None] = mapped_column(String(300), nullable=True)
    features: Mapped[list[Any]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(20))
    """shipment or customer"""
    source_ref: Mapped[str] = mapped_column(String(300))
    data_version: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))
    """open, match, false_positive or lapsed"""
    raised_at: Mapped[datetime] = mapped_column(_tz())
    raised_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(_tz(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    lapsed_why: Mapped[str | None] = mapped_column(String(300), nullable=True)


class AlertRow(Base):
    __tablename__ = "desk_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(_tz())
    kind: Mapped[str] = mapped_column(String(30))
    """new_hit, removed_hit, rule_change, review_clock"""
    subject: Mapped[str] = mapped_column(String(300))
    dedupe: Mapped[str] = mapped_column(String(400), unique=True)
    """The same fact raises one alert, however often it is seen."""
    message: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    acknowledged_at: Mapped[datetime | None] = mapped_column(_tz(), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(_tz(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class DeskStateRow(Base):
    """Named JSON values: the list entries' versions as of the last re-screening."""

    __tablename__ = "desk_state"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(_tz())
