"""The ledger's moves, shared by every use case: transactions in, totals changed by conditional UPDATEs, rows out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, case, func, literal, select, update
from sqlalchemy.orm.attributes import set_committed_value

from tvers.catalog.schemas import MoneyOut
from tvers.db.uow import Uow
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money
from tvers.payments import events
from tvers.payments.errors import NothingToCapture, NothingToRefund, NothingToVoid, PaymentNotFound
from tvers.payments.models import Payment, PaymentTransaction
from tvers.payments.providers.base import LocalDebit, ProviderRequest
from tvers.payments.rules import Totals, idempotency_key, total_field
from tvers.payments.schemas import (
    CardOut,
    PaymentOut,
    PaymentStatus,
    TenderCode,
    TransactionKind,
    TransactionOut,
    TransactionStatus,
)

OPEN = (TransactionStatus.PENDING.value, TransactionStatus.REQUIRES_ACTION.value)
_NOTHING = {TransactionKind.CAPTURE: NothingToCapture, TransactionKind.VOID: NothingToVoid, TransactionKind.REFUND: NothingToRefund,
            TransactionKind.AUTHORIZE: NothingToCapture}
_EVENTS: dict[TransactionKind, type[events.PaymentAuthorized | events.PaymentCaptured | events.PaymentVoided | events.PaymentRefunded]] = {
    TransactionKind.AUTHORIZE: events.PaymentAuthorized, TransactionKind.CAPTURE: events.PaymentCaptured,
    TransactionKind.VOID: events.PaymentVoided, TransactionKind.REFUND: events.PaymentRefunded}


PAYMENTS: Table = Payment.__table__  # type: ignore[assignment]
TRANSACTIONS: Table = PaymentTransaction.__table__  # type: ignore[assignment]


def payment_row(uow: Uow, payment_id: str) -> Payment:
    row = uow.session.get(Payment, payment_id)
    if row is None:
        raise PaymentNotFound(f"no payment {payment_id!r}")
    return row


def order_payments(uow: Uow, order_id: str) -> list[Payment]:
    return list(uow.session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.position)))


def totals_of(row: Payment) -> Totals:
    return Totals(authorized=row.authorized_minor, captured=row.captured_minor, voided=row.voided_minor, refunded=row.refunded_minor,
                  pending_capture=row.pending_capture_minor, pending_void=row.pending_void_minor,
                  pending_refund=row.pending_refund_minor)


def money(row: Any, minor: int) -> Money:
    return Money(minor, row.currency)


def next_key(uow: Uow, row: Payment, kind: TransactionKind) -> str:
    """The next key for a repeatable operation; read while this transaction holds the payment's row lock."""
    count = uow.session.scalar(select(func.count()).select_from(PaymentTransaction).where(
        PaymentTransaction.payment_id == row.id, PaymentTransaction.kind == kind.value)) or 0
    if kind is TransactionKind.VOID:
        return idempotency_key(row.id, kind) if count == 0 else idempotency_key(row.id, kind, count + 1)
    return idempotency_key(row.id, kind, count + 1)


def new_transaction(uow: Uow, row: Payment, kind: TransactionKind, amount_minor: int, *, key: str, status: TransactionStatus,
                    provider_reference: str | None = None, note: str | None = None) -> PaymentTransaction:
    """A transaction row, not added to the session yet."""
    now = uow.clock.now()
    settled = now if status in (TransactionStatus.SUCCEEDED, TransactionStatus.FAILED) else None
    return PaymentTransaction(id=new_id("ptx"), payment_id=row.id, kind=kind.value, status=status.value, currency=row.currency,
                              amount_minor=amount_minor, idempotency_key=key, provider_reference=provider_reference, note=note,
                              created_at=now, settled_at=settled, failure_code=None, failure_message=None)


def add_transaction(uow: Uow, row: Payment, kind: TransactionKind, amount_minor: int, *, key: str, status: TransactionStatus,
                    provider_reference: str | None = None, note: str | None = None) -> PaymentTransaction:
    txn = new_transaction(uow, row, kind, amount_minor, key=key, status=status, provider_reference=provider_reference, note=note)
    uow.session.add(txn)
    uow.session.flush()
    return txn


def open_transactions(uow: Uow, rows: Sequence[Payment], *, kinds: Sequence[TransactionKind]) -> list[PaymentTransaction]:
    if not rows:
        return []
    return list(uow.session.scalars(select(PaymentTransaction).where(
        PaymentTransaction.payment_id.in_([r.id for r in rows]), PaymentTransaction.kind.in_([k.value for k in kinds]),
        PaymentTransaction.status.in_(OPEN)).order_by(PaymentTransaction.created_at, PaymentTransaction.id)))


