"""Published shapes of payments: tenders as a checkout sends them, payments and transactions as they are read."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from tvers.catalog.schemas import MoneyOut
from tvers.kernel.shapes import CurrencyCode, Strict


class TenderCode(StrEnum):
    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"
    LOYALTY_POINTS = "loyalty_points"
    CASH = "cash"
    TEST_CARD = "test_card"
    STRIPE = "stripe"
    MARKETPLACE = "marketplace"


LOCAL_TENDERS = frozenset({TenderCode.GIFT_CARD, TenderCode.STORE_CREDIT, TenderCode.LOYALTY_POINTS, TenderCode.CASH})


class PaymentStatus(StrEnum):
    PENDING = "pending"  # authorisation asked (or about to be), result not known yet
    REQUIRES_ACTION = "requires_action"  # the customer must act (3-D Secure) before the provider decides
    AUTHORIZED = "authorized"
    PARTIALLY_CAPTURED = "partially_captured"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    FAILED = "failed"


class TransactionKind(StrEnum):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"


class TransactionStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class _Tender(Strict):
    amount: Decimal = Field(description="What this tender pays, in major units; for cash, what was handed over.")
    currency: CurrencyCode


class GiftCardTender(_Tender):
    tender: Literal["gift_card"] = "gift_card"
    code: Annotated[str, StringConstraints(min_length=8, max_length=64)]


class StoreCreditTender(_Tender):
    tender: Literal["store_credit"] = "store_credit"


class PointsTender(_Tender):
    tender: Literal["loyalty_points"] = "loyalty_points"
    points: int = Field(ge=1, description="Points to burn; `amount` must be what the loyalty programme says they are worth.")


class CashTender(_Tender):
    tender: Literal["cash"] = "cash"


class TestCardTender(_Tender):
    """The built-in test provider; see docs/payments.md for the card numbers and what they do."""

    __test__ = False  # not a pytest class
    tender: Literal["test_card"] = "test_card"
    card_number: Annotated[str, StringConstraints(pattern=r"^[0-9 -]{12,23}$")]


class StripeTender(_Tender):
    tender: Literal["stripe"] = "stripe"
    payment_method: Annotated[str, StringConstraints(pattern=r"^pm_[A-Za-z0-9_]{1,200}$")] = Field(
        description="A PaymentMethod id made by Stripe.js in the shopper's browser; card numbers never reach Tvers.")


class MarketplaceTender(_Tender):
    tender: Literal["marketplace"] = "marketplace"
    marketplace_order_id: Annotated[str, StringConstraints(min_length=1, max_length=120)]


TenderIn = Annotated[
    GiftCardTender | StoreCreditTender | PointsTender | CashTender | TestCardTender | StripeTender | MarketplaceTender,
    Field(discriminator="tender"),
]


class CardOut(BaseModel):
    brand: str | None
    last4: str | None


class TransactionOut(BaseModel):
    id: str
    kind: TransactionKind
    status: TransactionStatus
    amount: MoneyOut
    idempotency_key: str
    provider_reference: str | None
    failure_code: str | None
    failure_message: str | None
    note: str | None
    created_at: datetime
    settled_at: datetime | None


class PaymentOut(BaseModel):
    id: str
    order_id: str
    customer_id: str | None
    channel: str | None
    tender: TenderCode
    status: PaymentStatus
    amount: MoneyOut = Field(description="What this tender pays towards the order.")
    tendered: MoneyOut | None = Field(description="Cash handed over, when more than it pays.")
    change_due: MoneyOut | None
    authorized: MoneyOut
    captured: MoneyOut
    refunded: MoneyOut
    voided: MoneyOut
    card: CardOut | None
    points: int | None
    provider_reference: str | None
    failure_code: str | None
    failure_message: str | None
    action_url: str | None = Field(description="Where the customer completes an action (3-D Secure) when status is requires_action.")
    created_at: datetime
    updated_at: datetime
    transactions: list[TransactionOut]

    @property
    def currency(self) -> str:
        return self.amount.currency
