"""What a promotion is (benefit, target, conditions, coupon, stacking) and what the engine reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from tvers.kernel.money import Money
from tvers.pricing.cart import CartLine, in_category
from tvers.pricing.errors import InvalidPromotion

__all__ = [
    "AmountOff",
    "Benefit",
    "BuyXGetY",
    "Coupon",
    "CouponRejection",
    "CouponUsage",
    "FreeShipping",
    "LineDiscount",
    "PercentOff",
    "Promotion",
    "PromotionOutcome",
    "PromotionResult",
    "Stacking",
    "Target",
    "normalize_code",
]


def normalize_code(code: str) -> str:
    """Coupon codes compare case-insensitively and ignore surrounding spaces."""
    return code.strip().upper()


class Stacking(StrEnum):
    """STACKABLE promotions combine; an EXCLUSIVE one applies alone (see promotions.py for the rule)."""

    STACKABLE = "stackable"
    EXCLUSIVE = "exclusive"


@dataclass(frozen=True, slots=True)
class PercentOff:
    """`percent` (0 < p ≤ 100) off the eligible lines, computed once on their total and split."""

    percent: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.percent, Decimal) or not Decimal(0) < self.percent <= Decimal(100):
            raise InvalidPromotion("Percent off must be a Decimal above 0 and at most 100", percent=str(self.percent))


@dataclass(frozen=True, slots=True)
class AmountOff:
    """A fixed amount off the eligible lines together, or off each eligible unit when `per_unit`."""

    amount: Money
    per_unit: bool = False

    def __post_init__(self) -> None:
        if self.amount.minor <= 0:
            raise InvalidPromotion("Amount off must be positive", amount=str(self.amount))


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    """For every `buy` + `get` eligible units, the `get` cheapest get `percent` off (100: free)."""

    buy: int
    get: int
    percent: Decimal = Decimal(100)

    def __post_init__(self) -> None:
        if self.buy < 1 or self.get < 1:
            raise InvalidPromotion("Buy X get Y needs X ≥ 1 and Y ≥ 1", buy=self.buy, get=self.get)
        if not isinstance(self.percent, Decimal) or not Decimal(0) < self.percent <= Decimal(100):
            raise InvalidPromotion("Buy X get Y percent must be above 0 and at most 100", percent=str(self.percent))


@dataclass(frozen=True, slots=True)
class FreeShipping:
    """The shipping charge drops to zero."""


Benefit = PercentOff | AmountOff | BuyXGetY | FreeShipping


@dataclass(frozen=True, slots=True)
class Target:
    """Which lines a promotion covers: any listed product, SKU or category prefix; nothing listed = whole cart."""

    product_ids: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    @property
    def is_whole_cart(self) -> bool:
        return not (self.product_ids or self.skus or self.categories)

    def matches(self, line: CartLine) -> bool:
        if self.is_whole_cart:
            return True
        return (
            line.product_id in self.product_ids
            or line.sku in self.skus
            or any(in_category(line.category, prefix) for prefix in self.categories)
        )


@dataclass(frozen=True, slots=True)
class Coupon:
    """A code the customer types; `max_uses=1` is a single-use code; None means unlimited."""

    code: str
    max_uses: int | None = None
    max_uses_per_customer: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", normalize_code(self.code))
        if not self.code:
            raise InvalidPromotion("Coupon code must not be empty")
        for limit in (self.max_uses, self.max_uses_per_customer):
            if limit is not None and limit < 1:
                raise InvalidPromotion("Coupon limits must be at least 1", coupon=self.code)


@dataclass(frozen=True, slots=True)
class CouponUsage:
    """How often a code was used so far, in total and by this customer (the engine never counts)."""

    code: str
    used_total: int = 0
    used_by_customer: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", normalize_code(self.code))


@dataclass(frozen=True, slots=True)
class Promotion:
    """One promotion in force. Empty restriction sets mean "no restriction" (every channel, tier, segment).

    `min_subtotal` is a spend threshold on the eligible lines, measured in the book's VAT basis
    after the discounts of promotions applied before it; the window is [starts_at, ends_at);
    a higher `priority` is applied earlier. Ids must be unique; "tier:…" is reserved.
    """

    id: str
    name: str
    benefit: Benefit
    target: Target = Target()
    min_subtotal: Money | None = None
    coupon: Coupon | None = None
    tiers: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    channel_types: frozenset[str] = frozenset()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = 0
    stacking: Stacking = Stacking.STACKABLE

    def __post_init__(self) -> None:
        for instant in (self.starts_at, self.ends_at):
            if instant is not None and instant.utcoffset() is None:
                raise InvalidPromotion("Promotion windows must be aware datetimes", promotion_id=self.id)
        if self.starts_at is not None and self.ends_at is not None and self.starts_at >= self.ends_at:
            raise InvalidPromotion("Promotion must start before it ends", promotion_id=self.id)
        if self.min_subtotal is not None and self.min_subtotal.is_negative:
            raise InvalidPromotion("Spend threshold must not be negative", promotion_id=self.id)
        if isinstance(self.benefit, FreeShipping) and not self.target.is_whole_cart:
            raise InvalidPromotion("Free shipping applies to the whole order, not to some lines", promotion_id=self.id)

    @property
    def is_exclusive(self) -> bool:
        return self.stacking is Stacking.EXCLUSIVE

    @property
    def currencies(self) -> frozenset[str]:
        """Currencies the promotion's amounts are in; empty when it has none (a percentage)."""
        amounts = [self.min_subtotal, self.benefit.amount if isinstance(self.benefit, AmountOff) else None]
        return frozenset(amount.currency for amount in amounts if amount is not None)


@dataclass(frozen=True, slots=True)
class LineDiscount:
    """The part of one promotion's discount allocated to one line (or to shipping)."""

    promotion_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class PromotionOutcome:
    """Why a promotion did or did not apply; `reason` is a stable code, `message` is for people."""

    promotion_id: str
    name: str
    is_applied: bool
    reason: str
    message: str
    amount: Money
    shipping_discount: Money
    line_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CouponRejection:
    """A typed code that cannot apply, when the caller asked for explanations instead of errors."""

    code: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class PromotionResult:
    """Discounts per line (in the book's VAT basis), the shipping discount, and the explanations."""

    discounts_by_line: Mapping[str, tuple[LineDiscount, ...]]
    shipping_price: Money
    shipping_discount: LineDiscount | None
    outcomes: tuple[PromotionOutcome, ...]
    consumed_coupons: tuple[str, ...] = ()
    rejected_coupons: tuple[CouponRejection, ...] = field(default=())

    @property
    def benefit(self) -> Money:
        """Everything the customer saves: line discounts plus the shipping discount."""
        total = Money.zero(self.shipping_price.currency)
        for discounts in self.discounts_by_line.values():
            for discount in discounts:
                total = total + discount.amount
        return total + (self.shipping_discount.amount if self.shipping_discount else Money.zero(total.currency))
