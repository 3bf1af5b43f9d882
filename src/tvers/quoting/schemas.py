"""Published shapes of stored promotions, coupons and shipping rates: what the admin API accepts and returns.

What you POST is what you GET back (plus id, version and times), so an edit is read, change, PATCH.
Amounts are decimal strings in major units of the promotion's or rate's currency; never floats.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from tvers.catalog.schemas import Category, Sku, TaxClass
from tvers.channels.schemas import ChannelType
from tvers.kernel.shapes import Code, CountryCode, CurrencyCode, Strict
from tvers.pricing.promotion_types import Stacking

MAX_PRIORITY = 100_000  # merchant priorities stay far above the engine's tier benefits (-1,000,000)
Percent = Annotated[Decimal, Field(gt=0, le=100, decimal_places=2, examples=["12.5"])]
Quantity = Annotated[int, Field(ge=1, le=1000)]
AudienceCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
CouponCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$"),
    Field(description="Letters, digits, - and _; stored upper case, matched case-insensitively."),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class BenefitKind(StrEnum):
    PERCENT_OFF = "percent_off"
    AMOUNT_OFF = "amount_off"
    BUY_X_GET_Y = "buy_x_get_y"
    FREE_SHIPPING = "free_shipping"


class PercentOffIn(Strict):
    kind: Literal[BenefitKind.PERCENT_OFF]
    percent: Percent


class AmountOffIn(Strict):
    kind: Literal[BenefitKind.AMOUNT_OFF]
    amount: Decimal = Field(description="In the promotion's currency; off the eligible lines together, or off each unit.")
    per_unit: bool = False


class BuyXGetYIn(Strict):
    kind: Literal[BenefitKind.BUY_X_GET_Y]
    buy: Quantity
    get: Quantity
    percent: Percent = Field(default=Decimal(100), description="Off the cheapest `get` units of every buy+get; 100 = free.")


class FreeShippingIn(Strict):
    kind: Literal[BenefitKind.FREE_SHIPPING]


BenefitIn = Annotated[PercentOffIn | AmountOffIn | BuyXGetYIn | FreeShippingIn, Field(discriminator="kind")]


class TargetIn(Strict):
    """Which lines the benefit covers: any listed product, SKU or category (and below); nothing listed = whole cart."""

    product_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(default_factory=list, max_length=500)
    skus: list[Sku] = Field(default_factory=list, max_length=500)
    categories: list[Category] = Field(default_factory=list, max_length=100)


class PromotionIn(Strict):
    name: Name
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    benefit: BenefitIn
    target: TargetIn = Field(default_factory=TargetIn)
    currency: CurrencyCode | None = Field(default=None, description="Required when the promotion has an amount or a threshold.")
    min_subtotal: Decimal | None = Field(default=None, description="Spend threshold on the eligible lines, after earlier discounts.")
    tiers: list[AudienceCode] = Field(default_factory=list, max_length=20, description="Loyalty tiers; empty: everyone.")
    segments: list[AudienceCode] = Field(default_factory=list, max_length=20, description="Customer segments; empty: everyone.")
    channels: list[Code] = Field(default_factory=list, max_length=100, description="Channel codes; empty: every channel.")
    channel_types: list[ChannelType] = Field(default_factory=list, max_length=10)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = Field(default=None, description="Exclusive: the promotion is over at this instant.")
    priority: int = Field(default=0, ge=-MAX_PRIORITY, le=MAX_PRIORITY, description="Higher applies earlier in the stack.")
    stacking: Stacking = Stacking.STACKABLE
    requires_coupon: bool = Field(default=False, description="Applies only with one of its coupon codes.")
    is_active: bool = True


class PromotionPatch(Strict):
    """Any field of a promotion; given fields replace the stored ones (null clears an optional one)."""

    version: int = Field(description="The version you read; a stale version is refused with 409.")
    name: Name | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    benefit: BenefitIn | None = None
    target: TargetIn | None = None
    currency: CurrencyCode | None = None
    min_subtotal: Decimal | None = None
    tiers: list[AudienceCode] | None = Field(default=None, max_length=20)
    segments: list[AudienceCode] | None = Field(default=None, max_length=20)
    channels: list[Code] | None = Field(default=None, max_length=100)
    channel_types: list[ChannelType] | None = Field(default=None, max_length=10)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    priority: int | None = Field(default=None, ge=-MAX_PRIORITY, le=MAX_PRIORITY)
    stacking: Stacking | None = None
    requires_coupon: bool | None = None
    is_active: bool | None = None


class PromotionOut(PromotionIn):
    id: str
    version: int
    created_at: datetime
    updated_at: datetime


class CouponIn(Strict):
    code: CouponCode
    max_uses: int | None = Field(default=None, ge=1, le=1_000_000_000, description="Uses in total; 1 = single use; null = unlimited.")
    max_uses_per_customer: int | None = Field(default=None, ge=1, le=1_000_000, description="Needs a known customer at checkout.")
    is_active: bool = True


class CouponPatch(Strict):
    version: int
    max_uses: int | None = Field(default=None, ge=1, le=1_000_000_000)
    max_uses_per_customer: int | None = Field(default=None, ge=1, le=1_000_000)
    is_active: bool | None = None


class CouponOut(BaseModel):
    id: str
    promotion_id: str
    code: str
    max_uses: int | None
    max_uses_per_customer: int | None
    uses: int = Field(description="Orders holding a use now (released uses are given back).")
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class WeightBandIn(Strict):
    max_grams: int = Field(ge=1, le=10_000_000, description="Parcels up to and including this weight.")
    price: Decimal


class ValueBandIn(Strict):
    min_value: Decimal = Field(description="Orders worth this much or more (the lowest band starts at 0).")
    price: Decimal


class ShippingRateIn(Strict):
    country: CountryCode
    currency: CurrencyCode
    weight_bands: list[WeightBandIn] = Field(default_factory=list, max_length=50)
    value_bands: list[ValueBandIn] = Field(default_factory=list, max_length=50)
    free_from: Decimal | None = Field(default=None, description="Free when the goods after discounts are worth this much.")
    tax_class: TaxClass = TaxClass.STANDARD
    prices_include_vat: bool = True


class ShippingRatePatch(Strict):
    version: int
    weight_bands: list[WeightBandIn] | None = Field(default=None, max_length=50)
    value_bands: list[ValueBandIn] | None = Field(default=None, max_length=50)
    free_from: Decimal | None = None
    tax_class: TaxClass | None = None
    prices_include_vat: bool | None = None


class ShippingRateOut(ShippingRateIn):
    id: str
    version: int
    created_at: datetime
    updated_at: datetime
