"""Shipping rates: weight bands, value bands, free from a threshold, pickup and carry-out free."""

from __future__ import annotations

import pytest

from tvers.kernel.money import Money
from tvers.pricing.errors import InvalidShippingRate, ShippingNotAvailable, ShippingTooHeavy
from tvers.pricing.shipping import ShippingMethod, ShippingOption, ShippingRate, ValueBand, WeightBand, quote_shipping


def nok(amount: str) -> Money:
    return Money.of(amount, "NOK")


def sek(amount: str) -> Money:
    return Money.of(amount, "SEK")


BY_WEIGHT = ShippingRate(
    "NO", "NOK", weight_bands=(WeightBand(10_000, nok("149.00")), WeightBand(1_000, nok("69.00"))), free_from=nok("999.00")
)
BY_VALUE = ShippingRate(
    "SE", "SEK", value_bands=(ValueBand(sek("0"), sek("79.00")), ValueBand(sek("500"), sek("39.00"))), free_from=sek("1000")
)
RATES = (BY_WEIGHT, BY_VALUE)


@pytest.mark.parametrize(
    ("country", "grams", "value", "price"),
    [
        ("NO", 0, nok("100.00"), nok("69.00")),
        ("NO", 1_000, nok("100.00"), nok("69.00")),
        ("NO", 1_001, nok("100.00"), nok("149.00")),
        ("NO", 10_000, nok("998.99"), nok("149.00")),
        ("NO", 10_000, nok("999.00"), nok("0")),
        ("SE", 50_000, sek("499.99"), sek("79.00")),
        ("SE", 50_000, sek("500.00"), sek("39.00")),
        ("SE", 50_000, sek("1000.00"), sek("0")),
    ],
)
def test_ship_rates(country: str, grams: int, value: Money, price: Money) -> None:
    quote = quote_shipping(ShippingOption(ShippingMethod.SHIP, country, grams, RATES), order_value=value)

    assert quote.price == price
    assert quote.is_free == price.is_zero


@pytest.mark.parametrize("method", [ShippingMethod.PICKUP, ShippingMethod.CURBSIDE, ShippingMethod.CARRY_OUT])
def test_pickup_curbside_and_carry_out_are_free(method: ShippingMethod) -> None:
    quote = quote_shipping(ShippingOption(method, rates=RATES), order_value=nok("10.00"))

    assert quote.price == nok("0")


def test_no_rate_for_the_country_or_currency() -> None:
    with pytest.raises(ShippingNotAvailable) as raised:
        quote_shipping(ShippingOption(ShippingMethod.SHIP, "DK", 100, RATES), order_value=nok("10.00"))
    assert raised.value.code == "shipping_not_available"

    with pytest.raises(ShippingNotAvailable):
        quote_shipping(ShippingOption(ShippingMethod.SHIP, "NO", 100, RATES), order_value=sek("10.00"))


def test_too_heavy() -> None:
    with pytest.raises(ShippingTooHeavy) as raised:
        quote_shipping(ShippingOption(ShippingMethod.SHIP, "NO", 10_001, RATES), order_value=nok("10.00"))

    assert raised.value.context == {"weight_grams": 10_001, "max_grams": 10_000}


@pytest.mark.parametrize(
    "make",
    [
        lambda: ShippingRate("NO", "NOK"),
        lambda: ShippingRate("NO", "NOK", weight_bands=(WeightBand(1, nok("1")),), value_bands=(ValueBand(nok("0"), nok("1")),)),
        lambda: ShippingRate("NO", "NOK", weight_bands=(WeightBand(1, sek("1")),)),
        lambda: ShippingRate("NO", "NOK", value_bands=(ValueBand(nok("10"), nok("1")),)),
        lambda: ShippingOption(ShippingMethod.SHIP, None),
    ],
)
def test_bad_rates_are_refused(make: object) -> None:
    with pytest.raises((InvalidShippingRate, ShippingNotAvailable)):
        make()  # type: ignore[operator]
