"""Quoting tables (private to the quoting module): promotions, their coupons, coupon redemptions, shipping rates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, Json, UtcDateTime


class Promotion(Base):
    """One promotion as the merchant set it up; rows map one to one onto the pricing engine's `Promotion`.

    The benefit is one of four kinds; only the columns of its kind are set. Percentages are stored in
    hundredths of a percent (12.5 % → 1250), amounts in minor units of `currency`.
    """

    __tablename__ = "promotions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    benefit_kind: Mapped[str] = mapped_column(String(20))
    percent_hundredths: Mapped[int | None] = mapped_column(Integer)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    per_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    buy_quantity: Mapped[int | None] = mapped_column(Integer)
    get_quantity: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3))
    min_subtotal_minor: Mapped[int | None] = mapped_column(BigInteger)
    product_ids: Mapped[list[str]] = mapped_column(Json, default=list)
    skus: Mapped[list[str]] = mapped_column(Json, default=list)
    categories: Mapped[list[str]] = mapped_column(Json, default=list)
    tiers: Mapped[list[str]] = mapped_column(Json, default=list)
    segments: Mapped[list[str]] = mapped_column(Json, default=list)
    channels: Mapped[list[str]] = mapped_column(Json, default=list)
    channel_types: Mapped[list[str]] = mapped_column(Json, default=list)
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    stacking: Mapped[str] = mapped_column(String(20))
    requires_coupon: Mapped[bool] = mapped_column(Boolean)
    is_active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __mapper_args__ = {"version_id_col": version}


class Coupon(Base):
    """A code tied to a promotion; `uses` counts live redemptions and only moves by conditional UPDATE."""

    __tablename__ = "coupons"
    __table_args__ = (CheckConstraint("uses >= 0", name="uses_not_negative"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    promotion_id: Mapped[str] = mapped_column(ForeignKey("promotions.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # normalised: trimmed, upper case
    max_uses: Mapped[int | None] = mapped_column(Integer)
    max_uses_per_customer: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __mapper_args__ = {"version_id_col": version}


class CouponRedemption(Base):
    """One coupon used by one order; `released_at` is set when the order failed or was cancelled."""

    __tablename__ = "coupon_redemptions"
    __table_args__ = (
        UniqueConstraint("coupon_id", "order_id"),
        Index("ix_coupon_redemptions_coupon_id_customer_id", "coupon_id", "customer_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    coupon_id: Mapped[str] = mapped_column(ForeignKey("coupons.id"))
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(40))
    redeemed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ShippingRate(Base):
    """The charge to ship to one country in one currency: weight bands or value bands, free from a threshold."""

    __tablename__ = "shipping_rates"
    __table_args__ = (UniqueConstraint("country", "currency"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    weight_bands: Mapped[list[dict[str, int]]] = mapped_column(Json, default=list)  # [{"max_grams", "price_minor"}]
    value_bands: Mapped[list[dict[str, int]]] = mapped_column(Json, default=list)  # [{"min_value_minor", "price_minor"}]
    free_from_minor: Mapped[int | None] = mapped_column(BigInteger)
    tax_class: Mapped[str] = mapped_column(String(20))
    prices_include_vat: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __mapper_args__ = {"version_id_col": version}


__all__ = ["Coupon", "CouponRedemption", "Promotion", "ShippingRate"]
