"""A table of promotion cases with totals worked out by hand, to the cent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tvers.kernel.money import Money
from tvers.pricing.cart import CartLine, ChannelContext, CustomerContext, TierBenefit
from tvers.pricing.cart_pricing import PricingRequest, price_cart
from tvers.pricing.promotion_types import (
    AmountOff,
    Benefit,
    BuyXGetY,
    Coupon,
    CouponUsage,
    FreeShipping,
    PercentOff,
    Promotion,
    Stacking,
    Target,
)
from tvers.pricing.shipping import ShippingMethod, ShippingOption, ShippingRate, WeightBand

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WEB = ChannelContext("web-no", "web", "NO")
POS = ChannelContext("oslo-pos", "pos", "NO")
WEB_DE = ChannelContext("web-de", "web", "DE")
GOLD = CustomerContext("c-1", "gold", frozenset({"staff"}))
SILVER = CustomerContext("c-2", "silver")
PERCENT = Decimal


def nok(amount: str) -> Money:
    return Money.of(amount, "NOK")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def line(line_id: str, price: Money, quantity: int = 1, *, category: str = "misc", tax: str = "standard", incl: bool = True) -> CartLine:
    return CartLine(line_id, f"SKU-{line_id}", f"p-{line_id}", quantity, price, category=category, tax_class=tax, prices_include_vat=incl)


def promo(promotion_id: str, benefit: Benefit, **kwargs: object) -> Promotion:
    return Promotion(promotion_id, promotion_id, benefit, **kwargs)  # type: ignore[arg-type]


SHOES_AND_BOOK = (line("shoe", nok("500.00"), 2, category="shoes/running"), line("book", nok("200.00"), category="books"))
SHIRTS = (
    line("shirt-a", nok("300.00"), 2, category="clothing/shirts"),
    line("shirt-b", nok("100.00"), category="clothing/shirts"),
    line("sock", nok("50.00"), category="clothing/socks"),
)
MANY_SHIRTS = (line("shirt-a", nok("300.00"), 2, category="clothing/shirts"), line("shirt-b", nok("100.00"), 4, category="clothing/shirts"))
NO_RATES = (ShippingRate("NO", "NOK", weight_bands=(WeightBand(5_000, nok("99.00")),), free_from=nok("1500.00")),)
DE_RATES = (ShippingRate("DE", "EUR", weight_bands=(WeightBand(5_000, eur("5.90")),)),)
SHIP_NO = ShippingOption(ShippingMethod.SHIP, "NO", 1_000, NO_RATES)
SHIP_DE = ShippingOption(ShippingMethod.SHIP, "DE", 1_000, DE_RATES)
CART = Target()
SHOES = Target(categories=frozenset({"shoes"}))
BOOK = Target(product_ids=frozenset({"p-book"}))
SHIRT_CATEGORY = Target(categories=frozenset({"clothing/shirts"}))
ENDED = datetime(2026, 9, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    name: str
    lines: tuple[CartLine, ...]
    promotions: tuple[Promotion, ...]
    grand_total: Money
    applied: frozenset[str]
    discount_total: Money | None = None
    channel: ChannelContext = WEB
    customer: CustomerContext = GOLD
    coupons: tuple[str, ...] = ()
    usage: tuple[CouponUsage, ...] = ()
    shipping: ShippingOption | None = None
    vat_total: Money | None = None
    consumed: tuple[str, ...] = field(default=())


CASES = [
    # --- percentage and fixed, on product / category / cart
    Case("no promotion", SHOES_AND_BOOK, (), nok("1200.00"), frozenset(), nok("0"), vat_total=nok("240.00")),
    Case("10% off cart", SHOES_AND_BOOK, (promo("p", PercentOff(PERCENT(10))),), nok("1080.00"), frozenset({"p"}), nok("120.00")),
    Case("10% off category", SHOES_AND_BOOK, (promo("p", PercentOff(PERCENT(10)), target=SHOES),), nok("1100.00"), frozenset({"p"})),
    Case("150 off product", SHOES_AND_BOOK, (promo("p", AmountOff(nok("150")), target=BOOK),), nok("1050.00"), frozenset({"p"})),
    Case("fixed capped at line", SHOES_AND_BOOK, (promo("p", AmountOff(nok("300")), target=BOOK),), nok("1000.00"), frozenset({"p"})),
    Case(
        "50 off each shoe",
        SHOES_AND_BOOK,
        (promo("p", AmountOff(nok("50"), per_unit=True), target=SHOES),),
        nok("1100.00"),
        frozenset({"p"}),
    ),
    Case("250 off cart", SHOES_AND_BOOK, (promo("p", AmountOff(nok("250"))),), nok("950.00"), frozenset({"p"}), vat_total=nok("190.00")),
    # --- spend thresholds
    Case(
        "spend 1000 get 100",
        SHOES_AND_BOOK,
        (promo("p", AmountOff(nok("100")), min_subtotal=nok("1000")),),
        nok("1100.00"),
        frozenset({"p"}),
    ),
    Case("below threshold", SHOES_AND_BOOK, (promo("p", AmountOff(nok("100")), min_subtotal=nok("1500")),), nok("1200.00"), frozenset()),
    Case(
        "category threshold",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(20)), target=SHOES, min_subtotal=nok("1000")),),
        nok("1000.00"),
        frozenset({"p"}),
    ),
    # --- stacking and priority
    Case(
        "percent then threshold",
        SHOES_AND_BOOK,
        (promo("pct", PercentOff(PERCENT(10)), priority=10), promo("spend", AmountOff(nok("100")), min_subtotal=nok("1000"), priority=5)),
        nok("980.00"),
        frozenset({"pct", "spend"}),
    ),
    Case(
        "threshold then percent",
        SHOES_AND_BOOK,
        (promo("pct", PercentOff(PERCENT(10)), priority=5), promo("spend", AmountOff(nok("100")), min_subtotal=nok("1000"), priority=10)),
        nok("990.00"),
        frozenset({"pct", "spend"}),
    ),
    Case(
        "earlier discount drops cart below threshold",
        SHOES_AND_BOOK,
        (promo("pct", PercentOff(PERCENT(20)), priority=10), promo("spend", AmountOff(nok("100")), min_subtotal=nok("1000"))),
        nok("960.00"),
        frozenset({"pct"}),
    ),
    Case(
        "exclusive beats weaker stack",
        SHOES_AND_BOOK,
        (promo("pct", PercentOff(PERCENT(10))), promo("excl", PercentOff(PERCENT(15)), stacking=Stacking.EXCLUSIVE)),
        nok("1020.00"),
        frozenset({"excl"}),
    ),
    Case(
        "stronger stack beats exclusive",
        SHOES_AND_BOOK,
        (
            promo("pct", PercentOff(PERCENT(10)), priority=10),
            promo("fixed", AmountOff(nok("100"))),
            promo("excl", PercentOff(PERCENT(15)), stacking=Stacking.EXCLUSIVE),
        ),
        nok("980.00"),
        frozenset({"pct", "fixed"}),
    ),
    Case(
        "best of two exclusives",
        SHOES_AND_BOOK,
        (
            promo("excl-pct", PercentOff(PERCENT(15)), stacking=Stacking.EXCLUSIVE, priority=99),
            promo("excl-fixed", AmountOff(nok("200")), stacking=Stacking.EXCLUSIVE),
        ),
        nok("1000.00"),
        frozenset({"excl-fixed"}),
    ),
    Case(
        "tie goes to the stack",
        SHOES_AND_BOOK,
        (promo("pct", PercentOff(PERCENT(10))), promo("excl", AmountOff(nok("120")), stacking=Stacking.EXCLUSIVE)),
        nok("1080.00"),
        frozenset({"pct"}),
    ),
    # --- buy X get Y
    Case("buy 2 get 1 free", SHIRTS, (promo("b", BuyXGetY(2, 1), target=SHIRT_CATEGORY),), nok("650.00"), frozenset({"b"})),
    Case(
        "buy 1 get 1 half price", SHIRTS, (promo("b", BuyXGetY(1, 1, PERCENT(50)), target=SHIRT_CATEGORY),), nok("700.00"), frozenset({"b"})
    ),
    Case("buy 3 get 1: too few", SHIRTS, (promo("b", BuyXGetY(3, 1), target=SHIRT_CATEGORY),), nok("750.00"), frozenset()),
    Case("buy 2 get 1, two groups", MANY_SHIRTS, (promo("b", BuyXGetY(2, 1), target=SHIRT_CATEGORY),), nok("800.00"), frozenset({"b"})),
    Case(
        "buy 2 get 1 after 10% off",
        SHIRTS,
        (promo("pct", PercentOff(PERCENT(10)), priority=1), promo("b", BuyXGetY(2, 1), target=SHIRT_CATEGORY)),
        nok("585.00"),
        frozenset({"pct", "b"}),
    ),
    # --- tiers, segments, channels
    Case(
        "tier promotion, silver",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(10)), tiers=frozenset({"gold"})),),
        nok("1200.00"),
        frozenset(),
        customer=SILVER,
    ),
    Case(
        "tier promotion, gold",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(10)), tiers=frozenset({"gold"})),),
        nok("1080.00"),
        frozenset({"p"}),
    ),
    Case(
        "segment promotion",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(20)), segments=frozenset({"staff"})),),
        nok("960.00"),
        frozenset({"p"}),
    ),
    Case(
        "segment, outsider",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(20)), segments=frozenset({"staff"})),),
        nok("1200.00"),
        frozenset(),
        customer=SILVER,
    ),
    Case(
        "channel promotion, other channel",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(10)), channels=frozenset({"oslo-pos"})),),
        nok("1200.00"),
        frozenset(),
    ),
    Case(
        "channel promotion, its channel",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(10)), channels=frozenset({"oslo-pos"})),),
        nok("1080.00"),
        frozenset({"p"}),
        channel=POS,
    ),
    Case(
        "channel type promotion",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(10)), channel_types=frozenset({"pos"})),),
        nok("1200.00"),
        frozenset(),
    ),
    Case(
        "tier benefits: 5% and free shipping",
        SHOES_AND_BOOK,
        (),
        nok("1140.00"),
        frozenset({"tier:gold:percent", "tier:gold:shipping"}),
        customer=CustomerContext("c-1", "gold", benefits=TierBenefit(PERCENT(5), free_shipping=True)),
        shipping=SHIP_NO,
    ),
    Case(
        "tier benefit applies after promotions",
        SHOES_AND_BOOK,
        (promo("fixed", AmountOff(nok("200"))),),
        nok("950.00"),
        frozenset({"fixed", "tier:gold:percent"}),
        customer=CustomerContext("c-1", "gold", benefits=TierBenefit(PERCENT(5))),
    ),
    # --- coupons
    Case(
        "coupon with uses left",
        SHOES_AND_BOOK,
        (promo("c", PercentOff(PERCENT(10)), coupon=Coupon("SAVE10", max_uses=100)),),
        nok("1080.00"),
        frozenset({"c"}),
        coupons=(" save10 ",),
        usage=(CouponUsage("SAVE10", used_total=99),),
        consumed=("SAVE10",),
    ),
    Case("coupon not typed", SHOES_AND_BOOK, (promo("c", PercentOff(PERCENT(10)), coupon=Coupon("SAVE10")),), nok("1200.00"), frozenset()),
    Case(
        "exclusive coupon loses to better stack: not consumed",
        SHOES_AND_BOOK,
        (promo("c", AmountOff(nok("50")), coupon=Coupon("FIFTY"), stacking=Stacking.EXCLUSIVE), promo("pct", PercentOff(PERCENT(10)))),
        nok("1080.00"),
        frozenset({"pct"}),
        coupons=("FIFTY",),
    ),
    # --- shipping
    Case("shipping charged", SHOES_AND_BOOK, (), nok("1299.00"), frozenset(), shipping=SHIP_NO, vat_total=nok("259.80")),
    Case("free shipping from 1500", (line("tv", nok("1500.00")),), (), nok("1500.00"), frozenset(), shipping=SHIP_NO),
    Case(
        "discount drops below free-shipping threshold",
        (line("tv", nok("1500.00")),),
        (promo("p", AmountOff(nok("100"))),),
        nok("1499.00"),
        frozenset({"p"}),
        shipping=SHIP_NO,
    ),
    Case(
        "exclusive that would lose free shipping is not chosen",
        (line("tv", nok("1500.00")),),
        (promo("excl", AmountOff(nok("50")), stacking=Stacking.EXCLUSIVE),),
        nok("1500.00"),
        frozenset(),
        shipping=SHIP_NO,
    ),
    Case(
        "free shipping promotion",
        SHOES_AND_BOOK,
        (promo("fs", FreeShipping(), min_subtotal=nok("1000")),),
        nok("1200.00"),
        frozenset({"fs"}),
        shipping=SHIP_NO,
    ),
    Case(
        "free shipping below its threshold",
        SHOES_AND_BOOK,
        (promo("fs", FreeShipping(), min_subtotal=nok("2000")),),
        nok("1299.00"),
        frozenset(),
        shipping=SHIP_NO,
    ),
    Case("pickup is free", SHOES_AND_BOOK, (), nok("1200.00"), frozenset(), shipping=ShippingOption(ShippingMethod.PICKUP)),
    # --- date windows
    Case("promotion expired", SHOES_AND_BOOK, (promo("p", PercentOff(PERCENT(10)), ends_at=ENDED),), nok("1200.00"), frozenset()),
    Case(
        "promotion not started",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(10)), starts_at=datetime(2026, 12, 1, tzinfo=UTC)),),
        nok("1200.00"),
        frozenset(),
    ),
    Case(
        "promotion in its window",
        SHOES_AND_BOOK,
        (promo("p", PercentOff(PERCENT(10)), starts_at=datetime(2026, 11, 20, tzinfo=UTC), ends_at=datetime(2026, 11, 30, tzinfo=UTC)),),
        nok("1080.00"),
        frozenset({"p"}),
    ),
    # --- EUR, VAT-inclusive (DE 19% / 7%)
    Case(
        "EUR inclusive 10% off, mixed rates",
        (line("a", eur("19.99"), 2), line("b", eur("9.99"), tax="reduced")),
        (promo("p", PercentOff(PERCENT(10))),),
        eur("44.97"),
        frozenset({"p"}),
        eur("5.00"),
        channel=WEB_DE,
        vat_total=eur("6.33"),
    ),
    Case(
        "EUR inclusive with shipping",
        (line("a", eur("19.99"), 2),),
        (),
        eur("45.88"),
        frozenset(),
        channel=WEB_DE,
        shipping=SHIP_DE,
        vat_total=eur("7.32"),
    ),
    Case(
        "EUR fixed off in NOK does not apply",
        (line("a", eur("19.99"), 2),),
        (promo("p", AmountOff(nok("100"))),),
        eur("39.98"),
        frozenset(),
        channel=WEB_DE,
    ),
    Case(
        "EUR Finland 25.5% with 20% off a category",
        (line("a", eur("10.00"), 3, category="shoes"), line("b", eur("4.99"))),
        (promo("p", PercentOff(PERCENT(20)), target=SHOES),),
        eur("28.99"),
        frozenset({"p"}),
        eur("6.00"),
        channel=ChannelContext("web-fi", "web", "FI"),
        vat_total=eur("5.89"),
    ),
    # --- VAT-exclusive books
    Case(
        "EUR exclusive 10% off",
        (line("a", eur("100.00"), 2, incl=False), line("b", eur("50.00"), tax="reduced", incl=False)),
        (promo("p", PercentOff(PERCENT(10))),),
        eur("262.35"),
        frozenset({"p"}),
        eur("25.00"),
        channel=WEB_DE,
        vat_total=eur("37.35"),
    ),
    Case(
        "NOK exclusive spend 1000 get 100",
        (line("shoe", nok("500.00"), 2, incl=False), line("book", nok("200.00"), incl=False)),
        (promo("p", AmountOff(nok("100")), min_subtotal=nok("1000")),),
        nok("1375.00"),
        frozenset({"p"}),
        vat_total=nok("275.00"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_promotion_case(case: Case) -> None:
    request = PricingRequest(
        case.lines,
        case.channel,
        NOW,
        customer=case.customer,
        promotions=case.promotions,
        coupon_codes=case.coupons,
        coupon_usage=case.usage,
        shipping=case.shipping,
    )

    breakdown = price_cart(request)

    assert breakdown.grand_total == case.grand_total
    assert {outcome.promotion_id for outcome in breakdown.promotions if outcome.is_applied} == case.applied
    if case.discount_total is not None:
        assert breakdown.discount_total == case.discount_total
    if case.vat_total is not None:
        assert breakdown.vat_total == case.vat_total
    assert breakdown.consumed_coupons == case.consumed
