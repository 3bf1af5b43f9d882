"""Properties of refunds for any order the pricing engine can make, returned in any parts, in any order (hypothesis).

Orders are priced by the real engine (thresholds, amounts and percentages off, buy X get Y, shipping), some units are
cancelled, the rest handed over and paid by one to four tenders; each return is carried into the next with
`after_refund`, the way the service will record it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from tvers.kernel.money import Money
from tvers.pricing.cart import CartLine, ChannelContext
from tvers.pricing.cart_pricing import PricingRequest, price_cart
from tvers.pricing.promotion_types import AmountOff, Benefit, BuyXGetY, PercentOff, Promotion
from tvers.pricing.shipping import ShippingMethod, ShippingOption, ShippingRate, WeightBand
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
from tvers.returns.refunds import after_refund, refund_for

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
NORWAY = ChannelContext("web-no", "web", "NO")
TENDERS = ("stripe", "test_card", "marketplace", "cash", "gift_card", "store_credit", "loyalty_points")
SHIPPING = ShippingOption(ShippingMethod.SHIP, "NO", 1_000,
                          (ShippingRate("NO", "NOK", weight_bands=(WeightBand(5_000, Money(9_900, "NOK")),)),))


def nok(minor: int) -> Money:
    return Money(minor, "NOK")


@st.composite
def promotions(draw: st.DrawFn, subtotal: int, *, tight: bool) -> tuple[Promotion, ...]:
    """Whole-cart promotions; thresholds anywhere up to the cart's value, or (`tight`) with little to spare."""
    chosen = []
    for index in range(draw(st.integers(1, 2) if tight else st.integers(0, 3))):
        benefit: Benefit = draw(st.one_of(
            st.integers(1, max(subtotal // 2, 1)).map(lambda minor: AmountOff(nok(minor))),
            st.integers(1, 50).map(lambda percent: PercentOff(Decimal(percent))),
            st.builds(BuyXGetY, st.integers(1, 3), st.integers(1, 2)),
        ))
        threshold = draw(st.integers(subtotal * 3 // 4, subtotal) if tight else st.one_of(st.none(), st.integers(0, subtotal)))
        minimum = None if threshold is None else nok(threshold)
        chosen.append(Promotion(f"promo-{index}", f"Promotion {index}", benefit, min_subtotal=minimum))
    return tuple(chosen)


def terms_of(promotion: Promotion, line_ids: frozenset[str]) -> PromotionTerms:
    benefit = promotion.benefit
    group = benefit.buy + benefit.get if isinstance(benefit, BuyXGetY) else None
    threshold = promotion.min_subtotal.minor if promotion.min_subtotal is not None else None
    return PromotionTerms(promotion.id, promotion.name, min_subtotal_minor=threshold, units_per_group=group, line_ids=line_ids)


@st.composite
def tenders(draw: st.DrawFn, captured: int) -> tuple[CapturedTender, ...]:
    count = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(0, captured), min_size=count - 1, max_size=count - 1)))
    parts = [end - start for start, end in zip([0, *cuts], [*cuts, captured], strict=True)]
    codes = draw(st.lists(st.sampled_from(TENDERS), min_size=count, max_size=count))
    return tuple(CapturedTender(f"pay-{index}", code, part, position=index, points=part // 10 if code == "loyalty_points" else 0)
                 for index, (code, part) in enumerate(zip(codes, parts, strict=True)))


@st.composite
def orders(draw: st.DrawFn, *, tight: bool = False) -> SoldOrder:
    """Any order; `tight` ones have several units and thresholds just met, so that returns break promotions often."""
    include_vat = draw(st.booleans())
    least = 2 if tight else 1
    cart = tuple(CartLine(f"l{index}", f"SKU-{index}", f"p{index}", draw(st.integers(least, 6)), nok(draw(st.integers(0, 300_000))),
                          tax_class=draw(st.sampled_from(("standard", "reduced", "reduced_low", "zero"))), prices_include_vat=include_vat)
                 for index in range(draw(st.integers(least, 3))))
    offers = draw(promotions(sum(line.amount.minor for line in cart), tight=tight))
    shipped = draw(st.booleans())
    breakdown = price_cart(PricingRequest(lines=cart, channel=NORWAY, at=NOW, promotions=offers, shipping=SHIPPING if shipped else None))
    lines = []
    for priced in breakdown.lines:
        cancelled = draw(st.integers(0, priced.quantity - 1))
        lines.append(SoldLine(priced.line_id, priced.quantity, priced.quantity - cancelled, amount_minor=priced.amount.minor,
                              total_minor=priced.total.minor, vat_minor=priced.vat.minor, vat_rate=priced.vat_rate,
                              discounts=tuple(DiscountPart(d.promotion_id, d.amount.minor) for d in priced.discounts),
                              cancelled_quantity=cancelled))
    applied = {outcome.promotion_id for outcome in breakdown.promotions if outcome.is_applied}
    everyone = frozenset(line.line_id for line in lines)
    terms = tuple(terms_of(p, everyone) for p in sorted(offers, key=lambda p: p.id) if p.id in applied)  # the order they applied
    shipping = ShippingCharge(breakdown.shipping.total.minor, breakdown.shipping.vat.minor)
    captured = sum(paid(line) for line in lines) + shipping.total_minor
    return SoldOrder("NOK", include_vat, tuple(lines), draw(tenders(captured)), terms, shipping, points_earned=draw(st.integers(0, 2_000)))


def paid(line: SoldLine) -> int:
    return line.total_minor - (line.total_minor * line.cancelled_quantity // line.quantity)


def vat_paid(line: SoldLine) -> int:
    return line.vat_minor - (line.vat_minor * line.cancelled_quantity // line.quantity)


any_order = st.one_of(orders(), orders(tight=True))


@st.composite
def in_parts(draw: st.DrawFn, units: Counter[str]) -> list[tuple[ReturnLine, ...]]:
    """`units` returned in a random number of returns, in a random order."""
    tokens = draw(st.permutations(sorted(units.elements())))
    cuts = draw(st.lists(st.booleans(), min_size=max(len(tokens) - 1, 0), max_size=max(len(tokens) - 1, 0)))
    returns, current = [], [tokens[0]] if tokens else []
    for token, cut in zip(tokens[1:], cuts, strict=True):
        if cut:
            returns.append(current)
            current = []
        current.append(token)
    if current:
        returns.append(current)
    return [tuple(ReturnLine(line_id, count) for line_id, count in Counter(part).items()) for part in returns]


def everything(order: SoldOrder) -> Counter[str]:
    return Counter({line.line_id: line.payable_quantity for line in order.lines})


@st.composite
def some_units(draw: st.DrawFn, order: SoldOrder) -> Counter[str]:
    return Counter({line.line_id: draw(st.integers(0, line.payable_quantity)) for line in order.lines})


policies = st.builds(RefundPolicy, st.sampled_from(list(ShippingRefund)), st.just(RestockingFee()), st.sampled_from(list(GiftCardRefund)),
                     st.booleans() | st.just(True))
fees = st.builds(RestockingFee, st.integers(0, 100).map(Decimal), st.integers(0, 5_000))


def carried_out(order: SoldOrder, returns: Sequence[tuple[ReturnLine, ...]], policy: RefundPolicy) -> tuple[list[RefundPlan], SoldOrder]:
    plans = []
    for part in returns:
        plan = refund_for(part, order, policy)
        plans.append(plan)
        order = after_refund(order, plan)
    return plans, order


def note(plans: list[RefundPlan]) -> None:
    """Say which rules the example went through (shown by --hypothesis-show-statistics)."""
    claws = [claw for plan in plans for claw in plan.promotions]
    event(f"claw-back deducted: {any(c.deducted_minor for c in claws)}, outstanding: {any(c.outstanding_minor for c in claws)}, "
          f"paid back: {any(c.released_minor for c in claws)}")


def assert_no_negative_figure(plan: RefundPlan) -> None:
    figures = [plan.total_minor, plan.shipping.amount_minor, plan.shipping.vat_minor, plan.points_to_reverse, plan.goods_vat_minor]
    for line in plan.lines:
        figures += [line.amount_minor, line.vat_minor, line.restocking_fee_minor, line.restocking_fee_vat_minor, line.refund_minor]
        figures += [part.amount_minor for part in line.discounts]
    for claw in plan.promotions:
        figures += [claw.deducted_minor, claw.deducted_vat_minor, claw.released_minor, claw.released_vat_minor, claw.outstanding_minor]
    figures += [tender.amount_minor - 1 for tender in plan.tenders] + [tender.points for tender in plan.tenders]
    assert min(figures) >= 0
    assert sum(tender.amount_minor for tender in plan.tenders) == plan.total_minor


@settings(max_examples=200, deadline=None)
@given(data=st.data(), order=any_order, policy=policies)
def test_returning_everything_in_any_parts_gives_back_everything_paid(data: st.DataObject, order: SoldOrder, policy: RefundPolicy) -> None:
    # given an order returned unit by unit in random returns, in a random order
    plans, final = carried_out(order, data.draw(in_parts(everything(order))), policy)
    note(plans)
    shipping_back = policy.shipping is not ShippingRefund.NEVER
    # then the money is everything paid (shipping as the policy says), each tender exactly what it captured when all comes back
    shipping, shipping_vat = (order.shipping.total_minor, order.shipping.vat_minor) if shipping_back else (0, 0)
    assert sum(plan.total_minor for plan in plans) == sum(paid(line) for line in order.lines) + shipping
    for before, after in zip(order.tenders, final.tenders, strict=True):
        assert after.refunded_minor <= before.captured_minor
        if shipping_back:
            assert after.refunded_minor == before.captured_minor
    # and the VAT is all the VAT charged, with nothing clawed back left over, and all points reversed
    assert sum(plan.goods_vat_minor for plan in plans) == sum(vat_paid(line) for line in order.lines)
    assert sum(plan.vat_minor for plan in plans) == sum(vat_paid(line) for line in order.lines) + shipping_vat
    assert all(terms.clawed_back_minor == terms.clawed_back_vat_minor == 0 for terms in final.promotions)
    assert final.points_reversed == order.points_earned
    if shipping_back:
        spent = sum(t.points for t in order.tenders)
        assert sum(t.points for plan in plans for t in plan.tenders) == spent
    assert [plan.is_everything_returned for plan in plans] == [False] * (len(plans) - 1) + [True]
    for plan in plans:
        assert_no_negative_figure(plan)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), order=any_order, policy=policies, fee=fees)
def test_no_tender_ever_gets_back_more_than_it_captured_nor_the_vat_more_than_charged(
        data: st.DataObject, order: SoldOrder, policy: RefundPolicy, fee: RestockingFee) -> None:
    # given some of the units returned in random parts, with a restocking fee
    units = data.draw(some_units(order))
    plans, final = carried_out(order, data.draw(in_parts(units)), replace(policy, restocking=fee))
    # then per tender the refunds stay within what it captured, no figure is negative, VAT stays within what was charged
    for before, after in zip(order.tenders, final.tenders, strict=True):
        assert 0 <= after.refunded_minor <= before.captured_minor
    for plan in plans:
        assert_no_negative_figure(plan)
    goods_vat = sum(plan.goods_vat_minor for plan in plans)
    assert goods_vat <= sum(vat_paid(line) for line in order.lines)
    assert sum(plan.vat_minor for plan in plans) <= goods_vat + order.shipping.vat_minor
    assert final.points_reversed <= order.points_earned


@settings(max_examples=200, deadline=None)
@given(data=st.data(), order=any_order, policy=policies, percent=st.integers(0, 100).map(Decimal))
def test_returning_the_same_units_in_any_order_of_partial_returns_gives_the_same_total(
        data: st.DataObject, order: SoldOrder, policy: RefundPolicy, percent: Decimal) -> None:
    # given the same units returned twice over, in two random sequences of returns (a percent restocking fee counts too)
    units = data.draw(some_units(order))
    policy = replace(policy, restocking=RestockingFee(percent))
    first, _ = carried_out(order, data.draw(in_parts(units)), policy)
    second, _ = carried_out(order, data.draw(in_parts(units)), policy)
    note(first + second)
    together = tuple(ReturnLine(line_id, count) for line_id, count in units.items() if count)
    at_once, _ = carried_out(order, [together] if together else [], policy)

    def total(plans: list[RefundPlan]) -> int:
        return sum(plan.total_minor for plan in plans)

    # then both come to the same total, and to what returning them at once gives: no refund ever needed the zero floor
    assert total(first) == total(second) == total(at_once)
    assert not any(claw.outstanding_minor for plan in first + second + at_once for claw in plan.promotions)
    # and the goods, their VAT and the points never depend on the order at all
    for attribute in ("goods_minor", "goods_vat_minor"):
        assert sum(getattr(p, attribute) for p in first) == sum(getattr(p, attribute) for p in second)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), order=any_order, policy=policies)
def test_without_a_conditional_promotion_the_order_of_returns_never_matters(
        data: st.DataObject, order: SoldOrder, policy: RefundPolicy) -> None:
    # given an order whose promotions have no condition a return can break
    order = SoldOrder(order.currency, order.prices_include_vat, order.lines, order.tenders, (), order.shipping, order.points_earned)
    units = data.draw(some_units(order))
    first, _ = carried_out(order, data.draw(in_parts(units)), policy)
    second, _ = carried_out(order, data.draw(in_parts(units)), policy)
    # then any two sequences of the same units give the same total and reverse the same points
    assert sum(p.total_minor for p in first) == sum(p.total_minor for p in second)
    assert sum(p.points_to_reverse for p in first) == sum(p.points_to_reverse for p in second)
