"""The audit head's HMAC under REEC_AUDIT_KEY (issue 11 item 5): null when written without a key.

Revision ID: 0004_audit_head_mac
Revises: 0003_desk
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_audit_head_mac"
down_revision = "0003_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_head", sa.Column("mac", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("mac")
