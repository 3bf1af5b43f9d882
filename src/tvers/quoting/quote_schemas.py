"""Published shapes of a quote: what to price (`QuoteIn`), the priced result checkout keeps (`Quote`), and its JSON (`QuoteOut`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from tvers.catalog.schemas import MoneyOut, Sku
from tvers.kernel.money import Money
from tvers.kernel.shapes import Code, CountryCode, Strict
from tvers.pricing.cart import MAX_LINE_QUANTITY
from tvers.pricing.cart_pricing import LinePrice, PriceBreakdown, ShippingPrice
from tvers.pricing.promotion_types import LineDiscount, PromotionOutcome
from tvers.pricing.shipping import ShippingMethod

MAX_QUOTE_LINES = 200
MAX_COUPONS = 10


class QuoteLineIn(Strict):
    sku: Sku
    quantity: int = Field(ge=1, le=MAX_LINE_QUANTITY, strict=True, description=f"1 to {MAX_LINE_QUANTITY}, a JSON integer.")


class ShippingAddress(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    lines: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(min_length=1, max_length=4)
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    city: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    country: CountryCode
    latitude: float | None = Field(default=None, ge=-90, le=90, description="Where it goes, if known (sourcing prefers near locations).")
    longitude: float | None = Field(default=None, ge=-180, le=180)


class ShippingChoice(Strict):
    """How the order leaves: `ship` to a country (priced from stored rates); `pickup`, `curbside`, `carry_out` are free."""

    method: ShippingMethod
    country: CountryCode | None = Field(default=None, description="Destination for `ship`; default: the address's country.")
    address: ShippingAddress | None = None
    location: Code | None = Field(default=None, description="The store for pickup or curbside.")

    @model_validator(mode="after")
    def _destination(self) -> ShippingChoice:
        if self.address is not None and self.country is not None and self.address.country != self.country:
            raise ValueError("country and address.country differ")
        if self.country is None and self.address is not None:
            self.country = self.address.country
        if self.method is ShippingMethod.SHIP and self.country is None:
            raise ValueError("shipping needs a destination country (country or address)")
        return self


class QuoteIn(Strict):
    channel: Code
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=MAX_QUOTE_LINES)
    customer_id: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    coupon_codes: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(default_factory=list,
                                                                                                max_length=MAX_COUPONS)
    shipping: ShippingChoice | None = Field(default=None, description="None: nothing is shipped (no shipping line).")
    locale: Annotated[str, StringConstraints(min_length=2, max_length=20)] | None = Field(
        default=None, description="Language of line titles; default: the channel's.")


@dataclass(frozen=True, slots=True)
class LineSnapshot:
    """What an order line keeps of a quoted line, as the channel named it when it was priced."""

    line_id: str
    variant_id: str
    product_id: str
    sku: str
    title: str
    tax_class: str
    category: str | None
    quantity: int
    weight_grams: int | None
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CouponUse:
    """A coupon the quote's price relies on: `record_coupon_use` takes one use of it for the order."""

    coupon_id: str
    code: str
    promotion_id: str
    max_uses_per_customer: int | None


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced cart: the engine's breakdown, a snapshot per line (same order, same `line_id`) and the coupon uses to record."""

    channel: str
    channel_id: str
    customer_id: str | None
    tier: str | None
    locale: str
    priced_at: datetime
    shipping: ShippingChoice | None
    lines: tuple[LineSnapshot, ...]
    breakdown: PriceBreakdown
    coupon_uses: tuple[CouponUse, ...]

    @property
    def grand_total(self) -> Money:
        return self.breakdown.grand_total


class LineDiscountOut(BaseModel):
    promotion_id: str
    name: str
    amount: MoneyOut


class QuoteLineOut(BaseModel):
    line_id: str
    variant_id: str
    product_id: str
    sku: str
    title: str
    options: dict[str, str]
    tax_class: str
    category: str | None
    quantity: int
    unit_price: MoneyOut
    amount: MoneyOut = Field(description="Unit price × quantity, in the price book's VAT basis.")
    discounts: list[LineDiscountOut]
    discount_total: MoneyOut
    net: MoneyOut
    vat: MoneyOut
    vat_rate: str
    total: MoneyOut = Field(description="What the customer pays for the line, VAT included.")


class ShippingOut(BaseModel):
    method: str
    price: MoneyOut = Field(description="Before promotions, in the rate's VAT basis.")
    discount: LineDiscountOut | None
    net: MoneyOut
    vat: MoneyOut
    vat_rate: str
    total: MoneyOut
    reason: str


class VatRowOut(BaseModel):
    rate: str
    net: MoneyOut
    vat: MoneyOut
    gross: MoneyOut


