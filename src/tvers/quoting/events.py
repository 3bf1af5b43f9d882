"""Events the quoting module publishes: set-up changes (promotions, coupons, shipping rates) and coupon use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class PromotionChanged(DomainEvent):
    type: ClassVar[str] = "promotion.changed"
    promotion_id: str
    version: int
    is_active: bool


@dataclass(frozen=True)
class CouponChanged(DomainEvent):
    type: ClassVar[str] = "coupon.changed"
    coupon_id: str
    promotion_id: str
    version: int


@dataclass(frozen=True)
class ShippingRateChanged(DomainEvent):
    type: ClassVar[str] = "shipping_rate.changed"
    shipping_rate_id: str
    country: str
    currency: str
    is_deleted: bool = False


@dataclass(frozen=True)
class CouponUsed(DomainEvent):
    type: ClassVar[str] = "coupon.used"
    coupon_id: str
    code: str
    order_id: str
    customer_id: str | None


@dataclass(frozen=True)
class CouponUseReleased(DomainEvent):
    type: ClassVar[str] = "coupon.use_released"
    coupon_id: str
    order_id: str
