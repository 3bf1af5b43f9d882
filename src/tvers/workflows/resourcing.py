"""Re-sourcing: units a location rejected or never accepted go to the next best location; the order stays alive.

What nothing can fulfil goes to a visible "needs attention" list with its options (retry, wait for a transfer, cancel
the line and release its money). Pickups not collected in time are cancelled, restocked and their money released.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from tvers.db.uow import Uow
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.events import LinesResourced, OrderDelayed, PickupExpired
from tvers.fulfillment.schemas import RejectIn, TaskOut, Units
from tvers.fulfillment.sourcing import Allocation, Shortfall, WantedLine
from tvers.inventory import service as inventory
from tvers.inventory.errors import InsufficientStock
from tvers.inventory.schemas import MovementKind, StockLineIn
from tvers.kernel.errors import TversError
from tvers.orders import service as orders
from tvers.orders.schemas import OrderOut
from tvers.workflows import order_sourcing
from tvers.workflows.app import App
from tvers.workflows.fulfilment_tasks import ORDER, create_ship_task, create_transfer_task
from tvers.workflows.order_changes import CancelIn, LineCancelIn, cancel_order


def reject(app: App, task_id: str, data: RejectIn, *, actor: str) -> TaskOut:
    """A location cannot fulfil some units: its stock is corrected by a movement and the units are sourced elsewhere."""
    with app.uow() as uow:
        code, order_id = fulfillment.task_location(uow, task_id)
        orders.check_fulfillable(uow, order_id)
        rejected = fulfillment.reject_units(uow, task_id, data.lines, actor=actor, note=data.note)
        for units, reason in rejected:
            inventory.shrink_reservation(uow, ref=inventory.Ref(ORDER, order_id), variant_id=units.variant_id,
                                         location_id=units.location_id,
                                         by=units.quantity, reason=f"rejected at {code}: {reason}")
            _correct_shelf(uow, code, units, reason=reason, order_id=order_id, actor=actor)
        resource(app, uow, order_id, [u for u, _ in rejected], trigger="rejection", from_code=code, task_id=task_id)
        uow.commit()
    with app.uow(read_only=True) as uow:
        return fulfillment.get_task(uow, task_id)


def _correct_shelf(uow: Uow, code: str, units: Units, *, reason: str, order_id: str, actor: str) -> None:
    """Not found: the shelf had fewer than the books said (an adjustment); damaged: written off. Never below zero."""
    kind = MovementKind.DAMAGE if reason == "damaged" else MovementKind.ADJUSTMENT
    try:
        with uow.session.begin_nested():
            inventory.move_stock(uow, location_code=code, lines=[StockLineIn(sku=units.sku, quantity=units.quantity)], kind=kind, sign=-1,
                                 actor=actor, reason=f"rejected for order: {reason}", reference_type=ORDER, reference_id=order_id)
    except (InsufficientStock, IntegrityError):
        pass  # the books already show no more than is left; a count will settle it


def resource(app: App, uow: Uow, order_id: str, units: Sequence[Units], *, trigger: str, from_code: str, task_id: str | None) -> None:
    """Place `units` again, away from where they failed: new reservations and tasks, or attention items; the customer is told."""
    if not units:
        return
    order = orders.get_order(uow, order_id)
    way = {line.id: line.delivery_method for line in order.lines}
    shipped = [u for u in units if way[u.order_line_id] == "ship"]
    for group in (shipped, [u for u in units if way[u.order_line_id] != "ship"]):
        if group:
            _resource_way(app, uow, order, group, trigger=trigger, from_code=from_code, ships=group is shipped)


def _resource_way(app: App, uow: Uow, order: OrderOut, units: Sequence[Units], *, trigger: str, from_code: str, ships: bool) -> None:
    order_id = order.id
    failed = _failed_locations(uow, order_id, units)
    wanted = _wanted(units)
    pickup_task = None if ships else _pickup_task(uow, order)
    if ships:
        candidates = inventory.shipping_candidates(uow, channel_id=_channel_id(uow, order), variant_ids=[w.variant_id for w in wanted])
        plan = order_sourcing.ship_plan(uow, app.settings, wanted, candidates, address=order.shipping.get("address"), exclude=failed)
    else:
        store = inventory.location_candidate(uow, code=inventory.get_location_by_id(uow, str(order.pickup_location_id)).code,
                                             variant_ids=[w.variant_id for w in wanted], channel_id=_channel_id(uow, order))
        plan = order_sourcing.pickup_plan(uow, app.settings, wanted, store, channel_id=_channel_id(uow, order), exclude=failed)
    snapshot = order_sourcing.plan_snapshot(plan, trigger=trigger)
    fulfillment.record_decision(uow, order_id, trigger=trigger, plan=snapshot, explanation=plan.explanation)
    placed = _reserve_and_assign(app, uow, order, plan.allocations, pickup_task=pickup_task)
    unplaced = [*plan.shortfalls, *placed]
    for shortfall in unplaced:
        line = next(ln for ln in order.lines if ln.id == shortfall.line_id)
        if pickup_task is not None:
            fulfillment.give_up_awaiting(uow, pickup_task, line.id, shortfall.quantity)
        fulfillment.needs_attention(uow, order_id, order_line_id=line.id, variant_id=line.variant_id, sku=line.sku,
                                    quantity=shortfall.quantity, delivery_method=order.delivery_method, reason=shortfall.reason)
    codes = tuple(dict.fromkeys(a.code for a in plan.allocations))
    if codes:
        uow.record(LinesResourced(order_id=order_id, trigger=trigger, from_location_code=from_code, to_location_codes=codes,
                                  explanation=plan.explanation))
    if pickup_task is not None or unplaced:
        reason = "some items need attention" if unplaced else f"items come from {', '.join(codes)} instead of {from_code}"
        uow.record(OrderDelayed(order_id=order_id, channel=order.channel, reason=reason,
                                ready_by=plan.ready_by.isoformat() if plan.ready_by and not unplaced else None))


def _wanted(units: Sequence[Units]) -> list[WantedLine]:
    merged: dict[tuple[str, str, str], int] = defaultdict(int)
    for unit in units:
        merged[(unit.order_line_id, unit.variant_id, unit.sku)] += unit.quantity
    return [WantedLine(line_id=line_id, variant_id=variant_id, quantity=q, sku=sku) for (line_id, variant_id, sku), q in merged.items()]


def _failed_locations(uow: Uow, order_id: str, units: Sequence[Units]) -> set[str]:
    """Where these lines already failed (rejected or timed out) for this order: sourcing does not go back there."""
    lines = {u.order_line_id for u in units}
    failed = {u.location_id for u in units}
    for task in fulfillment.tasks_of_order(uow, order_id):
        gave_up = task.status in ("rejected", "reassigned") or any(ln.rejected for ln in task.lines if ln.order_line_id in lines)
        if gave_up and task.kind not in ("pickup", "curbside"):
            failed.add(task.location_id)
    return failed


def _pickup_task(uow: Uow, order: OrderOut) -> str | None:
    return next((t.id for t in fulfillment.tasks_of_order(uow, order.id) if t.kind in ("pickup", "curbside")), None)


def _channel_id(uow: Uow, order: OrderOut) -> str:
    from tvers.channels import service as channels

    return channels.channel_ref(uow, order.channel).id


def _reserve_and_assign(app: App, uow: Uow, order: OrderOut, allocations: Sequence[Allocation], *,
                        pickup_task: str | None) -> list[Shortfall]:
    """Reserve each location's part (all of it or none) and give it a task; a location that ran out meanwhile leaves units unplaced."""
    until = uow.clock.now() + timedelta(days=app.settings.order_reservation_days)
    by_location: dict[str, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        by_location[allocation.location_id].append(allocation)
    unplaced: list[Shortfall] = []
    for location_id, parts in by_location.items():
        try:
            with uow.session.begin_nested():
                wanted = [inventory.ReserveLine(variant_id=p.variant_id, location_id=location_id, quantity=p.quantity) for p in parts]
                inventory.reserve_stock(uow, lines=wanted, ref=inventory.Ref(ORDER, order.id), expires_at=until)
        except InsufficientStock:
            unplaced.extend(Shortfall(p.line_id, p.variant_id, p.quantity, "the location ran out while re-sourcing") for p in parts)
            continue
        units = {p.variant_id: p.quantity for p in parts}
        if pickup_task is None:
            create_ship_task(uow, app.settings, order, location_id, units, actor="fulfilment")
        elif location_id != order.pickup_location_id:
            create_transfer_task(uow, app.settings, order, location_id, units, store_id=str(order.pickup_location_id),
                                 pickup_task_id=pickup_task, actor="fulfilment")
        else:
            for part in parts:
                fulfillment.units_arrived(uow, pickup_task, part.line_id, part.quantity)  # back on the store's own shelf
    return unplaced


def sweep_overdue_tasks(app: App, *, limit: int = 50) -> int:
    """The worker: ship and transfer tasks nobody accepted in time are closed and their units sourced elsewhere."""
    with app.uow(read_only=True) as uow:
        overdue = fulfillment.overdue_tasks(uow, now=uow.clock.now(), limit=limit)
    for task_id in overdue:
        with app.uow() as uow:
            code, order_id = fulfillment.task_location(uow, task_id)
            if orders.get_order(uow, order_id).status not in ("confirmed", "in_fulfilment", "partially_fulfilled"):
                continue
            units = fulfillment.reassign_task(uow, task_id, actor="worker", note="not accepted in time")
            for unit in units:
                inventory.shrink_reservation(uow, ref=inventory.Ref(ORDER, order_id), variant_id=unit.variant_id,
                                             location_id=unit.location_id, by=unit.quantity, reason=f"{code} did not accept in time")
            resource(app, uow, order_id, units, trigger="timeout", from_code=code, task_id=task_id)
            uow.commit()
    return len(overdue)


def retry_attention(app: App, order_id: str, *, actor: str) -> list[str]:
    """Try again for the order's units that need attention (stock arrived, a transfer came in); returns what is still open."""
    with app.uow() as uow:
        orders.check_fulfillable(uow, order_id)
        items = fulfillment.resolve_attention(uow, order_id, resolution="resourced")
        order = orders.get_order(uow, order_id)
        units = [Units(order_line_id=i.order_line_id, variant_id=next(ln.variant_id for ln in order.lines if ln.id == i.order_line_id),
                       sku=i.sku, location_id="", quantity=i.quantity) for i in items]
        pickup_task = _pickup_task(uow, order)
        collected = {line.id for line in order.lines if line.delivery_method != "ship"}
        if pickup_task is not None:
            for unit in (u for u in units if u.order_line_id in collected):
                fulfillment.add_awaiting(uow, pickup_task, unit.order_line_id, unit.quantity)
                _restore_quantity(uow, pickup_task, unit)
        resource(app, uow, order_id, units, trigger="retry", from_code="attention", task_id=None)
        uow.commit()
    with app.uow(read_only=True) as uow:
        return [str(i.id) for i in fulfillment.open_attention(uow, order_id)]


def _restore_quantity(uow: Uow, pickup_task: str, unit: Units) -> None:
    """Units given up on a pickup task come back onto it when retried (as awaiting)."""
    fulfillment.restore_units(uow, pickup_task, unit.order_line_id, unit.quantity)


def cancel_attention(app: App, order_id: str, order_line_id: str, *, actor: str, reason: str | None) -> None:
    """Option "cancel line and refund": the units nobody can fulfil are cancelled and their money released."""
    with app.uow() as uow:
        items = fulfillment.resolve_attention(uow, order_id, order_line_id=order_line_id, resolution="cancelled")
        uow.commit()
    quantity = sum(i.quantity for i in items)
    if quantity == 0:
        raise _nothing_to_cancel(order_line_id)
    cancel_order(app, order_id, CancelIn(lines=[LineCancelIn(line_id=order_line_id, quantity=quantity)],
                                         reason=reason or "nothing could fulfil it"), actor=actor)


def _nothing_to_cancel(order_line_id: str) -> TversError:
    from tvers.fulfillment.errors import TaskLineNotFound

    return TaskLineNotFound(f"line {order_line_id} has no units needing attention")


def expire_uncollected(app: App, *, limit: int = 50) -> int:
    """The worker: pickups not collected within the set days are cancelled, restocked and their money released."""
    with app.uow(read_only=True) as uow:
        stale = fulfillment.uncollected_tasks(uow, ready_before=uow.clock.now() - timedelta(days=app.settings.pickup_expiry_days),
                                              limit=limit)
    for task_id in stale:
        with app.uow(read_only=True) as uow:
            task = fulfillment.get_task(uow, task_id)
        lines = [LineCancelIn(line_id=ln.order_line_id, quantity=ln.open) for ln in task.lines if ln.open > 0]
        with app.uow() as uow:  # expired first: the cancellation then finds no open task to take the units from
            fulfillment.expire_task(uow, task_id, actor="worker")
            uow.record(PickupExpired(order_id=task.order_id, task_id=task_id, location_code=task.location_code))
            uow.commit()
        cancel_order(app, task.order_id, CancelIn(lines=lines or None, reason="not collected in time"), actor="worker")
    return len(stale)


