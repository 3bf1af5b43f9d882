"""The promotions engine: which promotions apply to a cart, how much each takes off which line, and why.

Stacking rule. Promotions open to the cart are sorted by priority (higher first, then id).
The stackable ones apply together, in that order, each on what the earlier ones left
(a spend threshold is measured after them too). Each exclusive one applies alone. The
engine prices every such outcome — the stack, and each exclusive on its own — and keeps
the one where the customer pays least (goods after discounts plus shipping after its
discount, so a discount that loses free shipping is counted honestly); a tie goes to the
stack, then to the higher-priority exclusive. Everything else is explained as "not
stackable with …". Loyalty tier benefits are stackable promotions of the lowest priority,
so they apply last, on the already discounted amounts.

Why best-for-customer and not strict priority: the same cart gets the same, best price
on every channel whatever order a merchant entered offers in, and adding an exclusive
offer can never make a cart dearer; priority still decides the order within the stack.

Every amount is in the price book's VAT basis; a discount is computed once on the
eligible lines' total and split over them by largest remainder, so the parts add up to
it exactly and no line goes below zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, localcontext

from tvers.kernel.errors import InvalidInput
from tvers.kernel.money import CurrencyMismatch, Money, round_to_minor
from tvers.pricing.cart import CartLine, ChannelContext, CustomerContext
from tvers.pricing.eligibility import Blocked, Context, rejection_error, select_promotions
from tvers.pricing.errors import EmptyCart, InvalidPromotion
from tvers.pricing.promotion_types import (
    AmountOff,
    BuyXGetY,
    CouponUsage,
    FreeShipping,
    LineDiscount,
    PercentOff,
    Promotion,
    PromotionOutcome,
    PromotionResult,
    Stacking,
)

__all__ = ["TIER_PRIORITY", "apply_promotions", "tier_promotions"]

# Tier benefits apply after every merchant promotion.
TIER_PRIORITY = -1_000_000


def tier_promotions(customer: CustomerContext) -> list[Promotion]:
    """The customer's loyalty tier benefits as stackable promotions of the lowest priority."""
    if customer.tier is None:
        return []
    benefits, tier = customer.benefits, frozenset({customer.tier})
    promotions = []
    if benefits.percent_off > 0:
        promotions.append(
            Promotion(
                f"tier:{customer.tier}:percent",
                f"{customer.tier} tier {benefits.percent_off}% off",
                PercentOff(benefits.percent_off),
                tiers=tier,
                priority=TIER_PRIORITY,
            )
        )
    if benefits.free_shipping:
        promotions.append(
            Promotion(
                f"tier:{customer.tier}:shipping", f"{customer.tier} tier free shipping", FreeShipping(), tiers=tier, priority=TIER_PRIORITY
            )
        )
    return promotions


def apply_promotions(
    lines: Sequence[CartLine],
    *,
    promotions: Sequence[Promotion],
    channel: ChannelContext,
    customer: CustomerContext,
    at: datetime,
    coupon_codes: Sequence[str] = (),
    coupon_usage: Sequence[CouponUsage] = (),
    shipping_price: Callable[[Money], Money] | None = None,
    strict_coupons: bool = True,
) -> PromotionResult:
    """Apply `promotions` (plus the customer's tier benefits) to `lines` as of `at`.

    `shipping_price` maps the goods value after discounts to the shipping charge before
    promotions (free-shipping thresholds depend on it); None means nothing is shipped.
    A typed coupon that cannot apply raises its CouponRejected error, unless
    `strict_coupons` is False, when it is reported in `rejected_coupons` instead.
    """
    currency = _cart_currency(lines)
    context = Context(channel=channel, customer=customer, at=at, currency=currency)
    everything = [*promotions, *tier_promotions(customer)]
    if len({promotion.id for promotion in everything}) != len(everything):
        raise InvalidPromotion("Promotion ids must be unique (tier benefits use ids starting 'tier:')")
    open_, blocked, rejections = select_promotions(everything, context=context, coupon_codes=coupon_codes, coupon_usage=coupon_usage)
    if rejections and strict_coupons:
        raise rejection_error(rejections[0])
    price_of = shipping_price or (lambda value: Money.zero(value.currency))
    ordered = sorted(open_, key=lambda promotion: (-promotion.priority, promotion.id))
    stack = _Run.of(lines, [p for p in ordered if p.stacking is Stacking.STACKABLE], price_of)
    exclusives = [_Run.of(lines, [p], price_of) for p in ordered if p.is_exclusive]
    best = min([stack, *exclusives], key=lambda run: run.payable)  # min keeps the first of equals: the stack
    outcomes = _outcomes(best, [stack, *exclusives], blocked, everything, currency)
    return PromotionResult(
        discounts_by_line={line.line_id: tuple(best.discounts[line.line_id]) for line in lines},
        shipping_price=best.shipping_price,
        shipping_discount=best.shipping_discount,
        outcomes=outcomes,
        consumed_coupons=tuple(p.coupon.code for p in best.applied if p.coupon is not None),
        rejected_coupons=tuple(rejections),
    )


