"""inventory: locations, channel pools, stock ledger, reservations, transfers, sync

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:15:01.686751
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tvers.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "locations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("address", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("opening_hours", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("ships", sa.Boolean(), nullable=False),
        sa.Column("offers_pickup", sa.Boolean(), nullable=False),
        sa.Column("offers_curbside", sa.Boolean(), nullable=False),
        sa.Column("accepts_returns", sa.Boolean(), nullable=False),
        sa.Column("pickup_lead_minutes", sa.Integer(), nullable=False),
        sa.Column("daily_capacity", sa.Integer(), nullable=False),
        sa.Column("sourcing_priority", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("code", name=op.f("uq_locations_code")),
    )
    op.create_table(
        "stock_sync_batches",
        sa.Column("batch_id", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_stock_sync_batches")),
    )
    op.create_table(
        "transfers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("from_location_id", sa.String(length=40), nullable=False),
        sa.Column("to_location_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("shipped_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("received_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["from_location_id"], ["locations.id"], name=op.f("fk_transfers_from_location_id_locations")),
        sa.ForeignKeyConstraint(["to_location_id"], ["locations.id"], name=op.f("fk_transfers_to_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_from_location_id"), ["from_location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfers_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfers_to_location_id"), ["to_location_id"], unique=False)

    op.create_table(
        "channel_buffers",
        sa.Column("channel_id", sa.String(length=40), nullable=False),
        sa.Column("held_back_percent", sa.Integer(), nullable=False),
        sa.Column("held_back_units", sa.Integer(), nullable=False),
        sa.CheckConstraint("held_back_percent >= 0 AND held_back_percent <= 100", name=op.f("ck_channel_buffers_percent_range")),
        sa.CheckConstraint("held_back_units >= 0", name=op.f("ck_channel_buffers_units_positive")),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], name=op.f("fk_channel_buffers_channel_id_channels")),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_channel_buffers")),
    )
    op.create_table(
        "channel_locations",
        sa.Column("channel_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("ships_from", sa.Boolean(), nullable=False),
        sa.Column("pickup", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], name=op.f("fk_channel_locations_channel_id_channels")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_channel_locations_location_id_locations")),
        sa.PrimaryKeyConstraint("channel_id", "location_id", name=op.f("pk_channel_locations")),
    )
    with op.batch_alter_table("channel_locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_locations_location_id"), ["location_id"], unique=False)

    op.create_table(
        "inventory_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=40), nullable=True),
        sa.Column("reference_type", sa.String(length=20), nullable=True),
        sa.Column("reference_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], name=op.f("fk_inventory_movements_channel_id_channels")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_inventory_movements_location_id_locations")),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], name=op.f("fk_inventory_movements_variant_id_variants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_movements")),
    )
    with op.batch_alter_table("inventory_movements", schema=None) as batch_op:
        batch_op.create_index("ix_inventory_movements_kind_created_at", ["kind", "created_at"], unique=False)
        batch_op.create_index("ix_inventory_movements_variant_id_location_id", ["variant_id", "location_id", "id"], unique=False)

    op.create_table(
        "reservations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reference_type", sa.String(length=20), nullable=False),
        sa.Column("reference_id", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("expires_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", tvers.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_reservations_quantity_positive")),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], name=op.f("fk_reservations_channel_id_channels")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_reservations_location_id_locations")),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], name=op.f("fk_reservations_variant_id_variants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index("ix_reservations_reference_type_reference_id", ["reference_type", "reference_id"], unique=False)
        batch_op.create_index("ix_reservations_status_expires_at", ["status", "expires_at"], unique=False)
        batch_op.create_index("ix_reservations_variant_id_location_id_status", ["variant_id", "location_id", "status"], unique=False)

    op.create_table(
        "stock_levels",
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("safety_stock", sa.Integer(), nullable=False),
        sa.Column("reorder_point", sa.Integer(), nullable=False),
        sa.Column("reorder_quantity", sa.Integer(), nullable=False),
        sa.Column("updated_at", tvers.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_levels_on_hand_not_negative")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved_not_negative")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_stock_levels_location_id_locations")),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], name=op.f("fk_stock_levels_variant_id_variants")),
        sa.PrimaryKeyConstraint("variant_id", "location_id", name=op.f("pk_stock_levels")),
    )
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.create_index("ix_stock_levels_location_id_variant_id", ["location_id", "variant_id"], unique=False)

    op.create_table(
        "transfer_lines",
        sa.Column("transfer_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("shipped", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint("received <= shipped", name=op.f("ck_transfer_lines_received_not_above_shipped")),
        sa.ForeignKeyConstraint(["reservation_id"], ["reservations.id"], name=op.f("fk_transfer_lines_reservation_id_reservations")),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"], name=op.f("fk_transfer_lines_transfer_id_transfers")),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], name=op.f("fk_transfer_lines_variant_id_variants")),
        sa.PrimaryKeyConstraint("transfer_id", "variant_id", name=op.f("pk_transfer_lines")),
    )


def downgrade() -> None:

    op.drop_table("transfer_lines")
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_levels_location_id_variant_id")

    op.drop_table("stock_levels")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_variant_id_location_id_status")
        batch_op.drop_index("ix_reservations_status_expires_at")
        batch_op.drop_index("ix_reservations_reference_type_reference_id")

    op.drop_table("reservations")
    with op.batch_alter_table("inventory_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_movements_variant_id_location_id")
        batch_op.drop_index("ix_inventory_movements_kind_created_at")

    op.drop_table("inventory_movements")
    with op.batch_alter_table("channel_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_locations_location_id"))

    op.drop_table("channel_locations")
    op.drop_table("channel_buffers")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfers_to_location_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_status"))
        batch_op.drop_index(batch_op.f("ix_transfers_from_location_id"))

    op.drop_table("transfers")
    op.drop_table("stock_sync_batches")
    op.drop_table("locations")
