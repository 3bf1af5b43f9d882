"""Fulfilment tables (private to the fulfilment module)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, BigIntKey, Json, UtcDateTime


class Task(Base):
    """One location's work on one order: ship, pickup, curbside, or a transfer into the pickup store."""

    __tablename__ = "fulfillment_tasks"
    __table_args__ = (
        Index("ix_fulfillment_tasks_location_id_status", "location_id", "status"),
        Index("ix_fulfillment_tasks_status_accept_by", "status", "accept_by"),
        Index("ix_fulfillment_tasks_created_at", "created_at"),  # tasks today per location: sourcing's capacity left
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    order_number: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[str] = mapped_column(String(40))
    location_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # ship | pickup | curbside | transfer
    status: Mapped[str] = mapped_column(String(24))
    destination_location_id: Mapped[str | None] = mapped_column(String(40))  # a transfer's pickup store
    pickup_task_id: Mapped[str | None] = mapped_column(String(40))  # a transfer's pickup task
    transfer_id: Mapped[str | None] = mapped_column(String(40))  # the stock transfer once shipped
    pickup_code: Mapped[str | None] = mapped_column(String(12))
    arrival: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # curbside: spot, arrived_at
    accept_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ready_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TaskLine(Base):
    """Units of one order line this task is to fulfil; `arrived` counts units a transfer has brought (pickup tasks)."""

    __tablename__ = "fulfillment_task_lines"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("fulfillment_tasks.id"), index=True)
    order_line_id: Mapped[str] = mapped_column(String(40), index=True)
    variant_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)  # assigned here, less rejected and cancelled units
    fulfilled: Mapped[int] = mapped_column(Integer, default=0)  # shipped or handed over
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    awaiting: Mapped[int] = mapped_column(Integer, default=0)  # units still on their way by transfer


class TaskChange(Base):
    """Every transition of a task, stamped with who and when; its id is the store queue's cursor."""

    __tablename__ = "fulfillment_task_history"
    __table_args__ = (Index("ix_fulfillment_task_history_location_id_id", "location_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("fulfillment_tasks.id"), index=True)
    location_id: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class SourcingDecision(Base):
    """Each time sourcing decided for an order (checkout, rejection, timeout, retry): the plan and its explanation."""

    __tablename__ = "sourcing_decisions"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # checkout | rejection | timeout | retry
    plan: Mapped[dict[str, Any]] = mapped_column(Json)
    explanation: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("fulfillment_tasks.id"), index=True)
    location_id: Mapped[str] = mapped_column(String(40))
    carrier: Mapped[str] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    tracking_url: Mapped[str | None] = mapped_column(String(500))
    packages: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)  # {order_line_id, sku, quantity}
    value_minor: Mapped[int] = mapped_column(BigInteger)  # what this shipment is worth, captured for it
    status: Mapped[str] = mapped_column(String(20))  # shipped | delivered
    actor: Mapped[str] = mapped_column(String(64))
    shipped_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AttentionItem(Base):
    """Units nothing can fulfil now; open until re-sourced or cancelled."""

    __tablename__ = "fulfillment_attention"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    order_line_id: Mapped[str] = mapped_column(String(40))
    variant_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    delivery_method: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # open | resourced | cancelled
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
