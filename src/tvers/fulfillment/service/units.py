"""Units leaving a task: shipped, handed over, rejected, cancelled; units arriving by transfer."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tvers.db.uow import Uow
from tvers.fulfillment.errors import InvalidFulfilmentQuantity, ShipmentNotFound, TaskLineNotFound, WrongPickupCode
from tvers.fulfillment.events import LineRejected
from tvers.fulfillment.models import Shipment, Task, TaskLine
from tvers.fulfillment.schemas import LineQuantityIn, RejectLineIn, ShipIn, ShipmentOut, Units
from tvers.fulfillment.service._shared import line_rows, move_task, open_units, task_row
from tvers.fulfillment.task_states import OPEN, TaskKind, TaskStatus
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id


def _units(row: Task, line: TaskLine, quantity: int) -> Units:
    return Units(order_line_id=line.order_line_id, variant_id=line.variant_id, sku=line.sku, location_id=row.location_id, quantity=quantity)


def _take(lines: Sequence[TaskLine], wanted: Sequence[LineQuantityIn] | None, *, field: str,
          room: object = open_units) -> list[tuple[TaskLine, int]]:
    """Which task lines and how many units: every open unit, or the named lines, each at most what is open."""
    measure = room if callable(room) else open_units
    if wanted is None:
        return [(ln, measure(ln)) for ln in lines if measure(ln) > 0]
    by_line = {ln.order_line_id: ln for ln in lines}
    taken: list[tuple[TaskLine, int]] = []
    for index, item in enumerate(wanted):
        line = by_line.get(item.line_id)
        if line is None:
            message = f"no line {item.line_id!r} on this task"
            raise TaskLineNotFound(message, fields=[FieldError(f"{field}.{index}.line_id", message, TaskLineNotFound.code)])
        if item.quantity > measure(line):
            message = f"line {line.sku} has {measure(line)} units open here, not {item.quantity}"
            raise InvalidFulfilmentQuantity(message, fields=[FieldError(f"{field}.{index}.quantity", message, "too_many")])
        taken.append((line, item.quantity))
    if len({ln.id for ln, _ in taken}) != len(taken):
        raise InvalidFulfilmentQuantity("name each line once", fields=[FieldError(field, "a line is named twice", "duplicate")])
    return taken


def ship_units(uow: Uow, task_id: str, data: ShipIn, *, actor: str) -> tuple[str, list[Units]]:
    """A (partial) shipment from a packed ship task: what it holds; the task is shipped once nothing is left open."""
    row = task_row(uow, task_id, lock=True)
    if row.kind != TaskKind.SHIP or row.status != TaskStatus.PACKED:
        move_task(uow, row, TaskStatus.SHIPPED, actor=actor)  # raises: the table says why not
    lines = line_rows(uow, [row.id])
    taken = _take(lines, data.lines, field="lines")
    if not taken:
        raise InvalidFulfilmentQuantity("nothing is left to ship on this task")
    for line, quantity in taken:
        line.fulfilled += quantity
    shipment_id = new_id("shp")
    uow.session.add(Shipment(
        id=shipment_id, order_id=row.order_id, task_id=row.id, location_id=row.location_id, carrier=data.carrier, service=data.service,
        tracking_number=data.tracking_number, tracking_url=data.tracking_url,
        packages=[p.model_dump(exclude_none=True) for p in data.packages],
        lines=[{"order_line_id": ln.order_line_id, "sku": ln.sku, "quantity": q} for ln, q in taken], value_minor=0, status="shipped",
        actor=actor, shipped_at=uow.clock.now(), delivered_at=None))
    if all(open_units(ln) == 0 for ln in lines):
        move_task(uow, row, TaskStatus.SHIPPED, actor=actor, note=f"shipment {shipment_id}")
    else:
        row.version += 1
        row.updated_at = uow.clock.now()
    return shipment_id, [_units(row, ln, q) for ln, q in taken]


def set_shipment_value(uow: Uow, shipment_id: str, value_minor: int) -> None:
    _shipment(uow, shipment_id).value_minor = value_minor


def deliver_shipment(uow: Uow, shipment_id: str, *, actor: str) -> ShipmentOut:
    """The carrier delivered it; the task is delivered when all its shipments are."""
    shipment = _shipment(uow, shipment_id)
    if shipment.status == "delivered":
        return shipment_out(shipment)
    shipment.status, shipment.delivered_at = "delivered", uow.clock.now()
    row = task_row(uow, shipment.task_id, lock=True)
    others = uow.session.scalars(select(Shipment.status).where(Shipment.task_id == row.id, Shipment.id != shipment_id))
    if row.status == TaskStatus.SHIPPED and all(status == "delivered" for status in others):
        move_task(uow, row, TaskStatus.DELIVERED, actor=actor)
    return shipment_out(shipment)


def all_delivered(uow: Uow, order_id: str) -> bool:
    """Every shipment of the order delivered and no ship task still to send anything."""
    statuses = set(uow.session.scalars(select(Shipment.status).where(Shipment.order_id == order_id)))
    open_ship = uow.session.scalar(select(Task.id).where(Task.order_id == order_id, Task.kind == TaskKind.SHIP.value,
                                                         Task.status.in_([s.value for s in OPEN])).limit(1))
    return statuses <= {"delivered"} and open_ship is None


def shipments_of_order(uow: Uow, order_id: str) -> list[ShipmentOut]:
    rows = uow.session.scalars(select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.shipped_at, Shipment.id))
    return [shipment_out(row) for row in rows]


def shipment_order(uow: Uow, shipment_id: str) -> tuple[str, str]:
    """(order id, location code of its task) of a shipment."""
    shipment = _shipment(uow, shipment_id)
    return shipment.order_id, task_row(uow, shipment.task_id).location_code


def _shipment(uow: Uow, shipment_id: str) -> Shipment:
    shipment = uow.session.get(Shipment, shipment_id)
    if shipment is None:
        raise ShipmentNotFound(f"no shipment {shipment_id!r}")
    return shipment


def shipment_out(row: Shipment) -> ShipmentOut:
    return ShipmentOut(id=row.id, order_id=row.order_id, task_id=row.task_id, location_id=row.location_id, carrier=row.carrier,
                       service=row.service, tracking_number=row.tracking_number, tracking_url=row.tracking_url,
                       packages=list(row.packages), lines=list(row.lines), value_minor=row.value_minor, status=row.status,
                       shipped_at=row.shipped_at, delivered_at=row.delivered_at)


def check_pickup_code(uow: Uow, task_id: str, code: str) -> None:
    row = task_row(uow, task_id)
    if row.pickup_code is None or not _same(row.pickup_code, code):
        raise WrongPickupCode("that is not this order's pickup code", fields=[FieldError("code", "does not match", WrongPickupCode.code)])


def _same(expected: str, given: str) -> bool:
    import hmac

    return hmac.compare_digest(expected.encode(), given.encode())


def pickup_code(uow: Uow, task_id: str) -> str | None:
    """The code the customer shows (for their notification); never in events or store lists."""
    return task_row(uow, task_id).pickup_code


def hand_over_units(uow: Uow, task_id: str, *, actor: str) -> list[Units]:
    """Everything open on a ready pickup or curbside task goes to the customer; the task is picked up."""
    row = task_row(uow, task_id, lock=True)
    move_task(uow, row, TaskStatus.PICKED_UP, actor=actor)
    lines = line_rows(uow, [row.id])
    handed = [_units(row, ln, open_units(ln)) for ln in lines if open_units(ln) > 0]
    for line in lines:
        line.fulfilled = line.quantity
    return handed


def reject_units(uow: Uow, task_id: str, wanted: Sequence[RejectLineIn], *, actor: str, note: str | None) -> list[tuple[Units, str]]:
    """Units a location cannot fulfil (not found, damaged): they leave the task; a task left with nothing open is rejected.

    On a pickup task the units stay on the task as awaiting: they are to come to this store by transfer.
    """
    row = task_row(uow, task_id, lock=True)
    if row.status not in OPEN:
        move_task(uow, row, TaskStatus.REJECTED, actor=actor)  # raises: only work not yet shipped can be rejected
    lines = line_rows(uow, [row.id])
    taken = _take(lines, wanted, field="lines", room=lambda ln: open_units(ln) - ln.awaiting)
    reasons = {item.line_id: item.reason.value for item in wanted}
    result = []
    for line, quantity in taken:
        line.rejected += quantity
        if row.kind in (TaskKind.PICKUP, TaskKind.CURBSIDE):
            line.awaiting += quantity
        else:
            line.quantity -= quantity
        reason = reasons[line.order_line_id]
        uow.record(LineRejected(task_id=row.id, order_id=row.order_id, order_line_id=line.order_line_id, location_code=row.location_code,
                                quantity=quantity, reason=reason))
        result.append((_units(row, line, quantity), reason))
    if all(open_units(ln) == 0 for ln in lines) and all(ln.fulfilled == 0 for ln in lines):
        move_task(uow, row, TaskStatus.REJECTED, actor=actor, note=note)
    else:
        row.version += 1
        row.updated_at = uow.clock.now()
    return result


def reassign_task(uow: Uow, task_id: str, *, actor: str, note: str) -> list[Units]:
    """A task nobody accepted in time: closed as reassigned, all its units to be sourced elsewhere."""
    row = task_row(uow, task_id, lock=True)
    move_task(uow, row, TaskStatus.REASSIGNED, actor=actor, note=note)
    lines = line_rows(uow, [row.id])
    units = [_units(row, ln, open_units(ln)) for ln in lines if open_units(ln) > 0]
    for line in lines:
        line.quantity = line.fulfilled
    return units


def drop_units(uow: Uow, order_id: str, order_line_id: str, quantity: int, *, actor: str) -> list[Units]:
    """Cancelled units leave the order's open tasks (units still on their way first); a task left empty is cancelled."""
    rows = {r.id: r for r in uow.session.scalars(select(Task).where(Task.order_id == order_id).order_by(Task.created_at.desc()))}
    lines = [ln for ln in line_rows(uow, list(rows)) if ln.order_line_id == order_line_id]
    dropped: list[Units] = []
    left = quantity
    for line in sorted(lines, key=lambda ln: -ln.awaiting):
        row = rows[line.task_id]
        if row.status not in OPEN and row.status not in (TaskStatus.READY_FOR_PICKUP, TaskStatus.CUSTOMER_ARRIVED):
            continue
        take = min(left, open_units(line))
        if take <= 0:
            continue
        line.quantity -= take
        line.awaiting = max(0, line.awaiting - take)
        left -= take
        dropped.append(_units(row, line, take))
        if all(open_units(ln) == 0 for ln in line_rows(uow, [row.id])) and all(ln.fulfilled == 0 for ln in line_rows(uow, [row.id])):
            move_task(uow, row, TaskStatus.CANCELLED, actor=actor, note="order lines cancelled")
    return dropped


