"""The refund parts of a return as read (the parts sent to providers; see `refund_parts` for how they move)."""

from __future__ import annotations

from sqlalchemy import select

from tvers.db.uow import Uow
from tvers.returns.models import ReturnRefund
from tvers.returns.schemas import RefundPartStatus, ReturnRefundOut


def refund_parts(uow: Uow, return_id: str) -> list[ReturnRefundOut]:
    rows = uow.session.scalars(select(ReturnRefund).where(ReturnRefund.return_id == return_id).order_by(ReturnRefund.id))
    return [ReturnRefundOut(payment_id=r.payment_id, transaction_id=r.transaction_id, tender=r.tender, refund_as=r.refund_as,
                            amount_minor=r.amount_minor, status=RefundPartStatus(r.status), failure_code=r.failure_code,
                            created_at=r.created_at, settled_at=r.settled_at) for r in rows]