def _limit(kind: TransactionKind) -> ColumnElement[Any]:
    """What may still be asked for, as SQL: the same arithmetic as rules.Totals."""
    if kind is TransactionKind.REFUND:
        return Payment.captured_minor - Payment.refunded_minor - Payment.pending_refund_minor
    if kind is TransactionKind.AUTHORIZE:
        return Payment.amount_minor - Payment.authorized_minor
    return (Payment.authorized_minor - Payment.captured_minor - Payment.voided_minor - Payment.pending_capture_minor
            - Payment.pending_void_minor)


def status_sql(values: dict[str, Any]) -> ColumnElement[Any]:
    """`rules.status_of` as SQL over the totals an UPDATE sets (`values`: column key → new value expression).

    In an UPDATE every expression reads the row as it was, so this is the status of the totals after the change,
    decided under the row lock the UPDATE takes: one statement instead of change, re-read and status write.
    """
    def new(column: Any) -> Any:
        return values.get(column.key, column)

    authorized, captured = new(Payment.authorized_minor), new(Payment.captured_minor)
    voided, refunded = new(Payment.voided_minor), new(Payment.refunded_minor)
    return case(
        (authorized == 0, Payment.status),
        (refunded > 0, case((refunded == captured, literal(PaymentStatus.REFUNDED.value)),
                            else_=literal(PaymentStatus.PARTIALLY_REFUNDED.value))),
        (captured > 0, case((captured + voided == authorized, literal(PaymentStatus.CAPTURED.value)),
                            else_=literal(PaymentStatus.PARTIALLY_CAPTURED.value))),
        (voided == authorized, literal(PaymentStatus.VOIDED.value)),
        else_=literal(PaymentStatus.AUTHORIZED.value),
    )


def keep_returned(obj: Any, table: Table, returned: Any) -> None:
    """Put what an UPDATE … RETURNING answered into the loaded ORM object, as if it had been re-read (nothing dirty)."""
    for column, value in zip(table.columns, returned, strict=True):
        set_committed_value(obj, column.key, value)


def _change(uow: Uow, row: Payment, kind: TransactionKind, values: dict[str, Any], *, guard: ColumnElement[Any] | None,
            also: dict[str, Any] | None = None) -> None:
    """One conditional UPDATE of the totals (and `also`: plain columns), its status worked out in the same statement."""
    statement = update(Payment).where(Payment.id == row.id)
    if guard is not None:
        statement = statement.where(guard)
    statement = statement.values(**values, **(also or {}), status=status_sql(values), updated_at=uow.clock.now())
    returned = uow.session.execute(statement.returning(*PAYMENTS.columns).execution_options(synchronize_session=False)).first()
    if returned is None:
        raise _NOTHING[kind](f"payment {row.id} has too little left to {kind.value}", payment_id=row.id)
    keep_returned(row, PAYMENTS, returned)


def reserve(uow: Uow, row: Payment, kind: TransactionKind, amount_minor: int) -> None:
    """Ask for `amount` (one conditional UPDATE): concurrent askers can never together exceed what is left."""
    pending = getattr(Payment, f"pending_{kind.value}_minor")
    _change(uow, row, kind, {pending.key: pending + amount_minor}, guard=_limit(kind) >= amount_minor)


def book(uow: Uow, row: Payment, kind: TransactionKind, amount_minor: int, *, was_asked: bool,
         also: dict[str, Any] | None = None) -> None:
    """A succeeded transaction into the totals; one not asked for first must fit what is left. `also`: other columns."""
    total = getattr(Payment, f"{total_field(kind)}_minor")
    values: dict[str, Any] = {total.key: total + amount_minor}
    if was_asked:
        pending = getattr(Payment, f"pending_{kind.value}_minor")
        values[pending.key] = pending - amount_minor
    _change(uow, row, kind, values, guard=None if was_asked else _limit(kind) >= amount_minor, also=also)


def release(uow: Uow, row: Payment, kind: TransactionKind, amount_minor: int) -> None:
    """An asked amount the provider refused goes back to what is left."""
    pending = getattr(Payment, f"pending_{kind.value}_minor")
    _change(uow, row, kind, {pending.key: pending - amount_minor}, guard=None)


def record_booked(uow: Uow, row: Payment, txn: PaymentTransaction) -> None:
    kind = TransactionKind(txn.kind)
    uow.record(_EVENTS[kind](payment_id=row.id, order_id=row.order_id, tender=row.tender, currency=row.currency,
                             amount_minor=txn.amount_minor, transaction_id=txn.id))


def record_failed(uow: Uow, row: Payment, txn: PaymentTransaction) -> None:
    uow.record(events.PaymentFailed(payment_id=row.id, order_id=row.order_id, tender=row.tender, currency=row.currency,
                                    amount_minor=txn.amount_minor, transaction_id=txn.id, operation=txn.kind,
                                    failure_code=txn.failure_code))


