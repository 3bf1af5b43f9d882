"""Refund calculation: what one return gives back, figure by figure, and to which of the order's payments. Pure.

Goods. The returned units of a line get back what they were paid: the line's total as charged (VAT included, after
its share of every discount as checkout allocated it) × units ÷ quantity, rounded down, counted cumulatively over
all returns of the line, the return that leaves none of the paid units kept taking the rest (the cancelled units'
share excepted). It is the arithmetic of `fulfilled_value`, so returns in any parts add up exactly to what the
units were charged, and returning everything gives back the line total. The line's VAT is refunded the same way,
so the VAT refunded adds up to the VAT charged.

Broken promotions: the claw-back. A promotion whose condition held on the units the customer paid for and no longer
holds on the units kept after the return loses what the kept units can no longer have: below a spend threshold, all
of its discount on the kept units; with fewer full "buy X get Y" groups, their discount beyond the groups still
complete (every group counted as worth the same). That is deducted from this refund, its VAT with it; the returned
units' own discounts are untouched (they were paid for what they were). What the kept units owe is capped so that
returning more never gives back less: for every smaller set of the returned units, what would then be owed plus the
value of the units beyond it (paid less their percent restocking fee) bounds it, and the least bound is owed. So the
money given back for a set of returned units is the best any part of them would give, whatever order the returns came
in, and a refund never goes below zero. When kept units come back later, what was deducted for them is paid back
(`released`), so returning everything always gives back everything paid. Not clawed back: a promotion the order's
cancellations had already broken (the merchant let it go then), and free shipping (the delivery was made at the price
agreed). Nothing is re-priced: the promotion that won at checkout stays the one on the receipt. A policy may turn the
claw-back off (`is_claw_back_on`).
Why: without it "spend 1,000, get 100 off" is won by buying a top-up and returning it, and one sock of a 3-for-2
brings back two thirds of its price while the kept two hold on to the free one (docs/adr/0012-refund-order-of-tenders.md).
The cap is searched exhaustively over the returned units on broken promotions' lines, up to `SEARCH_LIMIT`
combinations (a return of hundreds of units of many lines under one broken promotion); beyond it the plain claw-back
applies with a zero floor, the part a refund cannot bear deducted from the next return (`outstanding`).

Shipping by policy: never; in full with the return after which nothing is kept; or in full with the first return.
Restocking fee per returned line: a percent of what those units were paid (counted cumulatively on the line, so
splitting a return changes no rounding) plus a fixed amount, never more than the line gives back; its VAT at the
line's rate. Loyalty points earned on the order are reversed in proportion to the money refunded of all that was
paid (a fee or claw-back kept keeps its points), rounded down, cumulatively, the return after which nothing is kept
reversing the rest.

Tenders. The refund goes back to the order's payments in this order, each at most what it captured less what was
refunded from it: external tenders (card, marketplace — any provider) first, then cash, store credit, gift card,
loyalty points last; payments of one kind by their position at checkout. Points spent go back as points (in
proportion to the part refunded, the last part returning the rest); the gift-card part as a gift card or store
credit by policy, and the marketplace part through the marketplace or as store credit by policy. A receipt-less
return sends every tender's part back as store credit (still capped per payment, in the same order). A refund above
what the payments have left is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from tvers.kernel.errors import FieldError
from tvers.kernel.money import round_to_minor
from tvers.returns.claw_backs import claw_backs
from tvers.returns.errors import EmptyReturn, InvalidRefundInput, InvalidReturnQuantity, RefundAboveRemaining, UnknownReturnLine
from tvers.returns.refund_shares import money, part, percent_fee, vat_in
from tvers.returns.refund_types import (
    CapturedTender,
    DiscountPart,
    GiftCardRefund,
    MarketplaceRefund,
    PromotionTerms,
    RefundedLine,
    RefundedShipping,
    RefundPlan,
    RefundPolicy,
    RestockingFee,
    ReturnLine,
    ShippingRefund,
    SoldLine,
    SoldOrder,
    TenderRefund,
)

__all__ = ["REFUND_ORDER", "after_refund", "refund_for", "split_refund"]

# The order refunds go back to tenders (ADR 0012); any tender not named here is an external provider and goes first.
CASH, STORE_CREDIT, GIFT_CARD, LOYALTY_POINTS = "cash", "store_credit", "gift_card", "loyalty_points"
REFUND_ORDER: tuple[str, ...] = (CASH, STORE_CREDIT, GIFT_CARD, LOYALTY_POINTS)
MARKETPLACE = "marketplace"


def refund_for(return_lines: Sequence[ReturnLine], order: SoldOrder, policy: RefundPolicy) -> RefundPlan:
    """The refund for `return_lines` of `order` under `policy`; raises on a return that cannot be (nothing is decided)."""
    after = _returned_after(return_lines, order)
    lines = tuple(_refund_line(item, _sold(order, item.line_id), after=after[item.line_id], policy=policy, currency=order.currency)
                  for item in return_lines)
    everything = all(after[line.line_id] == line.payable_quantity for line in order.lines)
    fees = {line.line_id: policy.restocking for line in order.lines} | {item.line_id: item.restocking or policy.restocking
                                                                         for item in return_lines}
    claws = claw_backs(order, after, fees, room=sum(line.refund_minor for line in lines), is_on=policy.is_claw_back_on)
    shipping = _shipping(order, policy, everything=everything)
    total = sum(line.refund_minor for line in lines) - sum(c.deducted_minor - c.released_minor for c in claws) + shipping.amount_minor
    return RefundPlan(
        currency=order.currency,
        lines=lines,
        promotions=claws,
        shipping=shipping,
        tenders=_split(total, order, policy),
        points_to_reverse=_points_to_reverse(order, total, everything=everything),
        is_everything_returned=everything,
    )


def after_refund(order: SoldOrder, plan: RefundPlan) -> SoldOrder:
    """`order` as the next refund must see it once `plan` is carried out: what the caller records, as plain values."""
    returned = {line.line_id: line.quantity for line in plan.lines}
    refunded = {tender.payment_id: tender.amount_minor for tender in plan.tenders}
    claws = {claw.promotion_id: claw for claw in plan.promotions}

    def claw_back(terms: PromotionTerms) -> PromotionTerms:
        claw = claws.get(terms.promotion_id)
        if claw is None:
            return terms
        return replace(terms, clawed_back_minor=terms.clawed_back_minor + claw.deducted_minor - claw.released_minor,
                       clawed_back_vat_minor=terms.clawed_back_vat_minor + claw.deducted_vat_minor - claw.released_vat_minor)

    return replace(
        order,
        lines=tuple(replace(line, returned_quantity=line.returned_quantity + returned.get(line.line_id, 0)) for line in order.lines),
        tenders=tuple(replace(t, refunded_minor=t.refunded_minor + refunded.get(t.payment_id, 0)) for t in order.tenders),
        promotions=tuple(claw_back(terms) for terms in order.promotions),
        shipping=replace(order.shipping, is_refunded=order.shipping.is_refunded or plan.shipping.amount_minor > 0),
        points_reversed=order.points_reversed + plan.points_to_reverse,
    )


# ---------------------------------------------------------------- what comes back, and how many units


def _sold(order: SoldOrder, line_id: str) -> SoldLine:
    line = order.line(line_id)
    assert line is not None  # checked by _returned_after
    return line


def _returned_after(return_lines: Sequence[ReturnLine], order: SoldOrder) -> dict[str, int]:
    """Units of every line returned once this return is taken; refuses unknown lines and units that cannot come back."""
    if not return_lines:
        raise EmptyReturn("A return needs at least one line", fields=[FieldError("lines", "no lines", EmptyReturn.code)])
    after = {line.line_id: line.returned_quantity for line in order.lines}
    seen: set[str] = set()
    for index, item in enumerate(return_lines):
        line = order.line(item.line_id)
        if line is None:
            message = f"line {item.line_id} is not on this order"
            raise UnknownReturnLine(message, fields=[FieldError(f"lines.{index}.line_id", message, UnknownReturnLine.code)])
        returnable = line.fulfilled_quantity - line.returned_quantity
        if item.line_id in seen or not 0 < item.quantity <= returnable:
            message = f"line {item.line_id} has {returnable} units handed over and not returned, not {item.quantity}"
            if item.line_id in seen:
                message = f"line {item.line_id} is named twice in one return"
            raise InvalidReturnQuantity(message, fields=[FieldError(f"lines.{index}.quantity", message, InvalidReturnQuantity.code)])
        seen.add(item.line_id)
        after[item.line_id] += item.quantity
    return after


def _refund_line(item: ReturnLine, line: SoldLine, *, after: int, policy: RefundPolicy, currency: str) -> RefundedLine:
    before = line.returned_quantity
    amount = part(line.total_minor, line, before=before, after=after)
    vat = part(line.vat_minor, line, before=before, after=after)
    discounts = tuple(DiscountPart(d.promotion_id, part(d.amount_minor, line, before=before, after=after), d.name)
                      for d in line.discounts)
    damaged = _damaged_fee(item, line, before=before)
    fee = min(_restocking_fee(item.restocking or policy.restocking, line, before=before, after=after) + damaged, amount)
    fee_vat = min(vat_in(fee, line.vat_rate), vat)
    label = line.title or f"line {line.line_id}"
    text = (f"{label}: {item.quantity} of {line.quantity} units returned, paid {money(amount, currency)} "
            f"incl. VAT {money(vat, currency)} ({_percent(line.vat_rate)})")
    if any(part.amount_minor for part in discounts):
        text += " after discounts " + ", ".join(f"{part.name or part.promotion_id} {money(part.amount_minor, currency)}"
                                                for part in discounts if part.amount_minor)
    if fee:
        text += f"; restocking fee {money(fee, currency)} kept (VAT {money(fee_vat, currency)})"
    if damaged:
        text += f", of which {money(min(damaged, fee), currency)} for {item.damaged_quantity} unit(s) returned damaged by the customer"
    return RefundedLine(line.line_id, item.quantity, amount, vat, line.vat_rate, discounts, fee, fee_vat, text)


def _restocking_fee(fee: RestockingFee, line: SoldLine, *, before: int, after: int) -> int:
    """Percent of the line's returned value counted cumulatively (no rounding drift across returns), plus the fixed part."""
    if fee.is_zero:
        return 0
    return percent_fee(fee, line, after) - percent_fee(fee, line, before) + fee.fixed_minor


