"""Quote a cart: the channel's prices, the customer's tier, the promotions in force and the shipping rate, priced by the engine.

The hot path of every checkout, so it reads in few statements: the channel (1), every line's variant,
listing, price and title (1), the customer's profile with the loyalty programme and their points (2,
when a customer is given), the promotions with the typed coupons and their usage (1), the shipping rate
(1, when shipped). Nothing is cached across transactions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from pydantic import ValidationError

from tvers.carts import service as carts
from tvers.catalog import service as catalog
from tvers.catalog.schemas import SaleVariant
from tvers.channels import service as channels
from tvers.channels.schemas import ChannelRef
from tvers.customers import service as customers
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError, InvalidInput
from tvers.kernel.locales import normalise_locale
from tvers.kernel.money import Money
from tvers.pricing.cart import ANONYMOUS, CartLine, ChannelContext, CustomerContext, TierBenefit
from tvers.pricing.cart_pricing import PricingRequest, price_cart
from tvers.pricing.errors import EmptyCart
from tvers.pricing.shipping import ShippingMethod, ShippingOption
from tvers.quoting.errors import ChannelNotActive, DuplicateSku, NotForSale, NotListedOnChannel, NotPriced, QuoteLineRefused, UnknownSku
from tvers.quoting.quote_schemas import MAX_QUOTE_LINES, LineSnapshot, Quote, QuoteIn, QuoteLineIn, ShippingChoice
from tvers.quoting.service.offers import offers_at
from tvers.quoting.service.shipping_rates import rates_for


def quote(uow: Uow, data: QuoteIn) -> Quote:
    """Price `data` on its channel as of now; bad lines, a bad coupon or no shipping rate raise a 4xx-kind error."""
    at = uow.clock.now()
    channel = _channel(uow, data.channel)
    locale = normalise_locale(data.locale or channel.default_locale, field="locale")
    variants = catalog.sale_variants(uow, channel_id=channel.id, price_book_id=channel.price_book_id,
                                     skus=[line.sku for line in data.lines], locale=locale)
    snapshots, lines = _priced_lines(data.lines, variants, channel=channel.code)
    customer = _customer(uow, data.customer_id)
    offers = offers_at(uow, at=at, coupon_codes=data.coupon_codes, customer_id=customer.customer_id)
    weight = sum((snapshot.weight_grams or 0) * snapshot.quantity for snapshot in snapshots)
    breakdown = price_cart(PricingRequest(
        lines=lines, channel=ChannelContext(channel.code, channel.type.value, channel.country), at=at, customer=customer,
        promotions=offers.promotions, coupon_codes=tuple(data.coupon_codes), coupon_usage=offers.usage,
        shipping=_shipping(uow, data.shipping, currency=channel.currency, weight_grams=weight),
    ))
    return Quote(
        channel=channel.code, channel_id=channel.id, customer_id=customer.customer_id, tier=customer.tier, locale=locale, priced_at=at,
        shipping=data.shipping, lines=snapshots, breakdown=breakdown,
        coupon_uses=tuple(offers.coupons[code] for code in breakdown.consumed_coupons),
    )


def quote_cart(uow: Uow, cart_id: str, *, channel: str | None = None, coupon_codes: Sequence[str] = (),
               shipping: ShippingChoice | None = None, locale: str | None = None) -> Quote:
    """Price a stored cart for its owner, on `channel` (default: the cart's own)."""
    cart = carts.get_cart(uow, cart_id)
    if not cart.lines:
        raise EmptyCart(f"cart {cart.id} has no lines")
    if len(cart.lines) > MAX_QUOTE_LINES:
        raise InvalidInput(f"a quote prices at most {MAX_QUOTE_LINES} lines", code="too_many_lines")
    try:
        data = QuoteIn(channel=channel or cart.channel, lines=[QuoteLineIn(sku=line.sku, quantity=line.quantity) for line in cart.lines],
                       customer_id=cart.customer_id, coupon_codes=list(coupon_codes), shipping=shipping, locale=locale)
    except ValidationError as error:
        fields = [FieldError(".".join(str(p) for p in e["loc"]), e["msg"], e["type"]) for e in error.errors()]
        raise InvalidInput(fields[0].message if fields else "invalid quote", fields=fields) from None
    return quote(uow, data)


def _channel(uow: Uow, code: str) -> ChannelRef:
    channel = channels.channel_ref(uow, code)
    if not channel.is_active:
        message = f"channel {code} is not active"
        raise ChannelNotActive(message, fields=[FieldError("channel", message, ChannelNotActive.code)])
    return channel


def _priced_lines(lines: Sequence[QuoteLineIn], variants: Mapping[str, SaleVariant], *,
                  channel: str) -> tuple[tuple[LineSnapshot, ...], tuple[CartLine, ...]]:
    """A snapshot and an engine line per quote line; every line that cannot be sold here is refused at once."""
    refused: list[tuple[type[QuoteLineRefused], FieldError, str]] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        problem = _line_problem(line.sku, variants.get(line.sku), seen=seen, channel=channel)
        if problem is not None:
            kind, message = problem
            refused.append((kind, FieldError(f"lines.{index}.sku", message, kind.code), line.sku))
        seen.add(line.sku)
    if refused:
        raise refused[0][0]("; ".join(error.message for _, error, _ in refused[:5]), fields=[error for _, error, _ in refused],
                            skus=[sku for _, _, sku in refused])
    snapshots = tuple(_snapshot(line, variants[line.sku]) for line in lines)
    return snapshots, tuple(_cart_line(line, variants[line.sku]) for line in lines)


def _line_problem(sku: str, variant: SaleVariant | None, *, seen: set[str], channel: str) -> tuple[type[QuoteLineRefused], str] | None:
    if sku in seen:
        return DuplicateSku, f"SKU {sku} appears on two lines; give it once with the total quantity"
    if variant is None:
        return UnknownSku, f"no variant with SKU {sku}"
    if not variant.is_for_sale:
        return NotForSale, f"SKU {sku} is not for sale (archived, or its product is not active)"
    if not variant.is_listed:
        return NotListedOnChannel, f"SKU {sku} is not listed on channel {channel}"
    if variant.unit_minor is None:
        return NotPriced, f"SKU {sku} has no price in channel {channel}'s price book"
    return None


def _snapshot(line: QuoteLineIn, variant: SaleVariant) -> LineSnapshot:
    return LineSnapshot(line_id=line.sku, variant_id=variant.variant_id, product_id=variant.product_id, sku=variant.sku,
                        title=variant.title, tax_class=variant.tax_class, category=variant.category, quantity=line.quantity,
                        weight_grams=variant.weight_grams, options=dict(variant.options))


def _cart_line(line: QuoteLineIn, variant: SaleVariant) -> CartLine:
    assert variant.unit_minor is not None
    return CartLine(line_id=line.sku, sku=variant.sku, product_id=variant.product_id, quantity=line.quantity,
                    unit_price=Money(variant.unit_minor, variant.currency), category=variant.category, tax_class=variant.tax_class,
                    prices_include_vat=variant.prices_include_vat)


def _customer(uow: Uow, customer_id: str | None) -> CustomerContext:
    """The customer's tier and its benefits; segments come when analytics publishes them (none yet)."""
    if customer_id is None:
        return ANONYMOUS
    found = customers.customer_tier(uow, customer_id)
    benefits = found.tier.benefits
    return CustomerContext(customer_id=found.customer_id, tier=found.tier.code,
                           benefits=TierBenefit(percent_off=Decimal(benefits.percent_off), free_shipping=benefits.free_shipping))


def _shipping(uow: Uow, choice: ShippingChoice | None, *, currency: str, weight_grams: int) -> ShippingOption | None:
    if choice is None:
        return None
    if choice.method is not ShippingMethod.SHIP:
        return ShippingOption(choice.method)
    assert choice.country is not None  # ShippingChoice requires it for ship
    return ShippingOption(ShippingMethod.SHIP, choice.country, weight_grams, rates_for(uow, country=choice.country, currency=currency))
