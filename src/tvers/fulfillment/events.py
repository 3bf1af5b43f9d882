"""Events the fulfilment module publishes; payloads carry ids, codes and quantities, never personal values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class TaskCreated(DomainEvent):
    """A location got work: `kind` ship | pickup | curbside | transfer (goods sent to a pickup store)."""

    type: ClassVar[str] = "fulfillment.task_created"
    task_id: str
    order_id: str
    location_id: str
    location_code: str
    kind: str
    units: int


@dataclass(frozen=True)
class TaskStatusChanged(DomainEvent):
    type: ClassVar[str] = "fulfillment.task_status_changed"
    task_id: str
    order_id: str
    location_code: str
    from_status: str
    to_status: str
    actor: str


@dataclass(frozen=True)
class CustomerArrived(DomainEvent):
    """Curbside: the customer is outside; `spot` is the bay or car description they gave."""

    type: ClassVar[str] = "fulfillment.customer_arrived"
    task_id: str
    order_id: str
    location_code: str
    spot: str


@dataclass(frozen=True)
class LineRejected(DomainEvent):
    """A location could not fulfil units of a line (not found, damaged); they are re-sourced."""

    type: ClassVar[str] = "fulfillment.line_rejected"
    task_id: str
    order_id: str
    order_line_id: str
    location_code: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class LinesResourced(DomainEvent):
    """Units moved to other locations after a rejection or a missed deadline; `explanation` says where and why."""

    type: ClassVar[str] = "fulfillment.lines_resourced"
    order_id: str
    trigger: str  # rejection | timeout | manual
    from_location_code: str
    to_location_codes: tuple[str, ...]
    explanation: str


@dataclass(frozen=True)
class NeedsAttention(DomainEvent):
    """Nothing can fulfil these units now: wait for a transfer or cancel the line (and refund)."""

    type: ClassVar[str] = "fulfillment.needs_attention"
    order_id: str
    order_line_id: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class OrderDelayed(DomainEvent):
    """The promise to the customer moved (a re-sourcing, a transfer, units that need attention)."""

    type: ClassVar[str] = "order.delayed"
    order_id: str
    channel: str
    reason: str
    ready_by: str | None


@dataclass(frozen=True)
class OrderShipped(DomainEvent):
    type: ClassVar[str] = "order.shipped"
    order_id: str
    channel: str
    shipment_id: str
    location_code: str
    carrier: str
    tracking_number: str | None
    tracking_url: str | None
    lines: tuple[dict[str, object], ...]  # {order_line_id, sku, quantity}
    captured_minor: int


@dataclass(frozen=True)
class OrderReadyForPickup(DomainEvent):
    type: ClassVar[str] = "order.ready_for_pickup"
    order_id: str
    channel: str
    task_id: str
    location_code: str
    curbside: bool


@dataclass(frozen=True)
class OrderPickedUp(DomainEvent):
    type: ClassVar[str] = "order.picked_up"
    order_id: str
    channel: str
    task_id: str
    location_code: str
    captured_minor: int


@dataclass(frozen=True)
class OrderDelivered(DomainEvent):
    type: ClassVar[str] = "order.delivered"
    order_id: str
    channel: str
    shipment_id: str


@dataclass(frozen=True)
class PickupExpired(DomainEvent):
    """Not collected in time: the order's remaining lines are cancelled, restocked and refunded."""

    type: ClassVar[str] = "fulfillment.pickup_expired"
    order_id: str
    task_id: str
    location_code: str
