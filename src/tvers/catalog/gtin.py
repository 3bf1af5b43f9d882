"""GS1 GTIN rules: check digits, and one canonical 14-digit form for storage and lookup."""

from __future__ import annotations

import re

from tvers.kernel.errors import InvalidInput

__all__ = ["InvalidGtin", "gs1_check_digit", "make_gtin13", "normalize_gtin"]

_DIGITS = re.compile(r"[0-9]*")  # ASCII only: str.isdigit() would accept "٣"
_SEPARATORS = re.compile(r"[ \-]")
_LENGTHS = (8, 12, 13, 14)


class InvalidGtin(InvalidInput):
    code = "invalid_gtin"


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for `body` (the GTIN without its last digit)."""
    if not body or not _DIGITS.fullmatch(body):
        raise InvalidGtin("GTIN must contain only digits", gtin=body)
    # Weights alternate 3, 1, 3, … starting from the digit next to the check digit.
    weighted = (int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    total = sum(weighted)
    return (10 - total % 10) % 10


def normalize_gtin(value: str) -> str:
    """Validate a GTIN-8/12/13/14 (spaces and hyphens allowed) and return its GTIN-14 form."""
    digits = _SEPARATORS.sub("", value)
    if not _DIGITS.fullmatch(digits):
        raise InvalidGtin("GTIN must contain only digits", gtin=value)
    if len(digits) not in _LENGTHS:
        raise InvalidGtin("GTIN must be 8, 12, 13 or 14 digits", gtin=value)
    expected = gs1_check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise InvalidGtin(f"GTIN check digit should be {expected}", gtin=value)
    return digits.zfill(14)


def make_gtin13(prefix_and_number: str) -> str:
    """A GTIN-13 from its first 12 digits (company prefix and item number)."""
    if len(prefix_and_number) != 12 or not _DIGITS.fullmatch(prefix_and_number):
        raise InvalidGtin("GTIN-13 body must be 12 digits", gtin=prefix_and_number)
    return prefix_and_number + str(gs1_check_digit(prefix_and_number))
