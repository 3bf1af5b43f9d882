"""exchanges: a return keeps the replacement asked for and what became of it (the linked order, the voucher that paid it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column("returns", sa.Column("exchange", JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("returns", "exchange")
