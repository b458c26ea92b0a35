"""The compliance desk (issue 14): customer master, review items, alerts, desk state.

Revision ID: 0003_desk
Revises: 0002_api_keys
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_desk"
down_revision = "0002_api_keys"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "desk_customers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ref", sa.String(100), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_zh", sa.String(300), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("owners", sa.JSON, nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("screened_at", _tz(), nullable=True),
        sa.Column("screened_version", sa.String(60), nullable=True),
        sa.Column("last_hits", sa.JSON, nullable=False),
    )
    op.create_table(
        "desk_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("identity", sa.String(400), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("party_name", sa.String(300), nullable=False),
        sa.Column("party_country", sa.String(2), nullable=True),
        sa.Column("party_role", sa.String(20), nullable=False),
        sa.Column("customer_ref", sa.String(100), nullable=True),
        sa.Column("entry_ident", sa.String(600), nullable=False),
        sa.Column("entry_version", sa.String(32), nullable=False),
        sa.Column("list_name", sa.String(40), nullable=False),
        sa.Column("entry_name", sa.String(300), nullable=False),
        sa.Column("announcement", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("via_owner", sa.String(300), nullable=True),
        sa.Column("features", sa.JSON, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("source_ref", sa.String(300), nullable=False),
        sa.Column("data_version", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("raised_at", _tz(), nullable=False),
        sa.Column("raised_by", sa.String(200), nullable=False),
        sa.Column("decided_at", _tz(), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("lapsed_why", sa.String(300), nullable=True),
    )
    op.create_index(
        "ix_desk_reviews_lookup",
        "desk_reviews",
        ["identity", "entry_ident", "entry_version", "fingerprint"],
    )
    op.create_index("ix_desk_reviews_status", "desk_reviews", ["status"])
    op.create_table(
        "desk_alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("dedupe", sa.String(400), nullable=False, unique=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("acknowledged_at", _tz(), nullable=True),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.Column("delivered_at", _tz(), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
    )
    op.create_table(
        "desk_state",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
    )


def downgrade() -> None:
    for name in ("desk_state", "desk_alerts", "desk_reviews", "desk_customers"):
        op.drop_table(name)
