"""Relay subscribers of the inventory module: `availability.changed`, worked out after the stock change commits.

Reserving, releasing, consuming and moving stock only record what they did (`stock.*` events); the subscriber
`inventory.channel_atp` reads which variants those events touched, compares each channel's ATP of them with the
figure it announced last (table `channel_atp`) and records `availability.changed` (before/after per channel) for
those that moved. The hot paths thus spend no statement on it and hold no row lock for it (BENCHMARKS.md).
"""

from __future__ import annotations

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


def touched_variants(uow: Uow, event_type: str, payload: dict[str, Any]) -> list[str]:
    """The variants whose stock a `stock.*` event changed."""
    if event_type in (StockReserved.type, ReservationsReleased.type, ReservationConsumed.type):
        ids = payload["reservation_ids"] if "reservation_ids" in payload else [payload["reservation_id"]]
        if not ids:
            return []
        return list(uow.session.connection().scalars(_VARIANTS_OF_RESERVATIONS, {"ids": [str(i) for i in ids]}))
    if event_type == StockMoved.type:
        skus = {str(sku) for sku, _quantity in payload["lines"]}
    elif event_type == StockSettingsChanged.type:
        skus = {str(payload["sku"])}
    else:
        return []
    return [v.id for v in catalog.resolve_skus(uow, skus).values()]


def announce_availability(context: SubscriberContext, event: PublishedEvent) -> None:
    assert isinstance(context, Uow)  # the relay hands its unit of work
    announce_atp_changes(context, touched_variants(context, event.type, event.payload))


def subscribers() -> list[Subscriber]:
    return [Subscriber(name=ATP_SUBSCRIBER, event_types=STOCK_EVENTS, handle=announce_availability)]
