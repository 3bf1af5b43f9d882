"""Order tables (private to the orders module). Money is integer minor units in the order's currency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, BigIntKey, Json, UtcDateTime


class Order(Base):
    """One order from any channel; `checkout_deadline_at` marks a checkout the sweep must finish or undo."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("channel", "number"),
        UniqueConstraint("channel", "external_id"),
        UniqueConstraint("channel", "checkout_key"),
        Index("ix_orders_channel_placed", "channel", "placed_at"),
        Index("ix_orders_status_deadline", "status", "checkout_deadline_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(64))
    channel_type: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))  # cart | direct | marketplace
    status: Mapped[str] = mapped_column(String(24))
    held_from: Mapped[str | None] = mapped_column(String(24))  # the status a hold returns to
    customer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    cart_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    checkout_key: Mapped[str | None] = mapped_column(String(300))
    currency: Mapped[str] = mapped_column(String(3))
    prices_include_vat: Mapped[bool] = mapped_column(Boolean)
    tax_country: Mapped[str] = mapped_column(String(2))
    delivery_method: Mapped[str] = mapped_column(String(20))  # ship | pickup | curbside | carry_out
    pickup_location_id: Mapped[str | None] = mapped_column(String(40))
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    shipping: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # method, address, price, discount, VAT
    pricing: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # promotion outcomes, VAT summary
    coupon_codes: Mapped[list[str]] = mapped_column(Json, default=list)
    sourcing: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # where checkout reserved each line, and why
    contact: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    location_id: Mapped[str | None] = mapped_column(String(40), index=True)  # the till's store for POS sales
    placed_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    checkout_deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrderLine(Base):
    """A line as sold: SKU, title, price, discounts and VAT are snapshots, not references."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[str] = mapped_column(String(40), index=True)
    product_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(200))
    tax_class: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    cancelled_quantity: Mapped[int] = mapped_column(Integer, default=0)
    fulfilled_quantity: Mapped[int] = mapped_column(Integer, default=0)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[str] = mapped_column(String(12))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    discounts: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    location_id: Mapped[str | None] = mapped_column(String(40))  # where it is reserved / fulfilled from
    delivery_method: Mapped[str] = mapped_column(String(20))


class OrderStatusChange(Base):
    """One row per transition: who moved the order from what to what, when and why."""

    __tablename__ = "order_status_history"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrderNumber(Base):
    """The last number given out per channel; taken in a short transaction of its own."""

    __tablename__ = "order_numbers"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
