"""Relay subscribers of the customers module: points for completed orders from any channel."""

from __future__ import annotations

import logging
from datetime import datetime

from tvers.customers.errors import CustomerNotFound
from tvers.customers.service import loyalty
from tvers.db.uow import Uow
from tvers.kernel.clock import ensure_utc
from tvers.kernel.events import PublishedEvent, Subscriber, SubscriberContext

log = logging.getLogger(__name__)

ORDER_COMPLETED = "order.completed"


def earn_points_on_order(context: SubscriberContext, event: PublishedEvent) -> None:
    """Payload {order_id, customer_id, channel, currency, amount_minor, completed_at}; guest orders earn nothing."""
    payload = event.payload
    if not payload.get("customer_id"):
        return
    assert isinstance(context, Uow)  # the relay hands its unit of work
    completed = payload.get("completed_at")
    try:
        loyalty.earn_for_order(context, order_id=str(payload["order_id"]), customer_id=str(payload["customer_id"]),
                               channel=payload.get("channel"), currency=str(payload["currency"]),
                               amount_minor=int(payload["amount_minor"]),
                               completed_at=ensure_utc(datetime.fromisoformat(completed)) if completed else None)
    except CustomerNotFound:  # an order for a profile this retailer never had: nothing to earn, nothing to retry
        log.warning("order %s names unknown customer %s; no points", payload.get("order_id"), payload.get("customer_id"))


def subscribers() -> list[Subscriber]:
    return [Subscriber(name="customers.loyalty_earn", event_types=frozenset({ORDER_COMPLETED}), handle=earn_points_on_order)]
