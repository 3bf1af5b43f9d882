"""Returns across channels: asked for under the policy of the channel the goods were sold on, received at any location that
takes returns (restocked there, damaged units written off), refunded to the order's own tenders (docs/returns.md).

The refund is decided in the transaction that records the receipt: local tenders (gift card, store credit, points, cash)
are settled in it; external ones (cards, marketplaces) get requests that are sent after it commits and recorded in a
second transaction, as captures are in fulfilment. A crash in between leaves pending refunds the payments sweep re-sends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tvers.catalog import service as catalog
from tvers.customers import service as customers
from tvers.db.uow import Uow
from tvers.inventory import service as inventory
from tvers.inventory.schemas import StockLineIn, WriteOffIn
from tvers.kernel.errors import FieldError, NotFound
from tvers.kernel.money import Money
from tvers.orders import service as orders
from tvers.orders.schemas import OrderOut
from tvers.payments import service as payments
from tvers.payments.schemas import TenderCode
from tvers.quoting import service as quoting
from tvers.quoting.schemas import BuyXGetYIn
from tvers.returns import service as returns
from tvers.returns.errors import ReturnsNotAccepted
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
from tvers.returns.refunds import refund_for
from tvers.returns.schemas import Condition, ReceiveIn, ReturnIn, ReturnOut, ReturnPolicyOut
from tvers.workflows.app import App

# The order's status history entries that mark the goods as with the customer, most telling first.
HANDED_OVER = ("completed", "fulfilled", "partially_fulfilled")
DAMAGED = "returned damaged"


def request_return(app: App, data: ReturnIn, *, actor: str, may_override: bool) -> ReturnOut:
    """Open a return of handed-over units; one transaction, `return.requested`."""
    with app.uow() as uow:
        orders.lock_order(uow, data.order_id)  # returns of one order queue: the units left to return are counted once
        order = orders.get_order(uow, data.order_id)
        found = returns.open_return(uow, _returnable(uow, order), data, actor=actor, may_override=may_override)
        uow.commit()
    return found


def order_channel(app: App, *, order_id: str | None = None, return_id: str | None = None) -> str:
    """The channel an order (or a return's order) was sold on: for scoping an integration key."""
    with app.uow(read_only=True) as uow:
        if return_id is not None:
            return returns.get_return(uow, return_id).sold_channel
        assert order_id is not None
        return orders.get_order(uow, order_id).channel


def receive_return(app: App, return_id: str, data: ReceiveIn, *, actor: str) -> ReturnOut:
    """The goods came in at `data.location`: restocked (damaged units written off), refunded, points reversed."""
    with app.uow() as uow:
        orders.lock_order(uow, returns.get_return(uow, return_id).order_id)  # refunds of one order queue: each sees the last
        location = inventory.get_location(uow, data.location)
        if not location.capabilities.accepts_returns:
            raise ReturnsNotAccepted(f"{location.code} does not take returns in",
                                     fields=[FieldError("location", "does not accept returns", ReturnsNotAccepted.code)])
        received = returns.receive(uow, return_id, data, location_id=location.id)
        _restock(uow, received, location_code=location.code, return_id=return_id, actor=actor)
        returns.announce_receipt(uow, return_id, received, location_code=location.code)
        plan, requests, points = _refund(uow, return_id)
        found = returns.record_refund(uow, return_id, plan, points_reversed=points)
        uow.commit()
    _send_refunds(app, requests)
    return found


def _returnable(uow: Uow, order: OrderOut) -> returns.ReturnableOrder:
    categories = catalog.product_categories(uow, {line.product_id for line in order.lines})
    handed_over = None
    for status in HANDED_OVER:
        times = [change.at for change in order.history if change.to_status == status]
        if times:
            handed_over = max(times)
            break
    lines = {line.id: returns.SoldUnits(line_id=line.id, variant_id=line.variant_id, sku=line.sku,
                                        fulfilled_quantity=line.fulfilled_quantity, category=categories.get(line.product_id))
             for line in order.lines}
    return returns.ReturnableOrder(order_id=order.id, customer_id=order.customer_id, channel=order.channel, currency=order.currency,
                                   handed_over_at=handed_over, lines=lines)


def _restock(uow: Uow, received: Sequence[returns.ReceivedUnits], *, location_code: str, return_id: str, actor: str) -> None:
    """Every unit back on the receiving location's books; a damaged one written off again, so the ledger shows both."""
    back = [StockLineIn(sku=units.sku, quantity=units.quantity) for units in received]
    inventory.restock_return(uow, location_code=location_code, lines=back, return_id=return_id, actor=actor)
    damaged = [StockLineIn(sku=units.sku, quantity=units.quantity) for units in received if units.condition is Condition.DAMAGED]
    if damaged:
        inventory.write_off(uow, WriteOffIn(location=location_code, lines=damaged, reason=DAMAGED), actor=actor)


def _refund(uow: Uow, return_id: str) -> tuple[RefundPlan, list[payments.ProviderRequest], int]:
    """The refund plan of the return, its tenders settled (local) or asked for (external), and the earned points reversed."""
    found = returns.get_return(uow, return_id)
    order = orders.get_order(uow, found.order_id)
    earlier = returns.refunded_so_far(uow, order.id, but=return_id)
    quantities: dict[str, int] = defaultdict(int)
    for line in found.lines:
        quantities[line.order_line_id] += line.quantity
    returnable = _returnable(uow, order)
    asked = [ReturnLine(line_id=line_id, quantity=quantity,
                        restocking=_fee(returns.policy_for(uow, channel=order.channel, category=returnable.lines[line_id].category)))
             for line_id, quantity in quantities.items()]
    policy = _refund_policy(returns.policy_for(uow, channel=order.channel, category=None), has_customer=order.customer_id is not None)
    plan = refund_for(asked, _sold_order(uow, order, earlier), policy)
    requests: list[payments.ProviderRequest] = []
    for tender in plan.tenders:
        amount = Money(tender.amount_minor, plan.currency)
        if tender.amount_minor > 0 and tender.refund_as != tender.tender:
            requests.extend(payments.refund_payment_as(uow, payment_id=tender.payment_id, amount=amount,
                                                       refund_as=TenderCode(tender.refund_as)))
        elif tender.amount_minor > 0:
            requests.extend(payments.refund_payment(uow, payment_id=tender.payment_id, amount=amount))
    points = customers.reverse_returned_points(uow, order_id=order.id, reference=return_id, points=plan.points_to_reverse,
                                               reason=f"return {return_id}")
    return plan, requests, points


def _fee(policy: ReturnPolicyOut) -> RestockingFee:
    return RestockingFee(percent=policy.restocking_percent, fixed_minor=policy.restocking_fixed_minor)


def _refund_policy(policy: ReturnPolicyOut, *, has_customer: bool) -> RefundPolicy:
    """The channel's refund terms; store credit belongs to a customer, so a guest's gift-card part goes back to the gift card."""
    gift_card = GiftCardRefund(policy.gift_card_refund_as) if has_customer else GiftCardRefund.GIFT_CARD
    return RefundPolicy(shipping=ShippingRefund(policy.refund_shipping), gift_card=gift_card)


def _sold_order(uow: Uow, order: OrderOut, earlier: Sequence[dict[str, Any]]) -> SoldOrder:
    """The order as the refund calculation sees it, counting what earlier refunds of it gave back."""
    returned: dict[str, int] = defaultdict(int)
    for plan in earlier:
        for line in plan.get("lines", []):
            returned[str(line["line_id"])] += int(line["quantity"])
    earned = customers.points_earned_on_order(uow, order.id)
    reversed_before = sum(int(plan.get("points_to_reverse", 0)) for plan in earlier)
    shipping = order.shipping or {}
    return SoldOrder(
        currency=order.currency, prices_include_vat=order.prices_include_vat,
        lines=tuple(_sold_line(line, order.currency, returned=returned[line.id]) for line in order.lines),
        tenders=tuple(CapturedTender(payment_id=p.id, tender=p.tender.value, captured_minor=_minor(p.captured.amount, p.currency),
                                     refunded_minor=_minor(p.refunded.amount, p.currency), position=i, points=p.points or 0)
                      for i, p in enumerate(payments.payments_for_order(uow, order.id))),
        promotions=_promotion_terms(uow, order, earlier),
        shipping=ShippingCharge(total_minor=int(shipping.get("total_minor", 0)), vat_minor=int(shipping.get("vat_minor", 0)),
                                is_refunded=any(int(plan.get("shipping", {}).get("amount_minor", 0)) > 0 for plan in earlier)),
        points_earned=earned, points_reversed=min(reversed_before, earned),
    )


def _promotion_terms(uow: Uow, order: OrderOut, earlier: Sequence[dict[str, Any]]) -> tuple[PromotionTerms, ...]:
    """The promotions that applied, in the order they applied, with the condition a return can break and what earlier
    refunds of the order already clawed back. The condition is the promotion's as stored now (see docs/returns.md)."""
    clawed: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for plan in earlier:
        for claw in plan.get("promotions", []):
            clawed[str(claw["promotion_id"])][0] += int(claw["deducted_minor"]) - int(claw["released_minor"])
            clawed[str(claw["promotion_id"])][1] += int(claw["deducted_vat_minor"]) - int(claw["released_vat_minor"])
    terms = []
    for applied in order.pricing.get("promotions", []):
        if not applied.get("is_applied"):
            continue
        promotion_id = str(applied["promotion_id"])
        threshold, groups = _condition(uow, promotion_id, currency=order.currency)
        terms.append(PromotionTerms(promotion_id=promotion_id, name=str(applied.get("name", "")), min_subtotal_minor=threshold,
                                    units_per_group=groups, clawed_back_minor=max(clawed[promotion_id][0], 0),
                                    clawed_back_vat_minor=max(min(clawed[promotion_id][1], clawed[promotion_id][0]), 0)))
    return tuple(terms)


def _condition(uow: Uow, promotion_id: str, *, currency: str) -> tuple[int | None, int | None]:
    """(spend threshold in minor units, units per "buy X get Y" group) of a promotion; none for one no longer stored."""
    try:
        promotion = quoting.get_promotion(uow, promotion_id)
    except NotFound:
        return None, None
    threshold = None
    if promotion.min_subtotal is not None and promotion.currency in (None, currency):
        threshold = Money.of(promotion.min_subtotal, currency).minor
    benefit = promotion.benefit
    groups = benefit.buy + benefit.get if isinstance(benefit, BuyXGetYIn) else None
    return threshold, groups


def _sold_line(line: Any, currency: str, *, returned: int) -> SoldLine:
    return SoldLine(line_id=line.id, quantity=line.quantity, fulfilled_quantity=line.fulfilled_quantity,
                    amount_minor=_minor(line.amount.amount, currency), total_minor=_minor(line.total.amount, currency),
                    vat_minor=_minor(line.vat.amount, currency), vat_rate=Decimal(line.vat_rate),
                    cancelled_quantity=line.cancelled_quantity, returned_quantity=returned, title=line.title,
                    discounts=tuple(DiscountPart(promotion_id=str(d["promotion_id"]), amount_minor=int(d["amount_minor"]),
                                                 name=str(d.get("name", ""))) for d in line.discounts))


def _minor(amount: str, currency: str) -> int:
    return Money.of(amount, currency).minor


def _send_refunds(app: App, requests: Sequence[payments.ProviderRequest]) -> None:
    """No transaction open while providers answer; what they said is recorded after (the payments sweep re-asks if we crash)."""
    results = [payments.refund(request, providers=app.payment_providers) for request in requests]
    if results:
        with app.uow() as uow:
            payments.record_results(uow, results)
            uow.commit()
