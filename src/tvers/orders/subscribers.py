"""Relay subscribers of the orders module: orders follow their customer into the profile it was merged into."""

from __future__ import annotations

from tvers.db.uow import Uow
from tvers.kernel.events import PublishedEvent, Subscriber, SubscriberContext
from tvers.orders.service.merging import move_customer_orders

CUSTOMER_MERGED = "customer.merged"


def follow_merged_customer(context: SubscriberContext, event: PublishedEvent) -> None:
    """Payload {survivor_id, merged_id, reason}: the merged profile's orders now belong to the survivor."""
    assert isinstance(context, Uow)  # the relay hands its unit of work
    move_customer_orders(context, from_customer=str(event.payload["merged_id"]), to_customer=str(event.payload["survivor_id"]))


def subscribers() -> list[Subscriber]:
    return [Subscriber(name="orders.follow_merged_customer", event_types=frozenset({CUSTOMER_MERGED}), handle=follow_merged_customer)]