def book_now(uow: Uow, row: Payment, kind: TransactionKind, amount_minor: int, *, key: str, note: str | None = None,
             provider_reference: str | None = None) -> PaymentTransaction:
    """A transaction that succeeded as it happened (a local tender, a marketplace capture): row, totals, event."""
    txn = add_transaction(uow, row, kind, amount_minor, key=key, status=TransactionStatus.SUCCEEDED, note=note,
                          provider_reference=provider_reference)
    book(uow, row, kind, amount_minor, was_asked=False)
    record_booked(uow, row, txn)
    return txn


def settle_now(uow: Uow, row: Payment, kind: TransactionKind, amount_minor: int, *, note: str | None = None,
               action: Callable[[str], None] | None = None) -> PaymentTransaction:
    """Capture, void or refund that happens here and now (a local tender): reserve first, so the row is ours, then
    take the next key, move the money (`action(key)`), and book it."""
    reserve(uow, row, kind, amount_minor)
    key = next_key(uow, row, kind)
    if action is not None:
        action(key)
    txn = add_transaction(uow, row, kind, amount_minor, key=key, status=TransactionStatus.SUCCEEDED, note=note)
    book(uow, row, kind, amount_minor, was_asked=True)
    record_booked(uow, row, txn)
    return txn


def request_of(row: Payment, txn: PaymentTransaction, *, operation: TransactionKind | None = None,
               key: str | None = None) -> ProviderRequest:
    return ProviderRequest(order_id=row.order_id, payment_id=row.id, transaction_id=txn.id, tender=TenderCode(row.tender),
                           operation=operation or TransactionKind(txn.kind), amount=money(row, txn.amount_minor),
                           idempotency_key=key or txn.idempotency_key, provider_reference=row.provider_reference,
                           card_token=row.card_token)


def debit_of(row: Payment) -> LocalDebit:
    return LocalDebit(payment_id=row.id, customer_id=row.customer_id, channel=row.channel, amount=money(row, row.amount_minor),
                      provider_reference=row.provider_reference, points=row.points)


def payments_out(uow: Uow, rows: Sequence[Payment]) -> list[PaymentOut]:
    """Payments with their transactions: one query for all the transactions."""
    by_payment: dict[str, list[PaymentTransaction]] = {row.id: [] for row in rows}
    if rows:
        for txn in uow.session.scalars(select(PaymentTransaction).where(PaymentTransaction.payment_id.in_(list(by_payment)))
                                       .order_by(PaymentTransaction.created_at, PaymentTransaction.id)):
            by_payment[txn.payment_id].append(txn)
    return [_payment_out(row, by_payment[row.id]) for row in rows]


def payment_out(row: Any, txns: Sequence[Any]) -> PaymentOut:
    """A payment with the transactions given (all of its own, e.g. the ones this transaction just wrote), as `payments_out`
    orders them."""
    return _payment_out(row, sorted(txns, key=lambda t: (t.created_at, t.id)))


def _money_out(row: Any, minor: int) -> MoneyOut:
    value = money(row, minor)
    return MoneyOut(amount=str(value.amount), currency=value.currency)


def _payment_out(row: Any, txns: Sequence[Any]) -> PaymentOut:
    has_card = row.card_brand is not None or row.card_last4 is not None
    return PaymentOut(
        id=row.id, order_id=row.order_id, customer_id=row.customer_id, channel=row.channel, tender=TenderCode(row.tender),
        status=PaymentStatus(row.status), amount=_money_out(row, row.amount_minor),
        tendered=_money_out(row, row.tendered_minor) if row.tendered_minor is not None else None,
        change_due=_money_out(row, row.change_minor) if row.change_minor else None,
        authorized=_money_out(row, row.authorized_minor), captured=_money_out(row, row.captured_minor),
        refunded=_money_out(row, row.refunded_minor), voided=_money_out(row, row.voided_minor),
        card=CardOut(brand=row.card_brand, last4=row.card_last4) if has_card else None, points=row.points,
        provider_reference=row.provider_reference, failure_code=row.failure_code, failure_message=row.failure_message,
        action_url=row.action_url, created_at=row.created_at, updated_at=row.updated_at,
        transactions=[_transaction_out(row, t) for t in txns])


def _transaction_out(row: Any, txn: Any) -> TransactionOut:
    return TransactionOut(id=txn.id, kind=TransactionKind(txn.kind), status=TransactionStatus(txn.status),
                          amount=_money_out(row, txn.amount_minor), idempotency_key=txn.idempotency_key,
                          provider_reference=txn.provider_reference, failure_code=txn.failure_code,
                          failure_message=txn.failure_message, note=txn.note, created_at=txn.created_at, settled_at=txn.settled_at)