def _damaged_fee(item: ReturnLine, line: SoldLine, *, before: int) -> int:
    """The condition rule: a percent of what the units the customer damaged were paid (taken as the return's first units)."""
    if not item.damaged_quantity or item.damaged_fee is None or not item.damaged_fee.percent:
        return 0
    paid = part(line.total_minor, line, before=before, after=before + min(item.damaged_quantity, item.quantity))
    return round_to_minor(Decimal(paid) * item.damaged_fee.percent.scaleb(-2))


# ---------------------------------------------------------------- shipping, points


def _shipping(order: SoldOrder, policy: RefundPolicy, *, everything: bool) -> RefundedShipping:
    charge, currency = order.shipping, order.currency
    price = money(charge.total_minor, currency)
    if charge.total_minor == 0:
        return RefundedShipping(0, 0, "No shipping was charged")
    if charge.is_refunded:
        return RefundedShipping(0, 0, f"Shipping {price} was refunded already")
    if policy.shipping is ShippingRefund.ALWAYS or (policy.shipping is ShippingRefund.WHEN_ALL_RETURNED and everything):
        why = "the policy always refunds it" if policy.shipping is ShippingRefund.ALWAYS else "everything has been returned"
        return RefundedShipping(charge.total_minor, charge.vat_minor, f"Shipping {price} refunded: {why}")
    why = "the policy never refunds it" if policy.shipping is ShippingRefund.NEVER else "refunded only when everything is returned"
    return RefundedShipping(0, 0, f"Shipping {price} not refunded: {why}")


