from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tvers.kernel.money import (
    CurrencyMismatch,
    InvalidAmount,
    Money,
    UnknownCurrency,
    minor_digits,
    round_minor,
    round_to_minor,
    sum_money,
)

CURRENCIES = st.sampled_from(["NOK", "SEK", "EUR", "JPY", "KWD"])
minors = st.integers(min_value=-(10**15), max_value=10**15)
moneys = st.builds(Money, minor=minors, currency=CURRENCIES)
weight_lists = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
    lambda weights: sum(weights) > 0
)


def test_of_converts_major_units_exactly() -> None:
    assert Money.of("1299", "NOK") == Money(129900, "NOK")
    assert Money.of(Decimal("12.34"), "NOK") == Money(1234, "NOK")
    assert Money.of("12.340", "NOK") == Money(1234, "NOK")
    assert Money.of(-5, "EUR") == Money(-500, "EUR")
    assert Money.of("1.234", "KWD") == Money(1234, "KWD")


def test_currency_digits_come_from_cldr() -> None:
    assert minor_digits("NOK") == 2
    assert minor_digits("JPY") == 0
    assert minor_digits("KWD") == 3


def test_jpy_has_no_minor_units() -> None:
    assert Money.of("1500", "JPY") == Money(1500, "JPY")
    assert str(Money(1500, "JPY")) == "1500 JPY"


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("12.345", "NOK"),
        ("1.5", "JPY"),
        ("abc", "NOK"),
        ("", "NOK"),
        ("NaN", "NOK"),
        ("Infinity", "NOK"),
    ],
)
def test_of_refuses_amounts_that_are_not_exact(amount: str, currency: str) -> None:
    with pytest.raises(InvalidAmount) as raised:
        Money.of(amount, currency)

    assert raised.value.code == "invalid_amount"


def test_of_refuses_absurdly_large_exponents() -> None:
    with pytest.raises(InvalidAmount):
        Money.of("1e999999999", "NOK")
    with pytest.raises(InvalidAmount):
        Money.of("1e-999999999", "NOK")


def test_of_never_accepts_float() -> None:
    with pytest.raises(TypeError):
        Money.of(12.5, "NOK")  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["nok", "NO", "NOKK", "ZZZ", ""])
def test_unknown_currency_is_refused(currency: str) -> None:
    with pytest.raises(UnknownCurrency) as raised:
        Money(100, currency)

    assert raised.value.code == "unknown_currency"


@pytest.mark.parametrize("minor", [True, 1.0, Decimal(1), "1"])
def test_minor_must_be_a_plain_int(minor: object) -> None:
    with pytest.raises(TypeError):
        Money(minor, "NOK")  # type: ignore[arg-type]


def test_amount_and_str_show_the_currency_digits() -> None:
    price = Money(129900, "NOK")

    assert price.amount == Decimal("1299.00")
    assert str(price.amount) == "1299.00"
    assert str(price) == "1299.00 NOK"
    assert str(Money(-5, "EUR")) == "-0.05 EUR"
    assert str(Money.zero("KWD")) == "0.000 KWD"


def test_arithmetic_in_one_currency() -> None:
    a, b = Money(1000, "NOK"), Money(250, "NOK")

    assert a + b == Money(1250, "NOK")
    assert a - b == Money(750, "NOK")
    assert -a == Money(-1000, "NOK")
    assert a * 3 == Money(3000, "NOK")
    assert 3 * a == Money(3000, "NOK")
    assert b < a and b <= a and a > b and a >= b and a >= Money(1000, "NOK")
    assert (a - a).is_zero and not a.is_zero
    assert (b - a).is_negative and not a.is_negative


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_mixing_currencies_raises(combine: object) -> None:
    with pytest.raises(CurrencyMismatch) as raised:
        combine(Money(100, "NOK"), Money(100, "SEK"))  # type: ignore[operator]

    assert raised.value.code == "currency_mismatch"


def test_equality_across_currencies_is_false_not_an_error() -> None:
    assert Money(100, "NOK") != Money(100, "SEK")


def test_multiplying_by_a_float_or_money_is_refused() -> None:
    with pytest.raises(TypeError):
        Money(100, "NOK") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(100, "NOK").multiply(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minor", "factor", "expected"),
    [
        (10, Decimal("0.25"), 3),  # 2.5 rounds up
        (10, Decimal("0.249"), 2),  # 2.49 rounds down
        (-10, Decimal("0.25"), -3),  # ties go away from zero, symmetric for refunds
        (129900, Decimal("0.2"), 25980),
    ],
)
def test_multiply_rounds_half_up(minor: int, factor: Decimal, expected: int) -> None:
    assert Money(minor, "NOK").multiply(factor) == Money(expected, "NOK")


def test_rounding_functions() -> None:
    assert round_to_minor(Decimal("2.5")) == 3
    assert round_to_minor(Decimal("-2.5")) == -3
    assert round_to_minor(Decimal("2.4999")) == 2
    assert round_minor(Decimal("12.345"), currency="NOK") == 1235
    assert round_minor(Decimal("12.344"), currency="NOK") == 1234
    assert round_minor(Decimal("1.5"), currency="JPY") == 2


def test_sum_money() -> None:
    items = [Money(100, "NOK"), Money(250, "NOK"), Money(-50, "NOK")]

    assert sum_money(items, currency="NOK") == Money(300, "NOK")
    assert sum_money([], currency="NOK") == Money(0, "NOK")
    with pytest.raises(CurrencyMismatch):
        sum_money([Money(1, "SEK")], currency="NOK")


def test_split_gives_leftover_units_to_largest_remainders() -> None:
    parts = Money(100, "NOK").split([1, 1, 1])

    assert parts == [Money(34, "NOK"), Money(33, "NOK"), Money(33, "NOK")]


def test_split_of_negative_total_mirrors_positive() -> None:
    parts = Money(-100, "NOK").split([1, 1, 1])

    assert parts == [Money(-34, "NOK"), Money(-33, "NOK"), Money(-33, "NOK")]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1, 2], [True, 1]])
def test_split_refuses_bad_weights(weights: list[int]) -> None:
    with pytest.raises(ValueError):
        Money(100, "NOK").split(weights)


@given(total=moneys, weights=weight_lists)
def test_split_sums_exactly_and_stays_within_one_unit(total: Money, weights: list[int]) -> None:
    parts = total.split(weights)

    assert sum_money(parts, currency=total.currency) == total
    assert all(part.currency == total.currency for part in parts)
    for part, weight in zip(parts, weights, strict=True):
        exact_share = Fraction(total.minor * weight, sum(weights))
        assert abs(part.minor - exact_share) < 1


@given(total=moneys, weights=weight_lists)
def test_split_is_deterministic(total: Money, weights: list[int]) -> None:
    assert total.split(weights) == total.split(list(weights))


@given(money=moneys)
def test_of_amount_round_trips(money: Money) -> None:
    assert Money.of(money.amount, money.currency) == money
    assert Money.of(str(money.amount), money.currency) == money
