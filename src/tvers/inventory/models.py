"""Inventory tables (private to the inventory module)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, BigIntKey, Json, UtcDateTime


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    address: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    country: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    time_zone: Mapped[str] = mapped_column(String(64))
    opening_hours: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    ships: Mapped[bool] = mapped_column(Boolean)
    offers_pickup: Mapped[bool] = mapped_column(Boolean)
    offers_curbside: Mapped[bool] = mapped_column(Boolean)
    accepts_returns: Mapped[bool] = mapped_column(Boolean)
    pickup_lead_minutes: Mapped[int] = mapped_column(Integer)
    daily_capacity: Mapped[int] = mapped_column(Integer)
    sourcing_priority: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __mapper_args__ = {"version_id_col": version}


class ChannelLocation(Base):
    """A location in a channel's stock pool: sold (shipped) from, offered for pickup, or both."""

    __tablename__ = "channel_locations"

    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), primary_key=True, index=True)
    ships_from: Mapped[bool] = mapped_column(Boolean)
    pickup: Mapped[bool] = mapped_column(Boolean)


class ChannelBuffer(Base):
    """Stock a channel does not see: a share held back, then fixed units (ADR 0005)."""

    __tablename__ = "channel_buffers"
    __table_args__ = (
        CheckConstraint("held_back_percent >= 0 AND held_back_percent <= 100", name="percent_range"),
        CheckConstraint("held_back_units >= 0", name="units_positive"),
    )

    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"), primary_key=True)
    held_back_percent: Mapped[int] = mapped_column(Integer, default=0)
    held_back_units: Mapped[int] = mapped_column(Integer, default=0)


class StockLevel(Base):
    """Cached per variant and location; always equal to the ledger (checked by `tvers doctor`)."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        Index("ix_stock_levels_location_id_variant_id", "location_id", "variant_id"),
    )

    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    reorder_point: Mapped[int] = mapped_column(Integer, default=0)
    reorder_quantity: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Movement(Base):
    """The append-only stock ledger: every change of on-hand stock, and why."""

    __tablename__ = "inventory_movements"
    __table_args__ = (
        Index("ix_inventory_movements_variant_id_location_id", "variant_id", "location_id", "id"),
        Index("ix_inventory_movements_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)  # signed change of on_hand
    reason: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id"))
    reference_type: Mapped[str | None] = mapped_column(String(20))
    reference_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Reservation(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        Index("ix_reservations_status_expires_at", "status", "expires_at"),
        Index("ix_reservations_variant_id_location_id_status", "variant_id", "location_id", "status"),
        Index("ix_reservations_reference_type_reference_id", "reference_type", "reference_id"),
        # Lazy expiry on the reservation hot path reads only the expired active ones of a variant.
        Index(
            "ix_reservations_active_variant_id_expires_at",
            "variant_id",
            "expires_at",
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    reference_type: Mapped[str] = mapped_column(String(20))
    reference_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id"))
    status: Mapped[str] = mapped_column(String(12))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Transfer(Base):
    __tablename__ = "transfers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    from_location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), index=True)
    to_location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reference: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TransferLine(Base):
    __tablename__ = "transfer_lines"
    __table_args__ = (
        CheckConstraint("received <= shipped", name="received_not_above_shipped"),
        Index("ix_transfer_lines_variant_id", "variant_id"),  # what is in transit to each location, per variant
    )

    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"), primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    shipped: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
    reservation_id: Mapped[str | None] = mapped_column(ForeignKey("reservations.id"))


class ChannelAtp(Base):
    """The ATP of a variant on a channel as last announced by `availability.changed` (kept by the relay subscriber).

    No row means 0. Only the subscriber `inventory.channel_atp` writes here, one event at a time, so the
    `before` of each announcement is the `after` of the previous one for the same channel and variant.
    """

    __tablename__ = "channel_atp"

    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"), primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), primary_key=True, index=True)
    atp: Mapped[int] = mapped_column(Integer)


class StockSyncBatch(Base):
    """A bulk sync from a legacy POS/ERP, kept so a repeated batch id is applied once."""

    __tablename__ = "stock_sync_batches"

    batch_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Typed handles on the tables, for the hot-path statements built once with SQLAlchemy Core.
LEVELS = cast(Table, StockLevel.__table__)
MOVEMENTS = cast(Table, Movement.__table__)
RESERVATIONS = cast(Table, Reservation.__table__)
CHANNEL_ATP = cast(Table, ChannelAtp.__table__)

__all__ = [
    "CHANNEL_ATP",
    "LEVELS",
    "MOVEMENTS",
    "RESERVATIONS",
    "ChannelAtp",
    "ChannelBuffer",
    "ChannelLocation",
    "Location",
    "Movement",
    "Reservation",
    "StockLevel",
    "StockSyncBatch",
    "Transfer",
    "TransferLine",
]
