"""notifications: messages to customers and stores about orders, with their sending state

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22

(event_id, kind, recipient) is unique, so a replayed event writes no second message; the sender job claims due rows
by (status, next_attempt_at). The subscriber `integrations.notifications` starts at the outbox's head, so an upgrade
does not notify anyone about events from before it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tvers.db.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SUBSCRIBER = "integrations.notifications"


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("audience", sa.String(length=12), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("medium", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("event_id", "kind", "recipient", name=op.f("uq_notifications_event_id_kind_recipient")),
    )
    op.create_index(op.f("ix_notifications_order_id"), "notifications", ["order_id"], unique=False)
    op.create_index("ix_notifications_status_next_attempt_at", "notifications", ["status", "next_attempt_at"], unique=False)
    _start_cursor_at_head()


def _start_cursor_at_head() -> None:
    outbox = sa.table("outbox", sa.column("position"))
    cursors = sa.table("relay_cursors", sa.column("subscriber"), sa.column("position"), sa.column("attempts"))
    op.execute(
        cursors.insert().from_select(
            ["subscriber", "position", "attempts"],
            sa.select(sa.literal(SUBSCRIBER), sa.func.coalesce(sa.func.max(outbox.c.position), 0), sa.literal(0)),
        )
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM relay_cursors WHERE subscriber = :name").bindparams(name=SUBSCRIBER))
    op.execute(sa.text("DELETE FROM handled_events WHERE subscriber = :name").bindparams(name=SUBSCRIBER))
    op.drop_index("ix_notifications_status_next_attempt_at", table_name="notifications")
    op.drop_index(op.f("ix_notifications_order_id"), table_name="notifications")
    op.drop_table("notifications")
