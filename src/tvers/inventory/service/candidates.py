"""Where an order could be fulfilled from: the locations a channel may use, with what each can give now."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, select

from tvers.db.uow import Uow
from tvers.inventory.atp import location_available
from tvers.inventory.errors import LocationNotFound
from tvers.inventory.models import ChannelLocation, Location, StockLevel
from tvers.kernel.errors import FieldError


@dataclass(frozen=True)
class Candidate:
    """A location and the units of each asked-for variant it could promise (absent: none)."""

    location_id: str
    code: str
    type: str
    sourcing_priority: int
    offers_pickup: bool
    offers_curbside: bool
    name: str = ""
    latitude: float = 0.0
    longitude: float = 0.0
    time_zone: str = "UTC"
    opening_hours: dict[str, list[str]] = field(default_factory=dict)
    pickup_lead_minutes: int = 0
    daily_capacity: int = 0
    channel_pickup: bool = False  # the channel offers pickup here
    city: str = ""
    available: dict[str, int] = field(default_factory=dict)

    def can_give(self, variant_id: str, quantity: int) -> bool:
        return self.available.get(variant_id, 0) >= quantity


_LOCATION_COLUMNS = (Location.id, Location.code, Location.type, Location.sourcing_priority, Location.offers_pickup,
                     Location.offers_curbside, Location.name, Location.latitude, Location.longitude, Location.time_zone,
                     Location.opening_hours, Location.pickup_lead_minutes, Location.daily_capacity, Location.address)


# Built once (checkout sources every order with it) and run as Core on the session's connection.
_SHIPPING_CANDIDATES = (
    select(*_LOCATION_COLUMNS, StockLevel.variant_id, StockLevel.on_hand, StockLevel.reserved, StockLevel.safety_stock)
    .add_columns(ChannelLocation.pickup)
    .join(ChannelLocation, and_(ChannelLocation.location_id == Location.id, ChannelLocation.channel_id == bindparam("channel_id"),
                                ChannelLocation.ships_from.is_(True)))
    .outerjoin(StockLevel, and_(StockLevel.location_id == Location.id, StockLevel.variant_id.in_(bindparam("variant_ids", expanding=True))))
    .where(Location.is_active.is_(True), Location.ships.is_(True))
)


def shipping_candidates(uow: Uow, *, channel_id: str, variant_ids: Collection[str]) -> list[Candidate]:
    """The active, shipping locations the channel ships from, highest sourcing priority first; one query."""
    rows = uow.core_connection().execute(_SHIPPING_CANDIDATES, {"channel_id": channel_id, "variant_ids": sorted(set(variant_ids))}).all()
    return _candidates(rows)


def location_candidate(uow: Uow, *, code: str, variant_ids: Collection[str], field_name: str = "location",
                       channel_id: str | None = None) -> Candidate:
    """One named location (the pickup store, the till's store) with its stock of the variants; must be active.

    With a channel, `channel_pickup` says whether that channel offers pickup there.
    """
    rows = uow.session.execute(
        select(*_LOCATION_COLUMNS, StockLevel.variant_id, StockLevel.on_hand, StockLevel.reserved, StockLevel.safety_stock)
        .add_columns(ChannelLocation.pickup)
        .outerjoin(ChannelLocation, and_(ChannelLocation.location_id == Location.id, ChannelLocation.channel_id == channel_id))
        .outerjoin(StockLevel, and_(StockLevel.location_id == Location.id, StockLevel.variant_id.in_(variant_ids)))
        .where(Location.code == code, Location.is_active.is_(True))
    ).all()
    if not rows:
        message = f"no active location {code!r}"
        raise LocationNotFound(message, fields=[FieldError(field_name, message, LocationNotFound.code)])
    return _candidates(rows)[0]


def _candidates(rows: Collection[tuple]) -> list[Candidate]:  # type: ignore[type-arg]
    found: dict[str, Candidate] = {}
    for (location_id, code, type_, priority, pickup, curbside, name, latitude, longitude, zone, hours, lead, capacity, address,
         variant_id, on_hand, reserved, safety, channel_pickup) in rows:
        candidate = found.setdefault(location_id, Candidate(
            location_id, code, type_, priority, pickup, curbside, name=name, latitude=latitude, longitude=longitude, time_zone=zone,
            opening_hours=dict(hours or {}), pickup_lead_minutes=lead, daily_capacity=capacity, channel_pickup=bool(channel_pickup),
            city=str((address or {}).get("city", ""))))
        if variant_id is not None:
            candidate.available[variant_id] = location_available(on_hand=on_hand, reserved=reserved, safety_stock=safety)
    return sorted(found.values(), key=lambda c: (-c.sourcing_priority, c.code))
