"""Customer tables (private to the customers module)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, Json, UtcDateTime


class Customer(Base):
    """A profile; a merged one keeps `merged_into` so old references still resolve."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # active | merged | erased
    given_name: Mapped[str | None] = mapped_column(String(120))
    family_name: Mapped[str | None] = mapped_column(String(120))
    search_name: Mapped[str | None] = mapped_column(String(250), index=True)  # case-folded "given family"
    locale: Mapped[str | None] = mapped_column(String(20))
    birth_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_channel: Mapped[str | None] = mapped_column(String(64))
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Identity(Base):
    """A normalised identity value; (type, value) belongs to at most one profile."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("type", "value"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(320))
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Address(Base):
    __tablename__ = "customer_addresses"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # shipping | billing | home
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    lines: Mapped[list[str]] = mapped_column(Json, default=list)
    postal_code: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ConsentEntry(Base):
    """Append-only: the current consent per purpose is the latest entry."""

    __tablename__ = "customer_consents"
    __table_args__ = (Index("ix_customer_consents_customer_id_purpose", "customer_id", "purpose", "recorded_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    purpose: Mapped[str] = mapped_column(String(40))
    is_granted: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[str | None] = mapped_column(String(64))
    wording_version: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    merged_from: Mapped[str | None] = mapped_column(String(40))


class Activity(Base):
    """The customer's timeline: what happened where (never personal values)."""

    __tablename__ = "customer_activities"
    __table_args__ = (Index("ix_customer_activities_customer_id_at", "customer_id", "at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class MergeRecord(Base):
    """The audit of one merge: why, on which evidence (identity types and ids), by whom."""

    __tablename__ = "customer_merges"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    survivor_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoyaltyProgramme(Base):
    __tablename__ = "loyalty_programmes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(Json)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoyaltyAccount(Base):
    """A cached balance, changed only by conditional UPDATE next to a ledger entry."""

    __tablename__ = "loyalty_accounts"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PointsEntry(Base):
    """Append-only points ledger; (kind, reference) makes earning and redeeming idempotent."""

    __tablename__ = "loyalty_points"
    __table_args__ = (UniqueConstraint("kind", "reference"), Index("ix_loyalty_points_customer_id_at", "customer_id", "at"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(300))
    channel: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str | None] = mapped_column(String(3))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class GiftCard(Base):
    __tablename__ = "gift_cards"
    __table_args__ = (CheckConstraint("balance_minor >= 0", name="balance_not_negative"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last4: Mapped[str] = mapped_column(String(4))
    currency: Mapped[str] = mapped_column(String(3))
    initial_minor: Mapped[int] = mapped_column(BigInteger)
    balance_minor: Mapped[int] = mapped_column(BigInteger)
    expires_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # active | void
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    issued_channel: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GiftCardEntry(Base):
    __tablename__ = "gift_card_entries"
    __table_args__ = (UniqueConstraint("gift_card_id", "kind", "reference"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    gift_card_id: Mapped[str] = mapped_column(ForeignKey("gift_cards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # issue | redeem | refund | void
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(120))
    channel: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class StoreCreditAccount(Base):
    __tablename__ = "store_credit_accounts"
    __table_args__ = (CheckConstraint("balance_minor >= 0", name="balance_not_negative"),)

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StoreCreditEntry(Base):
    __tablename__ = "store_credit_entries"
    __table_args__ = (UniqueConstraint("kind", "reference"), Index("ix_store_credit_entries_customer_id_at", "customer_id", "at"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(20))  # issue | redeem | restore | merge_in | merge_out
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(300))
    channel: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


__all__ = ["Activity", "Address", "ConsentEntry", "Customer", "GiftCard", "GiftCardEntry", "Identity", "LoyaltyAccount",
           "LoyaltyProgramme", "MergeRecord", "PointsEntry", "StoreCreditAccount", "StoreCreditEntry"]
