"""Payment routes: one payment with its transactions (an order's payments are served with the order)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tvers.channels.access import Permission, Principal
from tvers.payments import service as payments
from tvers.payments.errors import PaymentNotFound
from tvers.payments.schemas import PaymentOut
from tvers.web.api.common import api_router
from tvers.web.deps import ReadUowDep, requires

router = api_router("payments")

Read = Annotated[Principal, Depends(requires(Permission.PAYMENTS_READ))]


@router.get("/payments/{payment_id}", response_model=PaymentOut)
def get_payment(payment_id: str, uow: ReadUowDep, principal: Read) -> PaymentOut:
    """A payment (one tender of an order) with its authorise, capture, void and refund transactions; never card numbers."""
    with uow:
        payment = payments.get_payment(uow, payment_id)
    if payment.channel is not None and not principal.may_use_channel(payment.channel):
        # An integration sees its own channel's payments only; another channel's is as good as absent.
        raise PaymentNotFound(f"no payment {payment_id!r}")
    return payment
