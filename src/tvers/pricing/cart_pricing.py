"""Price a cart: promotions, shipping and VAT per line, into a breakdown every channel can show.

Discounts are taken off each line in the price book's VAT basis; VAT is then computed per
line on the discounted amount with the one rounding function. The breakdown always holds
Σ line totals + shipping total = grand total = net total + VAT total, to the minor unit.
VAT follows the destination: the shipping country when shipped, else the channel's country.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from tvers.kernel.money import Money, sum_money
from tvers.pricing.cart import ANONYMOUS, CartLine, ChannelContext, CustomerContext
from tvers.pricing.errors import EmptyCart, MixedVatBasis, NaiveDatetime
from tvers.pricing.promotion_types import CouponRejection, CouponUsage, LineDiscount, Promotion, PromotionOutcome
from tvers.pricing.promotions import apply_promotions
from tvers.pricing.shipping import ShippingMethod, ShippingOption, quote_shipping
from tvers.pricing.vat import price_split, vat_rate

__all__ = ["LinePrice", "PriceBreakdown", "PricingRequest", "ShippingPrice", "VatSummary", "price_cart"]


@dataclass(frozen=True, slots=True)
class PricingRequest:
    """Everything pricing needs, as plain values; `at` is an aware instant (promotion windows, VAT date)."""

    lines: tuple[CartLine, ...]
    channel: ChannelContext
    at: datetime
    customer: CustomerContext = ANONYMOUS
    promotions: tuple[Promotion, ...] = ()
    coupon_codes: tuple[str, ...] = ()
    coupon_usage: tuple[CouponUsage, ...] = ()
    shipping: ShippingOption | None = None
    strict_coupons: bool = True


@dataclass(frozen=True, slots=True)
class LinePrice:
    """One priced line. `amount` and `discounts` are in the book's VAT basis; net + vat = total (gross)."""

    line_id: str
    sku: str
    quantity: int
    unit_price: Money
    amount: Money
    discounts: tuple[LineDiscount, ...]
    discount_total: Money
    net: Money
    vat: Money
    vat_rate: Decimal
    total: Money

    @property
    def gross(self) -> Money:
        """The line total including VAT (the same as `total`)."""
        return self.total


@dataclass(frozen=True, slots=True)
class ShippingPrice:
    """The shipping charge: `price` before promotions in its rate's VAT basis, then net + vat = total."""

    method: str
    price: Money
    discount: LineDiscount | None
    net: Money
    vat: Money
    vat_rate: Decimal
    total: Money
    reason: str


@dataclass(frozen=True, slots=True)
class VatSummary:
    """Amounts taxed at one rate, lines and shipping together."""

    rate: Decimal
    net: Money
    vat: Money
    gross: Money


@dataclass(frozen=True, slots=True)
class PriceBreakdown:
    """The priced cart. `subtotal` and `discount_total` (lines only) are in the book's VAT basis."""

    currency: str
    prices_include_vat: bool
    tax_country: str
    lines: tuple[LinePrice, ...]
    subtotal: Money
    discount_total: Money
    shipping: ShippingPrice
    vat_summary: tuple[VatSummary, ...]
    net_total: Money
    vat_total: Money
    grand_total: Money
    promotions: tuple[PromotionOutcome, ...]
    consumed_coupons: tuple[str, ...]
    rejected_coupons: tuple[CouponRejection, ...]

    def __post_init__(self) -> None:
        lines_total = sum_money((line.total for line in self.lines), currency=self.currency)
        if lines_total + self.shipping.total != self.grand_total or self.net_total + self.vat_total != self.grand_total:
            raise ValueError(f"Price breakdown does not add up to {self.grand_total}")

    @property
    def explanations(self) -> tuple[str, ...]:
        """One sentence per promotion: what it took off where, or why it did not apply."""
        return tuple(f"{outcome.name}: {outcome.message}" for outcome in self.promotions)