class PromotionOutcomeOut(BaseModel):
    promotion_id: str
    name: str
    is_applied: bool
    reason: str = Field(description="A stable code: applied, below_threshold, not_stackable, needs_tier, …")
    message: str
    amount: MoneyOut
    shipping_discount: MoneyOut
    line_ids: list[str]


class QuoteOut(BaseModel):
    channel: str
    customer_id: str | None
    tier: str | None
    currency: str
    prices_include_vat: bool
    tax_country: str
    priced_at: datetime
    lines: list[QuoteLineOut]
    subtotal: MoneyOut
    discount_total: MoneyOut
    shipping: ShippingOut
    vat_summary: list[VatRowOut]
    net_total: MoneyOut
    vat_total: MoneyOut
    grand_total: MoneyOut
    promotions: list[PromotionOutcomeOut] = Field(description="Every promotion considered: what it took off, or why it did not apply.")
    explanations: list[str]
    coupons: list[str] = Field(description="The codes the price relies on.")

    @classmethod
    def from_domain(cls, quote: Quote) -> QuoteOut:
        priced = quote.breakdown
        names = {outcome.promotion_id: outcome.name for outcome in priced.promotions}
        return cls(
            channel=quote.channel, customer_id=quote.customer_id, tier=quote.tier, currency=priced.currency,
            prices_include_vat=priced.prices_include_vat, tax_country=priced.tax_country, priced_at=quote.priced_at,
            lines=[_line_out(snapshot, price, names) for snapshot, price in zip(quote.lines, priced.lines, strict=True)],
            subtotal=_money(priced.subtotal), discount_total=_money(priced.discount_total), shipping=_shipping_out(priced.shipping, names),
            vat_summary=[VatRowOut(rate=str(row.rate), net=_money(row.net), vat=_money(row.vat), gross=_money(row.gross))
                         for row in priced.vat_summary],
            net_total=_money(priced.net_total), vat_total=_money(priced.vat_total), grand_total=_money(priced.grand_total),
            promotions=[_outcome_out(outcome) for outcome in priced.promotions], explanations=list(priced.explanations),
            coupons=list(priced.consumed_coupons),
        )


def _money(money: Money) -> MoneyOut:
    return MoneyOut(amount=str(money.amount), currency=money.currency)


def _discount_out(discount: LineDiscount, names: dict[str, str]) -> LineDiscountOut:
    return LineDiscountOut(promotion_id=discount.promotion_id, name=names.get(discount.promotion_id, discount.promotion_id),
                           amount=_money(discount.amount))


def _line_out(snapshot: LineSnapshot, price: LinePrice, names: dict[str, str]) -> QuoteLineOut:
    return QuoteLineOut(
        line_id=price.line_id, variant_id=snapshot.variant_id, product_id=snapshot.product_id, sku=snapshot.sku, title=snapshot.title,
        options=dict(snapshot.options), tax_class=snapshot.tax_class, category=snapshot.category, quantity=price.quantity,
        unit_price=_money(price.unit_price), amount=_money(price.amount), discounts=[_discount_out(d, names) for d in price.discounts],
        discount_total=_money(price.discount_total), net=_money(price.net), vat=_money(price.vat), vat_rate=str(price.vat_rate),
        total=_money(price.total),
    )


def _shipping_out(shipping: ShippingPrice, names: dict[str, str]) -> ShippingOut:
    return ShippingOut(
        method=shipping.method, price=_money(shipping.price),
        discount=_discount_out(shipping.discount, names) if shipping.discount else None,
        net=_money(shipping.net), vat=_money(shipping.vat), vat_rate=str(shipping.vat_rate), total=_money(shipping.total),
        reason=shipping.reason,
    )


def _outcome_out(outcome: PromotionOutcome) -> PromotionOutcomeOut:
    return PromotionOutcomeOut(
        promotion_id=outcome.promotion_id, name=outcome.name, is_applied=outcome.is_applied, reason=outcome.reason,
        message=outcome.message, amount=_money(outcome.amount), shipping_discount=_money(outcome.shipping_discount),
        line_ids=list(outcome.line_ids),
    )


class CartQuoteQuery(Strict):
    """How to price a stored cart (query parameters): `?shipping=ship&country=NO&coupon=WELCOME10`."""

    channel: Code | None = Field(default=None, description="Price on this channel; default the cart's (an integration key: its own).")
    coupon: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=MAX_COUPONS)
    shipping: ShippingMethod | None = None
    country: CountryCode | None = None
    locale: Annotated[str, StringConstraints(min_length=2, max_length=20)] | None = None

    @model_validator(mode="after")
    def _destination(self) -> CartQuoteQuery:
        if self.shipping is ShippingMethod.SHIP and self.country is None:
            raise ValueError("shipping=ship needs country")
        return self

    def shipping_choice(self) -> ShippingChoice | None:
        return ShippingChoice(method=self.shipping, country=self.country) if self.shipping is not None else None
