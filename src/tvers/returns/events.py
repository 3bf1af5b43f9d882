"""Events the returns module publishes; payloads carry ids, codes and amounts, never personal values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class ReturnRequested(DomainEvent):
    type: ClassVar[str] = "return.requested"
    return_id: str
    order_id: str
    channel: str
    lines: tuple[dict[str, object], ...]  # order_line_id, sku, quantity, reason
    is_override: bool
    is_receiptless: bool = False


@dataclass(frozen=True)
class ReturnReceived(DomainEvent):
    type: ClassVar[str] = "return.received"
    return_id: str
    order_id: str
    channel: str
    location_code: str
    lines: tuple[dict[str, object], ...]  # order_line_id, sku, quantity, condition


@dataclass(frozen=True)
class RefundIssued(DomainEvent):
    """The refund of a return was decided: local tenders are settled, external ones were asked (see payments events)."""

    type: ClassVar[str] = "refund.issued"
    return_id: str
    order_id: str
    channel: str
    currency: str
    total_minor: int
    vat_minor: int
    tenders: tuple[dict[str, object], ...]  # payment_id, tender, refund_as, amount_minor, points
    points_reversed: int


@dataclass(frozen=True)
class ReturnExchanged(DomainEvent):
    """The replacement of an exchange was ordered (or could not be): the linked order and how the money went."""

    type: ClassVar[str] = "return.exchanged"
    return_id: str
    order_id: str
    replacement_order_id: str | None
    status: str  # ordered | pending | failed
    currency: str
    credit_minor: int  # what the returned units paid towards the replacement
    difference_minor: int  # what the customer paid on top
    refunded_minor: int  # what went back to the original tenders
