"""Events the payments module publishes; payloads carry ids, tenders and amounts, never card data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class _PaymentEvent(DomainEvent):
    payment_id: str
    order_id: str
    tender: str
    currency: str
    amount_minor: int
    transaction_id: str


@dataclass(frozen=True)
class PaymentAuthorized(_PaymentEvent):
    type: ClassVar[str] = "payment.authorized"


@dataclass(frozen=True)
class PaymentCaptured(_PaymentEvent):
    type: ClassVar[str] = "payment.captured"


@dataclass(frozen=True)
class PaymentVoided(_PaymentEvent):
    type: ClassVar[str] = "payment.voided"


@dataclass(frozen=True)
class PaymentRefunded(_PaymentEvent):
    type: ClassVar[str] = "payment.refunded"


@dataclass(frozen=True)
class PaymentFailed(_PaymentEvent):
    """An authorisation was declined or failed, or a capture, void or refund the provider refused (`operation`)."""

    type: ClassVar[str] = "payment.failed"
    operation: str = "authorize"
    failure_code: str | None = None
