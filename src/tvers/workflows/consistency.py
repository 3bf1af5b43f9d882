"""Checks across modules for `tvers doctor`: stock held for orders agrees with the orders' states."""

from __future__ import annotations

from tvers.db.uow import Uow
from tvers.fulfillment import service as fulfillment
from tvers.inventory import service as inventory
from tvers.orders import service as orders
from tvers.orders.lifecycle import OrderStatus

# Stock may be held for an order while it is being paid for or waits to be fulfilled; in any other state a held unit is lost.
HOLDS_STOCK = {OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.IN_FULFILMENT, OrderStatus.PARTIALLY_FULFILLED,
               OrderStatus.ON_HOLD}


def dangling_order_reservations(uow: Uow) -> list[str]:
    """Orders (or unknown references) holding stock they should not: each finding says which and why."""
    held = inventory.active_references(uow, "order")
    statuses = orders.statuses_of(uow, list(held))
    findings = []
    for order_id in sorted(held):
        status = statuses.get(order_id)
        if status is None:
            findings.append(f"{order_id}: stock held for an order that does not exist")
        elif status not in HOLDS_STOCK:
            findings.append(f"{order_id}: stock still held although the order is {status}")
    return findings


def tasks_without_stock(uow: Uow) -> list[str]:
    """Open fulfilment tasks whose units are not held for their order where they are to be picked: each finding says which."""
    held: dict[tuple[str, str, str], int] = {}
    for order_id in inventory.active_references(uow, "order"):
        for units in inventory.held_by(uow, inventory.Ref("order", order_id)):
            key = (order_id, units.variant_id, units.location_id)
            held[key] = held.get(key, 0) + units.quantity
    return [f"{order_id}: open tasks need {units} of {variant_id} at {location_id}, {held.get((order_id, variant_id, location_id), 0)} held"
            for (order_id, variant_id, location_id), units in sorted(fulfillment.units_to_hold(uow).items())
            if held.get((order_id, variant_id, location_id), 0) < units]
