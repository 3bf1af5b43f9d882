"""The parts of a return's refund sent to providers: kept with what each provider said, so the return's status tells the
truth (`refund_pending` until every answer is in, `refund_failed` when one was declined, else `refunded`), and a declined
part can be sent again or paid as store credit. Moves follow `returns.return_states`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update

from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.returns import return_states
from tvers.returns.errors import NoFailedRefund, ReturnNotFound
from tvers.returns.events import RefundFailed, RefundRetried
from tvers.returns.models import Return, ReturnRefund
from tvers.returns.schemas import RefundAs, RefundPartStatus, ReturnStatus

P = RefundPartStatus


@dataclass(frozen=True, slots=True)
class AskedRefund:
    """A refund request decided for a return: the payment transaction that will hold the provider's answer."""

    payment_id: str
    transaction_id: str
    tender: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """What the payments ledger says of a refund transaction now: succeeded, failed, or still pending."""

    transaction_id: str
    status: RefundPartStatus
    failure_code: str | None = None


@dataclass(frozen=True, slots=True)
class FailedPart:
    payment_id: str
    tender: str
    amount_minor: int


def track_requests(uow: Uow, return_id: str, asked: Sequence[AskedRefund]) -> None:
    """Keep the refund requests of a return, pending until their answers are recorded."""
    now = uow.clock.now()
    uow.session.add_all(ReturnRefund(return_id=return_id, payment_id=a.payment_id, transaction_id=a.transaction_id, tender=a.tender,
                                     refund_as=a.tender, amount_minor=a.amount_minor, status=P.PENDING.value, failure_code=None,
                                     created_at=now, settled_at=None) for a in asked)
    uow.session.flush()


def waiting_transactions(uow: Uow, return_id: str) -> list[str]:
    """The payment transactions of the return's parts that have no answer yet."""
    return list(uow.session.scalars(select(ReturnRefund.transaction_id).where(
        ReturnRefund.return_id == return_id, ReturnRefund.status == P.PENDING.value, ReturnRefund.transaction_id.is_not(None))))


def owed_by_payment(uow: Uow, order_id: str) -> dict[str, int]:
    """Per payment, what the order's returns have asked of it and not yet been paid (pending, or failed and not retried): a
    later return of the order must count it as given back, or it would promise the same money twice."""
    rows = uow.session.execute(select(ReturnRefund.payment_id, func.sum(ReturnRefund.amount_minor)).join(Return).where(
        Return.order_id == order_id, ReturnRefund.status.in_([P.PENDING.value, P.FAILED.value])).group_by(ReturnRefund.payment_id))
    return {payment_id: int(amount) for payment_id, amount in rows}


def returns_awaiting_refunds(uow: Uow, *, limit: int) -> list[tuple[str, str]]:
    """(return id, order id) of returns still waiting for a provider's answer, oldest first."""
    rows = uow.session.execute(select(Return.id, Return.order_id).where(Return.status == ReturnStatus.REFUND_PENDING.value)
                               .order_by(Return.received_at, Return.id).limit(limit))
    return [(r.id, r.order_id) for r in rows]


def settle(uow: Uow, return_id: str, answers: Mapping[str, ProviderAnswer]) -> ReturnStatus:
    """Record the answers of the return's pending parts, then move the return: any part still pending → stays
    `refund_pending`; any failed → `refund_failed` (one `refund.failed` per part newly failed); else `refunded`."""
    row = _locked(uow, return_id)
    if row.status != ReturnStatus.REFUND_PENDING:
        return ReturnStatus(row.status)
    parts = _parts(uow, return_id)
    for part in parts:
        answer = answers.get(part.transaction_id or "")
        if part.status == P.PENDING and answer is not None and answer.status is not P.PENDING:
            part.status, part.failure_code, part.settled_at = answer.status.value, answer.failure_code, uow.clock.now()
            if answer.status is P.FAILED:
                uow.record(RefundFailed(return_id=return_id, order_id=row.order_id, channel=row.sold_channel, payment_id=part.payment_id,
                                        currency=row.currency, amount_minor=part.amount_minor, failure_code=part.failure_code))
    statuses = {part.status for part in parts}
    if P.PENDING.value in statuses:
        return ReturnStatus.REFUND_PENDING
    to = ReturnStatus.REFUND_FAILED if P.FAILED.value in statuses else ReturnStatus.REFUNDED
    _move(uow, row, to)
    return to


def take_failed(uow: Uow, return_id: str, *, refund_as: RefundAs) -> list[FailedPart]:
    """The declined parts of a `refund_failed` return, marked retried (a 409 for any other return): the caller sends them
    again (`track_requests`, then the return is `refund_pending`) or pays them as store credit (`credited`)."""
    row = _locked(uow, return_id)
    failed = [part for part in _parts(uow, return_id) if part.status == P.FAILED]
    if row.status != ReturnStatus.REFUND_FAILED or not failed:
        raise NoFailedRefund(f"return {return_id} is {row.status}: no refund of it failed", return_status=row.status)
    for part in failed:
        part.status = P.RETRIED.value
        uow.record(RefundRetried(return_id=return_id, order_id=row.order_id, payment_id=part.payment_id, currency=row.currency,
                                 amount_minor=part.amount_minor, refund_as=refund_as.value))
    uow.session.flush()
    return [FailedPart(payment_id=p.payment_id, tender=p.tender, amount_minor=p.amount_minor) for p in failed]


def credited(uow: Uow, return_id: str, part: FailedPart) -> None:
    """A failed part paid as store credit to the customer: settled at once."""
    now = uow.clock.now()
    uow.session.add(ReturnRefund(return_id=return_id, payment_id=part.payment_id, transaction_id=None, tender=part.tender,
                                 refund_as=RefundAs.STORE_CREDIT.value, amount_minor=part.amount_minor, status=P.SUCCEEDED.value,
                                 failure_code=None, created_at=now, settled_at=now))
    uow.session.flush()


def resume(uow: Uow, return_id: str, *, is_pending: bool) -> None:
    """After a retry: `refund_pending` while providers were asked again, else (all paid as store credit) `refunded`."""
    _move(uow, _locked(uow, return_id), ReturnStatus.REFUND_PENDING if is_pending else ReturnStatus.REFUNDED)


def _move(uow: Uow, row: Return, to: ReturnStatus) -> None:
    current = ReturnStatus(row.status)
    return_states.check_move(current, to, return_id=row.id)
    moved = rows_changed(uow.session.execute(update(Return).where(Return.id == row.id, Return.status == current.value).values(
        status=to.value, refunded_at=uow.clock.now() if to is ReturnStatus.REFUNDED else None)))
    if moved != 1:  # someone else moved it first (the sweep and a request at once): theirs stands
        raise NoFailedRefund(f"return {row.id} changed meanwhile", return_status=current.value)
    uow.session.refresh(row)


def _locked(uow: Uow, return_id: str) -> Return:
    row = uow.session.scalar(select(Return).where(Return.id == return_id).with_for_update()
                             .execution_options(populate_existing=True))
    if row is None:
        raise ReturnNotFound(f"no return {return_id}")
    return row


def _parts(uow: Uow, return_id: str) -> list[ReturnRefund]:
    return list(uow.session.scalars(select(ReturnRefund).where(ReturnRefund.return_id == return_id).order_by(ReturnRefund.id)))
