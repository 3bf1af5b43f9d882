"""Relay subscribers of the inventory module: `availability.changed`, worked out after the stock change commits.

Reserving, releasing, consuming and moving stock only record what they did (`stock.*` events); the subscriber
`inventory.channel_atp` reads which variants those events touched, compares each channel's ATP of them with the
figure it announced last (table `channel_atp`) and records `availability.changed` (before/after per channel) for
those that moved. The hot paths thus spend no statement on it and hold no row lock for it (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select

from tvers.catalog import service as catalog
from tvers.db.uow import Uow
from tvers.inventory.events import ReservationConsumed, ReservationsReleased, StockMoved, StockReserved, StockSettingsChanged
from tvers.inventory.models import RESERVATIONS
from tvers.inventory.service.availability import announce_atp_changes
from tvers.kernel.events import PublishedEvent, Subscriber, SubscriberContext

ATP_SUBSCRIBER = "inventory.channel_atp"  # also named in migration 0007, which starts its cursor at the outbox head
STOCK_EVENTS = frozenset(
    {StockReserved.type, ReservationsReleased.type, ReservationConsumed.type, StockMoved.type, StockSettingsChanged.type}
)

_VARIANTS_OF_RESERVATIONS = (
    select(RESERVATIONS.c.variant_id).where(RESERVATIONS.c.id.in_(bindparam("ids", expanding=True))).distinct()
)


def touched_variants(uow: Uow, events: Sequence[tuple[str, dict[str, Any]]]) -> list[str]:
    """The variants whose stock some `stock.*` events (type, payload) changed: two queries at most, however many."""
    reservation_ids: set[str] = set()
    skus: set[str] = set()
    for event_type, payload in events:
        if event_type in (StockReserved.type, ReservationsReleased.type):
            reservation_ids.update(str(i) for i in payload["reservation_ids"])
        elif event_type == ReservationConsumed.type:
            reservation_ids.add(str(payload["reservation_id"]))
        elif event_type == StockMoved.type:
            skus.update(str(sku) for sku, _quantity in payload["lines"])
        elif event_type == StockSettingsChanged.type:
            skus.add(str(payload["sku"]))
    found: set[str] = set()
    if reservation_ids:
        found.update(uow.session.connection().scalars(_VARIANTS_OF_RESERVATIONS, {"ids": sorted(reservation_ids)}))
    if skus:
        found.update(v.id for v in catalog.resolve_skus(uow, skus).values())
    return sorted(found)


def announce_availability(context: SubscriberContext, event: PublishedEvent) -> None:
    announce_availability_of(context, [event])


def announce_availability_of(context: SubscriberContext, events: Sequence[PublishedEvent]) -> None:
    """One announcement per variant for a page of events: changes the subscriber sees together are announced as one."""
    assert isinstance(context, Uow)  # the relay hands its unit of work
    announce_atp_changes(context, touched_variants(context, [(e.type, e.payload) for e in events]))


def subscribers() -> list[Subscriber]:
    return [
        Subscriber(name=ATP_SUBSCRIBER, event_types=STOCK_EVENTS, handle=announce_availability, handle_batch=announce_availability_of)
    ]
