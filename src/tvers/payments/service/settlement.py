"""Capture and refund, decided in a transaction: local tenders are settled on the spot, external ones get a request.

Amounts are reserved by one conditional UPDATE each, so concurrent decisions can never capture more than was
authorised, nor refund more than was captured. Keys are `{payment_id}:capture:{n}` and `{payment_id}:refund:{n}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.money import Money
from tvers.payments.errors import InvalidPaymentAmount, NothingToCapture, NothingToRefund, TenderNeedsCustomer
from tvers.payments.models import Payment
from tvers.payments.providers import local_provider
from tvers.payments.providers.base import ProviderRequest
from tvers.payments.rules import allocate
from tvers.payments.schemas import LOCAL_TENDERS, TenderCode, TransactionKind, TransactionStatus
from tvers.payments.service._ledger import (
    add_transaction,
    debit_of,
    next_key,
    order_payments,
    payment_row,
    request_of,
    reserve,
    settle_now,
    totals_of,
)

RELEASED_AT_CAPTURE = "part of the hold not to be captured: released when the rest is captured"


def captures_for(uow: Uow, *, order_id: str, amount: Money) -> list[ProviderRequest]:
    """Capture `amount` more of the order: local tenders first (their money is already ours), then the others, in tender order."""
    rows = sorted(order_payments(uow, order_id), key=lambda r: (r.tender not in LOCAL_TENDERS, r.position))
    return _spread(uow, rows, TransactionKind.CAPTURE, amount)


def capture_payment(uow: Uow, *, payment_id: str, amount: Money | None = None) -> list[ProviderRequest]:
    """Capture part (or, with no amount, all that is left) of one payment; a local one is captured at once (no request)."""
    row = payment_row(uow, payment_id)
    return _spread(uow, [row], TransactionKind.CAPTURE, amount or Money(totals_of(row).capturable, row.currency))


def refunds_for(uow: Uow, *, order_id: str, amount: Money) -> list[ProviderRequest]:
    """Refund `amount` of the order to its tenders, the last tender first; never more than a payment captured."""
    rows = sorted(order_payments(uow, order_id), key=lambda r: -r.position)
    return _spread(uow, rows, TransactionKind.REFUND, amount)


def refund_payment(uow: Uow, *, payment_id: str, amount: Money | None = None) -> list[ProviderRequest]:
    """Refund part (or, with no amount, all that is left) of one payment's captured money."""
    row = payment_row(uow, payment_id)
    return _spread(uow, [row], TransactionKind.REFUND, amount or Money(totals_of(row).refundable, row.currency))


def refund_payment_as(uow: Uow, *, payment_id: str, amount: Money, refund_as: TenderCode,
                      customer_id: str | None = None) -> list[ProviderRequest]:
    """Refund part of a payment of any tender as store credit instead (a gift card's or a marketplace's part when a return
    policy says so, every part of a receipt-less return): booked on the payment as a refund, so it can never give back
    more than it captured, and settled here with no provider asked; the money lands at once on the store credit of
    `customer_id` (by default the payment's customer)."""
    row = payment_row(uow, payment_id)
    if refund_as == row.tender:
        return refund_payment(uow, payment_id=payment_id, amount=amount)
    credited = customer_id or row.customer_id
    if refund_as is not TenderCode.STORE_CREDIT:
        message = f"a {row.tender} payment cannot be refunded as {refund_as}"
        raise InvalidPaymentAmount(message, fields=[FieldError("refund_as", message, InvalidPaymentAmount.code)])
    if credited is None:
        raise TenderNeedsCustomer("store credit belongs to a customer; the order has none",
                                  fields=[FieldError("as", "the order has no customer", TenderNeedsCustomer.code)])
    _check_refundable(row, amount)

    def give_back(key: str) -> None:
        local_provider(refund_as).give_back(uow, replace(debit_of(row), customer_id=credited), amount, reference=key)

    settle_now(uow, row, TransactionKind.REFUND, amount.minor, note=f"refunded as {refund_as.value}", action=give_back)
    return []


def refund_payment_to_voucher(uow: Uow, *, payment_id: str, amount: Money, voucher: str) -> None:
    """Book part of a payment as refunded into an exchange voucher (a gift card the workflow issued for that amount): the
    money stays in the house to pay a replacement, so no provider is asked. Never more than the payment has left to refund.
    Points are not money and go back as points, so a points payment cannot fund a voucher."""
    row = payment_row(uow, payment_id)
    if row.tender == TenderCode.LOYALTY_POINTS:
        message = "loyalty points go back as points, not into a voucher"
        raise InvalidPaymentAmount(message, fields=[FieldError("refund_as", message, InvalidPaymentAmount.code)])
    _check_refundable(row, amount)
    settle_now(uow, row, TransactionKind.REFUND, amount.minor, note=f"exchanged: into voucher {voucher}")


