"""Shipping charges: a rate per country and currency, by weight band or order value, free from a threshold.

Pickup, curbside and carry-out are always free. Rates are stated in their own VAT basis (`prices_include_vat`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tvers.kernel.money import Money
from tvers.pricing.errors import InvalidShippingRate, ShippingNotAvailable, ShippingTooHeavy

__all__ = [
    "ShippingMethod",
    "ShippingOption",
    "ShippingQuote",
    "ShippingRate",
    "ValueBand",
    "WeightBand",
    "quote_shipping",
]


class ShippingMethod(StrEnum):
    SHIP = "ship"
    PICKUP = "pickup"
    CURBSIDE = "curbside"
    CARRY_OUT = "carry_out"


@dataclass(frozen=True, slots=True)
class WeightBand:
    """Parcels up to and including `max_grams` cost `price`."""

    max_grams: int
    price: Money


@dataclass(frozen=True, slots=True)
class ValueBand:
    """Orders worth `min_value` or more (up to the next band) cost `price`."""

    min_value: Money
    price: Money


@dataclass(frozen=True, slots=True)
class ShippingRate:
    """The rate for one destination country in one currency: weight bands or value bands, not both."""

    country: str
    currency: str
    weight_bands: tuple[WeightBand, ...] = ()
    value_bands: tuple[ValueBand, ...] = ()
    free_from: Money | None = None
    tax_class: str = "standard"
    prices_include_vat: bool = True

    def __post_init__(self) -> None:
        if bool(self.weight_bands) == bool(self.value_bands):
            raise InvalidShippingRate("A shipping rate has weight bands or value bands, exactly one kind", country=self.country)
        amounts = [band.price for band in self.weight_bands] + [b.price for b in self.value_bands] + [b.min_value for b in self.value_bands]
        if self.free_from is not None:
            amounts.append(self.free_from)
        if any(amount.currency != self.currency or amount.is_negative for amount in amounts):
            raise InvalidShippingRate(f"Shipping amounts must be non-negative {self.currency}", country=self.country)
        object.__setattr__(self, "weight_bands", tuple(sorted(self.weight_bands, key=lambda band: band.max_grams)))
        object.__setattr__(self, "value_bands", tuple(sorted(self.value_bands, key=lambda band: band.min_value.minor)))
        if self.value_bands and not self.value_bands[0].min_value.is_zero:
            raise InvalidShippingRate("The lowest value band must start at zero", country=self.country)


@dataclass(frozen=True, slots=True)
class ShippingOption:
    """How the order leaves: shipped to `country` (weight in grams, priced from `rates`), picked up, curbside or carried out."""

    method: ShippingMethod
    country: str | None = None
    weight_grams: int = 0
    rates: tuple[ShippingRate, ...] = ()

    def __post_init__(self) -> None:
        if self.method is ShippingMethod.SHIP and not self.country:
            raise ShippingNotAvailable("Shipping needs a destination country")
        if self.weight_grams < 0:
            raise InvalidShippingRate("Weight must not be negative", weight_grams=self.weight_grams)


@dataclass(frozen=True, slots=True)
class ShippingQuote:
    """The shipping charge before promotions, in the rate's VAT basis; `reason` says how it was found."""

    method: ShippingMethod
    price: Money
    reason: str
    tax_class: str = "standard"
    prices_include_vat: bool = True

    @property
    def is_free(self) -> bool:
        return self.price.is_zero


def quote_shipping(option: ShippingOption, *, order_value: Money) -> ShippingQuote:
    """The charge for `option` on goods worth `order_value` (after discounts, in the book's VAT basis)."""
    if option.method is not ShippingMethod.SHIP:
        return ShippingQuote(option.method, Money.zero(order_value.currency), f"{option.method.value} is free")
    rate = _rate_for(option, currency=order_value.currency)
    free = (rate.tax_class, rate.prices_include_vat)
    if rate.free_from is not None and order_value >= rate.free_from:
        reason = f"free shipping from {rate.free_from.amount}"
        return ShippingQuote(option.method, Money.zero(rate.currency), reason, *free)
    if rate.weight_bands:
        price, reason = _by_weight(rate, weight_grams=option.weight_grams)
    else:
        price, reason = _by_value(rate, order_value=order_value)
    return ShippingQuote(option.method, price, reason, *free)


def _rate_for(option: ShippingOption, *, currency: str) -> ShippingRate:
    for rate in option.rates:
        if rate.country == option.country and rate.currency == currency:
            return rate
    raise ShippingNotAvailable(f"No shipping to {option.country} in {currency}", country=option.country, currency=currency)


def _by_weight(rate: ShippingRate, *, weight_grams: int) -> tuple[Money, str]:
    for band in rate.weight_bands:
        if weight_grams <= band.max_grams:
            return band.price, f"parcel {weight_grams} g, band up to {band.max_grams} g"
    heaviest = rate.weight_bands[-1].max_grams
    raise ShippingTooHeavy(
        f"A parcel of {weight_grams} g is above the {heaviest} g we ship to {rate.country}",
        weight_grams=weight_grams,
        max_grams=heaviest,
    )


def _by_value(rate: ShippingRate, *, order_value: Money) -> tuple[Money, str]:
    # The lowest band starts at zero, so a non-negative order value always finds one.
    band = next((b for b in reversed(rate.value_bands) if b.min_value <= order_value), rate.value_bands[0])
    return band.price, f"order value from {band.min_value.amount}"
