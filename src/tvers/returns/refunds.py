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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from itertools import product
from math import prod

from tvers.kernel.errors import FieldError
from tvers.kernel.money import Money, round_to_minor
from tvers.returns.errors import EmptyReturn, InvalidRefundInput, InvalidReturnQuantity, RefundAboveRemaining, UnknownReturnLine
from tvers.returns.refund_types import (
    CapturedTender,
    DiscountPart,
    GiftCardRefund,
    MarketplaceRefund,
    PromotionClawBack,
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
# Combinations of returned units on broken promotions' lines searched for the least claw-back (`_least_dues`).
SEARCH_LIMIT = 20_000
MARKETPLACE = "marketplace"


def refund_for(return_lines: Sequence[ReturnLine], order: SoldOrder, policy: RefundPolicy) -> RefundPlan:
    """The refund for `return_lines` of `order` under `policy`; raises on a return that cannot be (nothing is decided)."""
    after = _returned_after(return_lines, order)
    lines = tuple(_refund_line(item, _sold(order, item.line_id), after=after[item.line_id], policy=policy, currency=order.currency)
                  for item in return_lines)
    everything = all(after[line.line_id] == line.payable_quantity for line in order.lines)
    fees = {line.line_id: policy.restocking for line in order.lines} | {item.line_id: item.restocking or policy.restocking
                                                                         for item in return_lines}
    claw_backs = _claw_backs(order, after, fees, room=sum(line.refund_minor for line in lines), is_on=policy.is_claw_back_on)
    shipping = _shipping(order, policy, everything=everything)
    total = sum(line.refund_minor for line in lines) - sum(c.deducted_minor - c.released_minor for c in claw_backs) + shipping.amount_minor
    return RefundPlan(
        currency=order.currency,
        lines=lines,
        promotions=claw_backs,
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


def _share(whole: int, line: SoldLine, units: int) -> int:
    """The first `units` units' share of `whole`: rounded down; all the paid units take it less the cancelled units' share."""
    if units >= line.payable_quantity:
        cancelled = whole if line.cancelled_quantity == line.quantity else whole * line.cancelled_quantity // line.quantity
        return whole - cancelled
    return whole * units // line.quantity


def _part(whole: int, line: SoldLine, *, before: int, after: int) -> int:
    """The share of `whole` of the units from `before` to `after`: cumulative, so any parts add up to the whole."""
    return _share(whole, line, after) - _share(whole, line, before)


def _refund_line(item: ReturnLine, line: SoldLine, *, after: int, policy: RefundPolicy, currency: str) -> RefundedLine:
    before = line.returned_quantity
    amount = _part(line.total_minor, line, before=before, after=after)
    vat = _part(line.vat_minor, line, before=before, after=after)
    discounts = tuple(DiscountPart(part.promotion_id, _part(part.amount_minor, line, before=before, after=after), part.name)
                      for part in line.discounts)
    damaged = _damaged_fee(item, line, before=before)
    fee = min(_restocking_fee(item.restocking or policy.restocking, line, before=before, after=after) + damaged, amount)
    fee_vat = min(_vat_in(fee, line.vat_rate), vat)
    label = line.title or f"line {line.line_id}"
    text = (f"{label}: {item.quantity} of {line.quantity} units returned, paid {_money(amount, currency)} "
            f"incl. VAT {_money(vat, currency)} ({_percent(line.vat_rate)})")
    if any(part.amount_minor for part in discounts):
        text += " after discounts " + ", ".join(f"{part.name or part.promotion_id} {_money(part.amount_minor, currency)}"
                                                for part in discounts if part.amount_minor)
    if fee:
        text += f"; restocking fee {_money(fee, currency)} kept (VAT {_money(fee_vat, currency)})"
    if damaged:
        text += f", of which {_money(min(damaged, fee), currency)} for {item.damaged_quantity} unit(s) returned damaged by the customer"
    return RefundedLine(line.line_id, item.quantity, amount, vat, line.vat_rate, discounts, fee, fee_vat, text)


def _restocking_fee(fee: RestockingFee, line: SoldLine, *, before: int, after: int) -> int:
    """Percent of the line's returned value counted cumulatively (no rounding drift across returns), plus the fixed part."""
    if fee.is_zero:
        return 0
    return _percent_fee(fee, line, after) - _percent_fee(fee, line, before) + fee.fixed_minor


def _damaged_fee(item: ReturnLine, line: SoldLine, *, before: int) -> int:
    """The condition rule: a percent of what the units the customer damaged were paid (taken as the return's first units)."""
    if not item.damaged_quantity or item.damaged_fee is None or not item.damaged_fee.percent:
        return 0
    paid = _part(line.total_minor, line, before=before, after=before + min(item.damaged_quantity, item.quantity))
    return round_to_minor(Decimal(paid) * item.damaged_fee.percent.scaleb(-2))


def _percent_fee(fee: RestockingFee, line: SoldLine, units: int) -> int:
    """The percent part of the fee on the first `units` returned units of the line, counted cumulatively."""
    return round_to_minor(Decimal(_share(line.total_minor, line, units)) * fee.percent.scaleb(-2)) if fee.percent else 0


def _vat_in(gross: int, rate: Decimal) -> int:
    """The VAT inside a VAT-inclusive amount, one rounding."""
    with localcontext(prec=60):
        exact = Decimal(gross) * rate / (1 + rate)
    return round_to_minor(exact)


# ---------------------------------------------------------------- broken promotions


@dataclass(frozen=True, slots=True)
class _Due:
    """The claw-back a promotion's kept units owe in total after this return (VAT included), and why."""

    gross: int
    vat: int
    reason: str


def _claw_backs(order: SoldOrder, after: Mapping[str, int], fees: Mapping[str, RestockingFee], *, room: int,
                is_on: bool) -> tuple[PromotionClawBack, ...]:
    """Deduct what broken promotions owe, in the order they applied, never more than the refund can bear; pay back the rest."""
    dues = _least_dues(order, after, fees) if is_on else [(terms, _Due(0, 0, "")) for terms in order.promotions]
    room += sum(max(terms.clawed_back_minor - due.gross, 0) for terms, due in dues)  # paid back first, so deductions can use it
    result = []
    for terms, due in dues:
        claw, room = _settle(terms, due, room=room, currency=order.currency)
        if claw.deducted_minor or claw.released_minor or claw.outstanding_minor:
            result.append(claw)
    return tuple(result)


def _dues(order: SoldOrder, returned: Mapping[str, int]) -> list[tuple[PromotionTerms, _Due]]:
    """What each promotion's kept units owe with `returned` units of each line returned, in the order they applied."""
    dues, earlier = [], frozenset[str]()
    for terms in order.promotions:
        dues.append((terms, _due(terms, order, returned, earlier=earlier)))
        earlier = earlier | {terms.promotion_id}
    return dues


def _least_dues(order: SoldOrder, after: Mapping[str, int], fees: Mapping[str, RestockingFee]) -> list[tuple[PromotionTerms, _Due]]:
    """What broken promotions owe once `after` units are returned, capped so that returning more never gives back less.

    For every smaller set of the returned units, what would then be owed plus the value of the units beyond it is also
    an upper bound: the least of them is owed. So the money given back for a set of returned units is the best any part
    of it would give, whatever order the returns came in (a refund never needs the zero floor). A unit's value here is
    what it was paid less its percent restocking fee (the fixed part is per return, so it cannot be). The units whose return
    the cap withholds are charged to the first promotion they break. Searched exhaustively up to `SEARCH_LIMIT`
    combinations of the units on broken promotions' lines; beyond, the plain dues (and the floor) apply.
    """
    plain = _dues(order, after)
    broken_ids = {line_id for terms, due in plain if due.gross > 0 for line_id in _condition_lines(terms, order)}
    lines = [line for line in order.lines if line.line_id in broken_ids and after[line.line_id] > 0]
    if not lines or prod(after[line.line_id] + 1 for line in lines) > SEARCH_LIMIT:
        return plain
    def kept_back(returned: Mapping[str, int]) -> tuple[int, int]:
        """(value, VAT) of the returned units beyond `returned`: paid less the percent restocking fee."""
        gross = vat = 0
        for line in lines:
            units, fewer = after[line.line_id], returned[line.line_id]
            fee = _percent_fee(fees[line.line_id], line, units) - _percent_fee(fees[line.line_id], line, fewer)
            gross += _share(line.total_minor, line, units) - _share(line.total_minor, line, fewer) - fee
            vat += _share(line.vat_minor, line, units) - _share(line.vat_minor, line, fewer) - _vat_in(fee, line.vat_rate)
        return gross, min(max(vat, 0), gross)

    best_cost, best, best_returned = sum(due.gross for _, due in plain), plain, dict(after)
    for counts in product(*(range(after[line.line_id], -1, -1) for line in lines)):  # most units first: ties keep more
        returned = {**after, **{line.line_id: count for line, count in zip(lines, counts, strict=True)}}
        withheld, _ = kept_back(returned)
        if withheld >= best_cost:
            continue
        dues = _dues(order, returned)
        cost = withheld + sum(due.gross for _, due in dues)
        if cost < best_cost:
            best_cost, best, best_returned = cost, dues, returned
    if best is plain:
        return plain
    withheld, withheld_vat = kept_back(best_returned)
    charged = next((terms.promotion_id for (terms, due), (_, fewer) in zip(plain, best, strict=True) if due.gross > 0 and not fewer.gross),
                   next(terms.promotion_id for terms, due in plain if due.gross > 0))
    capped = []
    for (terms, due), (_, fewer) in zip(plain, best, strict=True):
        if terms.promotion_id == charged:
            reason = (f"{due.reason or fewer.reason}; capped at what keeping some of the returned items would have cost, "
                      f"{_money(withheld + fewer.gross, order.currency)}")
            fewer = _Due(fewer.gross + withheld, fewer.vat + withheld_vat, reason)
        capped.append((terms, fewer))
    return capped


def _condition_lines(terms: PromotionTerms, order: SoldOrder) -> set[str]:
    return set(terms.line_ids) or {line.line_id for line in order.lines if line.discount_of(terms.promotion_id)}


def _settle(terms: PromotionTerms, due: _Due, *, room: int, currency: str) -> tuple[PromotionClawBack, int]:
    change, vat_change = due.gross - terms.clawed_back_minor, due.vat - terms.clawed_back_vat_minor
    name = terms.name or terms.promotion_id
    if change <= 0:
        released = -change
        released_vat = min(max(terms.clawed_back_vat_minor - due.vat, 0), released)
        text = (f"{name}: {_money(released, currency)} deducted by an earlier refund is paid back, "
                "its items now being returned too")
        return PromotionClawBack(terms.promotion_id, terms.name, 0, 0, released, released_vat, 0, text), room
    deducted = min(change, room)
    deducted_vat = min(max(vat_change * deducted // change, 0), deducted)
    text = f"{name}: {due.reason}; {_money(deducted, currency)} of its discount on the kept items is deducted"
    if change > deducted:
        text += f", {_money(change - deducted, currency)} more from the next return (a refund never goes below zero)"
    return PromotionClawBack(terms.promotion_id, terms.name, deducted, deducted_vat, 0, 0, change - deducted, text), room - deducted


def _due(terms: PromotionTerms, order: SoldOrder, after: Mapping[str, int], *, earlier: frozenset[str]) -> _Due:
    """What the units kept after this return can no longer have of `terms`' discount, VAT included."""
    ids = _condition_lines(terms, order)
    lines = [line for line in order.lines if line.line_id in ids]
    book, reason = _broken_threshold(terms, lines, after, earlier=earlier, currency=order.currency)
    if book is None:
        book, reason = _fewer_groups(terms, lines, after)
    gross = vat = 0
    for line in lines:
        line_gross, line_vat = _with_vat(book.get(line.line_id, 0), line.vat_rate, includes_vat=order.prices_include_vat)
        gross, vat = gross + line_gross, vat + line_vat
    return _Due(gross, vat, reason)


def _kept_share(whole: int, line: SoldLine, after: Mapping[str, int]) -> int:
    return _part(whole, line, before=after[line.line_id], after=line.payable_quantity)


def _broken_threshold(terms: PromotionTerms, lines: list[SoldLine], after: Mapping[str, int], *, earlier: frozenset[str],
                      currency: str) -> tuple[dict[str, int] | None, str]:
    """All of the kept units' discount when they fall below the spend threshold the paid units met; None if not broken."""
    threshold = terms.min_subtotal_minor
    if threshold is None or not lines:
        return None, ""
    bases = {line.line_id: line.base_before(terms.promotion_id, earlier=earlier) for line in lines}
    paid = sum(_share(bases[line.line_id], line, line.payable_quantity) for line in lines)
    kept = sum(_kept_share(bases[line.line_id], line, after) for line in lines)
    if paid < threshold or kept >= threshold:
        return None, ""
    reason = f"the items kept come to {_money(kept, currency)}, below its {_money(threshold, currency)} threshold"
    return {line.line_id: _kept_share(line.discount_of(terms.promotion_id), line, after) for line in lines}, reason


def _fewer_groups(terms: PromotionTerms, lines: list[SoldLine], after: Mapping[str, int]) -> tuple[dict[str, int], str]:
    """Buy X get Y: the kept units' discount beyond their lines' share of the groups the kept units still complete."""
    size = terms.units_per_group
    if size is None or not lines:
        return {}, ""
    units_kept = sum(line.payable_quantity - after[line.line_id] for line in lines)
    groups_paid, groups_kept = sum(line.payable_quantity for line in lines) // size, units_kept // size
    if groups_kept >= groups_paid:
        return {}, ""
    book = {}
    for line in lines:
        discount = line.discount_of(terms.promotion_id)
        with localcontext(prec=60):
            still_earned = round_to_minor(Decimal(_share(discount, line, line.payable_quantity)) * groups_kept / groups_paid)
        book[line.line_id] = max(_kept_share(discount, line, after) - still_earned, 0)
    return book, f"the {units_kept} units kept complete {groups_kept} of the {groups_paid} groups that earned it"


def _with_vat(book: int, rate: Decimal, *, includes_vat: bool) -> tuple[int, int]:
    """A book-basis amount as charged: (gross, its VAT)."""
    if includes_vat:
        return book, _vat_in(book, rate)
    vat = round_to_minor(Decimal(book) * rate)
    return book + vat, vat


# ---------------------------------------------------------------- shipping, points


def _shipping(order: SoldOrder, policy: RefundPolicy, *, everything: bool) -> RefundedShipping:
    charge, currency = order.shipping, order.currency
    price = _money(charge.total_minor, currency)
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
        raise RefundAboveRemaining(f"the refund {_money(total, order.currency)} is more than the {_money(left, order.currency)} "
                                   "the order's payments have left to refund", refund_minor=total, refundable_minor=left)
    parts, to_place = [], total
    for tender in ordered:
        part = min(tender.refundable_minor, to_place)
        to_place -= part
        if part:
            parts.append(_tender_refund(tender, part, policy=policy, currency=order.currency))
    return tuple(parts)


def _tender_refund(tender: CapturedTender, part: int, *, policy: RefundPolicy, currency: str) -> TenderRefund:
    amount = _money(part, currency)
    refund_as, where = _as_store_credit(tender, policy)
    if refund_as is not None:
        text = f"{amount} {where}, payment {tender.payment_id} (captured {_money(tender.captured_minor, currency)}, " \
               f"refunded before {_money(tender.refunded_minor, currency)})"
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
    text = f"{amount} {where}, payment {tender.payment_id} (captured {_money(tender.captured_minor, currency)}, " \
           f"refunded before {_money(tender.refunded_minor, currency)})"
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


def _money(minor: int, currency: str) -> str:
    return str(Money(minor, currency))


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"
