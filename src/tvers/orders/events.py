"""Events the orders module publishes; payloads carry ids, codes and amounts, never personal values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    """Payment authorised: the order is confirmed and goes to fulfilment."""

    type: ClassVar[str] = "order.placed"
    order_id: str
    number: str
    channel: str
    customer_id: str | None
    currency: str
    total_minor: int
    lines: tuple[dict[str, object], ...]


@dataclass(frozen=True)
class OrderPaymentFailed(DomainEvent):
    type: ClassVar[str] = "order.payment_failed"
    order_id: str
    channel: str
    reason: str


@dataclass(frozen=True)
class OrderCancelled(DomainEvent):
    """Whole order or some lines; `lines` says which and how many."""

    type: ClassVar[str] = "order.cancelled"
    order_id: str
    channel: str
    is_whole_order: bool
    lines: tuple[dict[str, object], ...]
    reason: str | None


@dataclass(frozen=True)
class OrderUpdated(DomainEvent):
    """A status change (hold, release, fulfilment progress) or an edit of the lines."""

    type: ClassVar[str] = "order.updated"
    order_id: str
    channel: str
    status: str
    change: str
    version: int


@dataclass(frozen=True)
class OrderCompleted(DomainEvent):
    """Loyalty earns on this (customers module), from whichever channel the order came."""

    type: ClassVar[str] = "order.completed"
    order_id: str
    customer_id: str | None
    channel: str
    currency: str
    amount_minor: int
    completed_at: str
