"""Fulfilment progress on the order: units shipped or handed over, what they are worth, and the status that follows."""

from __future__ import annotations

from collections.abc import Mapping

from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.orders.errors import InvalidCancellation, OrderNotEditable
from tvers.orders.events import OrderUpdated
from tvers.orders.lifecycle import OrderStatus
from tvers.orders.models import Order, OrderLine
from tvers.orders.service._shared import line_rows, order_row
from tvers.orders.service.status import cancelled_part, complete_order, move

FULFILLABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.IN_FULFILMENT, OrderStatus.PARTIALLY_FULFILLED})


def check_fulfillable(uow: Uow, order_id: str) -> Order:
    """Work on the order may go on only while it is paid and not on hold, cancelled or closed."""
    row = order_row(uow, order_id)
    if row.status not in FULFILLABLE:
        raise OrderNotEditable(f"An order that is {row.status} is not being fulfilled", order_status=row.status)
    return row


def start_fulfilment(uow: Uow, order_id: str, *, actor: str) -> None:
    """The first location accepted its task: confirmed → in fulfilment."""
    row = check_fulfillable(uow, order_id)
    if row.status == OrderStatus.CONFIRMED:
        move(uow, row, OrderStatus.IN_FULFILMENT, actor=actor, reason="a location accepted the order")
        uow.record(OrderUpdated(order_id=row.id, channel=row.channel, status=row.status, change="in_fulfilment", version=row.version))


def fulfilled_value(line: OrderLine, fulfilled: int) -> int:
    """What `fulfilled` units of a line are worth, cumulatively, so the parts of many shipments add up to the line exactly.

    The last unit takes what is left after the cancelled units' share, so a line fully shipped or cancelled is paid in full.
    """
    payable_units = line.quantity - line.cancelled_quantity
    if fulfilled >= payable_units:
        return line.total_minor - cancelled_part(line)
    return line.total_minor * fulfilled // line.quantity


def fulfil_units(uow: Uow, order_id: str, quantities: Mapping[str, int], *, actor: str, reason: str) -> int:
    """Record units shipped or handed over; returns what they are worth (the shipping charge goes with the first units)."""
    row = order_row(uow, order_id, lock=True)
    if row.status not in FULFILLABLE:
        raise OrderNotEditable(f"An order that is {row.status} is not being fulfilled", order_status=row.status)
    lines = {line.id: line for line in line_rows(uow, order_id)}
    first = all(line.fulfilled_quantity == 0 for line in lines.values())
    value = row.shipping_minor if first else 0
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        open_units = 0 if line is None else line.quantity - line.cancelled_quantity - line.fulfilled_quantity
        if line is None or not 0 < quantity <= open_units:
            message = f"line {line_id} has {open_units} open units, not {quantity}"
            raise InvalidCancellation(message, code="invalid_quantity", fields=[FieldError("lines", message, "too_many")])
        before = fulfilled_value(line, line.fulfilled_quantity)
        line.fulfilled_quantity += quantity
        value += fulfilled_value(line, line.fulfilled_quantity) - before
    done = all(line.fulfilled_quantity + line.cancelled_quantity == line.quantity for line in lines.values())
    target = OrderStatus.FULFILLED if done else OrderStatus.PARTIALLY_FULFILLED
    if row.status != target:
        move(uow, row, target, actor=actor, reason=reason)
    else:
        row.version += 1
        row.updated_at = uow.clock.now()
    uow.record(OrderUpdated(order_id=row.id, channel=row.channel, status=row.status, change=target.value, version=row.version))
    return value


def complete_fulfilled(uow: Uow, order_id: str, *, actor: str) -> bool:
    """Fulfilled and with the customer (picked up, or every parcel delivered): completed, and loyalty earns."""
    row = order_row(uow, order_id, lock=True)
    if row.status != OrderStatus.FULFILLED:
        return False
    complete_order(uow, row, actor=actor)
    return True
