"""Reading payments (an order's tenders, one payment with its transactions) and the doctor's ledger check."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from tvers.db.uow import Uow
from tvers.kernel.money import Money
from tvers.payments.models import Payment, PaymentTransaction
from tvers.payments.schemas import PaymentOut, TransactionKind, TransactionStatus
from tvers.payments.service._ledger import OPEN, order_payments, payment_row, payments_out, totals_of


def payments_for_order(uow: Uow, order_id: str) -> list[PaymentOut]:
    """The order's payments in tender order, each with its transactions (for the order detail)."""
    return payments_out(uow, order_payments(uow, order_id))


def uncaptured_for_order(uow: Uow, order_id: str, *, currency: str) -> Money:
    """What the order's tenders hold and nobody has taken or asked for yet (local tenders are taken when paid)."""
    return Money(sum(totals_of(row).capturable for row in order_payments(uow, order_id)), currency)


def promised_for_order(uow: Uow, order_id: str, *, currency: str) -> Money:
    """What the order's tenders stand for now: authorised, less what was voided or refunded."""
    return Money(sum(row.authorized_minor - row.voided_minor - row.refunded_minor for row in order_payments(uow, order_id)), currency)


def get_payment(uow: Uow, payment_id: str) -> PaymentOut:
    return payments_out(uow, [payment_row(uow, payment_id)])[0]


_TOTALS = {TransactionKind.AUTHORIZE: "authorized_minor", TransactionKind.CAPTURE: "captured_minor",
           TransactionKind.VOID: "voided_minor", TransactionKind.REFUND: "refunded_minor"}


def check_payment_ledgers(uow: Uow) -> list[str]:
    """Doctor check: payments whose totals differ from their transactions (succeeded ones, and the pending asks)."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = uow.session.execute(select(PaymentTransaction.payment_id, PaymentTransaction.kind, PaymentTransaction.status,
                                      func.sum(PaymentTransaction.amount_minor))
                               .group_by(PaymentTransaction.payment_id, PaymentTransaction.kind, PaymentTransaction.status))
    for payment_id, kind, status, total in rows:
        column = _column(TransactionKind(kind), status)
        if column is not None:
            sums[payment_id][column] += int(total or 0)
    columns = [*_TOTALS.values(), "pending_capture_minor", "pending_void_minor", "pending_refund_minor"]
    cached = uow.session.execute(select(Payment.id, *(getattr(Payment, c) for c in columns)))
    wrong = {row[0] for row in cached if any(int(value) != sums[row[0]][c] for c, value in zip(columns, row[1:], strict=True))}
    known = set(uow.session.scalars(select(Payment.id)))
    return sorted(wrong | (sums.keys() - known))


def _column(kind: TransactionKind, status: str) -> str | None:
    if status == TransactionStatus.SUCCEEDED:
        return _TOTALS[kind]
    if status in OPEN and kind is not TransactionKind.AUTHORIZE:
        return f"pending_{kind.value}_minor"
    return None
