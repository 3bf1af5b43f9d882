"""returns: return policies per channel and category, returns and their lines

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22

A policy is unique per (channel, category prefix); NULL in either means "every". Returns keep the refund plan they
were refunded by, so a receipt can be shown again and later returns of the order can count what went back before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tvers.db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "return_policies",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("category_prefix", sa.String(length=200), nullable=True),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("is_final_sale", sa.Boolean(), nullable=False),
        sa.Column("receiptless", sa.String(length=16), nullable=False),
        sa.Column("refund_shipping", sa.String(length=20), nullable=False),
        sa.Column("restocking_percent", sa.String(length=12), nullable=False),
        sa.Column("restocking_fixed_minor", sa.BigInteger(), nullable=False),
        sa.Column("gift_card_refund_as", sa.String(length=16), nullable=False),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_policies")),
    )
    op.create_index("ix_return_policies_channel_category_prefix", "return_policies", ["channel", "category_prefix"], unique=True)
    op.create_table(
        "returns",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("sold_channel", sa.String(length=64), nullable=False),
        sa.Column("returned_at_location_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("override", JSON, nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refund_total_minor", sa.BigInteger(), nullable=False),
        sa.Column("refund_vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("points_reversed", sa.Integer(), nullable=False),
        sa.Column("plan", JSON, nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
    )
    op.create_index(op.f("ix_returns_order_id"), "returns", ["order_id"], unique=False)
    op.create_index(op.f("ix_returns_customer_id"), "returns", ["customer_id"], unique=False)
    op.create_table(
        "return_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("order_line_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason_code", sa.String(length=20), nullable=False),
        sa.Column("condition", sa.String(length=12), nullable=True),
        sa.Column("refund_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"], name=op.f("fk_return_lines_return_id_returns")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
    )
    op.create_index(op.f("ix_return_lines_return_id"), "return_lines", ["return_id"], unique=False)
    op.create_index(op.f("ix_return_lines_order_line_id"), "return_lines", ["order_line_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_return_lines_order_line_id"), table_name="return_lines")
    op.drop_index(op.f("ix_return_lines_return_id"), table_name="return_lines")
    op.drop_table("return_lines")
    op.drop_index(op.f("ix_returns_customer_id"), table_name="returns")
    op.drop_index(op.f("ix_returns_order_id"), table_name="returns")
    op.drop_table("returns")
    op.drop_index("ix_return_policies_channel_category_prefix", table_name="return_policies")
    op.drop_table("return_policies")
