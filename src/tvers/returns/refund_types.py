"""What the refund calculation is fed (the order as sold, its payments, the policy) and what it answers. Plain values.

Amounts are integer minor units of the order's currency. "Book basis" means the price book's VAT basis, as the
order line's `amount_minor` and `discounts` keep it; everything else (totals, refunds, tenders) includes VAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tvers.kernel.money import Money, minor_digits
from tvers.returns.errors import InvalidRefundInput

__all__ = [
    "CapturedTender",
    "DiscountPart",
    "GiftCardRefund",
    "MarketplaceRefund",
    "PromotionClawBack",
    "PromotionTerms",
    "RefundPlan",
    "RefundPolicy",
    "RefundedLine",
    "RefundedShipping",
    "RestockingFee",
    "ReturnLine",
    "ShippingCharge",
    "ShippingRefund",
    "SoldLine",
    "SoldOrder",
    "TenderRefund",
]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidRefundInput(message)


# ---------------------------------------------------------------- the policy


class ShippingRefund(StrEnum):
    """When the shipping charge goes back: never, with the return that leaves nothing kept, or with the first return."""

    NEVER = "never"
    WHEN_ALL_RETURNED = "when_all_returned"
    ALWAYS = "always"


class GiftCardRefund(StrEnum):
    """What the part paid by gift card goes back as."""

    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"


class MarketplaceRefund(StrEnum):
    """What the part paid through a marketplace goes back as: through the marketplace, or as store credit."""

    MARKETPLACE = "marketplace"
    STORE_CREDIT = "store_credit"


@dataclass(frozen=True, slots=True)
class RestockingFee:
    """Kept back per returned line: `percent` of what its returned units were paid, plus `fixed_minor` (VAT included)."""

    percent: Decimal = Decimal(0)
    fixed_minor: int = 0

    def __post_init__(self) -> None:
        _require(isinstance(self.percent, Decimal) and Decimal(0) <= self.percent <= Decimal(100),
                 "A restocking fee percent is a Decimal from 0 to 100")
        _require(self.fixed_minor >= 0, "A fixed restocking fee must not be negative")

    @property
    def is_zero(self) -> bool:
        return self.percent == 0 and self.fixed_minor == 0


@dataclass(frozen=True, slots=True)
class RefundPolicy:
    """The refund terms of the channel the order was sold on (resolved per category by the caller).

    `is_claw_back_on` False keeps every discount as allocated whatever the kept items are worth (see `refunds`).
    `is_store_credit_only` (a receipt-less return) sends every tender's part back as store credit.
    `is_cash_at_hand` False (received where nobody can hand cash back: by mail at a warehouse) sends the cash part back
    as store credit.
    """

    shipping: ShippingRefund = ShippingRefund.NEVER
    restocking: RestockingFee = RestockingFee()
    gift_card: GiftCardRefund = GiftCardRefund.GIFT_CARD
    is_claw_back_on: bool = True
    marketplace: MarketplaceRefund = MarketplaceRefund.MARKETPLACE
    is_store_credit_only: bool = False
    is_cash_at_hand: bool = True


# ---------------------------------------------------------------- the order as sold


@dataclass(frozen=True, slots=True)
class DiscountPart:
    """One promotion's share of one line's discount, in book basis (an order line's `discounts` entry)."""

    promotion_id: str
    amount_minor: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class SoldLine:
    """An order line as sold. `discounts` in the order the promotions applied; quantities are cumulative so far.

    `amount_minor` is unit price × quantity before discounts (book basis); `total_minor` and `vat_minor` are what
    the whole line was charged, VAT included; `vat_rate` is a fraction (0.25).
    """

    line_id: str
    quantity: int
    fulfilled_quantity: int
    amount_minor: int
    total_minor: int
    vat_minor: int
    vat_rate: Decimal
    discounts: tuple[DiscountPart, ...] = ()
    cancelled_quantity: int = 0
    returned_quantity: int = 0
    title: str = ""

    def __post_init__(self) -> None:
        line = self.line_id
        _require(self.quantity >= 1 and 0 <= self.cancelled_quantity <= self.quantity,
                 f"line {line}: quantity must be positive and cancelled units within it")
        _require(0 <= self.returned_quantity <= self.fulfilled_quantity <= self.payable_quantity,
                 f"line {line}: returned ≤ fulfilled ≤ quantity less cancelled")
        _require(0 <= self.vat_minor <= self.total_minor and self.amount_minor >= 0,
                 f"line {line}: amounts must not be negative, nor VAT above the total")
        _require(isinstance(self.vat_rate, Decimal) and self.vat_rate >= 0, f"line {line}: VAT rate is a Decimal fraction")
        _require(all(part.amount_minor >= 0 for part in self.discounts), f"line {line}: discounts must not be negative")
        _require(len({part.promotion_id for part in self.discounts}) == len(self.discounts),
                 f"line {line}: one discount part per promotion")

    @property
    def payable_quantity(self) -> int:
        """Units the customer pays for: bought less cancelled."""
        return self.quantity - self.cancelled_quantity

    def discount_of(self, promotion_id: str) -> int:
        return next((part.amount_minor for part in self.discounts if part.promotion_id == promotion_id), 0)

    def base_before(self, promotion_id: str, *, earlier: frozenset[str]) -> int:
        """The line's amount in book basis after the discounts applied before `promotion_id` (what its threshold measured).

        On a line that carries the promotion, those are the parts listed before it; on one that does not, the parts of
        the promotions in `earlier`.
        """
        ids = [part.promotion_id for part in self.discounts]
        before = ids[: ids.index(promotion_id)] if promotion_id in ids else [pid for pid in ids if pid in earlier]
        return self.amount_minor - sum(part.amount_minor for part in self.discounts if part.promotion_id in before)


@dataclass(frozen=True, slots=True)
class PromotionTerms:
    """A promotion applied to the order, with the condition a return can break. Pass them in the order they applied.

    `min_subtotal_minor`: its spend threshold in book basis, measured on its lines after earlier promotions.
    `units_per_group`: for "buy X get Y", X + Y; the discount was earned once per full group of its lines' units.
    `line_ids`: the lines its target covers; empty means the lines carrying a part of its discount.
    `clawed_back_minor` / `clawed_back_vat_minor`: claw-back deducted by this order's earlier refunds, less what
    was paid back since (the sums of `PromotionClawBack.deducted… − released…` of earlier plans).
    """

    promotion_id: str
    name: str
    min_subtotal_minor: int | None = None
    units_per_group: int | None = None
    line_ids: frozenset[str] = frozenset()
    clawed_back_minor: int = 0
    clawed_back_vat_minor: int = 0

    def __post_init__(self) -> None:
        _require(self.min_subtotal_minor is None or self.min_subtotal_minor >= 0, "A spend threshold must not be negative")
        _require(self.units_per_group is None or self.units_per_group >= 2, "Buy X get Y needs groups of at least 2 units")
        _require(0 <= self.clawed_back_vat_minor <= self.clawed_back_minor,
                 "Clawed-back amounts must not be negative, nor their VAT above them")


@dataclass(frozen=True, slots=True)
class ShippingCharge:
    """The shipping charge as paid (VAT included) and whether an earlier refund already gave it back."""

    total_minor: int = 0
    vat_minor: int = 0
    is_refunded: bool = False

    def __post_init__(self) -> None:
        _require(0 <= self.vat_minor <= self.total_minor, "Shipping amounts must not be negative, nor VAT above the total")


@dataclass(frozen=True, slots=True)
class CapturedTender:
    """One payment of the order: its tender code, what it captured and refunded so far; `points` burnt for a points tender.

    `position` is its place among the order's tenders at checkout; it orders tenders of the same kind.
    """

    payment_id: str
    tender: str
    captured_minor: int
    refunded_minor: int = 0
    position: int = 0
    points: int = 0

    def __post_init__(self) -> None:
        _require(0 <= self.refunded_minor <= self.captured_minor,
                 f"payment {self.payment_id}: refunded must be within captured")
        _require(self.points >= 0, f"payment {self.payment_id}: points must not be negative")

    @property
    def refundable_minor(self) -> int:
        return self.captured_minor - self.refunded_minor


@dataclass(frozen=True, slots=True)
class SoldOrder:
    """Everything about an order a refund depends on, as plain values."""

    currency: str
    prices_include_vat: bool
    lines: tuple[SoldLine, ...]
    tenders: tuple[CapturedTender, ...]
    promotions: tuple[PromotionTerms, ...] = ()
    shipping: ShippingCharge = ShippingCharge()
    points_earned: int = 0
    points_reversed: int = 0

    def __post_init__(self) -> None:
        minor_digits(self.currency)
        _require(len({line.line_id for line in self.lines}) == len(self.lines), "Line ids must be unique")
        _require(len({tender.payment_id for tender in self.tenders}) == len(self.tenders), "Payment ids must be unique")
        _require(len({terms.promotion_id for terms in self.promotions}) == len(self.promotions), "Promotion ids must be unique")
        _require(0 <= self.points_reversed <= self.points_earned, "Points reversed must be within the points earned")

    def line(self, line_id: str) -> SoldLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """Units of one order line coming back; `restocking` overrides the policy's fee for this line (e.g. by category)."""

    line_id: str
    quantity: int
    restocking: RestockingFee | None = None
    damaged_quantity: int = 0  # of `quantity`, units the customer damaged (the condition rule's fee applies to them)
    damaged_fee: RestockingFee | None = None  # its percent of what those units were paid is kept


# ---------------------------------------------------------------- the answer


@dataclass(frozen=True, slots=True)
class RefundedLine:
    """What the returned units of one line were paid (VAT included, after their share of every discount) and the fee kept."""

    line_id: str
    quantity: int
    amount_minor: int
    vat_minor: int
    vat_rate: Decimal
    discounts: tuple[DiscountPart, ...]
    restocking_fee_minor: int
    restocking_fee_vat_minor: int
    explanation: str

    @property
    def refund_minor(self) -> int:
        return self.amount_minor - self.restocking_fee_minor


@dataclass(frozen=True, slots=True)
class PromotionClawBack:
    """A promotion whose condition the kept items no longer meet: what this refund deducts, pays back, or could not deduct.

    `outstanding_minor` was due but more than this refund could bear; the next return of the order deducts it first.
    """

    promotion_id: str
    name: str
    deducted_minor: int
    deducted_vat_minor: int
    released_minor: int
    released_vat_minor: int
    outstanding_minor: int
    explanation: str


@dataclass(frozen=True, slots=True)
class RefundedShipping:
    amount_minor: int
    vat_minor: int
    explanation: str


@dataclass(frozen=True, slots=True)
class TenderRefund:
    """The part going back to one payment: `refund_as` is the tender it goes back as; `points` for a points tender."""

    payment_id: str
    tender: str
    refund_as: str
    amount_minor: int
    points: int
    explanation: str


@dataclass(frozen=True, slots=True)
class RefundPlan:
    """The refund of one return, figure by figure, each with its explanation. Never a negative figure."""

    currency: str
    lines: tuple[RefundedLine, ...]
    promotions: tuple[PromotionClawBack, ...]
    shipping: RefundedShipping
    tenders: tuple[TenderRefund, ...]
    points_to_reverse: int
    is_everything_returned: bool

    @property
    def goods_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)

    @property
    def restocking_fee_minor(self) -> int:
        return sum(line.restocking_fee_minor for line in self.lines)

    @property
    def clawed_back_minor(self) -> int:
        """Net claw-back of this refund: deducted less paid back (negative when more is paid back than deducted)."""
        return sum(p.deducted_minor - p.released_minor for p in self.promotions)

    @property
    def total_minor(self) -> int:
        return self.goods_minor - self.restocking_fee_minor - self.clawed_back_minor + self.shipping.amount_minor

    @property
    def goods_vat_minor(self) -> int:
        """VAT of the returned units as charged: the VAT this return reverses before fees and claw-backs."""
        return sum(line.vat_minor for line in self.lines)

    @property
    def vat_minor(self) -> int:
        """VAT of the money refunded: goods and shipping VAT less the VAT of the fee and of the net claw-back."""
        fee_vat = sum(line.restocking_fee_vat_minor for line in self.lines)
        claw_vat = sum(p.deducted_vat_minor - p.released_vat_minor for p in self.promotions)
        return self.goods_vat_minor + self.shipping.vat_minor - fee_vat - claw_vat

    @property
    def explanations(self) -> tuple[str, ...]:
        """One line per figure, in the order a receipt shows them."""
        return (
            *(line.explanation for line in self.lines),
            *(claw.explanation for claw in self.promotions),
            self.shipping.explanation,
            *(tender.explanation for tender in self.tenders),
            *((f"{self.points_to_reverse} loyalty points earned on the returned goods are taken back",) if self.points_to_reverse else ()),
            self.summary,
        )

    @property
    def summary(self) -> str:
        kept = "everything has now been returned" if self.is_everything_returned else "the rest of the order is kept"
        return f"Refund {Money(self.total_minor, self.currency)} incl. VAT {Money(self.vat_minor, self.currency)}; {kept}"
