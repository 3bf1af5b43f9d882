"""Step 1 of a checkout: check the tenders, open one payment per tender, debit the local ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import func, insert, select, text

from tvers.db.rows import rows_as_json
from tvers.db.uow import Uow
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money
from tvers.payments.errors import PaymentsAlreadyOpen
from tvers.payments.models import Payment, PaymentTransaction
from tvers.payments.providers import Providers
from tvers.payments.providers.base import ExternalTender, LocalTender, ProviderRequest
from tvers.payments.rules import Applied, idempotency_key
from tvers.payments.rules import check_tenders as check_amounts
from tvers.payments.schemas import PaymentOut, PaymentStatus, TenderIn, TransactionKind, TransactionStatus
from tvers.payments.service._ledger import PAYMENTS, TRANSACTIONS, book_now, new_transaction, payment_out, request_of

INSERT_PAYMENTS, INSERT_TRANSACTIONS = insert(PAYMENTS), insert(TRANSACTIONS)
_PAYMENT_COLUMNS, _TRANSACTION_COLUMNS = (", ".join(c.name for c in table.columns) for table in (PAYMENTS, TRANSACTIONS))
# PostgreSQL: the payments and their pending authorisations in one statement, the rows as JSON expanded into the tables'
# own column types (the foreign key is checked at the end of the statement, when both are there).
OPEN_ON_POSTGRESQL = text(
    f"WITH opened AS (INSERT INTO payments ({_PAYMENT_COLUMNS}) SELECT {_PAYMENT_COLUMNS}"
    " FROM jsonb_populate_recordset(NULL::payments, CAST(:payments AS jsonb)))"
    f" INSERT INTO payment_transactions ({_TRANSACTION_COLUMNS}) SELECT {_TRANSACTION_COLUMNS}"
    " FROM jsonb_populate_recordset(NULL::payment_transactions, CAST(:transactions AS jsonb))"
)


@dataclass(frozen=True)
class OpenedPayments:
    """What step 1 opened for an order: the payments as they stood at its end, and the authorisations step 2 must send.

    `all_external_pending`: every tender is external with exactly its pending authorisation, so step 3 can record the
    answers without reading the order's payments again (`record_checkout_authorizations`).
    """

    order_id: str
    payments: tuple[PaymentOut, ...]
    requests: tuple[ProviderRequest, ...]
    all_external_pending: bool
    details: tuple[ProviderDetails, ...] = ()  # per payment: what step 3 keeps unless the provider says otherwise


@dataclass(frozen=True)
class ProviderDetails:
    """A payment's provider columns as step 1 wrote them (the card token and fingerprint are not in `PaymentOut`)."""

    provider_reference: str | None
    card_token: str | None
    card_brand: str | None
    card_last4: str | None
    card_fingerprint: str | None


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
    return list(_open(uow, order_id=order_id, customer_id=customer_id, channel=channel, tenders=tenders, applied=applied,
                      providers=providers, first=first).payments)


def open_checkout_payments(uow: Uow, *, order_id: str, customer_id: str | None, channel: str | None, tenders: Sequence[TenderIn],
                           total: Money, providers: Providers) -> OpenedPayments:
    """`open_payments` for an order created in this same transaction (checkout step 1), so none can exist yet (no check).

    Also answers what step 2 must send: the same requests `external_authorizations` would read back after commit.
    """
    applied = check_tenders(tenders, total=total, providers=providers)
    return _open(uow, order_id=order_id, customer_id=customer_id, channel=channel, tenders=tenders, applied=applied,
                 providers=providers)


def _open(uow: Uow, *, order_id: str, customer_id: str | None, channel: str | None, tenders: Sequence[TenderIn],
          applied: Sequence[Applied], providers: Providers, first: int = 0) -> OpenedPayments:
    """`first`: the first tender's position (after the order's earlier payments, for an edit that adds tenders)."""
    if tenders and all(not providers.is_local(tender.tender) for tender in tenders):
        return _open_external(uow, order_id=order_id, customer_id=customer_id, channel=channel, tenders=tenders, applied=applied,
                              providers=providers, first=first)
    rows: list[tuple[Payment, list[PaymentTransaction]]] = []
    requests: list[ProviderRequest] = []
    for position, (tender, paid) in enumerate(zip(tenders, applied, strict=True), start=first):
        row = _new_payment(uow, order_id=order_id, customer_id=customer_id, channel=channel, tender=tender, paid=paid,
                           position=position)
        if providers.is_local(tender.tender):
            uow.session.add(row)
            uow.session.flush()  # the local provider's ledger names the payment
            txns = _debit(uow, row, tender, providers.local(tender.tender))
        else:
            txn = _prepare(uow, row, tender, providers.external(tender.tender))
            txns = [txn]
            requests.append(request_of(row, txn))
        rows.append((row, txns))
    uow.session.flush()  # the external payments and their pending authorisations: one INSERT each table
    external_only = all(not providers.is_local(tender.tender) for tender in tenders)
    return OpenedPayments(order_id=order_id, payments=tuple(payment_out(row, txns) for row, txns in rows), requests=tuple(requests),
                          all_external_pending=external_only and bool(rows),
                          details=tuple(ProviderDetails(row.provider_reference, row.card_token, row.card_brand, row.card_last4,
                                                        row.card_fingerprint) for row, _ in rows))


