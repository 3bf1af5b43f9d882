"""returns: authorisations (number, expiry), refund parts sent to providers, units sent back to a warehouse

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23

A return asked for online is an authorisation with a unique number and an expiry. Its status gains refund_pending,
refund_failed, cancelled and expired (wider column). Each refund part sent to a provider is kept with what the provider
said, so a declined one can be retried; each returned line remembers the transfer that sent it back to a warehouse.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tvers.db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=12), type_=sa.String(length=20), existing_nullable=False)
        batch_op.add_column(sa.Column("number", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("expires_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("late_override", JSON, nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_returns_number"), ["number"])
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_back_transfer_id", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_return_lines_sent_back_transfer_id"), ["sent_back_transfer_id"], unique=False)
    op.create_table(
        "return_refunds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("payment_id", sa.String(length=40), nullable=False),
        sa.Column("transaction_id", sa.String(length=40), nullable=True),
        sa.Column("tender", sa.String(length=20), nullable=False),
        sa.Column("refund_as", sa.String(length=20), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"], name=op.f("fk_return_refunds_return_id_returns")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_refunds")),
    )
    op.create_index(op.f("ix_return_refunds_return_id"), "return_refunds", ["return_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_return_refunds_return_id"), table_name="return_refunds")
    op.drop_table("return_refunds")
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_lines_sent_back_transfer_id"))
        batch_op.drop_column("sent_back_transfer_id")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_returns_number"), type_="unique")
        batch_op.drop_column("late_override")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("number")
        batch_op.alter_column("status", existing_type=sa.String(length=20), type_=sa.String(length=12), existing_nullable=False)
