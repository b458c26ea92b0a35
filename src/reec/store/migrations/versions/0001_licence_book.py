"""The licence book: determinations, applications and their events, licences, draw-downs, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "determinations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("verdict", sa.String(30), nullable=False),
        sa.Column("regime_version", sa.String(60), nullable=False),
        sa.Column("shipment", sa.JSON, nullable=False),
        sa.Column("trace", sa.JSON, nullable=False),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("licence_kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column(
            "determination_id", sa.Integer, sa.ForeignKey("determinations.id"), nullable=False
        ),
        sa.Column("exporter", sa.String(300), nullable=False),
        sa.Column("destination", sa.String(2), nullable=False),
        sa.Column("end_users", sa.JSON, nullable=False),
        sa.Column("end_uses", sa.JSON, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("certificates", sa.JSON, nullable=False),
        sa.Column("no_time_limit", sa.String(300), nullable=True),
        sa.Column("changes_licence_id", sa.Integer, nullable=True),
    )
    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("detail", sa.String(500), nullable=True),
    )
    op.create_index(
        "ix_application_events_application_id", "application_events", ["application_id"]
    )
    op.create_table(
        "licences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(60), nullable=False, unique=True),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("exporter", sa.String(300), nullable=False),
        sa.Column("destination", sa.String(2), nullable=False),
        sa.Column("end_users", sa.JSON, nullable=False),
        sa.Column("end_uses", sa.JSON, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("issued_at", _tz(), nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("regime_version", sa.String(60), nullable=False),
    )
    op.create_table(
        "licence_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("licence_id", sa.Integer, sa.ForeignKey("licences.id"), nullable=False),
        sa.Column("item_ref", sa.String(100), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("control_codes", sa.JSON, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("drawn_quantity", sa.BigInteger, nullable=False),
        sa.Column("drawn_value", sa.BigInteger, nullable=False),
        sa.CheckConstraint("drawn_quantity <= quantity", name="ck_licence_lines_quantity"),
        sa.CheckConstraint("drawn_value <= value", name="ck_licence_lines_value"),
    )
    op.create_index("ix_licence_lines_licence_id", "licence_lines", ["licence_id"])
    op.create_table(
        "drawdowns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("licence_id", sa.Integer, sa.ForeignKey("licences.id"), nullable=False),
        sa.Column(
            "determination_id", sa.Integer, sa.ForeignKey("determinations.id"), nullable=False
        ),
        sa.Column("shipment_ref", sa.String(300), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("keep_records_until", sa.Date, nullable=False),
    )
    op.create_index("ix_drawdowns_licence_id", "drawdowns", ["licence_id"])
    op.create_table(
        "drawdown_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("drawdown_id", sa.Integer, sa.ForeignKey("drawdowns.id"), nullable=False),
        sa.Column("licence_line_id", sa.Integer, sa.ForeignKey("licence_lines.id"), nullable=False),
        sa.Column("item_ref", sa.String(100), nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_drawdown_lines_drawdown_id", "drawdown_lines", ["drawdown_id"])


def downgrade() -> None:
    for name in (
        "drawdown_lines",
        "drawdowns",
        "licence_lines",
        "licences",
        "application_events",
        "applications",
        "determinations",
        "audit_log",
        "audit_head",
    ):
        op.drop_table(name)
