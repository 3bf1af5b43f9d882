"""Broken promotions: what the kept units of an order owe once some of it is returned, and what a refund deducts or pays
back for it (the claw-back; the rule is in `returns.refunds` and ADR 0012). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from itertools import product
from math import prod

from tvers.kernel.money import round_to_minor
from tvers.returns.refund_shares import money, part, percent_fee, share, vat_in
from tvers.returns.refund_types import PromotionClawBack, PromotionTerms, RestockingFee, SoldLine, SoldOrder

# Combinations of returned units on broken promotions' lines searched for the least claw-back (`_least_dues`).
SEARCH_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class _Due:
    """The claw-back a promotion's kept units owe in total after this return (VAT included), and why."""

    gross: int
    vat: int
    reason: str


def claw_backs(order: SoldOrder, after: Mapping[str, int], fees: Mapping[str, RestockingFee], *, room: int,
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
            fee = percent_fee(fees[line.line_id], line, units) - percent_fee(fees[line.line_id], line, fewer)
            gross += share(line.total_minor, line, units) - share(line.total_minor, line, fewer) - fee
            vat += share(line.vat_minor, line, units) - share(line.vat_minor, line, fewer) - vat_in(fee, line.vat_rate)
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
                      f"{money(withheld + fewer.gross, order.currency)}")
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
        text = (f"{name}: {money(released, currency)} deducted by an earlier refund is paid back, "
                "its items now being returned too")
        return PromotionClawBack(terms.promotion_id, terms.name, 0, 0, released, released_vat, 0, text), room
    deducted = min(change, room)
    deducted_vat = min(max(vat_change * deducted // change, 0), deducted)
    text = f"{name}: {due.reason}; {money(deducted, currency)} of its discount on the kept items is deducted"
    if change > deducted:
        text += f", {money(change - deducted, currency)} more from the next return (a refund never goes below zero)"
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
    return part(whole, line, before=after[line.line_id], after=line.payable_quantity)


def _broken_threshold(terms: PromotionTerms, lines: list[SoldLine], after: Mapping[str, int], *, earlier: frozenset[str],
                      currency: str) -> tuple[dict[str, int] | None, str]:
    """All of the kept units' discount when they fall below the spend threshold the paid units met; None if not broken."""
    threshold = terms.min_subtotal_minor
    if threshold is None or not lines:
        return None, ""
    bases = {line.line_id: line.base_before(terms.promotion_id, earlier=earlier) for line in lines}
    paid = sum(share(bases[line.line_id], line, line.payable_quantity) for line in lines)
    kept = sum(_kept_share(bases[line.line_id], line, after) for line in lines)
    if paid < threshold or kept >= threshold:
        return None, ""
    reason = f"the items kept come to {money(kept, currency)}, below its {money(threshold, currency)} threshold"
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
            still_earned = round_to_minor(Decimal(share(discount, line, line.payable_quantity)) * groups_kept / groups_paid)
        book[line.line_id] = max(_kept_share(discount, line, after) - still_earned, 0)
    return book, f"the {units_kept} units kept complete {groups_kept} of the {groups_paid} groups that earned it"


def _with_vat(book: int, rate: Decimal, *, includes_vat: bool) -> tuple[int, int]:
    """A book-basis amount as charged: (gross, its VAT)."""
    if includes_vat:
        return book, vat_in(book, rate)
    vat = round_to_minor(Decimal(book) * rate)
    return book + vat, vat
