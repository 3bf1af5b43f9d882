"""Identity normalisation: pure functions from what a channel sent to the one stored form."""

from __future__ import annotations

import re
from enum import StrEnum

import phonenumbers

from tvers.customers.errors import InvalidIdentity, LooksLikeCardNumber
from tvers.kernel.errors import FieldError


class IdentityType(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    LOYALTY_CARD = "loyalty_card"
    PAYMENT_CARD_FINGERPRINT = "payment_card_fingerprint"
    MARKETPLACE_BUYER_ID = "marketplace_buyer_id"
    SOCIAL_HANDLE = "social_handle"
    DEVICE_ID = "device_id"


_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
_LOYALTY = re.compile(r"[A-Z0-9]{6,32}")
_TOKEN = re.compile(r"[A-Za-z0-9_\-:.]{8,128}")
_SOCIAL = re.compile(r"([a-z0-9]{2,20}:)?[a-z0-9._]{1,64}")
_SCOPED = re.compile(r"[A-Za-z0-9_\-.]{1,120}")


def normalise(kind: IdentityType, value: str, *, field: str, region: str | None = None, channel: str | None = None) -> str:
    """The stored form of an identity value, or InvalidIdentity naming `field`."""
    raw = value.strip()
    if kind is IdentityType.EMAIL:
        return _email(raw, field)
    if kind is IdentityType.PHONE:
        return _phone(raw, field, region)
    if kind is IdentityType.LOYALTY_CARD:
        return _matching(_LOYALTY, raw.replace(" ", "").replace("-", "").upper(), field, "a loyalty card number")
    if kind is IdentityType.PAYMENT_CARD_FINGERPRINT:
        return _fingerprint(raw, field)
    if kind is IdentityType.MARKETPLACE_BUYER_ID:
        if channel is None:
            raise _invalid(field, "a marketplace buyer id needs the marketplace channel it belongs to")
        return f"{channel}:{_matching(_SCOPED, raw, field, 'a marketplace buyer id')}"
    if kind is IdentityType.SOCIAL_HANDLE:
        return _matching(_SOCIAL, raw.casefold().replace("@", ""), field, "a social handle (network:handle)")
    return _matching(_TOKEN, raw, field, "a device id")


def _email(raw: str, field: str) -> str:
    # Case-folded whole; dots and +tags are left alone, since providers disagree on them.
    folded = raw.casefold()
    if len(folded) > 320 or not _EMAIL.fullmatch(folded):
        raise _invalid(field, "not an email address")
    return folded


def _phone(raw: str, field: str, region: str | None) -> str:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise _invalid(field, "not a phone number (give +countrycode or a channel with a country)") from None
    if not phonenumbers.is_valid_number(number):
        raise _invalid(field, "not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _fingerprint(raw: str, field: str) -> str:
    if looks_like_card_number(raw):
        message = "this looks like a card number; send the payment provider's card fingerprint instead"
        raise LooksLikeCardNumber(message, fields=[FieldError(field, message, LooksLikeCardNumber.code)])
    return _matching(_TOKEN, raw, field, "a payment-card fingerprint")


def looks_like_card_number(value: str) -> bool:
    """12-19 digits (spaces and dashes ignored) passing the Luhn check: a PAN, never to be stored."""
    digits = re.sub(r"[\s-]", "", value)
    return digits.isdigit() and 12 <= len(digits) <= 19 and luhn_valid(digits)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char) * (2 if position % 2 else 1)
        total += number - 9 if number > 9 else number
    return total % 10 == 0


def _matching(pattern: re.Pattern[str], value: str, field: str, what: str) -> str:
    if not pattern.fullmatch(value):
        raise _invalid(field, f"not {what}")
    return value


def _invalid(field: str, message: str) -> InvalidIdentity:
    return InvalidIdentity(message, fields=[FieldError(field, message, InvalidIdentity.code)])
