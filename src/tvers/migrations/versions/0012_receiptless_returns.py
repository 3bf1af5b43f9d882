"""returns: receipt-less returns are marked on the return; a policy says how a marketplace's part is refunded

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23

Existing returns were all made against a known order (`is_receiptless` false); existing policies refund a
marketplace's part through the marketplace, as before (`marketplace_refund` = marketplace).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_receiptless", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("return_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marketplace_refund", sa.String(length=16), nullable=False, server_default="marketplace"))


def downgrade() -> None:
    with op.batch_alter_table("return_policies", schema=None) as batch_op:
        batch_op.drop_column("marketplace_refund")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("is_receiptless")
