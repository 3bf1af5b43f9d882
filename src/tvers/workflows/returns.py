"""Returns across channels: asked for under the policy of the channel the goods were sold on, received at any location that
takes returns (restocked there, damaged units written off), refunded to the order's own tenders (docs/returns.md).

The refund is decided in the transaction that records the receipt: local tenders (gift card, store credit, points, cash)
are settled in it; external ones (cards, marketplaces) get requests that are sent after it commits and recorded in a
second transaction, as captures are in fulfilment. A crash in between leaves pending refunds the payments sweep re-sends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from tvers.catalog import service as catalog
from tvers.customers import service as customers
from tvers.db.uow import Uow
from tvers.inventory import service as inventory
from tvers.inventory.schemas import LocationType, StockLineIn, WriteOffIn
from tvers.kernel.errors import FieldError, NotFound
from tvers.kernel.money import Money
from tvers.orders import service as orders
from tvers.orders.schemas import OrderOut
from tvers.payments import service as payments
from tvers.payments.schemas import TenderCode
from tvers.quoting import service as quoting
from tvers.quoting.schemas import BuyXGetYIn
from tvers.returns import service as returns
from tvers.returns.errors import CashNeedsATill, ReturnsNotAccepted
from tvers.returns.refund_types import (
    CapturedTender,
    DiscountPart,
    GiftCardRefund,
    MarketplaceRefund,
    PromotionTerms,
    RefundPlan,
    RefundPolicy,
    RestockingFee,
    ReturnLine,
    ShippingCharge,
    ShippingRefund,
    SoldLine,
    SoldOrder,
    TenderRefund,
)
from tvers.returns.refunds import CASH, refund_for
from tvers.returns.schemas import Condition, ReasonCode, ReceiveIn, ReturnIn, ReturnOut, ReturnPolicyOut
from tvers.returns.service import refund_parts
from tvers.workflows import exchanges, return_refunds
from tvers.workflows.app import App
from tvers.workflows.exchange_schemas import ReceiptIn, ReturnRequestIn

# The order's status history entries that mark the goods as with the customer, most telling first.
HANDED_OVER = ("completed", "fulfilled", "partially_fulfilled")
DAMAGED = "returned damaged"
TILLS = frozenset({LocationType.STORE, LocationType.POPUP})  # where cash can be handed back over a counter
GOODS_AT_FAULT = frozenset({ReasonCode.DAMAGED, ReasonCode.NOT_AS_DESCRIBED})  # a damaged unit these came back for is refunded in full


def request_return(app: App, data: ReturnIn, *, actor: str, may_override: bool) -> ReturnOut:
    """Open a return of handed-over units: an authorisation with a number and an expiry (with an exchange, its replacement
    reserved at once); one transaction, `return.requested`."""
    with app.uow() as uow:
        orders.lock_order(uow, data.order_id)  # returns of one order queue: the units left to return are counted once
        order = orders.get_order(uow, data.order_id)
        opened = returns.open_return(uow, _returnable(uow, order), data, actor=actor, may_override=may_override)
        if isinstance(data, ReturnRequestIn) and data.exchange is not None:
            exchanges.hold_replacement(app, uow, return_id=opened.id, sold_channel=order.channel, currency=order.currency,
                                       customer_id=order.customer_id, exchange=data.exchange)
        found = returns.authorise(uow, opened.id, valid_days=app.settings.return_authorisation_days)
        uow.commit()
    return found


def order_channel(app: App, *, order_id: str | None = None, return_id: str | None = None) -> str:
    """The channel an order (or a return's order) was sold on: for scoping an integration key."""
    with app.uow(read_only=True) as uow:
        if return_id is not None:
            return returns.get_return(uow, return_id).sold_channel
        assert order_id is not None
        return orders.get_order(uow, order_id).channel


def receive_return(app: App, return_id: str, data: ReceiveIn, *, actor: str, may_override: bool = False) -> ReturnOut:
    """The goods came in at `data.location`: restocked (damaged units written off), refunded, points reversed. The return is
    `refunded`, or `refund_pending` / `refund_failed` while a provider has not paid its part (`workflows.return_refunds`).
    An exchange's replacement is then ordered, paid by what the returned units give it and the tenders handed over
    (`ReceiptIn.tenders`)."""
    tenders = data.tenders if isinstance(data, ReceiptIn) else []
    with app.uow() as uow:
        asked = returns.get_return(uow, return_id)
        orders.lock_order(uow, asked.order_id)  # refunds of one order queue: each sees the last
        order = orders.get_order(uow, asked.order_id)
        location = inventory.get_location(uow, data.location)
        if not location.capabilities.accepts_returns:
            raise ReturnsNotAccepted(f"{location.code} does not take returns in",
                                     fields=[FieldError("location", "does not accept returns", ReturnsNotAccepted.code)])
        fulfilled = {line.id: line.fulfilled_quantity for line in order.lines}
        returns.admit_receipt(uow, return_id, override=data.override, actor=actor, may_override=may_override, fulfilled=fulfilled)
        if asked.expires_at is not None and asked.expires_at < uow.clock.now():  # late (overridden): a plain return, as if the job had run
            exchanges.release_hold(uow, return_id, reason="received after its authorisation expired")
        received = returns.receive(uow, return_id, data, location_id=location.id)
        _restock(uow, received, location_code=location.code, return_id=return_id, actor=actor)
        returns.announce_receipt(uow, return_id, received, location_code=location.code)
        plan = _plan(uow, return_id, order)
        into_voucher = exchanges.fund_replacement(uow, return_id=return_id, customer_id=order.customer_id, plan=plan, tenders=tenders)
        requests, points = _refund(uow, return_id, order, plan, kept=into_voucher)
        returns.record_refund(uow, return_id, plan, points_reversed=points, is_pending=bool(requests))
        return_refunds.track(uow, return_id, requests)
        uow.commit()
    found = return_refunds.send_and_settle(app, return_id, requests)
    if found.exchange is not None:
        exchanges.place_replacement(app, return_id, actor=actor, tenders=tenders)
        with app.uow(read_only=True) as uow:
            found = returns.get_return(uow, return_id)
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


def returnable_order(uow: Uow, order: OrderOut) -> returns.ReturnableOrder:
    """The facts a return of `order` is checked against, for flows that find the order another way (receipt-less returns)."""
    return _returnable(uow, order)


def _restock(uow: Uow, received: Sequence[returns.ReceivedUnits], *, location_code: str, return_id: str, actor: str) -> None:
    """Every unit back on the receiving location's books; a damaged one written off again, so the ledger shows both."""
    back = [StockLineIn(sku=units.sku, quantity=units.quantity) for units in received]
    inventory.restock_return(uow, location_code=location_code, lines=back, return_id=return_id, actor=actor)
    damaged = [StockLineIn(sku=units.sku, quantity=units.quantity) for units in received if units.condition is Condition.DAMAGED]
    if damaged:
        inventory.write_off(uow, WriteOffIn(location=location_code, lines=damaged, reason=DAMAGED), actor=actor)


def _plan(uow: Uow, return_id: str, order: OrderOut) -> RefundPlan:
    """What the return of `order` gives back, figure by figure, and to which payments (decided, not yet carried out)."""
    found = returns.get_return(uow, return_id)
    earlier = returns.refunded_so_far(uow, order.id, but=return_id)
    quantities: dict[str, int] = defaultdict(int)
    damaged: dict[str, int] = defaultdict(int)  # units the customer damaged: inspected damaged, the reason not the goods' fault
    for line in found.lines:
        quantities[line.order_line_id] += line.quantity
        if line.condition is Condition.DAMAGED and line.reason not in GOODS_AT_FAULT:
            damaged[line.order_line_id] += line.quantity
    returnable = _returnable(uow, order)
    asked = []
    for line_id, quantity in quantities.items():
        terms = returns.policy_for(uow, channel=order.channel, category=returnable.lines[line_id].category)
        asked.append(ReturnLine(line_id=line_id, quantity=quantity, restocking=_fee(terms), damaged_quantity=damaged[line_id],
                                damaged_fee=RestockingFee(percent=terms.damaged_fee_percent)))
    policy = _refund_policy(returns.policy_for(uow, channel=order.channel, category=None), has_customer=order.customer_id is not None,
                            is_receiptless=found.is_receiptless)
    if found.returned_at_location_id is not None:
        received_at = inventory.get_location_by_id(uow, found.returned_at_location_id)
        policy = replace(policy, is_cash_at_hand=received_at.type in TILLS)
    plan = refund_for(asked, _sold_order(uow, order, earlier), policy)
    check_cash_has_a_till(order, plan.tenders)
    return plan


def check_cash_has_a_till(order: OrderOut, tenders: Sequence[TenderRefund]) -> None:
    """A guest has no store credit: their cash part can only be handed back over a store's counter (422 otherwise)."""
    if order.customer_id is None and any(t.tender == CASH and t.refund_as != CASH for t in tenders):
        message = "a guest's cash is handed back at a store's till: do this at a store"
        raise CashNeedsATill(message, fields=[FieldError("location", message, CashNeedsATill.code)])


def _refund(uow: Uow, return_id: str, order: OrderOut, plan: RefundPlan, *,
            kept: dict[str, int]) -> tuple[list[payments.ProviderRequest], int]:
    """The plan carried out: each tender's part settled (local) or asked for (external) but for what an exchange's voucher
    `kept`, and the earned points reversed."""
    requests = pay_back(uow, plan.tenders, currency=plan.currency, customer_id=order.customer_id, kept=kept)
    points = customers.reverse_returned_points(uow, order_id=order.id, reference=return_id, points=plan.points_to_reverse,
                                               reason=f"return {return_id}")
    return requests, points


def pay_back(uow: Uow, tenders: Sequence[TenderRefund], *, currency: str, customer_id: str | None,
             kept: dict[str, int] | None = None) -> list[payments.ProviderRequest]:
    """Each tender's part settled (local) or asked for (external, a request to send after the commit), as the tender it goes
    back as; less what `kept` says stays in the house (an exchange's voucher)."""
    requests: list[payments.ProviderRequest] = []
    for tender in tenders:
        left = tender.amount_minor - (kept or {}).get(tender.payment_id, 0)
        amount = Money(left, currency)
        if left > 0 and tender.refund_as != tender.tender:
            requests.extend(payments.refund_payment_as(uow, payment_id=tender.payment_id, amount=amount,
                                                       refund_as=TenderCode(tender.refund_as), customer_id=customer_id))
        elif left > 0:
            requests.extend(payments.refund_payment(uow, payment_id=tender.payment_id, amount=amount))
    return requests


def sold_order(uow: Uow, order: OrderOut) -> SoldOrder:
    """The order as the refund calculation sees it now, every refunded return counted."""
    return _sold_order(uow, order, returns.refunded_so_far(uow, order.id, but=""))


def refund_policy(uow: Uow, order: OrderOut) -> RefundPolicy:
    """The sold channel's refund terms for money going back on `order` (gift card and marketplace parts as it says)."""
    return _refund_policy(returns.policy_for(uow, channel=order.channel, category=None), has_customer=order.customer_id is not None)


def _fee(policy: ReturnPolicyOut) -> RestockingFee:
    return RestockingFee(percent=policy.restocking_percent, fixed_minor=policy.restocking_fixed_minor)


def _refund_policy(policy: ReturnPolicyOut, *, has_customer: bool, is_receiptless: bool = False) -> RefundPolicy:
    """The channel's refund terms; store credit belongs to a customer, so a guest's gift-card part goes back to the gift card
    and a guest's marketplace part through the marketplace. A receipt-less return (always a customer's) is store credit only."""
    gift_card = GiftCardRefund(policy.gift_card_refund_as) if has_customer else GiftCardRefund.GIFT_CARD
    marketplace = MarketplaceRefund(policy.marketplace_refund) if has_customer else MarketplaceRefund.MARKETPLACE
    return RefundPolicy(shipping=ShippingRefund(policy.refund_shipping), gift_card=gift_card, marketplace=marketplace,
                        is_store_credit_only=is_receiptless and has_customer)


def _sold_order(uow: Uow, order: OrderOut, earlier: Sequence[dict[str, Any]]) -> SoldOrder:
    """The order as the refund calculation sees it, counting what earlier refunds of it gave back."""
    returned: dict[str, int] = defaultdict(int)
    for plan in earlier:
        for line in plan.get("lines", []):
            returned[str(line["line_id"])] += int(line["quantity"])
    earned = customers.points_earned_on_order(uow, order.id)
    owed = refund_parts.owed_by_payment(uow, order.id)  # asked of a provider by earlier returns, not paid yet
    reversed_before = sum(int(plan.get("points_to_reverse", 0)) for plan in earlier)
    shipping = order.shipping or {}
    return SoldOrder(
        currency=order.currency, prices_include_vat=order.prices_include_vat,
        lines=tuple(_sold_line(line, order.currency, returned=returned[line.id]) for line in order.lines),
        tenders=tuple(CapturedTender(payment_id=p.id, tender=p.tender.value, captured_minor=_minor(p.captured.amount, p.currency),
                                     refunded_minor=_minor(p.refunded.amount, p.currency) + owed.get(p.id, 0), position=i,
                                     points=p.points or 0)
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
