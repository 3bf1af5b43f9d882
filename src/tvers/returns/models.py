"""Returns tables (private to the returns module): policies, returns and their lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, BigIntKey, Json, UtcDateTime


class ReturnPolicy(Base):
    """Return terms for a channel (NULL: every channel) and a category prefix (NULL: every category)."""

    __tablename__ = "return_policies"
    __table_args__ = (Index("ix_return_policies_channel_category_prefix", "channel", "category_prefix", unique=True),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(64))
    category_prefix: Mapped[str | None] = mapped_column(String(200))
    window_days: Mapped[int] = mapped_column(Integer)
    is_final_sale: Mapped[bool] = mapped_column(Boolean)
    receiptless: Mapped[str] = mapped_column(String(16))  # none | store_credit
    refund_shipping: Mapped[str] = mapped_column(String(20))  # never | when_all_returned | always
    restocking_percent: Mapped[str] = mapped_column(String(12))  # a Decimal 0..100 as text
    restocking_fixed_minor: Mapped[int] = mapped_column(BigInteger)
    gift_card_refund_as: Mapped[str] = mapped_column(String(16))  # gift_card | store_credit
    marketplace_refund: Mapped[str] = mapped_column(String(16), default="marketplace")  # marketplace | store_credit
    damaged_fee_percent: Mapped[str] = mapped_column(String(12), default="0")  # kept of a unit the customer damaged
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Return(Base):
    """Units of one order coming back: requested → received → refunded (every move: `returns.return_states`)."""

    __tablename__ = "returns"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    sold_channel: Mapped[str] = mapped_column(String(64))
    returned_at_location_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    override: Mapped[dict[str, Any] | None] = mapped_column(Json)  # {actor, reason} when staff overrode the policy
    is_receiptless: Mapped[bool] = mapped_column(Boolean, default=False)  # found through the customer's profile: store credit only
    currency: Mapped[str] = mapped_column(String(3))
    refund_total_minor: Mapped[int] = mapped_column(BigInteger)
    refund_vat_minor: Mapped[int] = mapped_column(BigInteger)
    points_reversed: Mapped[int] = mapped_column(Integer)
    plan: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # the refund plan's figures and explanations
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    refunded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exchange: Mapped[dict[str, Any] | None] = mapped_column(Json)  # the replacement asked for, and what became of it
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  # the authorisation number: RMA-XXXX-XXXX
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    late_override: Mapped[dict[str, Any] | None] = mapped_column(Json)  # {actor, reason}: received after it expired


class ReturnLineRow(Base):
    """Units of one order line in a return, why they came back and in what condition."""

    __tablename__ = "return_lines"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    return_id: Mapped[str] = mapped_column(ForeignKey("returns.id"), index=True)
    order_line_id: Mapped[str] = mapped_column(String(40), index=True)
    variant_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    reason_code: Mapped[str] = mapped_column(String(20))
    condition: Mapped[str | None] = mapped_column(String(12))  # resellable | damaged, once received
    refund_minor: Mapped[int] = mapped_column(BigInteger)
    sent_back_transfer_id: Mapped[str | None] = mapped_column(String(40), index=True)  # the transfer that took it to a warehouse


class ReturnRefund(Base):
    """One part of a return's refund asked of a provider, and what the provider said; or a failed part paid as store credit."""

    __tablename__ = "return_refunds"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    return_id: Mapped[str] = mapped_column(ForeignKey("returns.id"), index=True)
    payment_id: Mapped[str] = mapped_column(String(40))
    transaction_id: Mapped[str | None] = mapped_column(String(40))  # the payment transaction of the request
    tender: Mapped[str] = mapped_column(String(20))
    refund_as: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))  # pending | succeeded | failed | retried
    failure_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
