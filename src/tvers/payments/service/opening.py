"""Step 1 of a checkout: check the tenders, open one payment per tender, debit the local ones."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from tvers.db.uow import Uow
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money
from tvers.payments.errors import PaymentsAlreadyOpen
from tvers.payments.models import Payment
from tvers.payments.providers import Providers
from tvers.payments.providers.base import ExternalTender, LocalTender
from tvers.payments.rules import Applied, idempotency_key
from tvers.payments.rules import check_tenders as check_amounts
from tvers.payments.schemas import PaymentOut, PaymentStatus, TenderIn, TransactionKind, TransactionStatus
from tvers.payments.service._ledger import add_transaction, book_now, payments_out


def check_tenders(tenders: Sequence[TenderIn], *, total: Money, providers: Providers) -> list[Applied]:
    """Tenders pay exactly `total` (cash given last may exceed it: change), in its currency, each accepted here.

    Pure (no database): card numbers are checked too, so a checkout can refuse before it opens a transaction.
    """
    applied = check_amounts(tenders, total=total, available=providers.codes)
    for tender in tenders:
        if not providers.is_local(tender.tender):
            providers.external(tender.tender).prepare(tender)
    return applied


def open_payments(uow: Uow, *, order_id: str, customer_id: str | None, channel: str | None, tenders: Sequence[TenderIn],
                  total: Money, providers: Providers, additional: bool = False) -> list[PaymentOut]:
    """One payment per tender; local tenders are debited now with the payment id as reference (authorised; cash captured).

    External tenders get a pending authorisation whose key `{payment_id}:authorize` step 2 sends.
    `additional`: more tenders for an order that has payments (an edit that costs more); they come after the others.
    """
    applied = check_tenders(tenders, total=total, providers=providers)
    first = 0
    if additional:
        first = (uow.session.scalar(select(func.max(Payment.position)).where(Payment.order_id == order_id)) or 0) + 1
    elif uow.session.scalar(select(Payment.id).where(Payment.order_id == order_id).limit(1)) is not None:
        raise PaymentsAlreadyOpen(f"order {order_id} already has its payments", order_id=order_id)
    rows = []
    for position, (tender, paid) in enumerate(zip(tenders, applied, strict=True), start=first):
        row = _new_payment(uow, order_id=order_id, customer_id=customer_id, channel=channel, tender=tender, paid=paid,
                           position=position)
        if providers.is_local(tender.tender):
            _debit(uow, row, tender, providers.local(tender.tender))
        else:
            _prepare(uow, row, tender, providers.external(tender.tender))
        rows.append(row)
    return payments_out(uow, rows)


def _new_payment(uow: Uow, *, order_id: str, customer_id: str | None, channel: str | None, tender: TenderIn, paid: Applied,
                 position: int) -> Payment:
    now = uow.clock.now()
    row = Payment(id=new_id("pay"), order_id=order_id, customer_id=customer_id, channel=channel, tender=tender.tender,
                  position=position, status=PaymentStatus.PENDING.value, currency=paid.amount.currency, amount_minor=paid.amount.minor,
                  tendered_minor=paid.tendered.minor if paid.tendered else None, change_minor=paid.change.minor if paid.change else 0,
                  authorized_minor=0, captured_minor=0, refunded_minor=0, voided_minor=0, pending_capture_minor=0,
                  pending_void_minor=0, pending_refund_minor=0, created_at=now, updated_at=now)
    uow.session.add(row)
    uow.session.flush()
    return row


def _debit(uow: Uow, row: Payment, tender: TenderIn, provider: LocalTender) -> None:
    amount = Money(row.amount_minor, row.currency)
    result = provider.debit(uow, tender, amount=amount, reference=row.id, customer_id=row.customer_id, channel=row.channel)
    row.provider_reference, row.points = result.provider_reference, result.points
    book_now(uow, row, TransactionKind.AUTHORIZE, amount.minor, key=idempotency_key(row.id, TransactionKind.AUTHORIZE))
    if result.is_captured:
        book_now(uow, row, TransactionKind.CAPTURE, amount.minor, key=idempotency_key(row.id, TransactionKind.CAPTURE, 1),
                 note=_change_note(row))


def _prepare(uow: Uow, row: Payment, tender: TenderIn, provider: ExternalTender) -> None:
    prepared = provider.prepare(tender)
    row.provider_reference = prepared.provider_reference
    if prepared.card is not None:
        card = prepared.card
        row.card_token, row.card_brand, row.card_last4, row.card_fingerprint = card.token, card.brand, card.last4, card.fingerprint
    add_transaction(uow, row, TransactionKind.AUTHORIZE, row.amount_minor, key=idempotency_key(row.id, TransactionKind.AUTHORIZE),
                    status=TransactionStatus.PENDING)


def _change_note(row: Payment) -> str | None:
    if not row.change_minor:
        return None
    return f"tendered {Money(row.tendered_minor or 0, row.currency)}, change {Money(row.change_minor, row.currency)}"
