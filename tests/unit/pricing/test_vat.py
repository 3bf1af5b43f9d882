from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tvers.kernel.money import Money
from tvers.pricing.vat import (
    VAT_RATES,
    UnknownTaxRate,
    VatSplit,
    add_vat,
    price_split,
    split_gross,
    vat_rate,
)

TODAY = date(2026, 11, 22)


def nok(amount: str) -> Money:
    return Money.of(amount, "NOK")


@pytest.mark.parametrize(
    ("gross", "rate", "net", "vat"),
    [
        (nok("1299.00"), "0.25", nok("1039.20"), nok("259.80")),
        (nok("99.90"), "0.15", nok("86.87"), nok("13.03")),  # vat 13.0304…
        (Money.of("10.00", "EUR"), "0.255", Money.of("7.97", "EUR"), Money.of("2.03", "EUR")),
        (Money.of("1000", "JPY"), "0.10", Money.of("909", "JPY"), Money.of("91", "JPY")),
        (nok("-1299.00"), "0.25", nok("-1039.20"), nok("-259.80")),  # a refund mirrors the sale
        (nok("500.00"), "0", nok("500.00"), nok("0")),
    ],
)
def test_split_gross_by_hand(gross: Money, rate: str, net: Money, vat: Money) -> None:
    split = split_gross(gross, rate=Decimal(rate))

    assert split == VatSplit(net=net, vat=vat, gross=gross, rate=Decimal(rate))


@pytest.mark.parametrize(
    ("net", "rate", "vat", "gross"),
    [
        (nok("100.00"), "0.25", nok("25.00"), nok("125.00")),
        (nok("0.10"), "0.25", nok("0.03"), nok("0.13")),  # 2.5 øre rounds up
        (Money.of("0.10", "EUR"), "0.19", Money.of("0.02", "EUR"), Money.of("0.12", "EUR")),
        (nok("-0.10"), "0.25", nok("-0.03"), nok("-0.13")),
    ],
)
def test_add_vat_by_hand(net: Money, rate: str, vat: Money, gross: Money) -> None:
    split = add_vat(net, rate=Decimal(rate))

    assert (split.net, split.vat, split.gross) == (net, vat, gross)


def test_price_split_follows_the_book() -> None:
    price = nok("125.00")

    assert price_split(price, rate=Decimal("0.25"), includes_vat=True).net == nok("100.00")
    assert price_split(price, rate=Decimal("0.25"), includes_vat=False).gross == nok("156.25")


def test_vat_split_must_add_up() -> None:
    with pytest.raises(ValueError):
        VatSplit(net=nok("100"), vat=nok("25"), gross=nok("126"), rate=Decimal("0.25"))


@pytest.mark.parametrize(
    ("country", "tax_class", "rate"),
    [
        ("NO", "standard", "0.25"),
        ("NO", "reduced", "0.15"),
        ("NO", "reduced_low", "0.12"),
        ("SE", "standard", "0.25"),
        ("SE", "reduced", "0.12"),
        ("SE", "reduced_low", "0.06"),
        ("DK", "standard", "0.25"),
        ("DK", "reduced", "0.25"),
        ("DK", "reduced_low", "0.25"),
        ("DE", "standard", "0.19"),
        ("DE", "reduced", "0.07"),
        ("DE", "reduced_low", "0.07"),
        ("FI", "standard", "0.255"),
        ("FI", "reduced", "0.135"),
        ("FI", "reduced_low", "0.10"),
        ("NO", "zero", "0"),
        ("FI", "zero", "0"),
    ],
)
def test_rates_in_force_today(country: str, tax_class: str, rate: str) -> None:
    assert vat_rate(country, tax_class, on=TODAY) == Decimal(rate)


@pytest.mark.parametrize(
    ("tax_class", "on", "rate"),
    [
        ("standard", date(2024, 8, 31), "0.24"),
        ("standard", date(2024, 9, 1), "0.255"),
        ("reduced", date(2025, 12, 31), "0.14"),
        ("reduced", date(2026, 1, 1), "0.135"),
    ],
)
def test_finnish_rates_switch_on_their_dates(tax_class: str, on: date, rate: str) -> None:
    assert vat_rate("FI", tax_class, on=on) == Decimal(rate)


@pytest.mark.parametrize(
    ("country", "tax_class", "on"),
    [
        ("US", "standard", TODAY),
        ("no", "standard", TODAY),
        ("NO", "super_reduced", TODAY),
        ("NO", "standard", date(2021, 12, 31)),  # before the table starts
    ],
)
def test_unknown_rates_raise(country: str, tax_class: str, on: date) -> None:
    with pytest.raises(UnknownTaxRate) as raised:
        vat_rate(country, tax_class, on=on)

    assert raised.value.code == "unknown_tax_rate"


rates = st.sampled_from(sorted({row.rate for row in VAT_RATES}))
moneys = st.builds(
    Money,
    minor=st.integers(min_value=-(10**12), max_value=10**12),
    currency=st.sampled_from(["NOK", "EUR", "JPY"]),
)


@given(gross=moneys, rate=rates)
def test_split_gross_adds_back_up(gross: Money, rate: Decimal) -> None:
    split = split_gross(gross, rate=rate)

    assert split.net + split.vat == gross
    assert split_gross(-gross, rate=rate).vat == -split.vat


@given(net=moneys, rate=rates)
def test_add_vat_keeps_the_net(net: Money, rate: Decimal) -> None:
    split = add_vat(net, rate=rate)

    assert split.gross - split.vat == net
    # Re-splitting the gross can move at most one minor unit between net and VAT.
    assert abs(split_gross(split.gross, rate=rate).net.minor - net.minor) <= 1


@given(
    amount=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    rate=rates,
)
def test_vat_inclusive_price_round_trips(amount: Decimal, rate: Decimal) -> None:
    stored = Money.of(str(amount), "NOK")

    split = split_gross(stored, rate=rate)

    assert split.gross == stored
    assert Money.of(str(split.gross.amount), "NOK") == stored
