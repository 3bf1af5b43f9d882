"""From a placed order to tasks at locations: what sourcing reserved becomes work for each location (docs/fulfilment.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from tvers.db.uow import Uow
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.hours import opens_at
from tvers.fulfillment.schemas import NewTask, NewTaskLine
from tvers.fulfillment.task_states import TaskKind
from tvers.inventory import service as inventory
from tvers.inventory.schemas import LocationOut
from tvers.orders import service as orders
from tvers.orders.schemas import OrderLineOut, OrderOut
from tvers.settings import Settings

ORDER = "order"
STARTED = frozenset({"confirmed", "in_fulfilment", "partially_fulfilled", "on_hold"})
COLLECTED = frozenset({"pickup", "curbside"})


def accept_by(settings: Settings, location: LocationOut, now: datetime) -> datetime:
    """A location has its type's minutes to accept, counted from when it is next open."""
    minutes = settings.accept_minutes_store if location.type.value in ("store", "popup") else settings.accept_minutes_warehouse
    return (opens_at(location.opening_hours, location.time_zone, now) or now) + timedelta(minutes=minutes)


def create_order_tasks(uow: Uow, settings: Settings, order_id: str, *, actor: str) -> list[str]:
    """Tasks for a confirmed order from its active reservations (the truth of where its units are held); once only."""
    order = orders.get_order(uow, order_id)
    way = {line.variant_id: line.delivery_method for line in order.lines}
    if order.status not in STARTED or all(w == "carry_out" for w in way.values()) or fulfillment.has_tasks(uow, order_id):
        return []
    held = inventory.held_by(uow, inventory.Ref(ORDER, order_id))
    fulfillment.record_decision(uow, order_id, trigger="checkout", plan=order.sourcing,
                                explanation=str(order.sourcing.get("explanation", "")))
    shipped = [h for h in held if way.get(h.variant_id) == "ship"]
    collected = [h for h in held if way.get(h.variant_id) in COLLECTED]
    created = [create_ship_task(uow, settings, order, location_id, units, actor=actor)
               for location_id, units in _by_location(shipped).items()]
    if any(line.delivery_method in COLLECTED and line.open_quantity for line in order.lines):
        created += create_pickup_tasks(uow, settings, order, collected, actor=actor)
    return created  # carry-out lines were handed over at the till


def _by_location(held: Sequence[inventory.HeldUnits]) -> dict[str, dict[str, int]]:
    grouped: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for units in held:
        grouped[units.location_id][units.variant_id] += units.quantity
    return grouped


def _line_of(order: OrderOut, variant_id: str) -> OrderLineOut:
    return next(line for line in order.lines if line.variant_id == variant_id)


def create_ship_task(uow: Uow, settings: Settings, order: OrderOut, location_id: str, units: dict[str, int], *, actor: str) -> str:
    location = inventory.get_location_by_id(uow, location_id)
    lines = tuple(NewTaskLine(order_line_id=line.id, variant_id=line.variant_id, sku=line.sku, title=line.title, quantity=quantity)
                  for variant_id, quantity in units.items() for line in [_line_of(order, variant_id)])
    return fulfillment.create_task(uow, NewTask(
        order_id=order.id, order_number=order.number, channel=order.channel, location_id=location.id, location_code=location.code,
        kind=TaskKind.SHIP.value, lines=lines, accept_by=accept_by(settings, location, uow.clock.now())), actor=actor)


def create_pickup_tasks(uow: Uow, settings: Settings, order: OrderOut, held: Sequence[inventory.HeldUnits], *, actor: str) -> list[str]:
    """The store's pickup (or curbside) task for every open unit; a transfer task at each other location holding units for it."""
    store_id = str(order.pickup_location_id)
    store = inventory.get_location_by_id(uow, store_id)
    elsewhere = _by_location([h for h in held if h.location_id != store_id])
    coming: dict[str, int] = defaultdict(int)
    for units in elsewhere.values():
        for variant_id, quantity in units.items():
            coming[variant_id] += quantity
    ready_by = order.sourcing.get("ready_by")
    lines = tuple(NewTaskLine(order_line_id=line.id, variant_id=line.variant_id, sku=line.sku, title=line.title,
                              quantity=line.open_quantity, awaiting=min(coming[line.variant_id], line.open_quantity))
                  for line in order.lines if line.open_quantity > 0 and line.delivery_method in COLLECTED)
    kind = TaskKind.CURBSIDE if any(line.delivery_method == "curbside" for line in order.lines) else TaskKind.PICKUP
    pickup_id = fulfillment.create_task(uow, NewTask(
        order_id=order.id, order_number=order.number, channel=order.channel, location_id=store.id, location_code=store.code,
        kind=kind.value, lines=lines, accept_by=accept_by(settings, store, uow.clock.now()),
        ready_by=datetime.fromisoformat(ready_by) if ready_by else None), actor=actor)
    transfers = [create_transfer_task(uow, settings, order, location_id, units, store_id=store_id, pickup_task_id=pickup_id, actor=actor)
                 for location_id, units in elsewhere.items()]
    return [pickup_id, *transfers]


def create_transfer_task(uow: Uow, settings: Settings, order: OrderOut, location_id: str, units: dict[str, int], *, store_id: str,
                         pickup_task_id: str, actor: str) -> str:
    location = inventory.get_location_by_id(uow, location_id)
    lines = tuple(NewTaskLine(order_line_id=line.id, variant_id=line.variant_id, sku=line.sku, title=line.title, quantity=quantity)
                  for variant_id, quantity in units.items() for line in [_line_of(order, variant_id)])
    return fulfillment.create_task(uow, NewTask(
        order_id=order.id, order_number=order.number, channel=order.channel, location_id=location.id, location_code=location.code,
        kind=TaskKind.TRANSFER.value, lines=lines, accept_by=accept_by(settings, location, uow.clock.now()),
        destination_location_id=store_id, pickup_task_id=pickup_task_id), actor=actor)
