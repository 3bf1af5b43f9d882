"""Changing placed orders: cancelling whole orders or some lines, with stock and money given back in the same flow."""

from __future__ import annotations

from pydantic import Field

from tvers.inventory import service as inventory
from tvers.kernel.money import Money
from tvers.kernel.shapes import Strict
from tvers.orders import service as orders
from tvers.orders.schemas import LineCancellation
from tvers.payments import service as payments
from tvers.quoting import service as quoting
from tvers.workflows.app import App

ORDER = "order"


class LineCancelIn(Strict):
    line_id: str = Field(min_length=1, max_length=40)
    quantity: int = Field(ge=1, le=100_000)


class CancelIn(Strict):
    lines: list[LineCancelIn] | None = Field(default=None, max_length=200, description="Omit to cancel every open unit.")
    reason: str | None = Field(default=None, max_length=500)
    version: int | None = Field(default=None, description="The order version you saw; a stale one is refused with 409.")


def cancel_order(app: App, order_id: str, data: CancelIn, *, actor: str) -> None:
    """Cancel before fulfilment: the units' reservations shrink, their share of the money is released, coupons freed if all goes."""
    wanted = None if data.lines is None else [LineCancellation(line_id=line.line_id, quantity=line.quantity) for line in data.lines]
    with app.uow() as uow:
        result = orders.cancel_lines(uow, order_id, wanted, actor=actor, reason=data.reason, version=data.version)
        for line in result.lines:
            if line.location_id is not None:
                inventory.shrink_reservation(uow, ref=inventory.Ref(ORDER, order_id), variant_id=line.variant_id,
                                             location_id=line.location_id, by=line.quantity, reason="order cancelled")
        order = orders.get_order(uow, order_id)
        amount = result.total_minor + (order.shipping.get("total_minor", 0) if result.is_whole_order else 0)
        if result.is_whole_order:
            quoting.release_coupon_use(uow, order_id)
        voids = payments.release_uncaptured(uow, order_id=order_id, amount=Money(amount, result.currency))
        uow.commit()
    results = [payments.void(request, providers=app.payment_providers) for request in voids]
    if results:
        with app.uow() as uow:
            payments.record_results(uow, results)
            uow.commit()
