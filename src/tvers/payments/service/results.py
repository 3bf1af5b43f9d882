"""Step 3: what providers answered becomes transactions and totals, once, however often it is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, bindparam, literal, select, update

from tvers.db.uow import Uow
from tvers.payments import events
from tvers.payments.errors import NothingToCapture, ResultDoesNotMatch
from tvers.payments.models import Payment, PaymentTransaction
from tvers.payments.providers.base import ProviderResult, ResultStatus
from tvers.payments.rules import idempotency_key
from tvers.payments.schemas import PaymentOut, PaymentStatus, TransactionKind, TransactionStatus
from tvers.payments.service._ledger import (
    OPEN,
    PAYMENTS,
    TRANSACTIONS,
    book,
    book_now,
    keep_returned,
    order_payments,
    payment_out,
    payments_out,
    record_booked,
    record_failed,
    release,
    status_sql,
    totals_of,
)
from tvers.payments.service.card_identity import attach_card_identity
from tvers.payments.service.opening import OpenedPayments

RELEASE_NOTE = "released by the provider on partial capture"
_NOT_YET = frozenset({PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION})
_NOT_PAID = frozenset({PaymentStatus.FAILED, PaymentStatus.VOIDED})


@dataclass(frozen=True)
class PaymentsOutcome:
    """Where an order's payments stand after step 3."""

    order_id: str | None
    payments: tuple[PaymentOut, ...]

    @property
    def is_authorized(self) -> bool:
        """Every tender is authorised (or further along): the order may be confirmed."""
        return bool(self.payments) and all(p.status not in _NOT_YET | _NOT_PAID for p in self.payments)

    @property
    def is_failed(self) -> bool:
        """A tender was declined or failed: compensate (void, restore) and fail the order."""
        return any(p.status is PaymentStatus.FAILED for p in self.payments)

    @property
    def requires_action(self) -> tuple[PaymentOut, ...]:
        """Tenders waiting for the customer (3-D Secure); `action_url` says where, when the provider gave one."""
        return tuple(p for p in self.payments if p.status is PaymentStatus.REQUIRES_ACTION)

    @property
    def is_pending(self) -> bool:
        """A provider has not answered yet: re-send the same requests later (the sweep)."""
        return any(p.status is PaymentStatus.PENDING for p in self.payments)


def payments_outcome(uow: Uow, order_id: str) -> PaymentsOutcome:
    return PaymentsOutcome(order_id=order_id, payments=tuple(payments_out(uow, order_payments(uow, order_id))))


def record_results(uow: Uow, results: Sequence[ProviderResult]) -> PaymentsOutcome:
    """Record provider answers (any operation); a result already recorded is skipped, so step 3 can be re-run."""
    order_ids = {result.request.order_id for result in results}
    if len(order_ids) > 1:
        raise ResultDoesNotMatch("results of one order at a time", order_ids=sorted(order_ids))
    for result in results:
        _record(uow, result)
    if not order_ids:
        return PaymentsOutcome(order_id=None, payments=())
    return payments_outcome(uow, order_ids.pop())


def _record(uow: Uow, result: ProviderResult) -> None:
    request = result.request
    found = uow.session.execute(select(PaymentTransaction, Payment).join(Payment, Payment.id == PaymentTransaction.payment_id)
                                .where(PaymentTransaction.id == request.transaction_id)).first()  # both in one statement
    if found is None or found[0].payment_id != request.payment_id:
        raise ResultDoesNotMatch(f"no transaction {request.transaction_id} for payment {request.payment_id}")
    txn, row = found
    if txn.status not in OPEN or result.status is ResultStatus.UNKNOWN:
        return
    if txn.kind == TransactionKind.AUTHORIZE and request.operation is TransactionKind.VOID:
        _record_cancel(uow, row, txn, result)
    elif result.status is ResultStatus.REQUIRES_ACTION:
        _record_action(uow, row, txn, result)
    elif result.status is ResultStatus.SUCCEEDED:
        _record_success(uow, row, txn, result)
    else:
        _record_failure(uow, row, txn, result)


def _settle(uow: Uow, txn: PaymentTransaction, status: TransactionStatus, result: ProviderResult, *,
            failure_code: str | None = None) -> bool:
    """Close an open transaction once (conditional UPDATE); False when a concurrent recorder got there first."""
    returned = uow.session.execute(
        update(PaymentTransaction).where(PaymentTransaction.id == txn.id, PaymentTransaction.status.in_(OPEN))
        .values(status=status.value, provider_reference=result.provider_reference or txn.provider_reference,
                failure_code=failure_code or result.failure_code, failure_message=_short(result.failure_message),
                note=result.note or txn.note,
                settled_at=uow.clock.now() if status in (TransactionStatus.SUCCEEDED, TransactionStatus.FAILED) else None)
        .returning(*TRANSACTIONS.columns).execution_options(synchronize_session=False)).first()
    if returned is None:
        uow.session.refresh(txn)  # what the other recorder wrote
        return False
    keep_returned(txn, TRANSACTIONS, returned)
    return True


