"""Published shapes of returns: a return as asked for and received, a return policy, and a return as read."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from tvers.kernel.shapes import Code, Strict

Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ReasonCode(StrEnum):
    """Why a unit came back, structured for analytics."""

    WRONG_SIZE = "wrong_size"
    DAMAGED = "damaged"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    LATE = "late"
    OTHER = "other"


class Condition(StrEnum):
    RESELLABLE = "resellable"
    DAMAGED = "damaged"


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    REFUNDED = "refunded"


class Receiptless(StrEnum):
    NONE = "none"
    STORE_CREDIT = "store_credit"


class ReturnLineIn(Strict):
    line_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    quantity: int = Field(ge=1, le=100_000)
    reason: ReasonCode


class OverrideIn(Strict):
    reason: Text = Field(description="Why the policy is set aside (outside the window, final sale); kept on the return.")


class ReturnIn(Strict):
    order_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)
    note: Text | None = None
    override: OverrideIn | None = Field(default=None, description="Admins and store staff only.")


class ReceivedLineIn(Strict):
    line_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    quantity: int = Field(ge=1, le=100_000)
    condition: Condition


class ReceiveIn(Strict):
    location: Code = Field(description="Where the goods came in; it must accept returns.")
    lines: list[ReceivedLineIn] | None = Field(default=None, max_length=400,
                                               description="Units per line and condition; omit when every unit is resellable.")


class ReturnPolicyIn(Strict):
    channel: Code | None = Field(default=None, description="The channel the goods were sold on; none: every channel.")
    category_prefix: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="`shoes` covers `shoes/hiking`; none: every category.")
    window_days: int = Field(ge=0, le=3650)
    is_final_sale: bool = False
    receiptless: Receiptless = Receiptless.NONE
    refund_shipping: str = Field(default="never", pattern="^(never|when_all_returned|always)$")
    restocking_percent: Decimal = Field(default=Decimal(0), ge=0, le=100, decimal_places=2)
    restocking_fixed_minor: int = Field(default=0, ge=0, le=10_000_000)
    gift_card_refund_as: str = Field(default="gift_card", pattern="^(gift_card|store_credit)$")
    marketplace_refund: str = Field(default="marketplace", pattern="^(marketplace|store_credit)$", description=(
        "A marketplace order's part: refunded through the marketplace, or as store credit to the customer (for marketplaces "
        "that let no seller refund outside them); a guest order is refunded through the marketplace either way."))


class ReturnPolicyOut(BaseModel):
    id: str | None = Field(description="None for the built-in default.")
    channel: str | None
    category_prefix: str | None
    window_days: int
    is_final_sale: bool
    receiptless: Receiptless
    refund_shipping: str
    restocking_percent: Decimal
    restocking_fixed_minor: int
    gift_card_refund_as: str
    marketplace_refund: str = "marketplace"
    created_at: datetime | None


class ReturnLineOut(BaseModel):
    order_line_id: str
    variant_id: str
    sku: str
    quantity: int
    reason: ReasonCode
    condition: Condition | None
    refund_minor: int


class ReturnOut(BaseModel):
    id: str
    order_id: str
    customer_id: str | None
    sold_channel: str
    returned_at_location_id: str | None
    status: ReturnStatus
    note: str | None
    override: dict[str, Any] | None
    is_receiptless: bool = Field(default=False, description="Found through the customer's profile, without a receipt: "
                                                             "refunded only as store credit.")
    currency: str
    refund_total_minor: int
    refund_vat_minor: int
    points_reversed: int
    plan: dict[str, Any] = Field(description="The refund figure by figure, each with its explanation, once refunded.")
    lines: list[ReturnLineOut]
    created_at: datetime
    received_at: datetime | None
    refunded_at: datetime | None
    exchange: dict[str, Any] | None = Field(default=None, description=(
        "An exchange: the replacement asked for, its status (held | ordered | failed), the linked order, the credit the "
        "returned units gave it and what was paid or refunded for the difference."))
