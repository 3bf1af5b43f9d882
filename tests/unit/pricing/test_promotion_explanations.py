"""Why a promotion did or did not apply, which coupons are errors, and which were consumed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tvers.kernel.money import CurrencyMismatch, Money
from tvers.pricing.cart import CartLine, ChannelContext, CustomerContext
from tvers.pricing.cart_pricing import PriceBreakdown, PricingRequest, price_cart
from tvers.pricing.errors import (
    CouponExpired,
    CouponNotForChannel,
    CouponNotForCurrency,
    CouponNotForCustomer,
    CouponNotStarted,
    CouponRejected,
    CouponRequiresCustomer,
    CouponUnknown,
    CouponUsedUp,
    EmptyCart,
    InvalidPromotion,
    InvalidQuantity,
    MixedVatBasis,
    NaiveDatetime,
)
from tvers.pricing.promotion_types import (
    AmountOff,
    BuyXGetY,
    Coupon,
    CouponUsage,
    FreeShipping,
    PercentOff,
    Promotion,
    PromotionOutcome,
    Stacking,
    Target,
)
from tvers.pricing.promotions import apply_promotions

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WEB = ChannelContext("web-no", "web", "NO")
GOLD = CustomerContext("c-1", "gold")
TEN = PercentOff(Decimal(10))


def nok(amount: str) -> Money:
    return Money.of(amount, "NOK")


LINES = (
    CartLine("l1", "SKU-1", "p-1", 1, nok("500.00"), category="shoes"),
    CartLine("l2", "SKU-2", "p-2", 1, nok("350.00"), category="books"),
)


def price(*promotions: Promotion, coupons: tuple[str, ...] = (), **kwargs: object) -> PriceBreakdown:
    request = PricingRequest(LINES, WEB, NOW, customer=GOLD, promotions=promotions, coupon_codes=coupons, **kwargs)  # type: ignore[arg-type]
    return price_cart(request)


def outcome(breakdown: PriceBreakdown, promotion_id: str) -> PromotionOutcome:
    return next(found for found in breakdown.promotions if found.promotion_id == promotion_id)


@pytest.mark.parametrize(
    ("promotion", "reason", "message"),
    [
        (
            Promotion("t", "1000 off 100", AmountOff(nok("100")), min_subtotal=nok("1000")),
            "below_threshold",
            "cart 850.00 below threshold 1000.00",
        ),
        (Promotion("t", "gold", TEN, tiers=frozenset({"platinum"})), "needs_tier", "needs tier platinum"),
        (Promotion("t", "staff", TEN, segments=frozenset({"staff"})), "needs_segment", "needs customer segment staff"),
        (Promotion("t", "pos", TEN, channels=frozenset({"oslo-pos"})), "not_for_channel", "not offered on channel web-no"),
        (Promotion("t", "old", TEN, ends_at=datetime(2026, 9, 1, tzinfo=UTC)), "expired", "promotion old expired on 2026-08-31"),
        (Promotion("t", "xmas", TEN, starts_at=datetime(2026, 12, 1, tzinfo=UTC)), "not_started", "promotion xmas starts on 2026-12-01"),
        (Promotion("t", "toys", TEN, target=Target(categories=frozenset({"toys"}))), "no_eligible_lines", "no line in the cart qualifies"),
        (Promotion("t", "b2g1", BuyXGetY(2, 1)), "below_quantity", "needs 3 qualifying units, cart has 2"),
        (Promotion("t", "code", TEN, coupon=Coupon("SECRET")), "needs_coupon", "needs a coupon code"),
        (Promotion("t", "ship", FreeShipping()), "no_discount", "shipping is already free"),
    ],
)
def test_why_a_promotion_did_not_apply(promotion: Promotion, reason: str, message: str) -> None:
    breakdown = price(promotion)

    found = outcome(breakdown, "t")
    assert (found.is_applied, found.reason, found.message) == (False, reason, message)
    assert found.amount == nok("0")


def test_an_applied_promotion_names_its_lines_and_amount() -> None:
    breakdown = price(Promotion("t", "shoes", TEN, target=Target(categories=frozenset({"shoes"}))))

    found = outcome(breakdown, "t")
    assert (found.is_applied, found.reason, found.message, found.line_ids) == (True, "applied", "50.00 off lines l1", ("l1",))
    assert breakdown.explanations == ("shoes: 50.00 off lines l1",)
    assert breakdown.lines[0].discounts[0].amount == nok("50.00")


def test_losers_are_explained_as_not_stackable() -> None:
    exclusive = Promotion("excl", "Black Friday", PercentOff(Decimal(30)), stacking=Stacking.EXCLUSIVE)
    stackable = Promotion("pct", "Autumn", TEN)

    breakdown = price(exclusive, stackable)

    assert outcome(breakdown, "excl").is_applied
    assert (outcome(breakdown, "pct").reason, outcome(breakdown, "pct").message) == ("not_stackable", "not stackable with Black Friday")


def test_a_losing_exclusive_is_told_what_beat_it() -> None:
    exclusive = Promotion("excl", "Small", AmountOff(nok("10")), stacking=Stacking.EXCLUSIVE)

    breakdown = price(exclusive, Promotion("pct", "Autumn", TEN))

    assert outcome(breakdown, "excl").message == "exclusive, and Autumn saves the customer more"


def test_higher_priority_applies_first() -> None:
    first = Promotion("b", "fixed", AmountOff(nok("50")), priority=2)
    second = Promotion("a", "percent", TEN, priority=1)

    breakdown = price(second, first)

    assert [d.promotion_id for d in breakdown.lines[0].discounts] == ["b", "a"]
    assert breakdown.grand_total == nok("720.00")  # (850 - 50) * 0.9


SUMMER = Promotion("s", "Summer", TEN, coupon=Coupon("SUMMER10"), ends_at=datetime(2026, 9, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("promotion", "typed", "usage", "customer", "error", "code"),
    [
        (SUMMER, "summer10", (), GOLD, CouponExpired, "coupon_expired"),
        (
            Promotion("s", "Xmas", TEN, coupon=Coupon("XMAS"), starts_at=datetime(2026, 12, 1, tzinfo=UTC)),
            "XMAS",
            (),
            GOLD,
            CouponNotStarted,
            "coupon_not_started",
        ),
        (
            Promotion("s", "S", TEN, coupon=Coupon("ONCE", max_uses=1)),
            "ONCE",
            (CouponUsage("ONCE", 1),),
            GOLD,
            CouponUsedUp,
            "coupon_used_up",
        ),
        (
            Promotion("s", "S", TEN, coupon=Coupon("MINE", max_uses_per_customer=2)),
            "MINE",
            (CouponUsage("MINE", 10, 2),),
            GOLD,
            CouponUsedUp,
            "coupon_used_up",
        ),
        (
            Promotion("s", "S", TEN, coupon=Coupon("MINE", max_uses_per_customer=1)),
            "MINE",
            (),
            CustomerContext(),
            CouponRequiresCustomer,
            "coupon_requires_customer",
        ),
        (
            Promotion("s", "S", TEN, coupon=Coupon("POS"), channels=frozenset({"oslo-pos"})),
            "POS",
            (),
            GOLD,
            CouponNotForChannel,
            "coupon_not_for_channel",
        ),
        (
            Promotion("s", "S", TEN, coupon=Coupon("VIP"), tiers=frozenset({"platinum"})),
            "VIP",
            (),
            GOLD,
            CouponNotForCustomer,
            "coupon_not_for_customer",
        ),
        (
            Promotion("s", "S", AmountOff(Money.of("10", "EUR")), coupon=Coupon("EURO")),
            "EURO",
            (),
            GOLD,
            CouponNotForCurrency,
            "coupon_not_for_currency",
        ),
        (SUMMER, "WINTER", (), GOLD, CouponUnknown, "coupon_unknown"),
    ],
)
def test_a_typed_coupon_that_cannot_apply_is_an_error(
    promotion: Promotion, typed: str, usage: tuple[CouponUsage, ...], customer: CustomerContext, error: type[CouponRejected], code: str
) -> None:
    request = PricingRequest(LINES, WEB, NOW, customer=customer, promotions=(promotion,), coupon_codes=(typed,), coupon_usage=usage)

    with pytest.raises(error) as raised:
        price_cart(request)

    assert raised.value.code == code
    assert raised.value.context["coupon"] == typed.strip().upper()


def test_expired_coupon_message() -> None:
    with pytest.raises(CouponExpired, match="coupon SUMMER10 expired on 2026-08-31"):
        price(SUMMER, coupons=("SUMMER10",))


def test_coupon_problems_can_be_explained_instead_of_raised() -> None:
    breakdown = price(SUMMER, coupons=("SUMMER10", "NOPE"), strict_coupons=False)

    assert [(r.code, r.reason) for r in breakdown.rejected_coupons] == [("SUMMER10", "expired"), ("NOPE", "unknown")]
    assert breakdown.grand_total == nok("850.00")
    assert breakdown.consumed_coupons == ()


def test_a_coupon_below_its_threshold_is_explained_not_raised() -> None:
    promotion = Promotion("s", "Big spender", AmountOff(nok("100")), coupon=Coupon("BIG"), min_subtotal=nok("1000"))

    breakdown = price(promotion, coupons=("BIG",))

    assert outcome(breakdown, "s").reason == "below_threshold"
    assert breakdown.consumed_coupons == ()


def test_coupons_consumed_are_reported_once() -> None:
    promotion = Promotion("s", "Ten", TEN, coupon=Coupon("TEN", max_uses=1))

    result = apply_promotions(LINES, promotions=(promotion,), channel=WEB, customer=GOLD, at=NOW, coupon_codes=("ten", "TEN"))

    assert result.consumed_coupons == ("TEN",)
    assert result.benefit == nok("85.00")


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: PricingRequest((), WEB, NOW), EmptyCart),
        (lambda: PricingRequest(LINES, WEB, datetime(2026, 11, 22)), NaiveDatetime),
        (lambda: PricingRequest((LINES[0], CartLine("x", "X", "x", 1, nok("1"), prices_include_vat=False)), WEB, NOW), MixedVatBasis),
        (lambda: PricingRequest((LINES[0], CartLine("x", "X", "x", 1, Money.of("1", "EUR"))), WEB, NOW), CurrencyMismatch),
    ],
)
def test_bad_carts_are_refused(make: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        price_cart(make())  # type: ignore[operator]


@pytest.mark.parametrize("quantity", [0, -1, 10**9])
def test_bad_quantities_are_refused(quantity: int) -> None:
    with pytest.raises(InvalidQuantity) as raised:
        CartLine("l", "SKU", "p", quantity, nok("1.00"))

    assert raised.value.code == "invalid_quantity"


@pytest.mark.parametrize(
    "make",
    [
        lambda: PercentOff(Decimal(0)),
        lambda: PercentOff(Decimal(101)),
        lambda: AmountOff(nok("0")),
        lambda: BuyXGetY(0, 1),
        lambda: Coupon(" "),
        lambda: Coupon("X", max_uses=0),
        lambda: Promotion("p", "p", TEN, starts_at=NOW, ends_at=NOW),
        lambda: Promotion("p", "p", FreeShipping(), target=Target(skus=frozenset({"A"}))),
        lambda: Promotion("p", "p", TEN, starts_at=datetime(2026, 1, 1)),
    ],
)
def test_bad_promotions_are_refused(make: object) -> None:
    with pytest.raises(InvalidPromotion):
        make()  # type: ignore[operator]


def test_duplicate_promotion_ids_are_refused() -> None:
    with pytest.raises(InvalidPromotion):
        price(Promotion("p", "a", TEN), Promotion("p", "b", TEN))