def _record_success(uow: Uow, row: Payment, txn: PaymentTransaction, result: ProviderResult) -> None:
    if not _settle(uow, txn, TransactionStatus.SUCCEEDED, result):
        return
    kind = TransactionKind(txn.kind)
    if kind is TransactionKind.AUTHORIZE:
        book(uow, row, kind, txn.amount_minor, was_asked=False, also=provider_details(row, result))
        record_booked(uow, row, txn)
        _after_authorized(uow, row, result)
        return
    book(uow, row, kind, txn.amount_minor, was_asked=True)
    record_booked(uow, row, txn)
    totals = totals_of(row)
    if kind is TransactionKind.CAPTURE and result.releases_rest and totals.capturable > 0 and totals.pending_capture == 0:
        book_now(uow, row, TransactionKind.VOID, totals.capturable, key=idempotency_key(row.id, TransactionKind.VOID) + ":rest",
                 note=RELEASE_NOTE)


def _after_authorized(uow: Uow, row: Payment, result: ProviderResult) -> None:
    if result.is_captured:
        book_now(uow, row, TransactionKind.CAPTURE, row.authorized_minor, key=idempotency_key(row.id, TransactionKind.CAPTURE, 1),
                 note=result.note, provider_reference=result.provider_reference)
    if row.card_fingerprint and row.customer_id:
        attach_card_identity(uow, customer_id=row.customer_id, fingerprint=row.card_fingerprint, channel=row.channel)


def _record_failure(uow: Uow, row: Payment, txn: PaymentTransaction, result: ProviderResult) -> None:
    if not _settle(uow, txn, TransactionStatus.FAILED, result, failure_code=result.failure_code or result.status.value):
        return
    kind = TransactionKind(txn.kind)
    if kind is TransactionKind.AUTHORIZE:
        _keep_provider_details(row, result)
        _fail_payment(uow, row, failure_code=txn.failure_code, failure_message=txn.failure_message)
    else:
        release(uow, row, kind, txn.amount_minor)
    record_failed(uow, row, txn)


def _record_action(uow: Uow, row: Payment, txn: PaymentTransaction, result: ProviderResult) -> None:
    _settle(uow, txn, TransactionStatus.REQUIRES_ACTION, result)
    _keep_provider_details(row, result)
    row.status, row.action_url, row.updated_at = PaymentStatus.REQUIRES_ACTION.value, result.action_url, uow.clock.now()
    uow.session.flush()


def _record_cancel(uow: Uow, row: Payment, txn: PaymentTransaction, result: ProviderResult) -> None:
    """An authorisation that never finished (3-D Secure abandoned) was cancelled: it fails, nothing was held."""
    if result.status is not ResultStatus.SUCCEEDED:
        return
    if _settle(uow, txn, TransactionStatus.FAILED, result, failure_code="authorization_canceled"):
        _fail_payment(uow, row, failure_code="authorization_canceled", failure_message="cancelled before it was authorised")
        record_failed(uow, row, txn)


def _fail_payment(uow: Uow, row: Payment, *, failure_code: str | None, failure_message: str | None) -> None:
    row.status, row.action_url = PaymentStatus.FAILED.value, None
    row.failure_code, row.failure_message, row.updated_at = failure_code, failure_message, uow.clock.now()
    uow.session.flush()


def _keep_provider_details(row: Payment, result: ProviderResult) -> None:
    """The provider's id and what it told of the card (Stripe: brand, last four, fingerprint); never the number."""
    for key, value in provider_details(row, result).items():
        setattr(row, key, value)


def provider_details(row: Any, result: ProviderResult) -> dict[str, Any]:
    """`_keep_provider_details` as column values, for an UPDATE that books the amount in the same statement."""
    details: dict[str, Any] = {"provider_reference": result.provider_reference or row.provider_reference, "action_url": None}
    if result.card is not None:
        details.update(card_token=result.card.token or row.card_token, card_brand=result.card.brand or row.card_brand,
                       card_last4=result.card.last4 or row.card_last4,
                       card_fingerprint=result.card.fingerprint or row.card_fingerprint)
    return details


def _short(message: str | None) -> str | None:
    return message[:300] if message else None


