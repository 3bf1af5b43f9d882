"""Payment arithmetic, pure: do the tenders add up, what may still be captured, voided or refunded, which status follows.

No SQLAlchemy here; the service applies these decisions with conditional UPDATEs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from tvers.kernel.errors import FieldError, TversError
from tvers.kernel.money import Money
from tvers.payments.errors import (
    ChangeOnlyFromCash,
    InvalidPaymentAmount,
    TenderCurrencyMismatch,
    TendersDoNotAddUp,
    UnknownTender,
)
from tvers.payments.schemas import PaymentStatus, TenderCode, TenderIn, TransactionKind


@dataclass(frozen=True)
class Applied:
    """What one tender pays towards the order; cash given last may hand back change."""

    amount: Money
    tendered: Money | None = None
    change: Money | None = None


def check_tenders(tenders: Sequence[TenderIn], *, total: Money, available: Collection[str]) -> list[Applied]:
    """The tenders pay exactly `total` (cash given last may exceed it), all in its currency, each by a known provider."""
    if not tenders:
        raise TendersDoNotAddUp(f"no tenders for {total}", total=str(total))
    amounts = [_tender_money(tender, index, total=total, available=available) for index, tender in enumerate(tenders)]
    paid = Money(sum(a.minor for a in amounts), total.currency)
    if paid == total:
        return [Applied(amount) for amount in amounts]
    if paid < total:
        raise TendersDoNotAddUp(f"the tenders pay {paid} of {total}", total=str(total), paid=str(paid))
    return _with_change(tenders, amounts, total=total, paid=paid)


def _tender_money(tender: TenderIn, index: int, *, total: Money, available: Collection[str]) -> Money:
    field = f"tenders.{index}"
    if tender.tender not in available:
        message = f"tender {tender.tender} is not available here"
        raise UnknownTender(message, fields=[FieldError(f"{field}.tender", message, UnknownTender.code)])
    if tender.currency != total.currency:
        message = f"the order is in {total.currency}, this tender in {tender.currency}"
        raise TenderCurrencyMismatch(message, fields=[FieldError(f"{field}.currency", message, TenderCurrencyMismatch.code)])
    try:
        money = Money.of(tender.amount, tender.currency)
    except TversError as error:
        raise InvalidPaymentAmount(error.message, fields=[FieldError(f"{field}.amount", error.message, error.code)]) from None
    if money.minor <= 0:
        raise InvalidPaymentAmount("a tender must pay a positive amount",
                                   fields=[FieldError(f"{field}.amount", "must be positive", InvalidPaymentAmount.code)])
    return money


def _with_change(tenders: Sequence[TenderIn], amounts: list[Money], *, total: Money, paid: Money) -> list[Applied]:
    if tenders[-1].tender != TenderCode.CASH.value:
        raise ChangeOnlyFromCash(f"the tenders pay {paid}, more than {total}; only cash given last can leave change",
                                 total=str(total), paid=str(paid))
    before_cash = Money(sum(a.minor for a in amounts[:-1]), total.currency)
    if before_cash >= total:
        raise TendersDoNotAddUp(f"the tenders before the cash already pay {before_cash} of {total}", total=str(total))
    cash = amounts[-1]
    pays = total - before_cash
    return [*(Applied(amount) for amount in amounts[:-1]), Applied(pays, tendered=cash, change=cash - pays)]


def idempotency_key(payment_id: str, operation: TransactionKind, sequence: int | None = None) -> str:
    """`pay_…:authorize`, `pay_…:capture:2`: derived, so a retry after a crash sends the same key again."""
    return f"{payment_id}:{operation.value}" if sequence is None else f"{payment_id}:{operation.value}:{sequence}"


@dataclass(frozen=True)
class Totals:
    """A payment's money in minor units: what succeeded, and what is asked and not answered yet."""

    authorized: int = 0
    captured: int = 0
    voided: int = 0
    refunded: int = 0
    pending_capture: int = 0
    pending_void: int = 0
    pending_refund: int = 0

    @property
    def capturable(self) -> int:
        """Authorised and not yet captured, voided, or asked to be."""
        return self.authorized - self.captured - self.voided - self.pending_capture - self.pending_void

    @property
    def refundable(self) -> int:
        return self.captured - self.refunded - self.pending_refund

    def reserve(self, kind: TransactionKind, amount: int) -> Totals:
        """Ask for `amount` (capture, void or refund); refused when more than may be asked."""
        limit = self.refundable if kind is TransactionKind.REFUND else self.capturable
        if amount <= 0 or amount > limit:
            raise ValueError(f"cannot {kind.value} {amount}: {limit} available")
        field = f"pending_{kind.value}"
        return replace(self, **{field: getattr(self, field) + amount})

    def settle(self, kind: TransactionKind, amount: int, *, succeeded: bool) -> Totals:
        """The provider answered an asked `amount`: it moves into the total, or is released."""
        field = f"pending_{kind.value}"
        done = {_TOTAL[kind]: getattr(self, _TOTAL[kind]) + amount} if succeeded else {}
        return replace(self, **{field: getattr(self, field) - amount}, **done)


_TOTAL = {TransactionKind.AUTHORIZE: "authorized", TransactionKind.CAPTURE: "captured", TransactionKind.VOID: "voided",
          TransactionKind.REFUND: "refunded"}


def total_field(kind: TransactionKind) -> str:
    return _TOTAL[kind]


def allocate(amount: int, capacities: Sequence[int]) -> list[int]:
    """Take `amount` from the capacities in order, each no more than it holds; ValueError if they hold too little."""
    if amount > sum(max(c, 0) for c in capacities):
        raise ValueError(f"{amount} is more than {sum(capacities)} available")
    parts, left = [], amount
    for capacity in capacities:
        part = min(max(capacity, 0), left)
        parts.append(part)
        left -= part
    return parts


def status_of(totals: Totals, *, current: PaymentStatus) -> PaymentStatus:
    """The status the totals say; before anything is authorised the status stays what the provider last said."""
    if totals.authorized == 0:
        return current
    if totals.refunded > 0:
        return PaymentStatus.REFUNDED if totals.refunded == totals.captured else PaymentStatus.PARTIALLY_REFUNDED
    if totals.captured > 0:
        whole = totals.captured + totals.voided == totals.authorized
        return PaymentStatus.CAPTURED if whole else PaymentStatus.PARTIALLY_CAPTURED
    if totals.voided == totals.authorized:
        return PaymentStatus.VOIDED
    return PaymentStatus.AUTHORIZED