def _cart_currency(lines: Sequence[CartLine]) -> str:
    if not lines:
        raise EmptyCart("The cart has no lines")
    currencies = {line.unit_price.currency for line in lines}
    if len(currencies) != 1:
        raise CurrencyMismatch("All lines must be in one currency", currencies=sorted(currencies))
    if len({line.line_id for line in lines}) != len(lines):
        raise InvalidInput("Line ids must be unique within a cart", code="duplicate_line_id")
    return currencies.pop()


@dataclass
class _Run:
    """One candidate outcome: `promotions` applied in order to a fresh copy of the cart."""

    lines: Sequence[CartLine]
    remaining: dict[str, int]
    discounts: dict[str, list[LineDiscount]]
    shipping_price: Money
    outcomes: dict[str, PromotionOutcome] = field(default_factory=dict)
    applied: list[Promotion] = field(default_factory=list)
    shipping_discount: LineDiscount | None = None

    @classmethod
    def of(cls, lines: Sequence[CartLine], promotions: Sequence[Promotion], shipping_price: Callable[[Money], Money]) -> _Run:
        zero = Money.zero(lines[0].unit_price.currency)
        run = cls(lines, {ln.line_id: ln.amount.minor for ln in lines}, {ln.line_id: [] for ln in lines}, zero)
        free_shipping: list[Promotion] = []
        for promotion in promotions:
            if run._apply(promotion):
                free_shipping += [promotion] if isinstance(promotion.benefit, FreeShipping) else []
        run._ship(free_shipping, shipping_price)
        return run

    @property
    def currency(self) -> str:
        return self.lines[0].unit_price.currency

    @property
    def payable(self) -> int:
        """What the customer pays in this outcome, goods and shipping, in the book's VAT basis."""
        shipping = self.shipping_price.minor - (self.shipping_discount.amount.minor if self.shipping_discount else 0)
        return sum(self.remaining.values()) + shipping

    def _apply(self, promotion: Promotion) -> bool:
        eligible = [line for line in self.lines if promotion.target.matches(line)]
        base = Money(sum(self.remaining[line.line_id] for line in eligible), self.currency)
        blocked = _threshold_blocked(promotion, eligible, base)
        if blocked is None and isinstance(promotion.benefit, FreeShipping):
            return True  # decided in _ship, once the goods value is known
        parts = {} if blocked else _discounts(promotion, eligible, self.remaining, base)
        if blocked is None and not any(parts.values()):
            blocked = _NOTHING_LEFT
        if blocked is not None:
            self.outcomes[promotion.id] = _not_applied(promotion, blocked, self.currency)
            return False
        for line_id, minor in parts.items():
            if minor:
                self.remaining[line_id] -= minor
                self.discounts[line_id].append(LineDiscount(promotion.id, Money(minor, self.currency)))
        amount = Money(sum(parts.values()), self.currency)
        line_ids = tuple(line_id for line_id, minor in parts.items() if minor)
        self.outcomes[promotion.id] = _applied(promotion, amount, Money.zero(self.currency), line_ids)
        self.applied.append(promotion)
        return True

    def _ship(self, free_shipping: list[Promotion], shipping_price: Callable[[Money], Money]) -> None:
        self.shipping_price = shipping_price(Money(sum(self.remaining.values()), self.currency))
        for index, promotion in enumerate(free_shipping):
            if index == 0 and not self.shipping_price.is_zero:
                self.shipping_discount = LineDiscount(promotion.id, self.shipping_price)
                self.outcomes[promotion.id] = _applied(promotion, Money.zero(self.currency), self.shipping_price, ())
                self.applied.append(promotion)
            else:
                why = Blocked("no_discount", "shipping is already free")
                self.outcomes[promotion.id] = _not_applied(promotion, why, self.currency)


