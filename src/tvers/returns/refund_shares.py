"""The arithmetic every refund figure shares: shares of a line's amounts counted cumulatively, VAT inside an amount. Pure.

Cumulative shares are why returns in any parts add up exactly: the first `units` units of a line are worth
`whole × units ÷ quantity` rounded down, and the units that leave none of the paid units kept take the rest.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from tvers.kernel.money import Money, round_to_minor
from tvers.returns.refund_types import RestockingFee, SoldLine


def share(whole: int, line: SoldLine, units: int) -> int:
    """The first `units` units' share of `whole`: rounded down; all the paid units take it less the cancelled units' share."""
    if units >= line.payable_quantity:
        cancelled = whole if line.cancelled_quantity == line.quantity else whole * line.cancelled_quantity // line.quantity
        return whole - cancelled
    return whole * units // line.quantity


def part(whole: int, line: SoldLine, *, before: int, after: int) -> int:
    """The share of `whole` of the units from `before` to `after`: cumulative, so any parts add up to the whole."""
    return share(whole, line, after) - share(whole, line, before)


def percent_fee(fee: RestockingFee, line: SoldLine, units: int) -> int:
    """The percent part of the fee on the first `units` returned units of the line, counted cumulatively."""
    return round_to_minor(Decimal(share(line.total_minor, line, units)) * fee.percent.scaleb(-2)) if fee.percent else 0


def vat_in(gross: int, rate: Decimal) -> int:
    """The VAT inside a VAT-inclusive amount, one rounding."""
    with localcontext(prec=60):
        exact = Decimal(gross) * rate / (1 + rate)
    return round_to_minor(exact)


def money(minor: int, currency: str) -> str:
    return str(Money(minor, currency))
