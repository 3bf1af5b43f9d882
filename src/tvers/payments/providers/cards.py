"""Card numbers, pure: check one (Luhn), name its brand, and keep only what may be kept of it."""

from __future__ import annotations

import hashlib
import hmac
import re

from tvers.kernel.errors import FieldError
from tvers.payments.errors import InvalidCardNumber

_BRANDS = (("amex", re.compile(r"3[47]")), ("visa", re.compile(r"4")), ("mastercard", re.compile(r"5[1-5]|2[2-7]")),
           ("discover", re.compile(r"6011|65")))


def card_digits(value: str, *, field: str = "card_number") -> str:
    """The digits of a card number (spaces and dashes ignored), or InvalidCardNumber."""
    digits = re.sub(r"[\s-]", "", value)
    if not (digits.isdigit() and 12 <= len(digits) <= 19 and luhn_valid(digits)):
        raise InvalidCardNumber("not a valid card number", fields=[FieldError(field, "not a valid card number", InvalidCardNumber.code)])
    return digits


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char) * (2 if position % 2 else 1)
        total += number - 9 if number > 9 else number
    return total % 10 == 0


def brand_of(digits: str) -> str:
    return next((brand for brand, prefix in _BRANDS if prefix.match(digits)), "unknown")


def fingerprint_of(digits: str, *, key: str) -> str:
    """A keyed hash: the same card always gives the same fingerprint, which cannot be turned back into the number."""
    return "tcf_" + hmac.new(key.encode(), digits.encode(), hashlib.sha256).hexdigest()[:40]
