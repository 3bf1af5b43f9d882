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
    """Where a return stands; the allowed moves are declared in `returns.return_states`."""

    REQUESTED = "requested"  # an authorisation: the goods may come in at any location until `expires_at`
    RECEIVED = "received"
    REFUNDED = "refunded"
    REFUND_PENDING = "refund_pending"  # a provider has not answered every refund yet
    REFUND_FAILED = "refund_failed"  # a provider declined a refund: retry it, or pay that part as store credit
    CANCELLED = "cancelled"  # the customer changed their mind before sending the goods
    EXPIRED = "expired"  # the authorisation ran out before the goods came in


class Receiptless(StrEnum):
    NONE = "none"
    STORE_CREDIT = "store_credit"


class GoodwillReason(StrEnum):
    """Why money goes back without goods coming back, structured for analytics."""

    GOODWILL = "goodwill"
    PRICE_ADJUSTMENT = "price_adjustment"
    LATE_DELIVERY = "late_delivery"
    OTHER = "other"


class GoodwillRefundIn(Strict):
    amount: Decimal = Field(gt=0, max_digits=14, description="In major units, the order's currency.")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    reason: GoodwillReason
    note: Text | None = Field(default=None, description="Kept with the staff's action; not sent in events.")
    location: Code | None = Field(default=None, description=(
        "Where the money is handed over: a store's till hands a cash part back in cash; elsewhere it goes as store credit."))


class GoodwillRefundOut(BaseModel):
    order_id: str
    currency: str
    amount_minor: int
    vat_minor: int
    reason: GoodwillReason
    tenders: list[dict[str, Any]] = Field(description=(
        "Each payment's part, the tender it goes back as, and `status`: succeeded, or for a card or marketplace part what its "
        "provider answered (declined: nothing was paid and the amount is refundable again)."))


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
    override: OverrideIn | None = Field(default=None, description="Receive an expired authorisation anyway (admins and store "
                                                                  "staff only); kept on the return.")


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
    damaged_fee_percent: Decimal = Field(default=Decimal(0), ge=0, le=100, decimal_places=2, description=(
        "The condition rule: of a unit inspected as damaged whose reason was not the goods' fault (not `damaged` or "
        "`not_as_described`), this percent of what it was paid is kept, on top of any restocking fee; 100 gives nothing back."))
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
    damaged_fee_percent: Decimal = Decimal(0)
    created_at: datetime | None


class ReturnLineOut(BaseModel):
    order_line_id: str
    variant_id: str
    sku: str
    quantity: int
    reason: ReasonCode
    condition: Condition | None
    refund_minor: int


class RefundPartStatus(StrEnum):
    PENDING = "pending"  # asked of the provider, no answer yet
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # declined or failed at the provider; the return is `refund_failed` until it is retried
    RETRIED = "retried"  # a failed part sent again (see the part after it)


class RefundAs(StrEnum):
    """How a failed refund is retried: through the provider again, or as store credit to the customer."""

    PROVIDER = "provider"
    STORE_CREDIT = "store_credit"


class RetryRefundIn(Strict):
    refund_as: RefundAs = Field(default=RefundAs.PROVIDER, alias="as",
                                description="`provider` sends the failed part again with a fresh key; `store_credit` pays it as "
                                            "store credit to the order's customer.")


class ReturnRefundOut(BaseModel):
    """One part of a return's refund that went to a provider (or a failed one paid as store credit instead)."""

    payment_id: str
    transaction_id: str | None
    tender: str
    refund_as: str
    amount_minor: int
    status: RefundPartStatus
    failure_code: str | None
    created_at: datetime
    settled_at: datetime | None


class SendBackIn(Strict):
    to_location: Code = Field(description="The warehouse the returned goods go to.")


class SentBackOut(BaseModel):
    """Returned resellable units sent from a store to a warehouse by one transfer (shipped: in transit)."""

    transfer_id: str
    from_location: str
    to_location: str
    return_ids: list[str]
    lines: list[dict[str, Any]] = Field(description="sku, quantity")


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
    number: str | None = Field(default=None, description="The authorisation number the customer writes on the parcel or shows "
                                                          "at the till.")
    expires_at: datetime | None = Field(default=None, description="After this the authorisation expires unless received.")
    late_override: dict[str, Any] | None = Field(default=None, description="{actor, reason} when received after it expired.")
    refunds: list[ReturnRefundOut] = Field(default_factory=list, description="The parts of the refund sent to providers.")
