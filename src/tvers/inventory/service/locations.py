"""Locations (stores, warehouses, dark stores, 3PLs, pop-ups) and the stock pools channels draw from."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from tvers.channels import service as channels
from tvers.db.uow import Uow
from tvers.inventory.errors import DuplicateLocation, LocationNotFound
from tvers.inventory.events import LocationCreated, LocationUpdated
from tvers.inventory.models import ChannelBuffer, ChannelLocation, Location
from tvers.inventory.schemas import (
    Address,
    Capabilities,
    ChannelPoolIn,
    ChannelPoolOut,
    LocationIn,
    LocationOut,
    LocationPatch,
    LocationType,
    PoolLocationOut,
)
from tvers.inventory.service._shared import location_by_code
from tvers.kernel.errors import FieldError, InvalidInput
from tvers.kernel.ids import new_id
from tvers.kernel.versioning import check_version


class UnknownTimeZone(InvalidInput):
    code = "unknown_time_zone"


def create_location(uow: Uow, data: LocationIn) -> LocationOut:
    _check_time_zone(data.time_zone)
    now = uow.clock.now()
    row = Location(
        id=new_id("loc"),
        code=data.code,
        name=data.name,
        type=data.type.value,
        address=data.address.model_dump(),
        country=data.country,
        latitude=data.latitude,
        longitude=data.longitude,
        time_zone=data.time_zone,
        opening_hours=dict(data.opening_hours),
        pickup_lead_minutes=data.pickup_lead_minutes,
        daily_capacity=data.daily_capacity,
        sourcing_priority=data.sourcing_priority,
        is_active=data.is_active,
        created_at=now,
        updated_at=now,
        **data.capabilities.model_dump(),
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        message = f"a location with code {data.code!r} exists"
        raise DuplicateLocation(message, fields=[FieldError("code", message, DuplicateLocation.code)]) from None
    uow.record(LocationCreated(location_id=row.id, code=row.code))
    return location_out(row)


def update_location(uow: Uow, code: str, data: LocationPatch) -> LocationOut:
    row = location_by_code(uow, code)
    check_version(row.version, data.version)
    if data.address is not None:
        row.address = data.address.model_dump()
    if data.capabilities is not None:
        for name, value in data.capabilities.model_dump().items():
            setattr(row, name, value)
    for name in ("name", "opening_hours", "pickup_lead_minutes", "daily_capacity", "sourcing_priority", "is_active"):
        value = getattr(data, name)
        if value is not None:
            setattr(row, name, value)
    row.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(LocationUpdated(location_id=row.id, code=row.code))
    return location_out(row)


def get_location(uow: Uow, code: str) -> LocationOut:
    return location_out(location_by_code(uow, code))


def get_location_by_id(uow: Uow, location_id: str) -> LocationOut:
    row = uow.session.get(Location, location_id)
    if row is None:
        raise LocationNotFound(f"no location {location_id!r}")
    return location_out(row)


def list_locations(uow: Uow, *, type: LocationType | None = None, country: str | None = None) -> list[LocationOut]:
    query = select(Location).order_by(Location.code)
    if type is not None:
        query = query.where(Location.type == type.value)
    if country is not None:
        query = query.where(Location.country == country)
    return [location_out(r) for r in uow.session.scalars(query)]


def set_channel_pool(uow: Uow, channel_code: str, data: ChannelPoolIn) -> ChannelPoolOut:
    """Replace which locations a channel ships from / offers pickup at, and its buffer."""
    channel_id = channels.channel_ref(uow, channel_code).id
    codes = [p.location for p in data.locations]
    found = {loc.code: loc.id for loc in uow.session.scalars(select(Location).where(Location.code.in_(codes)))}
    missing = [
        FieldError(f"locations.{i}.location", f"no location {c!r}", "location_not_found") for i, c in enumerate(codes) if c not in found
    ]
    if missing:
        raise InvalidInput("unknown locations", code="location_not_found", fields=missing)
    uow.session.execute(delete(ChannelLocation).where(ChannelLocation.channel_id == channel_id))
    uow.session.add_all(
        ChannelLocation(channel_id=channel_id, location_id=found[p.location], ships_from=p.ships_from, pickup=p.pickup)
        for p in {p.location: p for p in data.locations}.values()
    )
    buffer = uow.session.get(ChannelBuffer, channel_id) or ChannelBuffer(channel_id=channel_id)
    buffer.held_back_percent, buffer.held_back_units = data.held_back_percent, data.held_back_units
    uow.session.add(buffer)
    uow.session.flush()
    return get_channel_pool(uow, channel_code)


def get_channel_pool(uow: Uow, channel_code: str) -> ChannelPoolOut:
    channel_id = channels.channel_ref(uow, channel_code).id
    rows = uow.session.execute(
        select(ChannelLocation, Location.code)
        .join(Location, Location.id == ChannelLocation.location_id)
        .where(ChannelLocation.channel_id == channel_id)
        .order_by(Location.code)
    ).all()
    buffer = uow.session.get(ChannelBuffer, channel_id)
    return ChannelPoolOut(
        channel=channel_code,
        held_back_percent=buffer.held_back_percent if buffer else 0,
        held_back_units=buffer.held_back_units if buffer else 0,
        locations=[PoolLocationOut(location=code, ships_from=link.ships_from, pickup=link.pickup) for link, code in rows],
    )


def _check_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"unknown time zone {name!r}"
        raise UnknownTimeZone(message, fields=[FieldError("time_zone", message, UnknownTimeZone.code)]) from None


def location_out(row: Location) -> LocationOut:
    return LocationOut(
        id=row.id,
        code=row.code,
        name=row.name,
        type=LocationType(row.type),
        address=Address(**row.address),
        country=row.country,
        latitude=row.latitude,
        longitude=row.longitude,
        time_zone=row.time_zone,
        opening_hours=dict(row.opening_hours),
        capabilities=Capabilities(
            ships=row.ships, offers_pickup=row.offers_pickup, offers_curbside=row.offers_curbside, accepts_returns=row.accepts_returns
        ),
        pickup_lead_minutes=row.pickup_lead_minutes,
        daily_capacity=row.daily_capacity,
        sourcing_priority=row.sourcing_priority,
        is_active=row.is_active,
        version=row.version,
    )