def add_awaiting(uow: Uow, pickup_task_id: str, order_line_id: str, quantity: int) -> None:
    """More units of a line are to come to the pickup store (a transfer task was re-sourced)."""
    _line_of(uow, pickup_task_id, order_line_id).awaiting += quantity


def units_arrived(uow: Uow, pickup_task_id: str, order_line_id: str, quantity: int) -> None:
    line = _line_of(uow, pickup_task_id, order_line_id)
    line.awaiting = max(0, line.awaiting - quantity)


def give_up_awaiting(uow: Uow, pickup_task_id: str, order_line_id: str, quantity: int) -> None:
    """Units that were to come by transfer and cannot: they leave the pickup task (the line needs attention)."""
    line = _line_of(uow, pickup_task_id, order_line_id)
    line.awaiting = max(0, line.awaiting - quantity)
    line.quantity -= quantity


def _line_of(uow: Uow, task_id: str, order_line_id: str) -> TaskLine:
    line = uow.session.scalars(select(TaskLine).where(TaskLine.task_id == task_id, TaskLine.order_line_id == order_line_id)).first()
    if line is None:
        raise TaskLineNotFound(f"no line {order_line_id!r} on task {task_id}")
    return line


def send_transfer_units(uow: Uow, task_id: str, *, actor: str) -> list[Units]:
    """A packed transfer task leaves for the pickup store: every open unit travels (the stock transfer is the workflow's)."""
    row = task_row(uow, task_id, lock=True)
    if row.kind != TaskKind.TRANSFER:
        move_task(uow, row, TaskStatus.DELIVERED, actor=actor)  # raises: not a transfer
    move_task(uow, row, TaskStatus.SHIPPED, actor=actor)
    lines = line_rows(uow, [row.id])
    units = [_units(row, ln, open_units(ln)) for ln in lines if open_units(ln) > 0]
    for line in lines:
        line.fulfilled = line.quantity
    return units