def _points_to_reverse(order: SoldOrder, total: int, *, everything: bool) -> int:
    """Points earned, in proportion to the money refunded so far of all that was paid, less those reversed already.

    Money, not goods: a fee kept or a claw-back deducted is still paid, and keeps its points. The return after which
    nothing is kept reverses the rest.
    """
    if everything:
        return order.points_earned - order.points_reversed
    paid = sum(tender.captured_minor for tender in order.tenders)
    refunded = sum(tender.refunded_minor for tender in order.tenders) + total
    target = order.points_earned * refunded // paid if paid else 0
    return min(max(target - order.points_reversed, 0), order.points_earned - order.points_reversed)


# ---------------------------------------------------------------- tenders


def _refund_rank(tender: CapturedTender) -> tuple[int, int, str]:
    rank = REFUND_ORDER.index(tender.tender) + 1 if tender.tender in REFUND_ORDER else 0
    return rank, tender.position, tender.payment_id


def split_refund(total: int, order: SoldOrder, policy: RefundPolicy) -> tuple[TenderRefund, ...]:
    """Money going back on an order outside a return (a goodwill refund): over its payments in the order refunds take."""
    if total <= 0:
        raise InvalidRefundInput("a refund must be more than zero", fields=[FieldError("amount", "not positive", InvalidRefundInput.code)])
    return _split(total, order, policy)


