"""Fulfilling orders: each step on a task, with the stock and money that go with it (docs/fulfilment.md).

Units leave a shelf only with their reservation (consumed, so on-hand and reserved drop together), and money is
captured for exactly what shipped or was handed over: decided in the transaction that records the units, sent to the
providers after it commits, recorded in a third, as in checkout.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from tvers.customers import service as customers
from tvers.db.uow import Uow
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.errors import WrongPickupCode
from tvers.fulfillment.events import OrderDelivered, OrderPickedUp, OrderReadyForPickup, OrderShipped
from tvers.fulfillment.schemas import HandOverIn, ShipIn, ShipmentOut, TaskOut, Units
from tvers.fulfillment.task_states import TaskStatus
from tvers.inventory import service as inventory
from tvers.inventory.schemas import StockLineIn, TransferIn, TransferReceiveIn
from tvers.kernel.errors import FieldError
from tvers.kernel.events import PublishedEvent, Subscriber, SubscriberContext
from tvers.kernel.money import Money
from tvers.orders import service as orders
from tvers.payments import service as payments
from tvers.settings import Settings
from tvers.workflows.app import App
from tvers.workflows.fulfilment_tasks import ORDER, create_order_tasks


def subscribers(settings: Settings) -> list[Subscriber]:
    """`order.placed` → tasks at the locations sourcing chose (in the relay's transaction, once per order)."""

    def start(context: SubscriberContext, event: PublishedEvent) -> None:
        assert isinstance(context, Uow)  # the relay hands its unit of work
        create_order_tasks(context, settings, str(event.payload["order_id"]), actor="fulfilment")

    return [Subscriber(name="fulfillment.start_tasks", event_types=frozenset({"order.placed"}), handle=start)]


def start_tasks_now(app: App, order_id: str) -> list[str]:
    """The same as the subscriber, on demand (tests, the CLI): idempotent."""
    with app.uow() as uow:
        created = create_order_tasks(uow, app.settings, order_id, actor="fulfilment")
        uow.commit()
    return created


def advance_task(app: App, task_id: str, target: TaskStatus, *, actor: str, note: str | None = None) -> TaskOut:
    """accept, start picking, pack, ready for pickup; accepting is when the order goes into fulfilment."""
    with app.uow() as uow:
        _, order_id = fulfillment.task_location(uow, task_id)
        order = orders.check_fulfillable(uow, order_id)
        task = fulfillment.advance(uow, task_id, target, actor=actor, note=note)
        if target is TaskStatus.ACCEPTED:
            orders.start_fulfilment(uow, order_id, actor=actor)
            until = uow.clock.now() + timedelta(days=app.settings.order_reservation_days)
            inventory.renew_held(uow, inventory.Ref(ORDER, order_id), expires_at=until)  # held until it ships, however long that is
        if target is TaskStatus.READY_FOR_PICKUP:
            uow.record(OrderReadyForPickup(order_id=order_id, channel=order.channel, task_id=task_id, location_code=task.location_code,
                                           curbside=task.kind == "curbside"))
        uow.commit()
    return task


def customer_arrived(app: App, task_id: str, *, spot: str, actor: str) -> TaskOut:
    with app.uow() as uow:
        _, order_id = fulfillment.task_location(uow, task_id)
        orders.check_fulfillable(uow, order_id)
        task = fulfillment.customer_arrived(uow, task_id, spot=spot, actor=actor)
        uow.commit()
    return task


def ship(app: App, task_id: str, data: ShipIn, *, actor: str) -> ShipmentOut:
    """A (partial) shipment: its units consumed from their reservations, their value captured."""
    with app.uow() as uow:
        code, order_id = fulfillment.task_location(uow, task_id)
        order = orders.check_fulfillable(uow, order_id)
        shipment_id, units = fulfillment.ship_units(uow, task_id, data, actor=actor)
        value, captures = _take_units(uow, order_id, units, currency=order.currency, actor=actor, reason=f"shipped from {code}")
        fulfillment.set_shipment_value(uow, shipment_id, value)
        uow.record(OrderShipped(order_id=order_id, channel=order.channel, shipment_id=shipment_id, location_code=code, carrier=data.carrier,
                                tracking_number=data.tracking_number, tracking_url=data.tracking_url, captured_minor=value,
                                lines=tuple({"order_line_id": u.order_line_id, "sku": u.sku, "quantity": u.quantity} for u in units)))
        uow.commit()
    _send_captures(app, captures)
    with app.uow(read_only=True) as uow:
        return next(s for s in fulfillment.shipments_of_order(uow, order_id) if s.id == shipment_id)


def deliver(app: App, shipment_id: str, *, actor: str) -> ShipmentOut:
    """The carrier delivered a parcel; the last one completes the order (and loyalty earns)."""
    with app.uow() as uow:
        order_id, _ = fulfillment.shipment_order(uow, shipment_id)
        was = next(s for s in fulfillment.shipments_of_order(uow, order_id) if s.id == shipment_id).status
        shipment = fulfillment.deliver_shipment(uow, shipment_id, actor=actor)
        if was != "delivered":
            order = orders.get_order(uow, order_id)
            uow.record(OrderDelivered(order_id=order_id, channel=order.channel, shipment_id=shipment_id))
            if fulfillment.all_delivered(uow, order_id):
                orders.complete_fulfilled(uow, order_id, actor=actor)
        uow.commit()
    return shipment


def hand_over(app: App, task_id: str, data: HandOverIn, *, actor: str) -> TaskOut:
    """The customer collects (pickup or curbside): code or identity checked, units consumed, value captured, order completed."""
    with app.uow() as uow:
        code, order_id = fulfillment.task_location(uow, task_id)
        order = orders.check_fulfillable(uow, order_id)
        _check_collector(uow, task_id, data, customer_id=order.customer_id)
        units = fulfillment.hand_over_units(uow, task_id, actor=actor)
        value, captures = _take_units(uow, order_id, units, currency=order.currency, actor=actor, reason=f"picked up at {code}")
        uow.record(OrderPickedUp(order_id=order_id, channel=order.channel, task_id=task_id, location_code=code, captured_minor=value))
        if not fulfillment.open_tasks_of_order(uow, order_id):
            orders.complete_fulfilled(uow, order_id, actor=actor)
        uow.commit()
    _send_captures(app, captures)
    with app.uow(read_only=True) as uow:
        return fulfillment.get_task(uow, task_id)


def _check_collector(uow: Uow, task_id: str, data: HandOverIn, *, customer_id: str | None) -> None:
    if data.code is not None:
        fulfillment.check_pickup_code(uow, task_id, data.code)
        return
    assert data.identity is not None
    found = customers.lookup_customer_id(uow, data.identity.type, data.identity.value)
    if customer_id is None or found != customer_id:
        raise WrongPickupCode("that identity is not the customer's who placed this order",
                              fields=[FieldError("identity", "not the order's customer", WrongPickupCode.code)])


def _take_units(uow: Uow, order_id: str, units: Sequence[Units], *, currency: str, actor: str,
                reason: str) -> tuple[int, list[payments.ProviderRequest]]:
    """Units off the shelf with their reservations, on the order as fulfilled; returns their value and the captures to send."""
    per_line: dict[str, int] = defaultdict(int)
    for unit in units:
        inventory.consume_held(uow, inventory.Ref(ORDER, order_id), variant_id=unit.variant_id, location_id=unit.location_id,
                               quantity=unit.quantity, actor=actor)
        per_line[unit.order_line_id] += unit.quantity
    value = orders.fulfil_units(uow, order_id, per_line, actor=actor, reason=reason)
    # What the tenders still hold, at most: a marketplace collected its buyer's money at checkout (captured then).
    due = min(value, payments.uncaptured_for_order(uow, order_id, currency=currency).minor)
    captures = payments.captures_for(uow, order_id=order_id, amount=Money(due, currency)) if due > 0 else []
    return value, captures


def _send_captures(app: App, captures: Sequence[payments.ProviderRequest]) -> None:
    """No transaction open while providers answer; what they said is recorded after (the checkout sweep re-asks if we crash)."""
    results = [payments.capture(request, providers=app.payment_providers) for request in captures]
    if results:
        with app.uow() as uow:
            payments.record_results(uow, results)
            uow.commit()


def send_transfer(app: App, task_id: str, *, actor: str) -> TaskOut:
    """A transfer task leaves for the pickup store: the order's hold here ends and a stock transfer goes out (in transit)."""
    with app.uow() as uow:
        code, order_id = fulfillment.task_location(uow, task_id)
        orders.check_fulfillable(uow, order_id)
        task = fulfillment.get_task(uow, task_id)
        units = fulfillment.send_transfer_units(uow, task_id, actor=actor)
        for unit in units:
            inventory.shrink_reservation(uow, ref=inventory.Ref(ORDER, order_id), variant_id=unit.variant_id, location_id=unit.location_id,
                                         by=unit.quantity, reason="sent to the pickup store")
        store = inventory.get_location_by_id(uow, str(task.destination_location_id))
        moving = [StockLineIn(sku=u.sku, quantity=u.quantity) for u in units]
        transfer = inventory.create_transfer(uow, TransferIn(from_location=code, to_location=store.code, reference=f"order:{order_id}",
                                                             lines=moving), actor=actor)
        inventory.ship_transfer(uow, transfer.id, actor=actor)
        fulfillment.set_transfer(uow, task_id, transfer.id)
        uow.commit()
    with app.uow(read_only=True) as uow:
        return fulfillment.get_task(uow, task_id)


def receive_transfer(app: App, task_id: str, *, actor: str) -> TaskOut:
    """The goods reached the pickup store: received into its stock and held there for the order at once."""
    with app.uow() as uow:
        _, order_id = fulfillment.task_location(uow, task_id)
        orders.check_fulfillable(uow, order_id)
        row, units = fulfillment.receive_transfer_units(uow, task_id, actor=actor)
        store_id = str(row.destination_location_id)
        inventory.receive_transfer(uow, str(row.transfer_id),
                                   TransferReceiveIn(lines=[StockLineIn(sku=u.sku, quantity=u.quantity) for u in units]), actor=actor)
        until = uow.clock.now() + timedelta(days=app.settings.order_reservation_days)
        inventory.reserve_stock(uow, lines=[inventory.ReserveLine(variant_id=u.variant_id, location_id=store_id, quantity=u.quantity,
                                                                  sku=u.sku) for u in units],
                                ref=inventory.Ref(ORDER, order_id), expires_at=until)
        for unit in units:
            fulfillment.units_arrived(uow, str(row.pickup_task_id), unit.order_line_id, unit.quantity)
        uow.commit()
    with app.uow(read_only=True) as uow:
        return fulfillment.get_task(uow, task_id)