def set_transfer(uow: Uow, task_id: str, transfer_id: str) -> None:
    task_row(uow, task_id).transfer_id = transfer_id


def receive_transfer_units(uow: Uow, task_id: str, *, actor: str) -> tuple[Task, list[Units]]:
    """The transfer reached the pickup store: the task is delivered; the units now wait on the pickup task."""
    row = task_row(uow, task_id, lock=True)
    if row.kind != TaskKind.TRANSFER:
        move_task(uow, row, TaskStatus.PICKED_UP, actor=actor)  # raises: only transfers are received
    move_task(uow, row, TaskStatus.DELIVERED, actor=actor, note="received at the pickup store")
    return row, [_units(row, ln, ln.fulfilled) for ln in line_rows(uow, [row.id]) if ln.fulfilled > 0]


def restore_units(uow: Uow, pickup_task_id: str, order_line_id: str, quantity: int) -> None:
    """Units given up on a pickup task come back onto it (to be brought by transfer again)."""
    _line_of(uow, pickup_task_id, order_line_id).quantity += quantity


def expire_task(uow: Uow, task_id: str, *, actor: str) -> None:
    row = task_row(uow, task_id, lock=True)
    if row.status in (TaskStatus.READY_FOR_PICKUP, TaskStatus.CUSTOMER_ARRIVED):
        move_task(uow, row, TaskStatus.EXPIRED, actor=actor, note="not collected in time")
