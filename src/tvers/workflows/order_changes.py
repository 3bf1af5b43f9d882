"""Changing placed orders: cancelling whole orders or some lines, with stock and money given back in the same flow."""

from __future__ import annotations

from pydantic import Field

from tvers.db.uow import Uow
from tvers.fulfillment import service as fulfillment
from tvers.inventory import service as inventory
from tvers.kernel.money import Money
from tvers.kernel.shapes import Strict
from tvers.orders import service as orders
from tvers.orders.schemas import CancelledLine, LineCancellation
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
            _give_back_units(uow, order_id, line, actor=actor)
        order = orders.get_order(uow, order_id)
        amount = result.total_minor + (order.shipping.get("total_minor", 0) if result.is_whole_order else 0)
        if result.is_whole_order:
            quoting.release_coupon_use(uow, order_id)
        voids = payments.release_uncaptured(uow, order_id=order_id, amount=Money(amount, result.currency))
        uow.commit()
    _send_voids(app, voids)


def _give_back_units(uow: Uow, order_id: str, line: CancelledLine, *, actor: str) -> None:
    """Cancelled units leave the order's tasks, and whatever holds them is released (units in transit arrive as free stock)."""
    ref = inventory.Ref(ORDER, order_id)
    fulfillment.drop_units(uow, order_id, line.line_id, line.quantity, actor=actor)
    left = line.quantity
    for held in sorted(inventory.held_by(uow, ref), key=lambda h: h.location_id != line.location_id):
        if left and held.variant_id == line.variant_id:
            take = min(left, held.quantity)
            inventory.shrink_reservation(uow, ref=ref, variant_id=held.variant_id, location_id=held.location_id, by=take,
                                         reason="order cancelled")
            left -= take


def _send_voids(app: App, voids: list[payments.ProviderRequest]) -> None:
    results = [payments.void(request, providers=app.payment_providers) for request in voids]
    if results:
        with app.uow() as uow:
            payments.record_results(uow, results)
            uow.commit()