def price_cart(request: PricingRequest) -> PriceBreakdown:
    """Price `request.lines` on its channel for its customer at `request.at`; raises on bad input or a bad coupon."""
    lines, shipping = request.lines, request.shipping
    _check(request)
    tax_country = shipping.country if shipping and shipping.method is ShippingMethod.SHIP and shipping.country else request.channel.country
    result = apply_promotions(
        lines,
        promotions=request.promotions,
        channel=request.channel,
        customer=request.customer,
        at=request.at,
        coupon_codes=request.coupon_codes,
        coupon_usage=request.coupon_usage,
        shipping_price=(lambda value: quote_shipping(shipping, order_value=value).price) if shipping else None,
        strict_coupons=request.strict_coupons,
    )
    on = request.at.astimezone(UTC).date()
    priced = tuple(_price_line(line, result.discounts_by_line[line.line_id], country=tax_country, on=on) for line in lines)
    currency = lines[0].unit_price.currency
    shipping_price = _price_shipping(shipping, priced, result.shipping_discount, country=tax_country, on=on, currency=currency)
    splits = [(line.vat_rate, line.net, line.vat, line.total) for line in priced]
    splits.append((shipping_price.vat_rate, shipping_price.net, shipping_price.vat, shipping_price.total))
    summary = _summarize(splits, currency=currency)
    return PriceBreakdown(
        currency=currency,
        prices_include_vat=lines[0].prices_include_vat,
        tax_country=tax_country,
        lines=priced,
        subtotal=sum_money((line.amount for line in priced), currency=currency),
        discount_total=sum_money((line.discount_total for line in priced), currency=currency),
        shipping=shipping_price,
        vat_summary=summary,
        net_total=sum_money((row.net for row in summary), currency=currency),
        vat_total=sum_money((row.vat for row in summary), currency=currency),
        grand_total=sum_money((row.gross for row in summary), currency=currency),
        promotions=result.outcomes,
        consumed_coupons=result.consumed_coupons,
        rejected_coupons=result.rejected_coupons,
    )


def _check(request: PricingRequest) -> None:
    if not request.lines:
        raise EmptyCart("The cart has no lines")
    if request.at.utcoffset() is None:
        raise NaiveDatetime("Pricing time must be an aware datetime", at=request.at.isoformat())
    if len({line.prices_include_vat for line in request.lines}) != 1:
        raise MixedVatBasis("All lines must come from one price book: all VAT-inclusive or all VAT-exclusive")


def _price_line(line: CartLine, discounts: Sequence[LineDiscount], *, country: str, on: date) -> LinePrice:
    amount = line.amount
    discount_total = sum_money((discount.amount for discount in discounts), currency=amount.currency)
    rate = vat_rate(country, line.tax_class, on=on)
    split = price_split(amount - discount_total, rate=rate, includes_vat=line.prices_include_vat)
    return LinePrice(
        line_id=line.line_id,
        sku=line.sku,
        quantity=line.quantity,
        unit_price=line.unit_price,
        amount=amount,
        discounts=tuple(discounts),
        discount_total=discount_total,
        net=split.net,
        vat=split.vat,
        vat_rate=rate,
        total=split.gross,
    )


def _price_shipping(
    option: ShippingOption | None,
    lines: Sequence[LinePrice],
    discount: LineDiscount | None,
    *,
    country: str,
    on: date,
    currency: str,
) -> ShippingPrice:
    zero = Money.zero(currency)
    if option is None:
        return ShippingPrice("none", zero, None, zero, zero, Decimal(0), zero, "nothing to ship")
    goods = sum_money((line.amount - line.discount_total for line in lines), currency=currency)
    quote = quote_shipping(option, order_value=goods)
    rate = vat_rate(country, quote.tax_class, on=on)
    charged = quote.price - (discount.amount if discount else zero)
    split = price_split(charged, rate=rate, includes_vat=quote.prices_include_vat)
    return ShippingPrice(option.method.value, quote.price, discount, split.net, split.vat, rate, split.gross, quote.reason)


def _summarize(rows: Sequence[tuple[Decimal, Money, Money, Money]], *, currency: str) -> tuple[VatSummary, ...]:
    """Net, VAT and gross per rate, highest rate first; rows that are all zero add nothing."""
    zero = Money.zero(currency)
    by_rate: dict[Decimal, tuple[Money, Money, Money]] = {}
    for rate, net, vat, gross in rows:
        if net.is_zero and vat.is_zero and gross.is_zero:
            continue
        old_net, old_vat, old_gross = by_rate.get(rate, (zero, zero, zero))
        by_rate[rate] = (old_net + net, old_vat + vat, old_gross + gross)
    return tuple(VatSummary(rate, *by_rate[rate]) for rate in sorted(by_rate, reverse=True))
