"""A return's refund across returns and payments once its card (or marketplace) parts went to the providers: the return's
status follows what the providers said (`refund_pending` → `refunded` or `refund_failed`), a declined part is retried with a
fresh key or paid as store credit, and the worker's sweep re-sends the parts with no answer (same keys) and settles them."""

from __future__ import annotations

from collections.abc import Sequence

from tvers.db.uow import Uow
from tvers.kernel.money import Money
from tvers.orders import service as orders
from tvers.payments import service as payments
from tvers.payments.schemas import TenderCode, TransactionStatus
from tvers.returns import service as returns
from tvers.returns.schemas import RefundAs, RefundPartStatus, ReturnOut
from tvers.returns.service import refund_parts as parts
from tvers.workflows.app import App

_ANSWERS = {TransactionStatus.SUCCEEDED: RefundPartStatus.SUCCEEDED, TransactionStatus.FAILED: RefundPartStatus.FAILED}


def track(uow: Uow, return_id: str, requests: Sequence[payments.ProviderRequest]) -> None:
    """Keep the provider requests decided for the return (in the transaction that decided them)."""
    parts.track_requests(uow, return_id, [parts.AskedRefund(payment_id=r.payment_id, transaction_id=r.transaction_id,
                                                            tender=r.tender.value, amount_minor=r.amount.minor) for r in requests])


def send_and_settle(app: App, return_id: str, requests: Sequence[payments.ProviderRequest]) -> ReturnOut:
    """No transaction open while providers answer; then their answers are recorded and the return moved, in one transaction."""
    results = [payments.call_provider(request, providers=app.payment_providers) for request in requests]
    with app.uow() as uow:
        if results:
            payments.record_results(uow, results)
        settle(uow, return_id)
        found = returns.get_return(uow, return_id)
        uow.commit()
    return found


def settle(uow: Uow, return_id: str) -> None:
    """Move the return by what the payments ledger now says of its pending parts."""
    waiting = set(parts.waiting_transactions(uow, return_id))
    if not waiting:
        parts.settle(uow, return_id, {})
        return
    order_id = returns.get_return(uow, return_id).order_id
    answers = {}
    for payment in payments.payments_for_order(uow, order_id):
        for txn in payment.transactions:
            if txn.id in waiting:
                answers[txn.id] = parts.ProviderAnswer(transaction_id=txn.id, status=_ANSWERS.get(txn.status, RefundPartStatus.PENDING),
                                                       failure_code=txn.failure_code)
    parts.settle(uow, return_id, answers)


def retry_refund(app: App, return_id: str, *, refund_as: RefundAs) -> ReturnOut:
    """The declined parts of a `refund_failed` return: sent again through their provider (a fresh idempotency key, as the
    failed request's amount was released), or paid as store credit to the order's customer at once."""
    with app.uow() as uow:
        order_id = returns.get_return(uow, return_id).order_id
        orders.lock_order(uow, order_id)  # the order's refunds queue, as at receipt
        customer_id = orders.get_order(uow, order_id).customer_id  # today's profile: a merge may have moved the order
        failed = parts.take_failed(uow, return_id, refund_as=refund_as)
        currency = returns.get_return(uow, return_id).currency
        requests: list[payments.ProviderRequest] = []
        for part in failed:
            amount = Money(part.amount_minor, currency)
            if refund_as is RefundAs.STORE_CREDIT:
                payments.refund_payment_as(uow, payment_id=part.payment_id, amount=amount, refund_as=TenderCode.STORE_CREDIT,
                                           customer_id=customer_id)
                parts.credited(uow, return_id, part)
            else:
                requests.extend(payments.refund_payment(uow, payment_id=part.payment_id, amount=amount))
        track(uow, return_id, requests)
        parts.resume(uow, return_id, is_pending=bool(requests))
        uow.commit()
    return send_and_settle(app, return_id, requests)


def sweep_pending_refunds(app: App, *, limit: int = 100) -> int:
    """The worker: re-send (same keys) the refund parts of returns still `refund_pending` and settle them by the answers."""
    with app.uow(read_only=True) as uow:
        waiting = parts.returns_awaiting_refunds(uow, limit=limit)
    for return_id, order_id in waiting:
        with app.uow(read_only=True) as uow:
            mine = set(parts.waiting_transactions(uow, return_id))
            unanswered = [r for r in payments.pending_requests(uow, order_id) if r.transaction_id in mine]
        send_and_settle(app, return_id, unanswered)
    return len(waiting)