def _check_refundable(row: Payment, amount: Money) -> None:
    """A refund settled outside `_spread` (as store credit, into a voucher): a valid amount, no more than is left to refund."""
    _check_amount([row], amount)
    left = totals_of(row).refundable
    if amount.minor > left:
        rest = Money(left, row.currency)
        raise NothingToRefund(f"{amount} is more than the {rest} left to refund", available=str(rest))


def release_uncaptured(uow: Uow, *, order_id: str, amount: Money) -> list[ProviderRequest]:
    """Give back `amount` of what the order holds uncaptured (lines cancelled before fulfilment): cards first, then local tenders.

    A card's whole hold is voided through its provider (a request); part of it is booked here as released at capture,
    because a card hold is not reduced before capture (Stripe lets the uncaptured rest go when it captures).
    A local tender gets its part back at once (gift card, store credit, points).
    """
    rows = sorted(order_payments(uow, order_id), key=lambda r: (r.tender in LOCAL_TENDERS, r.position))
    _check_amount(rows, amount)
    parts = allocate(amount.minor, [totals_of(row).capturable for row in rows])
    requests = []
    for row, part in zip(rows, parts, strict=True):
        if part <= 0:
            continue
        if row.tender not in LOCAL_TENDERS and part == totals_of(row).capturable:
            reserve(uow, row, TransactionKind.VOID, part)
            txn = add_transaction(uow, row, TransactionKind.VOID, part, key=next_key(uow, row, TransactionKind.VOID),
                                  status=TransactionStatus.PENDING)
            requests.append(request_of(row, txn))
        elif row.tender not in LOCAL_TENDERS:
            settle_now(uow, row, TransactionKind.VOID, part, note=RELEASED_AT_CAPTURE)
        else:
            _give_back_part(uow, row, part)
    return requests


def _give_back_part(uow: Uow, row: Payment, part: int) -> None:
    def give_back(key: str) -> None:
        local_provider(row.tender).give_back(uow, debit_of(row), Money(part, row.currency), reference=key)

    settle_now(uow, row, TransactionKind.VOID, part, action=None if row.tender == TenderCode.CASH else give_back)


def _spread(uow: Uow, rows: Sequence[Payment], kind: TransactionKind, amount: Money) -> list[ProviderRequest]:
    _check_amount(rows, amount)
    available = [_available(row, kind) for row in rows]
    try:
        parts = allocate(amount.minor, available)
    except ValueError:
        error = NothingToRefund if kind is TransactionKind.REFUND else NothingToCapture
        left = Money(sum(max(a, 0) for a in available), amount.currency)
        raise error(f"{amount} is more than the {left} left to {kind.value}", available=str(left)) from None
    requests = []
    for row, part in zip(rows, parts, strict=True):
        if part > 0:
            request = _settle_part(uow, row, kind, part)
            requests.extend([request] if request is not None else [])
    return requests


def _settle_part(uow: Uow, row: Payment, kind: TransactionKind, part: int) -> ProviderRequest | None:
    if row.tender in LOCAL_TENDERS:
        def give_back(key: str) -> None:
            local_provider(row.tender).give_back(uow, debit_of(row), Money(part, row.currency), reference=key)

        settle_now(uow, row, kind, part, action=give_back if kind is TransactionKind.REFUND else None)
        return None
    reserve(uow, row, kind, part)
    txn = add_transaction(uow, row, kind, part, key=next_key(uow, row, kind), status=TransactionStatus.PENDING)
    return request_of(row, txn)


def _available(row: Payment, kind: TransactionKind) -> int:
    totals = totals_of(row)
    return totals.refundable if kind is TransactionKind.REFUND else totals.capturable


def _check_amount(rows: Sequence[Payment], amount: Money) -> None:
    currencies = {row.currency for row in rows}
    if amount.minor <= 0 or (currencies and currencies != {amount.currency}):
        message = f"the amount must be positive and in {', '.join(sorted(currencies)) or 'the payments currency'}"
        raise InvalidPaymentAmount(message, fields=[FieldError("amount", message, InvalidPaymentAmount.code)])
