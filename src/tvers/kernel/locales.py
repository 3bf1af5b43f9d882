"""Locale identifiers (BCP 47 style, e.g. `nb`, `sv`, `en-GB`), checked against CLDR."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

from tvers.kernel.errors import FieldError, InvalidInput


class UnknownLocale(InvalidInput):
    code = "unknown_locale"


@lru_cache(maxsize=512)
def normalise_locale(value: str, *, field: str = "locale") -> str:
    """`nb_NO`, `nb-no` and `nb-NO` all become `nb-NO`; unknown locales are refused."""
    try:
        locale = Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        message = f"unknown locale {value!r}"
        raise UnknownLocale(message, fields=[FieldError(field, message, "unknown_locale")]) from None
    return f"{locale.language}-{locale.territory}" if locale.territory else locale.language


def fallback_chain(locale: str) -> tuple[str, ...]:
    """`nb-NO` → (`nb-NO`, `nb`): a regional request is served by its language too."""
    language = locale.split("-")[0]
    return (locale, language) if language != locale else (locale,)