def _open_external(uow: Uow, *, order_id: str, customer_id: str | None, channel: str | None, tenders: Sequence[TenderIn],
                   applied: Sequence[Applied], providers: Providers, first: int = 0) -> OpenedPayments:
    """Only external tenders (a web shop's card): the rows `_open` would flush, written as two Core INSERTs (no ORM unit
    of work: nothing in this transaction reads them back)."""
    payments: list[SimpleNamespace] = []
    pending: list[SimpleNamespace] = []
    for position, (tender, paid) in enumerate(zip(tenders, applied, strict=True), start=first):
        row = _new_payment(uow, order_id=order_id, customer_id=customer_id, channel=channel, tender=tender, paid=paid,
                           position=position)
        txn = _prepare(uow, row, tender, providers.external(tender.tender), add=False)
        payments.append(SimpleNamespace(**{c.key: getattr(row, c.key, None) for c in PAYMENTS.columns}))
        pending.append(SimpleNamespace(**{c.key: getattr(txn, c.key, None) for c in TRANSACTIONS.columns}))
    connection = uow.session.connection()
    if uow.dialect == "postgresql":  # one statement, one round trip
        connection.execute(OPEN_ON_POSTGRESQL, {"payments": rows_as_json([vars(row) for row in payments]),
                                                "transactions": rows_as_json([vars(txn) for txn in pending])})
    else:
        connection.execute(INSERT_PAYMENTS, [vars(row) for row in payments])
        connection.execute(INSERT_TRANSACTIONS, [vars(txn) for txn in pending])
    return OpenedPayments(order_id=order_id, payments=tuple(payment_out(row, [txn]) for row, txn in zip(payments, pending, strict=True)),
                          requests=tuple(request_of(row, txn) for row, txn in zip(payments, pending, strict=True)),  # type: ignore[arg-type]
                          all_external_pending=True,
                          details=tuple(ProviderDetails(row.provider_reference, row.card_token, row.card_brand, row.card_last4,
                                                        row.card_fingerprint) for row in payments))


def _new_payment(uow: Uow, *, order_id: str, customer_id: str | None, channel: str | None, tender: TenderIn, paid: Applied,
                 position: int) -> Payment:
    now = uow.clock.now()
    row = Payment(id=new_id("pay"), order_id=order_id, customer_id=customer_id, channel=channel, tender=tender.tender,
                  position=position, status=PaymentStatus.PENDING.value, currency=paid.amount.currency, amount_minor=paid.amount.minor,
                  tendered_minor=paid.tendered.minor if paid.tendered else None, change_minor=paid.change.minor if paid.change else 0,
                  authorized_minor=0, captured_minor=0, refunded_minor=0, voided_minor=0, pending_capture_minor=0,
                  pending_void_minor=0, pending_refund_minor=0, created_at=now, updated_at=now)
    return row


def _debit(uow: Uow, row: Payment, tender: TenderIn, provider: LocalTender) -> list[PaymentTransaction]:
    amount = Money(row.amount_minor, row.currency)
    result = provider.debit(uow, tender, amount=amount, reference=row.id, customer_id=row.customer_id, channel=row.channel)
    row.provider_reference, row.points = result.provider_reference, result.points
    txns = [book_now(uow, row, TransactionKind.AUTHORIZE, amount.minor, key=idempotency_key(row.id, TransactionKind.AUTHORIZE))]
    if result.is_captured:
        txns.append(book_now(uow, row, TransactionKind.CAPTURE, amount.minor,
                             key=idempotency_key(row.id, TransactionKind.CAPTURE, 1), note=_change_note(row)))
    return txns


def _prepare(uow: Uow, row: Payment, tender: TenderIn, provider: ExternalTender, *, add: bool = True) -> PaymentTransaction:
    """The payment with what the provider lets us keep of the card, and its pending authorisation: added, flushed together."""
    prepared = provider.prepare(tender)
    row.provider_reference = prepared.provider_reference
    if prepared.card is not None:
        card = prepared.card
        row.card_token, row.card_brand, row.card_last4, row.card_fingerprint = card.token, card.brand, card.last4, card.fingerprint
    txn = new_transaction(uow, row, TransactionKind.AUTHORIZE, row.amount_minor, key=idempotency_key(row.id, TransactionKind.AUTHORIZE),
                          status=TransactionStatus.PENDING)
    if add:
        uow.session.add_all([row, txn])
    return txn


def _change_note(row: Payment) -> str | None:
    if not row.change_minor:
        return None
    return f"tendered {Money(row.tendered_minor or 0, row.currency)}, change {Money(row.change_minor, row.currency)}"