def record_checkout_authorizations(uow: Uow, opened: OpenedPayments, results: Sequence[ProviderResult]) -> PaymentsOutcome | None:
    """Step 3 of a checkout whose tenders are all external and were all approved: `record_results` without reading back.

    Per answer, two statements: the pending authorisation closed (conditional UPDATE … RETURNING, as `_settle`), the amount
    booked with the provider's details and the new status (as `book`); the outcome is made of what they returned, since
    step 1 wrote exactly these payments and transactions. None, before any statement, when the answers are anything else
    (declined, 3-D Secure, captured on authorisation, a local tender): then `record_results` does the general work. An
    answer recorded meanwhile by someone else (the sweep) is skipped as `record_results` skips it, and the outcome read.
    """
    answered = {result.request.transaction_id: result for result in results}
    if not opened.all_external_pending or len(answered) != len(results) or not _all_approved(opened, answered):
        return None
    now, connection = uow.clock.now(), uow.session.connection()
    paid: list[PaymentOut] = []
    for payment, request, known in zip(opened.payments, opened.requests, opened.details, strict=True):
        result, pending = answered[request.transaction_id], payment.transactions[0]
        txn = connection.execute(SETTLE_AUTHORIZATION, {
            "b_id": request.transaction_id, "b_payment_id": request.payment_id, "b_at": now,
            "b_reference": result.provider_reference or pending.provider_reference, "b_failure_code": result.failure_code,
            "b_failure_message": _short(result.failure_message), "b_note": result.note or pending.note}).first()
        if txn is None:  # recorded by someone else first: what the payments say now
            return payments_outcome(uow, opened.order_id)
        details = {f"b_{k}": v for k, v in provider_details(known, result).items() if k != "action_url"}
        for name in ("card_token", "card_brand", "card_last4", "card_fingerprint"):
            details.setdefault(f"b_{name}", getattr(known, name))
        booked = connection.execute(BOOK_AUTHORIZATION, {"b_id": payment.id, "b_amount": txn.amount_minor, "b_at": now,
                                                         **details}).first()
        if booked is None:
            raise NothingToCapture(f"payment {payment.id} has too little left to authorize", payment_id=payment.id)
        uow.record(events.PaymentAuthorized(payment_id=booked.id, order_id=booked.order_id, tender=booked.tender,
                                            currency=booked.currency, amount_minor=txn.amount_minor, transaction_id=txn.id))
        if booked.card_fingerprint and booked.customer_id:
            attach_card_identity(uow, customer_id=booked.customer_id, fingerprint=booked.card_fingerprint, channel=booked.channel)
        paid.append(payment_out(booked, [txn]))
    return PaymentsOutcome(order_id=opened.order_id, payments=tuple(paid))


_txns, _payments = TRANSACTIONS.c, PAYMENTS.c
# Built once (hot path): the two statements `record_checkout_authorizations` sends per approved authorisation.
SETTLE_AUTHORIZATION = (
    update(TRANSACTIONS)
    .where(_txns.id == bindparam("b_id"), _txns.payment_id == bindparam("b_payment_id"),
           _txns.kind == literal(TransactionKind.AUTHORIZE.value), _txns.status.in_(OPEN))
    .values(status=TransactionStatus.SUCCEEDED.value, provider_reference=bindparam("b_reference"),
            failure_code=bindparam("b_failure_code"), failure_message=bindparam("b_failure_message"), note=bindparam("b_note"),
            settled_at=bindparam("b_at"))
    .returning(*TRANSACTIONS.columns)
)
_AMOUNT = bindparam("b_amount", type_=BigInteger)
_AUTHORIZED = {"authorized_minor": _payments.authorized_minor + _AMOUNT}
BOOK_AUTHORIZATION = (
    update(PAYMENTS)
    .where(_payments.id == bindparam("b_id"), _payments.amount_minor - _payments.authorized_minor >= _AMOUNT)
    .values(**_AUTHORIZED, status=status_sql(_AUTHORIZED), updated_at=bindparam("b_at"), action_url=None,
            provider_reference=bindparam("b_provider_reference"), card_token=bindparam("b_card_token"),
            card_brand=bindparam("b_card_brand"), card_last4=bindparam("b_card_last4"),
            card_fingerprint=bindparam("b_card_fingerprint"))
    .returning(*PAYMENTS.columns)
)


def _all_approved(opened: OpenedPayments, answered: dict[str, ProviderResult]) -> bool:
    if len(opened.requests) != len(opened.payments) or len(opened.details) != len(opened.payments):
        return False
    if set(answered) != {r.transaction_id for r in opened.requests}:
        return False
    return all(r.status is ResultStatus.SUCCEEDED and r.request.operation is TransactionKind.AUTHORIZE and not r.is_captured
               for r in answered.values())
