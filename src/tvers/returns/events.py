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
    """A refund was decided: local tenders are settled, external ones were asked (see payments events). For a return, or
    without one (`return_id` none: a goodwill refund, with its reason code)."""

    type: ClassVar[str] = "refund.issued"
    return_id: str | None
    order_id: str
    channel: str
    currency: str
    total_minor: int
    vat_minor: int
    tenders: tuple[dict[str, object], ...]  # payment_id, tender, refund_as, amount_minor, points
    points_reversed: int
    reason: str = "return"  # return | goodwill | price_adjustment | late_delivery | other


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


@dataclass(frozen=True)
class ReturnCancelled(DomainEvent):
    type: ClassVar[str] = "return.cancelled"
    return_id: str
    order_id: str
    channel: str


@dataclass(frozen=True)
class ReturnExpired(DomainEvent):
    """The authorisation ran out before the goods came in; its units may be returned again."""

    type: ClassVar[str] = "return.expired"
    return_id: str
    order_id: str
    channel: str
    number: str | None


@dataclass(frozen=True)
class RefundFailed(DomainEvent):
    """A provider declined (or failed) part of a return's refund: the return is `refund_failed` until it is retried."""

    type: ClassVar[str] = "refund.failed"
    return_id: str
    order_id: str
    channel: str
    payment_id: str
    currency: str
    amount_minor: int
    failure_code: str | None


@dataclass(frozen=True)
class RefundRetried(DomainEvent):
    type: ClassVar[str] = "refund.retried"
    return_id: str
    order_id: str
    payment_id: str
    currency: str
    amount_minor: int
    refund_as: str  # provider | store_credit


@dataclass(frozen=True)
class ReturnsSentBack(DomainEvent):
    """Returned resellable units left a store for a warehouse by one transfer."""

    type: ClassVar[str] = "returns.sent_back"
    transfer_id: str
    from_location: str
    to_location: str
    return_ids: tuple[str, ...]
    lines: tuple[dict[str, object], ...]  # sku, quantity
