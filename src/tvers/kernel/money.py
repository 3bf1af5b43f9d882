"""Money as integer minor units of an ISO 4217 currency, and the project's only rounding.

Minor-unit digits and currency validity come from Babel's CLDR data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

from tvers.kernel.errors import InvalidInput

__all__ = [
    "CurrencyMismatch",
    "InvalidAmount",
    "Money",
    "UnknownCurrency",
    "minor_digits",
    "round_minor",
    "round_to_minor",
    "sum_money",
]

_CODE = re.compile(r"[A-Z]{3}")
_ONE = Decimal(1)
# Wide enough that scaling and quantizing any realistic amount never rounds silently.
_WIDE = Context(prec=100)
# Amounts from outside are bounded so "1e999999999" cannot make a gigantic integer.
_MAX_MAJOR_DIGITS = 30


class UnknownCurrency(InvalidInput):
    code = "unknown_currency"


class InvalidAmount(InvalidInput):
    code = "invalid_amount"


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@lru_cache(maxsize=512)
def _precision(currency: str) -> int:
    return int(get_currency_precision(currency))


def minor_digits(currency: str) -> int:
    """Decimal digits of the currency's minor unit (NOK 2, JPY 0, KWD 3)."""
    if not isinstance(currency, str) or not _CODE.fullmatch(currency):
        raise UnknownCurrency("Currency must be a three-letter upper-case ISO 4217 code", currency=str(currency))
    if currency not in _known_currencies():
        raise UnknownCurrency(f"Unknown currency {currency}", currency=currency)
    return _precision(currency)


def round_minor(value: Decimal, *, currency: str) -> int:
    """Round an amount in MAJOR units to integer minor units, half away from zero."""
    return round_to_minor(value.scaleb(minor_digits(currency), context=_WIDE))


def round_to_minor(value_in_minor_units: Decimal) -> int:
    """Round an amount already in minor units (e.g. minor * VAT rate), half away from zero."""
    return int(value_in_minor_units.quantize(_ONE, rounding=ROUND_HALF_UP, context=_WIDE))


def _to_decimal(amount: Decimal | int | str) -> Decimal:
    # Floats are refused: 0.1 is not one tenth, and money must never start inexact.
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int, str)):
        raise TypeError(f"Money amounts must be Decimal, int or str, not {type(amount).__name__}")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(amount)
    except InvalidOperation:
        raise InvalidAmount("Amount is not a number", amount=str(amount)) from None
    if not value.is_finite():
        raise InvalidAmount("Amount must be a finite number", amount=str(amount))
    return value


def _exact_minor(value: Decimal, *, digits: int) -> int:
    """Minor units of a finite Decimal, exactly, or InvalidAmount if it needs rounding."""
    sign, coefficient_digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, checked by the caller
    coefficient = int("".join(map(str, coefficient_digits)))
    if coefficient == 0:
        return 0
    while coefficient % 10 == 0:  # "12.340" is as good as "12.34"
        coefficient, exponent = coefficient // 10, exponent + 1
    if exponent + digits < 0:
        raise InvalidAmount(f"Amount has more than {digits} decimals", amount=str(value))
    if len(str(coefficient)) + exponent > _MAX_MAJOR_DIGITS:
        raise InvalidAmount("Amount is too large", amount=str(value))
    minor = coefficient * int(10 ** (exponent + digits))
    return -minor if sign else minor


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `minor` units (øre, cents) of `currency`."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"Money.minor must be int, not {type(self.minor).__name__}")
        minor_digits(self.currency)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Exact conversion from major units; refuses amounts that would need rounding."""
        digits = minor_digits(currency)
        return cls(_exact_minor(_to_decimal(amount), digits=digits), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        """Major units with exactly the currency's digits: Decimal("1299.00")."""
        sign, digits, _ = Decimal(self.minor).as_tuple()
        return Decimal((sign, digits, -minor_digits(self.currency)))

    @property
    def is_zero(self) -> bool:
        return self.minor == 0

    @property
    def is_negative(self) -> bool:
        return self.minor < 0

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"Cannot combine {self.currency} with {other.currency}",
                currencies=[self.currency, other.currency],
            )

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, quantity: int) -> Money:
        """Exact multiplication by an integer quantity; use `multiply` for fractions."""
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            return NotImplemented
        return Money(self.minor * quantity, self.currency)

    __rmul__ = __mul__

    def multiply(self, factor: Decimal) -> Money:
        """Multiply by a Decimal factor (a rate, a discount), rounded half away from zero."""
        if not isinstance(factor, (Decimal, int)) or isinstance(factor, bool):
            raise TypeError(f"Factor must be Decimal, not {type(factor).__name__}")
        return Money(round_to_minor(_WIDE.multiply(Decimal(self.minor), factor)), self.currency)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor >= other.minor

    def split(self, weights: Sequence[int]) -> list[Money]:
        """Largest-remainder split by weights; the parts always sum exactly to self."""
        _check_weights(weights)
        if self.minor < 0:
            return [-part for part in (-self).split(weights)]
        total = sum(weights)
        parts = [self.minor * weight // total for weight in weights]
        remainders = [self.minor * weight % total for weight in weights]
        short = self.minor - sum(parts)
        # Ties go to the earlier index so the same input always splits the same way.
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
        for index in order[:short]:
            parts[index] += 1
        return [Money(part, self.currency) for part in parts]


def _check_weights(weights: Sequence[int]) -> None:
    if any(isinstance(w, bool) or not isinstance(w, int) or w < 0 for w in weights):
        raise ValueError("Split weights must be non-negative integers")
    if sum(weights) <= 0:
        raise ValueError("Split weights must have a positive sum")


def sum_money(items: Iterable[Money], *, currency: str) -> Money:
    """Total of `items`, zero when empty; every item must be in `currency`."""
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
