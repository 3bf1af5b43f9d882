"""orders: orders, lines, status history, order numbers

Generated from the models, then reviewed: (channel, number), (channel, external_id) and (channel, checkout_key) are
unique, so a retried checkout or a re-imported marketplace order finds the order it already made; the sweep reads
(status, checkout_deadline_at).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tvers.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_numbers",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_order_numbers")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("channel_type", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("held_from", sa.String(length=24), nullable=True),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("cart_id", sa.String(length=40), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("checkout_key", sa.String(length=300), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("prices_include_vat", sa.Boolean(), nullable=False),
        sa.Column("tax_country", sa.String(length=2), nullable=False),
        sa.Column("delivery_method", sa.String(length=20), nullable=False),
        sa.Column("pickup_location_id", sa.String(length=40), nullable=True),
        sa.Column("subtotal_minor", sa.BigInteger(), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_minor", sa.BigInteger(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("pricing", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("coupon_codes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("contact", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("checkout_deadline_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("placed_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("cart_id", name=op.f("uq_orders_cart_id")),
        sa.UniqueConstraint("channel", "checkout_key", name=op.f("uq_orders_channel_checkout_key")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_orders_channel_external_id")),
        sa.UniqueConstraint("channel", "number", name=op.f("uq_orders_channel_number")),
    )
    op.create_index("ix_orders_channel_placed", "orders", ["channel", "placed_at"], unique=False)
    op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"], unique=False)
    op.create_index(op.f("ix_orders_location_id"), "orders", ["location_id"], unique=False)
    op.create_index("ix_orders_status_deadline", "orders", ["status", "checkout_deadline_at"], unique=False)
    op.create_table(
        "order_lines",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("tax_class", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("cancelled_quantity", sa.Integer(), nullable=False),
        sa.Column("fulfilled_quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.String(length=12), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("discounts", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("delivery_method", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "line_no", name=op.f("uq_order_lines_order_id_line_no")),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"], unique=False)
    op.create_index(op.f("ix_order_lines_variant_id"), "order_lines", ["variant_id"], unique=False)
    op.create_table(
        "order_status_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_status_history_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_status_history")),
    )
    op.create_index(op.f("ix_order_status_history_order_id"), "order_status_history", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_order_status_history_order_id"), table_name="order_status_history")
    op.drop_table("order_status_history")
    op.drop_index(op.f("ix_order_lines_order_id"), table_name="order_lines")
    op.drop_index(op.f("ix_order_lines_variant_id"), table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_index("ix_orders_channel_placed", table_name="orders")
    op.drop_index(op.f("ix_orders_customer_id"), table_name="orders")
    op.drop_index(op.f("ix_orders_location_id"), table_name="orders")
    op.drop_index("ix_orders_status_deadline", table_name="orders")
    op.drop_table("orders")
    op.drop_table("order_numbers")
