"""Cart tables (private to the carts module)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, UtcDateTime


class Cart(Base):
    """Owned by a profile or by an anonymous token; `open_owner` makes one open cart per profile."""

    __tablename__ = "carts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    open_owner: Mapped[str | None] = mapped_column(String(40), unique=True)
    anonymous_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # open | merged | converted
    channel: Mapped[str] = mapped_column(String(64))
    merged_into: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CartLine(Base):
    __tablename__ = "cart_lines"
    __table_args__ = (UniqueConstraint("cart_id", "variant_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    cart_id: Mapped[str] = mapped_column(ForeignKey("carts.id"), index=True)
    variant_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(64))
    seen_unit_minor: Mapped[int | None] = mapped_column(BigInteger)
    seen_currency: Mapped[str | None] = mapped_column(String(3))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


__all__ = ["Cart", "CartLine"]
