"""Checks across modules for `tvers doctor`: stock held for orders agrees with the orders' states."""

from __future__ import annotations

from tvers.db.uow import Uow
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
