"""fulfillment: tasks per location, their lines and history, sourcing decisions, shipments, lines needing attention;
orders keep where checkout reserved each line (`orders.sourcing`)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tvers.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sourcing",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="{}",
            )
        )
    op.create_table(
        "fulfillment_tasks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("order_number", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("location_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("destination_location_id", sa.String(length=40), nullable=True),
        sa.Column("pickup_task_id", sa.String(length=40), nullable=True),
        sa.Column("transfer_id", sa.String(length=40), nullable=True),
        sa.Column("pickup_code", sa.String(length=12), nullable=True),
        sa.Column("arrival", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("accept_by", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ready_by", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ready_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_tasks")),
    )
    op.create_index("ix_fulfillment_tasks_created_at", "fulfillment_tasks", ["created_at"], unique=False)
    op.create_index("ix_fulfillment_tasks_location_id_status", "fulfillment_tasks", ["location_id", "status"], unique=False)
    op.create_index(op.f("ix_fulfillment_tasks_order_id"), "fulfillment_tasks", ["order_id"], unique=False)
    op.create_index("ix_fulfillment_tasks_status_accept_by", "fulfillment_tasks", ["status", "accept_by"], unique=False)
    op.create_table(
        "fulfillment_task_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("order_line_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("fulfilled", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("awaiting", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["fulfillment_tasks.id"], name=op.f("fk_fulfillment_task_lines_task_id_fulfillment_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_task_lines")),
    )
    op.create_index(op.f("ix_fulfillment_task_lines_order_line_id"), "fulfillment_task_lines", ["order_line_id"], unique=False)
    op.create_index(op.f("ix_fulfillment_task_lines_task_id"), "fulfillment_task_lines", ["task_id"], unique=False)
    op.create_table(
        "fulfillment_task_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["fulfillment_tasks.id"], name=op.f("fk_fulfillment_task_history_task_id_fulfillment_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_task_history")),
    )
    op.create_index("ix_fulfillment_task_history_location_id_id", "fulfillment_task_history", ["location_id", "id"], unique=False)
    op.create_index(op.f("ix_fulfillment_task_history_task_id"), "fulfillment_task_history", ["task_id"], unique=False)
    op.create_table(
        "sourcing_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("plan", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("decided_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sourcing_decisions")),
    )
    op.create_index(op.f("ix_sourcing_decisions_order_id"), "sourcing_decisions", ["order_id"], unique=False)
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=True),
        sa.Column("tracking_url", sa.String(length=500), nullable=True),
        sa.Column("packages", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("lines", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("value_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("shipped_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["fulfillment_tasks.id"], name=op.f("fk_shipments_task_id_fulfillment_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"], unique=False)
    op.create_index(op.f("ix_shipments_task_id"), "shipments", ["task_id"], unique=False)
    op.create_table(
        "fulfillment_attention",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("order_line_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("delivery_method", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_attention")),
    )
    op.create_index(op.f("ix_fulfillment_attention_order_id"), "fulfillment_attention", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_table("fulfillment_attention")
    op.drop_table("shipments")
    op.drop_table("sourcing_decisions")
    op.drop_table("fulfillment_task_history")
    op.drop_table("fulfillment_task_lines")
    op.drop_table("fulfillment_tasks")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("sourcing")
