"""Properties of cart pricing that hold for any cart and any promotions (hypothesis)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tvers.kernel.money import Money, round_to_minor
from tvers.pricing.cart import CartLine, ChannelContext, CustomerContext, TierBenefit
from tvers.pricing.cart_pricing import PriceBreakdown, PricingRequest, price_cart
from tvers.pricing.promotion_types import (
    AmountOff,
    Benefit,
    BuyXGetY,
    FreeShipping,
    PercentOff,
    Promotion,
    Stacking,
    Target,
)
from tvers.pricing.shipping import ShippingMethod, ShippingOption, ShippingRate, ValueBand, WeightBand

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CATEGORIES = ("shoes", "shoes/running", "books", "clothing/shirts", "clothing/socks")
MARKETS = {"NOK": ChannelContext("web-no", "web", "NO"), "EUR": ChannelContext("web-fi", "web", "FI")}

percents = st.integers(min_value=1, max_value=1000).map(lambda tenths: Decimal(tenths).scaleb(-1))


@st.composite
def carts(draw: st.DrawFn) -> tuple[str, bool, tuple[CartLine, ...]]:
    currency = draw(st.sampled_from(sorted(MARKETS)))
    include_vat = draw(st.booleans())
    count = draw(st.integers(min_value=1, max_value=6))
    lines = tuple(
        CartLine(
            f"l{index}",
            f"SKU-{index}",
            f"p{draw(st.integers(0, 3))}",
            draw(st.integers(min_value=1, max_value=25)),
            Money(draw(st.integers(min_value=0, max_value=2_000_000)), currency),
            category=draw(st.sampled_from(CATEGORIES)),
            tax_class=draw(st.sampled_from(("standard", "reduced", "reduced_low", "zero"))),
            prices_include_vat=include_vat,
        )
        for index in range(count)
    )
    return currency, include_vat, lines


def benefits(currency: str) -> st.SearchStrategy[Benefit]:
    amounts = st.integers(min_value=1, max_value=3_000_000).map(lambda minor: Money(minor, currency))
    return st.one_of(
        percents.map(PercentOff),
        st.builds(AmountOff, amounts, st.booleans()),
        st.builds(BuyXGetY, st.integers(1, 3), st.integers(1, 2), percents),
        st.just(FreeShipping()),
    )


targets = st.one_of(
    st.just(Target()),
    st.builds(Target, categories=st.frozensets(st.sampled_from(("shoes", "clothing", "books")), min_size=1, max_size=2)),
    st.builds(Target, product_ids=st.frozensets(st.sampled_from(("p0", "p1", "p2", "p3")), min_size=1, max_size=2)),
)


@st.composite
def promotions(draw: st.DrawFn, currency: str) -> tuple[Promotion, ...]:
    found = []
    for index in range(draw(st.integers(min_value=0, max_value=5))):
        benefit = draw(benefits(currency))
        threshold = draw(st.none() | st.integers(0, 5_000_000).map(lambda minor: Money(minor, currency)))
        found.append(
            Promotion(
                f"promo-{index}",
                f"promo {index}",
                benefit,
                target=Target() if isinstance(benefit, FreeShipping) else draw(targets),
                min_subtotal=threshold,
                priority=draw(st.integers(0, 3)),
                stacking=draw(st.sampled_from(Stacking)),
                tiers=draw(st.sampled_from((frozenset(), frozenset({"gold"})))),
            )
        )
    return tuple(found)


def shipping_for(currency: str, country: str) -> st.SearchStrategy[ShippingOption | None]:
    rates = (
        ShippingRate(country, currency, weight_bands=(WeightBand(100_000, Money(9_900, currency)),), free_from=Money(150_000, currency)),
    )
    by_value = (ShippingRate(country, currency, value_bands=(ValueBand(Money(0, currency), Money(4_900, currency)),)),)
    return st.one_of(
        st.none(),
        st.just(ShippingOption(ShippingMethod.PICKUP)),
        st.sampled_from((rates, by_value)).map(lambda table: ShippingOption(ShippingMethod.SHIP, country, 500, table)),
    )


customers = st.one_of(
    st.just(CustomerContext()),
    st.builds(
        CustomerContext,
        st.just("c-1"),
        st.just("gold"),
        st.just(frozenset()),
        st.builds(TierBenefit, st.integers(0, 30).map(Decimal), st.booleans()),
    ),
)


@st.composite
def requests(draw: st.DrawFn) -> PricingRequest:
    currency, _, lines = draw(carts())
    channel = MARKETS[currency]
    return PricingRequest(
        lines,
        channel,
        NOW,
        customer=draw(customers),
        promotions=draw(promotions(currency)),
        shipping=draw(shipping_for(currency, channel.country)),
    )


def priced(request: PricingRequest) -> PriceBreakdown:
    return price_cart(request)


@settings(max_examples=150, deadline=None)
@given(requests())
def test_line_totals_and_shipping_add_up_to_the_order_total(request: PricingRequest) -> None:
    breakdown = priced(request)

    lines_total = sum(line.total.minor for line in breakdown.lines)
    assert lines_total + breakdown.shipping.total.minor == breakdown.grand_total.minor
    assert breakdown.net_total + breakdown.vat_total == breakdown.grand_total
    assert sum(row.gross.minor for row in breakdown.vat_summary) == breakdown.grand_total.minor
    assert breakdown.subtotal - breakdown.discount_total == Money(
        sum((line.amount - line.discount_total).minor for line in breakdown.lines), breakdown.currency
    )


@settings(max_examples=150, deadline=None)
@given(requests())
def test_discounts_never_make_a_line_negative(request: PricingRequest) -> None:
    breakdown = priced(request)

    for line in breakdown.lines:
        assert 0 <= line.discount_total.minor <= line.amount.minor
        assert all(discount.amount.minor > 0 for discount in line.discounts)
        assert min(line.net.minor, line.vat.minor, line.total.minor) >= 0
    shipping = breakdown.shipping
    assert shipping.total.minor >= 0 and (shipping.discount is None or shipping.discount.amount == shipping.price)


@settings(max_examples=150, deadline=None)
@given(requests())
def test_vat_inclusive_and_exclusive_books_are_consistent(request: PricingRequest) -> None:
    breakdown = priced(request)

    for line in breakdown.lines:
        after_discount = line.amount - line.discount_total
        assert line.net + line.vat == line.total
        if breakdown.prices_include_vat:
            assert line.total == after_discount
            assert line.vat.minor == round_to_minor(Decimal(line.total.minor) * line.vat_rate / (1 + line.vat_rate))
        else:
            assert line.net == after_discount
            assert line.vat.minor == round_to_minor(Decimal(line.net.minor) * line.vat_rate)
    assert sum(line.vat.minor for line in breakdown.lines) + breakdown.shipping.vat.minor == breakdown.vat_total.minor
    assert sum(line.net.minor for line in breakdown.lines) + breakdown.shipping.net.minor == breakdown.net_total.minor


@settings(max_examples=150, deadline=None)
@given(requests())
def test_every_discount_is_allocated_exactly(request: PricingRequest) -> None:
    breakdown = priced(request)

    for outcome in breakdown.promotions:
        allocated = sum(d.amount.minor for line in breakdown.lines for d in line.discounts if d.promotion_id == outcome.promotion_id)
        assert allocated == outcome.amount.minor
        assert outcome.is_applied or (outcome.amount.is_zero and outcome.shipping_discount.is_zero)
    assert breakdown.discount_total.minor == sum(outcome.amount.minor for outcome in breakdown.promotions)


@settings(max_examples=150, deadline=None)
@given(carts(), percents)
def test_a_percentage_is_rounded_once_and_split_by_largest_remainder(
    cart: tuple[str, bool, tuple[CartLine, ...]], percent: Decimal
) -> None:
    currency, _, lines = cart
    request = PricingRequest(lines, MARKETS[currency], NOW, promotions=(Promotion("p", "p", PercentOff(percent)),))

    breakdown = priced(request)

    subtotal = sum(line.amount.minor for line in lines)
    assert breakdown.discount_total.minor == round_to_minor(Decimal(subtotal) * percent / 100)
    for line in breakdown.lines:
        share = Decimal(breakdown.discount_total.minor * line.amount.minor) / subtotal if subtotal else Decimal(0)
        assert abs(line.discount_total.minor - share) < 1


@settings(max_examples=100, deadline=None)
@given(requests(), st.randoms(use_true_random=False))
def test_the_order_promotions_are_given_in_does_not_matter(request: PricingRequest, shuffler: random.Random) -> None:
    shuffled = list(request.promotions)
    shuffler.shuffle(shuffled)

    again = priced(
        PricingRequest(
            request.lines, request.channel, NOW, customer=request.customer, promotions=tuple(shuffled), shipping=request.shipping
        )
    )

    first = priced(request)
    assert (again.grand_total, again.lines, again.shipping) == (first.grand_total, first.lines, first.shipping)


@settings(max_examples=100, deadline=None)
@given(requests(), percents)
def test_adding_an_exclusive_offer_never_makes_an_inclusive_cart_dearer(request: PricingRequest, percent: Decimal) -> None:
    extra = Promotion("extra", "extra", PercentOff(percent), stacking=Stacking.EXCLUSIVE)
    with_extra = PricingRequest(
        request.lines, request.channel, NOW, customer=request.customer, promotions=(*request.promotions, extra), shipping=request.shipping
    )

    before, after = priced(request), priced(with_extra)

    if before.prices_include_vat:
        assert after.grand_total <= before.grand_total