def _threshold_blocked(promotion: Promotion, eligible: list[CartLine], base: Money) -> Blocked | None:
    if not eligible:
        return Blocked("no_eligible_lines", "no line in the cart qualifies")
    if promotion.min_subtotal is not None and base < promotion.min_subtotal:
        what = "cart" if promotion.target.is_whole_cart else "qualifying items"
        return Blocked("below_threshold", f"{what} {base.amount} below threshold {promotion.min_subtotal.amount}")
    benefit = promotion.benefit
    if isinstance(benefit, BuyXGetY):
        units = sum(line.quantity for line in eligible)
        if units < benefit.buy + benefit.get:
            return Blocked("below_quantity", f"needs {benefit.buy + benefit.get} qualifying units, cart has {units}")
    return None


_NOTHING_LEFT = Blocked("no_discount", "qualifying lines are already fully discounted")


def _discounts(promotion: Promotion, eligible: list[CartLine], remaining: dict[str, int], base: Money) -> dict[str, int]:
    """Minor units off each eligible line; never more than the line has left."""
    benefit = promotion.benefit
    if isinstance(benefit, PercentOff):
        return _split(base.multiply(benefit.percent.scaleb(-2)), eligible, remaining)
    if isinstance(benefit, AmountOff) and benefit.per_unit:
        return {ln.line_id: min(benefit.amount.minor * ln.quantity, remaining[ln.line_id]) for ln in eligible}
    if isinstance(benefit, AmountOff):
        return _split(min(benefit.amount, base), eligible, remaining)
    if isinstance(benefit, BuyXGetY):
        return _buy_x_get_y(benefit, eligible, remaining)
    return {}


def _split(discount: Money, eligible: list[CartLine], remaining: dict[str, int]) -> dict[str, int]:
    """Largest-remainder split in proportion to what each line has left; parts sum to `discount`."""
    weights = [remaining[line.line_id] for line in eligible]
    if discount.is_zero or sum(weights) == 0:
        return {line.line_id: 0 for line in eligible}
    return {line.line_id: part.minor for line, part in zip(eligible, discount.split(weights), strict=True)}


def _buy_x_get_y(benefit: BuyXGetY, eligible: list[CartLine], remaining: dict[str, int]) -> dict[str, int]:
    """The cheapest units of every buy+get group are discounted; ties go to the earlier line."""
    to_give = sum(line.quantity for line in eligible) // (benefit.buy + benefit.get) * benefit.get
    parts = {}
    for index in sorted(range(len(eligible)), key=lambda i: (eligible[i].unit_price.minor, i)):
        line = eligible[index]
        count, to_give = min(line.quantity, to_give), to_give - min(line.quantity, to_give)
        left = remaining[line.line_id]
        # What is left on the line, per unit, for `count` units at `percent`: one rounding.
        with localcontext(prec=60):
            exact = Decimal(left) * count * benefit.percent / (line.quantity * 100)
        parts[line.line_id] = min(round_to_minor(exact), left)
    return {line.line_id: parts[line.line_id] for line in eligible}


def _applied(promotion: Promotion, amount: Money, shipping: Money, line_ids: tuple[str, ...]) -> PromotionOutcome:
    where = f"{amount.amount} off lines {', '.join(line_ids)}" if line_ids else f"{shipping.amount} off shipping"
    return PromotionOutcome(promotion.id, promotion.name, True, "applied", where, amount, shipping, line_ids)


def _not_applied(promotion: Promotion, blocked: Blocked, currency: str) -> PromotionOutcome:
    zero = Money.zero(currency)
    return PromotionOutcome(promotion.id, promotion.name, False, blocked.reason, blocked.message, zero, zero)


def _outcomes(
    best: _Run, runs: list[_Run], blocked: list[tuple[Promotion, Blocked]], everything: list[Promotion], currency: str
) -> tuple[PromotionOutcome, ...]:
    """One outcome per promotion, in the order given: the winner's, else why it lost or was shut out."""
    found: dict[str, PromotionOutcome] = {p.id: _not_applied(p, why, currency) for p, why in blocked}
    winners = ", ".join(p.name for p in best.applied) or "nothing"
    for run in runs:
        for promotion_id, outcome in run.outcomes.items():
            if run is best or not outcome.is_applied:
                found[promotion_id] = outcome
            else:
                promotion = next(p for p in everything if p.id == promotion_id)
                found[promotion_id] = _not_applied(promotion, _lost(promotion, best, winners), currency)
    return tuple(found[p.id] for p in everything if p.id in found)


def _lost(promotion: Promotion, best: _Run, winners: str) -> Blocked:
    if promotion.is_exclusive:
        return Blocked("not_stackable", f"exclusive, and {winners} saves the customer more")
    exclusive = next((p for p in best.applied if p.is_exclusive), None)
    name = exclusive.name if exclusive else winners
    return Blocked("not_stackable", f"not stackable with {name}")
