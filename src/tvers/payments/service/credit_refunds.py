"""A refund a provider declined, paid instead as store credit to the order's customer (a return's `retry-refund` as
store credit): booked on the payment as a refund, so it never gives back more than the payment captured."""

from __future__ import annotations

from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.money import Money
from tvers.payments.errors import InvalidPaymentAmount, NothingToRefund, TenderNeedsCustomer
from tvers.payments.providers import local_provider
from tvers.payments.schemas import TenderCode, TransactionKind
from tvers.payments.service._ledger import debit_of, payment_row, settle_now, totals_of

NOTE = "refunded as store_credit"


def refund_as_store_credit(uow: Uow, *, payment_id: str, amount: Money) -> None:
    """Any payment (a card's too) refunded by `amount` of store credit, at once; the customer must be known."""
    row = payment_row(uow, payment_id)
    if row.customer_id is None:
        raise TenderNeedsCustomer("store credit belongs to a customer; the order has none",
                                  fields=[FieldError("as", "the order has no customer", TenderNeedsCustomer.code)])
    if amount.minor <= 0 or amount.currency != row.currency:
        message = f"the amount must be positive and in {row.currency}"
        raise InvalidPaymentAmount(message, fields=[FieldError("amount", message, InvalidPaymentAmount.code)])
    left = totals_of(row).refundable
    if amount.minor > left:
        rest = Money(left, row.currency)
        raise NothingToRefund(f"{amount} is more than the {rest} left to refund", available=str(rest))

    def give_back(key: str) -> None:
        local_provider(TenderCode.STORE_CREDIT).give_back(uow, debit_of(row), amount, reference=key)

    settle_now(uow, row, TransactionKind.REFUND, amount.minor, note=NOTE, action=give_back)
