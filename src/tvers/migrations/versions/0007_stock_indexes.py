"""stock indexes: active reservations by variant and expiry, transfer lines by variant; channel_atp, the last announced ATP
per channel and variant

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

`availability.changed` moved off the stock hot paths into the relay subscriber `inventory.channel_atp`,
which compares each channel's ATP with the figure it last announced (the table `channel_atp`). The table is
filled here with today's ATP and the subscriber's cursor starts at the outbox's head, so an upgrade neither
announces every variant again nor replays old events.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SUBSCRIBER = "inventory.channel_atp"


def upgrade() -> None:
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reservations_active_variant_id_expires_at",
            ["variant_id", "expires_at"],
            unique=False,
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )
    with op.batch_alter_table("transfer_lines", schema=None) as batch_op:
        batch_op.create_index("ix_transfer_lines_variant_id", ["variant_id"], unique=False)
    op.create_table(
        "channel_atp",
        sa.Column("channel_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("atp", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], name=op.f("fk_channel_atp_channel_id_channels")),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], name=op.f("fk_channel_atp_variant_id_variants")),
        sa.PrimaryKeyConstraint("channel_id", "variant_id", name=op.f("pk_channel_atp")),
    )
    with op.batch_alter_table("channel_atp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_atp_variant_id"), ["variant_id"], unique=False)
    _fill_channel_atp()
    _start_cursor_at_head()


def _fill_channel_atp() -> None:
    """ATP as docs/adr/0006 defines it, for every channel and variant with a non-zero figure."""
    cl = sa.table("channel_locations", sa.column("channel_id"), sa.column("location_id"), sa.column("ships_from"))
    loc = sa.table("locations", sa.column("id"), sa.column("is_active"), sa.column("ships"))
    sl = sa.table("stock_levels", sa.column("variant_id"), sa.column("location_id"), sa.column("on_hand"), sa.column("reserved"),
                  sa.column("safety_stock"))
    buf = sa.table("channel_buffers", sa.column("channel_id"), sa.column("held_back_percent"), sa.column("held_back_units"))
    atp = sa.table("channel_atp", sa.column("channel_id"), sa.column("variant_id"), sa.column("atp"))
    available = sl.c.on_hand - sl.c.reserved - sl.c.safety_stock
    pools = (
        sa.select(cl.c.channel_id.label("channel_id"), sl.c.variant_id.label("variant_id"),
                  sa.func.sum(sa.case((available > 0, available), else_=0)).label("pool"))
        .join(loc, sa.and_(loc.c.id == cl.c.location_id, loc.c.is_active == sa.true(), loc.c.ships == sa.true()))
        .join(sl, sl.c.location_id == cl.c.location_id)
        .where(cl.c.ships_from == sa.true())
        .group_by(cl.c.channel_id, sl.c.variant_id)
        .subquery()
    )
    shown = pools.c.pool * (100 - sa.func.coalesce(buf.c.held_back_percent, 0)) // 100 - sa.func.coalesce(buf.c.held_back_units, 0)
    op.execute(
        atp.insert().from_select(
            ["channel_id", "variant_id", "atp"],
            sa.select(pools.c.channel_id, pools.c.variant_id, sa.cast(shown, sa.Integer))
            .select_from(pools.outerjoin(buf, buf.c.channel_id == pools.c.channel_id))
            .where(shown > 0),
        )
    )


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
    with op.batch_alter_table("channel_atp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_atp_variant_id"))
    op.drop_table("channel_atp")
    with op.batch_alter_table("transfer_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_lines_variant_id")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_active_variant_id_expires_at")
