"""The plain inputs of cart pricing: cart lines, the channel and the customer context."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tvers.kernel.money import Money
from tvers.pricing.errors import InvalidPrice, InvalidPromotion, InvalidQuantity

__all__ = [
    "ANONYMOUS",
    "MAX_LINE_QUANTITY",
    "CartLine",
    "ChannelContext",
    "CustomerContext",
    "TierBenefit",
    "in_category",
]

# A line of more units than this is a typo (or an attack), not a purchase.
MAX_LINE_QUANTITY = 100_000


def in_category(category: str | None, prefix: str) -> bool:
    """True when `category` is `prefix` or below it: "shoes" covers "shoes/running", not "shoestrings"."""
    return category is not None and (category == prefix or category.startswith(prefix + "/"))


@dataclass(frozen=True, slots=True)
class CartLine:
    """One cart line priced from the price book; `unit_price` is in the book's VAT basis."""

    line_id: str
    sku: str
    product_id: str
    quantity: int
    unit_price: Money
    category: str | None = None
    tax_class: str = "standard"
    prices_include_vat: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or not 1 <= self.quantity <= MAX_LINE_QUANTITY:
            raise InvalidQuantity(
                f"Quantity must be a whole number from 1 to {MAX_LINE_QUANTITY}",
                line_id=self.line_id,
                quantity=str(self.quantity),
            )
        if self.unit_price.is_negative:
            raise InvalidPrice("Unit price must not be negative", line_id=self.line_id, unit_price=str(self.unit_price))

    @property
    def amount(self) -> Money:
        """Unit price times quantity, before any discount."""
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class ChannelContext:
    """The channel the cart is priced on; `type` is a channel type such as "web" or "pos"."""

    code: str
    type: str
    country: str


@dataclass(frozen=True, slots=True)
class TierBenefit:
    """What the customer's loyalty tier gives on every order: a percentage off and/or free shipping."""

    percent_off: Decimal = Decimal(0)
    free_shipping: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.percent_off, Decimal) or not Decimal(0) <= self.percent_off <= Decimal(100):
            raise InvalidPromotion("Tier percent off must be a Decimal from 0 to 100", percent_off=str(self.percent_off))


@dataclass(frozen=True, slots=True)
class CustomerContext:
    """Who is buying: None for an anonymous cart; tier and segments restrict promotions."""

    customer_id: str | None = None
    tier: str | None = None
    segments: frozenset[str] = frozenset()
    benefits: TierBenefit = TierBenefit()


ANONYMOUS = CustomerContext()
