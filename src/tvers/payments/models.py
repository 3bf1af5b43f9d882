"""Payments tables (private to the payments module): one payment per tender, and its transactions.

The totals on a payment are a cache of its succeeded transactions (and the `pending_*` columns of its
pending ones), changed only by conditional UPDATEs next to a transaction; `tvers doctor` checks both agree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, UtcDateTime


class Payment(Base):
    """One tender of one order; `order_id` and `customer_id` are references, not foreign keys (other modules' tables)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("authorized_minor >= 0 AND captured_minor >= 0 AND refunded_minor >= 0 AND voided_minor >= 0",
                        name="totals_not_negative"),
        CheckConstraint("pending_capture_minor >= 0 AND pending_void_minor >= 0 AND pending_refund_minor >= 0",
                        name="pending_not_negative"),
        CheckConstraint("captured_minor + voided_minor + pending_capture_minor + pending_void_minor <= authorized_minor",
                        name="capture_within_authorized"),
        CheckConstraint("refunded_minor + pending_refund_minor <= captured_minor", name="refund_within_captured"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    channel: Mapped[str | None] = mapped_column(String(64))
    tender: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)  # the tender's place in the checkout, from 0
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    tendered_minor: Mapped[int | None] = mapped_column(BigInteger)  # cash handed over
    change_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    points: Mapped[int | None] = mapped_column(BigInteger)
    authorized_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    captured_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    voided_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_capture_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_void_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_refund_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # The provider's id for this payment: a gift card id, a PaymentIntent id, an authorisation code.
    provider_reference: Mapped[str | None] = mapped_column(String(120))
    # Card data is never stored: a provider token, the brand, the last four digits and a fingerprint.
    card_token: Mapped[str | None] = mapped_column(String(255))
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_fingerprint: Mapped[str | None] = mapped_column(String(128))
    action_url: Mapped[str | None] = mapped_column(String(2000))
    failure_code: Mapped[str | None] = mapped_column(String(60))
    failure_message: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaymentTransaction(Base):
    """Append-only: amount, kind and key never change; a pending row is settled (succeeded or failed) once."""

    __tablename__ = "payment_transactions"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_payment_transactions_payment_id_kind", "payment_id", "kind"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"))
    kind: Mapped[str] = mapped_column(String(20))  # authorize | capture | void | refund
    status: Mapped[str] = mapped_column(String(20))  # pending | requires_action | succeeded | failed
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    provider_reference: Mapped[str | None] = mapped_column(String(120))
    failure_code: Mapped[str | None] = mapped_column(String(60))
    failure_message: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


__all__ = ["Payment", "PaymentTransaction"]
