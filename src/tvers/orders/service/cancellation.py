"""Cancelling a whole order or some of its lines before they are fulfilled."""

from __future__ import annotations

from collections.abc import Sequence

from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.versioning import check_version
from tvers.orders.errors import InvalidCancellation, OrderLineNotFound, OrderNotEditable
from tvers.orders.events import OrderCancelled
from tvers.orders.lifecycle import EDITABLE, OrderStatus
from tvers.orders.models import OrderLine
from tvers.orders.schemas import CancellationResult, CancelledLine, LineCancellation
from tvers.orders.service._shared import line_rows, order_row
from tvers.orders.service.status import cancelled_part, move

# Open units of a partly fulfilled order may go too (a line nobody can fulfil); fulfilled units never.
CANCELLABLE = EDITABLE | {OrderStatus.PARTIALLY_FULFILLED}


def cancel_lines(uow: Uow, order_id: str, cancellations: Sequence[LineCancellation] | None, *, actor: str, reason: str | None,
                 version: int | None = None) -> CancellationResult:
    """Cancel the given units (None: every open unit). The caller releases their stock and money in the same flow."""
    row = order_row(uow, order_id, lock=True)
    if version is not None:
        check_version(row.version, version)
    if row.status not in CANCELLABLE:
        raise OrderNotEditable(f"An order that is {row.status} can no longer be cancelled", order_status=row.status)
    lines = {line.id: line for line in line_rows(uow, order_id)}
    wanted = _wanted(lines, cancellations)
    cancelled = tuple(_cancel(line, quantity) for line, quantity in wanted)
    is_whole = all(line.cancelled_quantity == line.quantity for line in lines.values())
    if is_whole:
        move(uow, row, OrderStatus.CANCELLED, actor=actor, reason=reason)
        row.checkout_deadline_at = None
    elif row.status == OrderStatus.PARTIALLY_FULFILLED and all(_open(line) == 0 for line in lines.values()):
        move(uow, row, OrderStatus.FULFILLED, actor=actor, reason=f"the rest cancelled: {reason or 'no reason given'}")
    else:
        row.version += 1
        row.updated_at = uow.clock.now()
    uow.record(OrderCancelled(order_id=row.id, channel=row.channel, is_whole_order=is_whole, reason=reason,
                              lines=tuple({"line_id": c.line_id, "quantity": c.quantity, "total_minor": c.total_minor} for c in cancelled)))
    return CancellationResult(order_id=row.id, lines=cancelled, is_whole_order=is_whole, currency=row.currency)


def _wanted(lines: dict[str, OrderLine], cancellations: Sequence[LineCancellation] | None) -> list[tuple[OrderLine, int]]:
    if cancellations is None:
        wanted = [(line, _open(line)) for line in lines.values() if _open(line) > 0]
        if not wanted:
            raise OrderNotEditable("Nothing on this order is left to cancel: every unit is fulfilled or already cancelled")
        return wanted
    if not cancellations:
        raise InvalidCancellation("Name at least one line to cancel", fields=[FieldError("lines", "must not be empty", "empty")])
    result = []
    for index, item in enumerate(cancellations):
        line = lines.get(item.line_id)
        if line is None:
            message = f"no line {item.line_id!r} on this order"
            raise OrderLineNotFound(message, fields=[FieldError(f"lines.{index}.line_id", message, OrderLineNotFound.code)])
        if line.fulfilled_quantity and item.quantity > _open(line):
            raise OrderNotEditable(f"Line {line.sku} was fulfilled; only {_open(line)} of it can be cancelled", line_id=line.id)
        if not 1 <= item.quantity <= _open(line):
            message = f"line {line.sku} has {_open(line)} open units"
            raise InvalidCancellation(message, fields=[FieldError(f"lines.{index}.quantity", message, "too_many")])
        result.append((line, item.quantity))
    if len({line.id for line, _ in result}) != len(result):
        raise InvalidCancellation("Name each line once", fields=[FieldError("lines", "a line is named twice", "duplicate")])
    return result


def _open(line: OrderLine) -> int:
    return line.quantity - line.cancelled_quantity - line.fulfilled_quantity


def _cancel(line: OrderLine, quantity: int) -> CancelledLine:
    before = cancelled_part(line)
    line.cancelled_quantity += quantity
    return CancelledLine(line_id=line.id, variant_id=line.variant_id, location_id=line.location_id, quantity=quantity,
                         total_minor=cancelled_part(line) - before)
