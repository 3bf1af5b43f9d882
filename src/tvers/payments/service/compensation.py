"""What step 2 and the sweep must send, and how a checkout that failed gives everything back (voids, local restores)."""

from __future__ import annotations

from collections.abc import Collection

from tvers.db.uow import Uow
from tvers.kernel.money import Money
from tvers.payments.models import Payment
from tvers.payments.providers import local_provider
from tvers.payments.providers.base import ProviderRequest
from tvers.payments.schemas import LOCAL_TENDERS, PaymentOut, PaymentStatus, TenderCode, TransactionKind, TransactionStatus
from tvers.payments.service._ledger import (
    add_transaction,
    debit_of,
    next_key,
    open_transactions,
    order_payments,
    payments_out,
    request_of,
    reserve,
    settle_now,
    totals_of,
)

CASH_BACK_NOTE = "cash handed back at the till"


def external_authorizations(uow: Uow, order_id: str) -> list[ProviderRequest]:
    """The authorisations step 2 must send: every one not answered yet (re-sending the same key is safe)."""
    rows = _external(order_payments(uow, order_id))
    by_id = {row.id: row for row in rows}
    return [request_of(by_id[t.payment_id], t) for t in open_transactions(uow, rows, kinds=[TransactionKind.AUTHORIZE])]


def pending_requests(uow: Uow, order_id: str) -> list[ProviderRequest]:
    """Every provider call of the order decided and not answered (authorise, capture, void, refund): what the sweep re-sends."""
    rows = _external(order_payments(uow, order_id))
    by_id = {row.id: row for row in rows}
    return [request_of(by_id[t.payment_id], t) for t in open_transactions(uow, rows, kinds=list(TransactionKind))]


def voids_for(uow: Uow, order_id: str, *, payment_ids: Collection[str] | None = None) -> list[ProviderRequest]:
    """Voids of what external tenders hold for the order (and cancels of authorisations waiting for 3-D Secure).

    Decided in the caller's transaction (the amounts are reserved), sent with none open, recorded with
    `record_results`. Asking again returns the voids still unanswered instead of new ones.
    Authorisations with no answer yet (pending) are not voided: send them again first to learn their result.
    """
    rows = _external(_only(order_payments(uow, order_id), payment_ids))
    asked = open_transactions(uow, rows, kinds=[TransactionKind.VOID])
    requests = [request_of(next(r for r in rows if r.id == t.payment_id), t) for t in asked]
    waiting = {t.payment_id: t for t in open_transactions(uow, rows, kinds=[TransactionKind.AUTHORIZE])}
    for row in rows:
        if row.id in {t.payment_id for t in asked}:
            continue
        if totals_of(row).capturable > 0:
            requests.append(_void_request(uow, row))
        elif row.status == PaymentStatus.REQUIRES_ACTION and row.id in waiting and row.provider_reference:
            requests.append(request_of(row, waiting[row.id], operation=TransactionKind.VOID, key=f"{row.id}:cancel"))
    return requests


def _void_request(uow: Uow, row: Payment) -> ProviderRequest:
    amount = totals_of(row).capturable
    reserve(uow, row, TransactionKind.VOID, amount)
    txn = add_transaction(uow, row, TransactionKind.VOID, amount, key=next_key(uow, row, TransactionKind.VOID),
                          status=TransactionStatus.PENDING)
    return request_of(row, txn)


def restore_local_tenders(uow: Uow, order_id: str, *, payment_ids: Collection[str] | None = None) -> list[PaymentOut]:
    """Compensation: gift card, store credit and points given back, cash handed back; once, however often it is called.

    `payment_ids` limits it to some payments (the tenders of a refused order edit)."""
    rows = _only(order_payments(uow, order_id), payment_ids)
    restored = [row for row in rows if row.tender in LOCAL_TENDERS and _restore(uow, row)]
    return payments_out(uow, restored)


def _restore(uow: Uow, row: Payment) -> bool:
    totals, provider, debit = totals_of(row), local_provider(row.tender), debit_of(row)
    if row.tender == TenderCode.CASH:  # the till took it, so it was captured: it goes back as a refund
        if totals.refundable <= 0:
            return False
        settle_now(uow, row, TransactionKind.REFUND, totals.refundable, note=CASH_BACK_NOTE)
        return True
    if totals.capturable <= 0:
        return False

    def give_back(key: str) -> None:
        if totals.captured == 0 and totals.voided == 0:
            provider.restore(uow, debit)
        else:
            provider.give_back(uow, debit, Money(totals.capturable, row.currency), reference=key)

    settle_now(uow, row, TransactionKind.VOID, totals.capturable, action=give_back)
    return True


def _only(rows: list[Payment], payment_ids: Collection[str] | None) -> list[Payment]:
    return rows if payment_ids is None else [row for row in rows if row.id in payment_ids]


def _external(rows: list[Payment]) -> list[Payment]:
    return [row for row in rows if row.tender not in LOCAL_TENDERS]

