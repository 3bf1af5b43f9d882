"""VAT per line on Money, rounded once to the minor unit, and the dated rate table.

The table starts on 2022-01-01; earlier dates are out of scope and raise UnknownTaxRate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from tvers.kernel.errors import InvalidInput
from tvers.kernel.money import Money, round_to_minor

__all__ = [
    "TAX_CLASSES",
    "VAT_RATES",
    "UnknownTaxRate",
    "VatRate",
    "VatSplit",
    "add_vat",
    "price_split",
    "split_gross",
    "vat_rate",
]

TAX_CLASSES = frozenset({"standard", "reduced", "reduced_low", "zero"})


class UnknownTaxRate(InvalidInput):
    code = "unknown_tax_rate"


@dataclass(frozen=True, slots=True)
class VatSplit:
    """One line's amounts; net + vat == gross always holds."""

    net: Money
    vat: Money
    gross: Money
    rate: Decimal

    def __post_init__(self) -> None:
        if self.net + self.vat != self.gross:
            raise ValueError(f"VAT split does not add up: {self.net} + {self.vat} != {self.gross}")


def split_gross(gross: Money, *, rate: Decimal) -> VatSplit:
    """Split a VAT-inclusive amount: vat = round(gross * rate / (1 + rate))."""
    # Wide precision so a non-terminating quotient can't be rounded onto a .5 tie.
    with localcontext(prec=60):
        exact_vat = Decimal(gross.minor) * rate / (1 + rate)
    vat = Money(round_to_minor(exact_vat), gross.currency)
    return VatSplit(net=gross - vat, vat=vat, gross=gross, rate=rate)


def add_vat(net: Money, *, rate: Decimal) -> VatSplit:
    """VAT on top of a VAT-exclusive amount: vat = round(net * rate)."""
    vat = net.multiply(rate)
    return VatSplit(net=net, vat=vat, gross=net + vat, rate=rate)


def price_split(amount: Money, *, rate: Decimal, includes_vat: bool) -> VatSplit:
    """Net, VAT and gross of a price from a book that does or doesn't include VAT."""
    return split_gross(amount, rate=rate) if includes_vat else add_vat(amount, rate=rate)


@dataclass(frozen=True, slots=True)
class VatRate:
    """One rate for a country and tax class, in force from `valid_from` until superseded."""

    country: str
    tax_class: str
    rate: Decimal
    valid_from: date


def _rows(country: str, valid_from: date, **rates: str) -> tuple[VatRate, ...]:
    return tuple(VatRate(country, tax_class, Decimal(rate), valid_from) for tax_class, rate in rates.items())


_START = date(2022, 1, 1)

VAT_RATES: tuple[VatRate, ...] = (
    *_rows("NO", _START, standard="0.25", reduced="0.15", reduced_low="0.12", zero="0"),
    *_rows("SE", _START, standard="0.25", reduced="0.12", reduced_low="0.06", zero="0"),
    # Denmark has one rate, so the reduced classes fall back to it.
    *_rows("DK", _START, standard="0.25", reduced="0.25", reduced_low="0.25", zero="0"),
    *_rows("DE", _START, standard="0.19", reduced="0.07", reduced_low="0.07", zero="0"),
    *_rows("FI", _START, standard="0.24", reduced="0.14", reduced_low="0.10", zero="0"),
    *_rows("FI", date(2024, 9, 1), standard="0.255"),
    *_rows("FI", date(2026, 1, 1), reduced="0.135"),
)


def vat_rate(country: str, tax_class: str, *, on: date) -> Decimal:
    """The rate in force for `country` and `tax_class` on the given date."""
    in_force = [row for row in VAT_RATES if row.country == country and row.tax_class == tax_class and row.valid_from <= on]
    if not in_force:
        raise UnknownTaxRate(
            f"No VAT rate for {country} {tax_class} on {on.isoformat()}",
            country=country,
            tax_class=tax_class,
            on=on.isoformat(),
        )
    return max(in_force, key=lambda row: row.valid_from).rate
