"""A table of refunds worked out by hand, to the øre, and the returns the calculation refuses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tvers.kernel.money import Money
from tvers.payments.schemas import LOCAL_TENDERS, TenderCode
from tvers.pricing.cart import CartLine, ChannelContext
from tvers.pricing.cart_pricing import PricingRequest, price_cart
from tvers.pricing.promotion_types import AmountOff, BuyXGetY, Promotion
from tvers.pricing.shipping import ShippingMethod, ShippingOption, ShippingRate, WeightBand
from tvers.returns.errors import EmptyReturn, InvalidRefundInput, InvalidReturnQuantity, RefundAboveRemaining, UnknownReturnLine
from tvers.returns.refund_types import (
    CapturedTender,
    DiscountPart,
    GiftCardRefund,
    PromotionTerms,
    RefundPlan,
    RefundPolicy,
    RestockingFee,
    ReturnLine,
    ShippingCharge,
    ShippingRefund,
    SoldLine,
    SoldOrder,
)
from tvers.returns.refunds import REFUND_ORDER, after_refund, refund_for

RATE = Decimal("0.25")
SPEND = "Spend 3000, get 300 off"

# A web order under "spend 3,000, get 300 off", paid by gift card and card (priced by the engine: see the first test).
# The 300.00 split by largest remainder over 2,997.00 and 199.00: jackets 281.32, cap 18.68.
JACKETS = SoldLine("jacket", 3, 3, amount_minor=299_700, total_minor=271_568, vat_minor=54_314, vat_rate=RATE,
                   discounts=(DiscountPart("spend3000", 28_132, SPEND),), title="Jacket")
CAP = SoldLine("cap", 1, 1, amount_minor=19_900, total_minor=18_032, vat_minor=3_606, vat_rate=RATE,
               discounts=(DiscountPart("spend3000", 1_868, SPEND),), title="Cap")
GIFT = CapturedTender("pay-gift", "gift_card", 50_000, position=0)
CARD = CapturedTender("pay-card", "stripe", 249_500, position=1)
WEB_ORDER = SoldOrder("NOK", True, (JACKETS, CAP), (GIFT, CARD), (PromotionTerms("spend3000", SPEND, min_subtotal_minor=300_000),),
                      ShippingCharge(9_900, 1_980), points_earned=299)

# Six socks under "3 for 2": two free, 198.00 off 594.00.
SOCKS = SoldLine("socks", 6, 6, amount_minor=59_400, total_minor=39_600, vat_minor=7_920, vat_rate=RATE,
                 discounts=(DiscountPart("3for2", 19_800, "3 for 2"),))
SOCK_ORDER = SoldOrder("NOK", True, (SOCKS,), (CapturedTender("pay-card", "stripe", 39_600),),
                       (PromotionTerms("3for2", "3 for 2", units_per_group=3),))
THREE_SOCKS = SoldOrder("NOK", True, (SoldLine("socks", 3, 3, amount_minor=29_700, total_minor=19_800, vat_minor=3_960, vat_rate=RATE,
                                               discounts=(DiscountPart("3for2", 9_900, "3 for 2"),)),),
                        (CapturedTender("pay-card", "stripe", 19_800),), (PromotionTerms("3for2", "3 for 2", units_per_group=3),))

# A B2B order from a VAT-exclusive book: 4 × 250.00 net, 100.00 off from 1,000.00 net; VAT 25 % on 900.00.
NET_ORDER = SoldOrder("NOK", False, (SoldLine("chair", 4, 4, amount_minor=100_000, total_minor=112_500, vat_minor=22_500, vat_rate=RATE,
                                              discounts=(DiscountPart("net1000", 10_000, "100 off 1000"),)),),
                      (CapturedTender("pay-card", "stripe", 112_500),),
                      (PromotionTerms("net1000", "100 off 1000", min_subtotal_minor=100_000),))

BOOTS = SoldOrder("NOK", True, (SoldLine("boots", 1, 1, amount_minor=129_900, total_minor=129_900, vat_minor=25_980, vat_rate=RATE),),
                  (CapturedTender("pay-card", "stripe", 129_900),))
SOAP = SoldOrder("NOK", True, (SoldLine("soap", 1, 1, amount_minor=3_000, total_minor=3_000, vat_minor=600, vat_rate=RATE),),
                 (CapturedTender("pay-card", "stripe", 3_000),))
# Two lamps at 500.00 and 99.00 shipping, all by card.
LAMPS = SoldOrder("NOK", True, (SoldLine("lamp", 2, 2, amount_minor=100_000, total_minor=100_000, vat_minor=20_000, vat_rate=RATE),),
                  (CapturedTender("pay-card", "stripe", 109_900),), shipping=ShippingCharge(9_900, 1_980))
# Five mugs at 100.00, paid 100.00 by each kind of tender, given at checkout in the opposite order of refunds.
MUGS = SoldOrder("NOK", True, (SoldLine("mug", 5, 5, amount_minor=50_000, total_minor=50_000, vat_minor=10_000, vat_rate=RATE),),
                 (CapturedTender("pay-points", "loyalty_points", 10_000, position=0, points=1_000),
                  CapturedTender("pay-gift", "gift_card", 10_000, position=1),
                  CapturedTender("pay-credit", "store_credit", 10_000, position=2),
                  CapturedTender("pay-cash", "cash", 10_000, position=3),
                  CapturedTender("pay-card", "test_card", 10_000, position=4)))
# Three plates at 50.00: 50.00 by card, 100.00 with 1,000 points.
PLATES = SoldOrder("NOK", True, (SoldLine("plate", 3, 3, amount_minor=15_000, total_minor=15_000, vat_minor=3_000, vat_rate=RATE),),
                   (CapturedTender("pay-card", "stripe", 5_000), CapturedTender("pay-points", "loyalty_points", 10_000, points=1_000)))
# Three glasses at 4.00 with 2.00 off the line: 10.00 for three, VAT 2.00.
GLASSES = SoldOrder("NOK", True, (SoldLine("glass", 3, 3, amount_minor=1_200, total_minor=1_000, vat_minor=200, vat_rate=RATE,
                                           discounts=(DiscountPart("two-off", 200),)),), (CapturedTender("pay-card", "stripe", 1_000),))
# Four bowls at 100.00, one cancelled before shipping: 300.00 charged.
BOWLS = SoldOrder("NOK", True, (SoldLine("bowl", 4, 3, amount_minor=40_000, total_minor=40_000, vat_minor=8_000, vat_rate=RATE,
                                         cancelled_quantity=1),), (CapturedTender("pay-card", "stripe", 30_000),))

NEVER = RefundPolicy()
ALL_BACK = RefundPolicy(shipping=ShippingRefund.WHEN_ALL_RETURNED)
ALWAYS = RefundPolicy(shipping=ShippingRefund.ALWAYS)


def back(*pairs: tuple[str, int]) -> tuple[ReturnLine, ...]:
    return tuple(ReturnLine(line_id, quantity) for line_id, quantity in pairs)


@dataclass(frozen=True)
class Case:
    name: str
    order: SoldOrder
    returned: tuple[ReturnLine, ...]
    total: int
    vat: int
    tenders: dict[str, int]
    policy: RefundPolicy = NEVER
    before: tuple[tuple[ReturnLine, ...], ...] = ()  # earlier returns of the same order
    clawed: int = 0  # deducted less paid back
    outstanding: int = 0
    shipping: int = 0
    fee: int = 0
    points: int = 0
    points_back: dict[str, int] = field(default_factory=dict)


CASES = [
    # 2 of 3 jackets: 2715.68 × 2 ÷ 3 = 1810.45 (VAT 543.14 × 2 ÷ 3 = 362.09). Kept: 999.00 + 199.00 < 3000.00, so the
    # kept jacket's 281.32 − 187.54 = 93.78 and the cap's 18.68 are deducted: 112.46 (VAT 18.76 + 3.74 = 22.50).
    # To the card first. Points: 299 × 1697.99 ÷ 2995.00 = 169.5 → 169.
    Case("two of three discounted jackets: the broken threshold's discount on what is kept is deducted",
         WEB_ORDER, back(("jacket", 2)), total=169_799, vat=36_209 - 2_250, tenders={"pay-card": 169_799}, clawed=11_246, points=169),
    # Then the last jacket (905.23, VAT 181.05) and the cap (180.32, VAT 36.06): the 112.46 deducted is paid back (VAT 22.50),
    # and shipping 99.00 (VAT 19.80) now everything is back: 1297.01; the card's last 797.01, then the gift card's 500.00.
    Case("the rest: the deduction is paid back, and shipping with the return that leaves nothing kept",
         WEB_ORDER, back(("jacket", 1), ("cap", 1)), total=129_701, vat=18_105 + 3_606 + 2_250 + 1_980,
         tenders={"pay-card": 79_701, "pay-gift": 50_000}, policy=ALL_BACK, before=(back(("jacket", 2)),),
         clawed=-11_246, shipping=9_900, points=130),
    # The cap alone: the jackets kept (2997.00) fall below 3000.00 and would owe their 281.32, more than the cap's 180.32.
    # Not returning the cap owes nothing, so the claw-back is capped at the cap's own 180.32: the refund is 0, nothing is
    # left owing (a later return pays nothing more for it), whatever order the returns come in.
    Case("the cap alone: what is owed is capped at what keeping the cap would cost, and nothing waits",
         WEB_ORDER, back(("cap", 1)), total=0, vat=0, tenders={}, clawed=18_032, outstanding=0),
    Case("the same with the claw-back turned off: the jackets keep their share of the discount", WEB_ORDER, back(("jacket", 2)),
         total=181_045, vat=36_209, tenders={"pay-card": 181_045}, policy=RefundPolicy(is_claw_back_on=False), points=180),
    Case("everything at once: everything paid, the gift-card part as store credit",
         WEB_ORDER, back(("jacket", 3), ("cap", 1)), total=299_500, vat=54_314 + 3_606 + 1_980,
         tenders={"pay-card": 249_500, "pay-gift": 50_000},
         policy=RefundPolicy(shipping=ShippingRefund.WHEN_ALL_RETURNED, gift_card=GiftCardRefund.STORE_CREDIT),
         shipping=9_900, points=299),
    # 3 for 2, one of three socks: 66.00 paid; the two kept make no group, their 99.00 × 2 ÷ 3 = 66.00 discount goes.
    Case("one of three socks under 3 for 2 gives nothing back", THREE_SOCKS, back(("socks", 1)), total=0, vat=0, tenders={},
         clawed=6_600),
    # Six socks, two back: 132.00 paid; four kept complete one group of two: 132.00 − 198.00 ÷ 2 = 33.00 (VAT 6.60) deducted.
    Case("two of six socks under 3 for 2: the kept four keep one free sock", SOCK_ORDER, back(("socks", 2)), total=9_900,
         vat=2_640 - 660, tenders={"pay-card": 9_900}, clawed=3_300),
    # VAT-exclusive: 1 of 4 chairs, 281.25 (VAT 56.25); the kept 750.00 net miss 1000.00: 75.00 net + 18.75 VAT deducted.
    Case("a VAT-exclusive book: the claw-back is deducted with its VAT", NET_ORDER, back(("chair", 1)), total=18_750,
         vat=5_625 - 1_875, tenders={"pay-card": 18_750}, clawed=9_375),
    # Restocking 10 % of 1299.00 = 129.90 (VAT 25.98).
    Case("a 10 % restocking fee", BOOTS, back(("boots", 1)), total=116_910, vat=25_980 - 2_598, tenders={"pay-card": 116_910},
         policy=RefundPolicy(restocking=RestockingFee(Decimal(10))), fee=12_990),
    Case("10 % and 49.00 fixed", BOOTS, back(("boots", 1)), total=112_010, vat=25_980 - 3_578, tenders={"pay-card": 112_010},
         policy=RefundPolicy(restocking=RestockingFee(Decimal(10), 4_900)), fee=17_890),
    Case("a fixed fee never takes more than the line gives back", SOAP, back(("soap", 1)), total=0, vat=0, tenders={},
         policy=RefundPolicy(restocking=RestockingFee(fixed_minor=4_900)), fee=3_000),
    Case("a line's own terms (here: none) override the policy's fee", BOOTS, (ReturnLine("boots", 1, RestockingFee()),), total=129_900,
         vat=25_980, tenders={"pay-card": 129_900}, policy=RefundPolicy(restocking=RestockingFee(Decimal(10)))),
    Case("shipping never", LAMPS, back(("lamp", 1)), total=50_000, vat=10_000, tenders={"pay-card": 50_000}),
    Case("shipping always, with the first return", LAMPS, back(("lamp", 1)), total=59_900, vat=11_980, tenders={"pay-card": 59_900},
         policy=ALWAYS, shipping=9_900),
    Case("shipping always, but only once", LAMPS, back(("lamp", 1)), total=50_000, vat=10_000, tenders={"pay-card": 50_000},
         policy=ALWAYS, before=(back(("lamp", 1)),)),
    Case("shipping when all is returned: not while a lamp is kept", LAMPS, back(("lamp", 1)), total=50_000, vat=10_000,
         tenders={"pay-card": 50_000}, policy=ALL_BACK),
    Case("shipping when all is returned: with the last lamp", LAMPS, back(("lamp", 1)), total=59_900, vat=11_980,
         tenders={"pay-card": 59_900}, policy=ALL_BACK, before=(back(("lamp", 1)),), shipping=9_900),
    Case("refund order: card, then cash, then store credit", MUGS, back(("mug", 3)), total=30_000, vat=6_000,
         tenders={"pay-card": 10_000, "pay-cash": 10_000, "pay-credit": 10_000}),
    Case("refund order: gift card, then points last", MUGS, back(("mug", 2)), total=20_000, vat=4_000,
         tenders={"pay-gift": 10_000, "pay-points": 10_000}, before=(back(("mug", 3)),), points_back={"pay-points": 1_000}),
    Case("points spent go back as points, in proportion", PLATES, back(("plate", 2)), total=10_000, vat=2_000,
         tenders={"pay-card": 5_000, "pay-points": 5_000}, points_back={"pay-points": 500}),
    Case("the last part of a points payment returns the rest of its points", PLATES, back(("plate", 1)), total=5_000, vat=1_000,
         tenders={"pay-points": 5_000}, before=(back(("plate", 2)),), points_back={"pay-points": 500}),
    Case("the first of three glasses: 10.00 × 1 ÷ 3 rounded down", GLASSES, back(("glass", 1)), total=333, vat=66,
         tenders={"pay-card": 333}),
    Case("the last of three glasses takes the odd øre", GLASSES, back(("glass", 1)), total=334, vat=67, tenders={"pay-card": 334},
         before=(back(("glass", 1)), back(("glass", 1)))),
    Case("a cancelled unit's share is not refunded", BOWLS, back(("bowl", 3)), total=30_000, vat=6_000, tenders={"pay-card": 30_000}),
]


def plan_for(case: Case) -> RefundPlan:
    order = case.order
    for earlier in case.before:
        order = after_refund(order, refund_for(earlier, order, case.policy))
    return refund_for(case.returned, order, case.policy)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_refund_to_the_øre(case: Case) -> None:
    # given an order, its earlier returns and the policy; when these units come back
    plan = plan_for(case)
    # then every figure is as worked out by hand
    assert (plan.total_minor, plan.vat_minor) == (case.total, case.vat)
    assert {tender.payment_id: tender.amount_minor for tender in plan.tenders} == case.tenders
    assert plan.clawed_back_minor == case.clawed
    assert sum(claw.outstanding_minor for claw in plan.promotions) == case.outstanding
    assert (plan.shipping.amount_minor, plan.restocking_fee_minor, plan.points_to_reverse) == (case.shipping, case.fee, case.points)
    assert {t.payment_id: t.points for t in plan.tenders if t.points} == case.points_back


def test_the_web_order_fixture_is_what_the_pricing_engine_charged() -> None:
    nok = lambda minor: Money(minor, "NOK")  # noqa: E731
    rate = ShippingRate("NO", "NOK", weight_bands=(WeightBand(5_000, nok(9_900)),))
    promotion = Promotion("spend3000", SPEND, AmountOff(nok(30_000)), min_subtotal=nok(300_000))
    breakdown = price_cart(PricingRequest(
        lines=(CartLine("jacket", "J", "p-j", 3, nok(99_900)), CartLine("cap", "C", "p-c", 1, nok(19_900))),
        channel=ChannelContext("web-no", "web", "NO"), at=datetime(2026, 11, 22, tzinfo=UTC), promotions=(promotion,),
        shipping=ShippingOption(ShippingMethod.SHIP, "NO", 1_000, (rate,))))
    priced = [(line.amount.minor, line.total.minor, line.vat.minor, [d.amount.minor for d in line.discounts]) for line in breakdown.lines]
    assert priced == [(line.amount_minor, line.total_minor, line.vat_minor, [d.amount_minor for d in line.discounts])
                      for line in WEB_ORDER.lines]
    assert (breakdown.shipping.total.minor, breakdown.shipping.vat.minor) == (9_900, 1_980)
    assert breakdown.grand_total.minor == sum(tender.captured_minor for tender in WEB_ORDER.tenders)


def test_six_socks_are_what_the_pricing_engine_charged() -> None:
    breakdown = price_cart(PricingRequest(lines=(CartLine("socks", "S", "p-s", 6, Money(9_900, "NOK")),),
                                          channel=ChannelContext("web-no", "web", "NO"), at=datetime(2026, 11, 22, tzinfo=UTC),
                                          promotions=(Promotion("3for2", "3 for 2", BuyXGetY(2, 1)),)))
    (line,) = breakdown.lines
    assert (line.discount_total.minor, line.total.minor, line.vat.minor) == (19_800, 39_600, 7_920)


def test_every_figure_is_explained() -> None:
    plan = refund_for(back(("jacket", 2)), WEB_ORDER, NEVER)
    assert plan.explanations == (
        "Jacket: 2 of 3 units returned, paid 1810.45 NOK incl. VAT 362.09 NOK (25 %) after discounts Spend 3000, get 300 off 187.54 NOK",
        "Spend 3000, get 300 off: the items kept come to 1198.00 NOK, below its 3000.00 NOK threshold; "
        "112.46 NOK of its discount on the kept items is deducted",
        "Shipping 99.00 NOK not refunded: the policy never refunds it",
        "1697.99 NOK to stripe (external tenders are refunded first), payment pay-card (captured 2495.00 NOK, refunded before 0.00 NOK)",
        "169 loyalty points earned on the returned goods are taken back",
        "Refund 1697.99 NOK incl. VAT 339.59 NOK; the rest of the order is kept",
    )


def test_after_refund_records_what_the_next_refund_needs() -> None:
    plan = refund_for(back(("jacket", 2)), WEB_ORDER, NEVER)
    order = after_refund(WEB_ORDER, plan)
    assert [line.returned_quantity for line in order.lines] == [2, 0]
    assert [(t.payment_id, t.refunded_minor) for t in order.tenders] == [("pay-gift", 0), ("pay-card", 169_799)]
    assert [(p.clawed_back_minor, p.clawed_back_vat_minor) for p in order.promotions] == [(11_246, 2_250)]
    assert (order.points_reversed, order.shipping.is_refunded) == (169, False)


def test_the_refund_order_names_payments_tender_codes() -> None:
    # every tender the refund order names is a local tender of payments; every other one is external and goes first
    assert set(REFUND_ORDER) == {code.value for code in LOCAL_TENDERS}
    assert set(REFUND_ORDER) <= {code.value for code in TenderCode}


@pytest.mark.parametrize(("returned", "error"), [
    ((), EmptyReturn),
    (back(("hat", 1)), UnknownReturnLine),
    (back(("cap", 2)), InvalidReturnQuantity),
    (back(("cap", 0)), InvalidReturnQuantity),
    (back(("jacket", 1), ("jacket", 1)), InvalidReturnQuantity),
], ids=["empty", "unknown line", "more than bought", "zero units", "a line twice"])
def test_a_return_that_cannot_be_is_refused(returned: tuple[ReturnLine, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        refund_for(returned, WEB_ORDER, NEVER)


def test_units_already_returned_or_not_handed_over_cannot_come_back() -> None:
    shipped_one = replace(WEB_ORDER, lines=(replace(JACKETS, fulfilled_quantity=1), CAP))
    with pytest.raises(InvalidReturnQuantity, match="1 units handed over and not returned, not 2"):
        refund_for(back(("jacket", 2)), shipped_one, NEVER)
    twice = after_refund(WEB_ORDER, refund_for(back(("jacket", 2)), WEB_ORDER, NEVER))
    with pytest.raises(InvalidReturnQuantity):
        refund_for(back(("jacket", 2)), twice, NEVER)


def test_a_refund_above_what_the_payments_have_left_is_refused() -> None:
    # given the card was refunded 2,000.00 as goodwill outside any return
    order = replace(WEB_ORDER, tenders=(GIFT, replace(CARD, refunded_minor=200_000)))
    with pytest.raises(RefundAboveRemaining) as raised:
        refund_for(back(("jacket", 3)), order, NEVER)
    assert raised.value.context == {"refund_minor": 271_568 - 1_868, "refundable_minor": 99_500}


@pytest.mark.parametrize("make", [
    lambda: replace(JACKETS, returned_quantity=4),
    lambda: replace(JACKETS, fulfilled_quantity=4),
    lambda: replace(JACKETS, vat_minor=300_000),
    lambda: RestockingFee(Decimal(101)),
    lambda: CapturedTender("p", "stripe", 100, refunded_minor=101),
    lambda: replace(WEB_ORDER, lines=(JACKETS, JACKETS)),
    lambda: replace(WEB_ORDER, points_reversed=300),
], ids=["returned beyond fulfilled", "fulfilled beyond bought", "VAT above total", "fee above 100 %", "refunded above captured",
        "line twice", "more points reversed than earned"])
def test_inputs_that_do_not_hang_together_are_refused(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidRefundInput):
        make()