def _split(total: int, order: SoldOrder, policy: RefundPolicy) -> tuple[TenderRefund, ...]:
    """`total` over the payments in refund order, each capped at what it has left; refused when they have too little."""
    ordered = sorted(order.tenders, key=_refund_rank)
    left = sum(tender.refundable_minor for tender in ordered)
    if total > left:
        raise RefundAboveRemaining(f"the refund {money(total, order.currency)} is more than the {money(left, order.currency)} "
                                   "the order's payments have left to refund", refund_minor=total, refundable_minor=left)
    parts, to_place = [], total
    for tender in ordered:
        part = min(tender.refundable_minor, to_place)
        to_place -= part
        if part:
            parts.append(_tender_refund(tender, part, policy=policy, currency=order.currency))
    return tuple(parts)


def _tender_refund(tender: CapturedTender, part: int, *, policy: RefundPolicy, currency: str) -> TenderRefund:
    amount = money(part, currency)
    refund_as, where = _as_store_credit(tender, policy)
    if refund_as is not None:
        text = f"{amount} {where}, payment {tender.payment_id} (captured {money(tender.captured_minor, currency)}, " \
               f"refunded before {money(tender.refunded_minor, currency)})"
        return TenderRefund(tender.payment_id, tender.tender, refund_as, part, 0, text)
    points = _points_back(tender, part)
    refund_as = tender.tender
    if tender.tender == GIFT_CARD:
        refund_as = policy.gift_card.value
        where = "to the gift card" if policy.gift_card is GiftCardRefund.GIFT_CARD else "paid by gift card, as store credit (policy)"
    elif tender.tender == LOYALTY_POINTS:
        where = f"as {points} loyalty points, the points spent on it"
    elif tender.tender in (CASH, STORE_CREDIT):
        where = "in cash" if tender.tender == CASH else "as store credit"
    else:
        where = f"to {tender.tender} (external tenders are refunded first)"
    text = f"{amount} {where}, payment {tender.payment_id} (captured {money(tender.captured_minor, currency)}, " \
           f"refunded before {money(tender.refunded_minor, currency)})"
    return TenderRefund(tender.payment_id, tender.tender, refund_as, part, points, text)


def _as_store_credit(tender: CapturedTender, policy: RefundPolicy) -> tuple[str | None, str]:
    """(store credit, why) when this tender's part goes back as store credit whatever it was paid by; else (None, "")."""
    if tender.tender == STORE_CREDIT:
        return None, ""
    if policy.is_store_credit_only:
        return STORE_CREDIT, f"paid by {tender.tender}, as store credit (a receipt-less return)"
    if tender.tender == MARKETPLACE and policy.marketplace is MarketplaceRefund.STORE_CREDIT:
        return STORE_CREDIT, "paid through the marketplace, as store credit (policy)"
    if tender.tender == CASH and not policy.is_cash_at_hand:
        return STORE_CREDIT, "paid in cash, as store credit (received where no cash can be handed back)"
    return None, ""


def _points_back(tender: CapturedTender, part: int) -> int:
    """Points for `part` of a points payment, cumulatively: the part that empties it returns the rest."""
    if tender.tender != LOYALTY_POINTS or not tender.points:
        return 0

    def upto(refunded: int) -> int:
        return tender.points if refunded == tender.captured_minor else tender.points * refunded // tender.captured_minor

    return upto(tender.refunded_minor + part) - upto(tender.refunded_minor)


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"
