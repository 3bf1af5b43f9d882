"""Availability: per location, per channel (ATP), nearest pickup stores, and change events."""

from __future__ import annotations

import heapq
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import NamedTuple, cast

from sqlalchemy import Connection, Table, Text, and_, bindparam, case, func, insert, literal_column, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import aggregate_order_by

from tvers.catalog import service as catalog
from tvers.channels import service as channels
from tvers.db.uow import Uow
from tvers.inventory.atp import NO_BUFFER, Buffer, channel_atp, location_available
from tvers.inventory.events import AvailabilityChanged, ChannelAtpChange
from tvers.inventory.geo import distance_km
from tvers.inventory.models import CHANNEL_ATP, LEVELS, ChannelBuffer, ChannelLocation, Location, StockLevel, Transfer, TransferLine
from tvers.inventory.schemas import ChannelAtpOut, LocationStockOut, NearestOut, StockAtOut, VariantStockOut
from tvers.inventory.service._shared import location_by_code, variants_for

# channel id → variant id → ATP
AtpTable = dict[str, dict[str, int]]

# Read paths: statements built once, run on the session's Connection, plain columns in (no ORM entities: 500 of
# them per call, and the garbage they leave, were most of these reads' time), rows fetched all at once (iterating a
# result fetches row by row: two thirds of variant_stock's CPU), response models validated in one go.
_LOCATIONS, _LINKS, _BUFFER_ROWS = (cast(Table, m.__table__) for m in (Location, ChannelLocation, ChannelBuffer))
_lv, _loc, _cl, _buf, _atp = LEVELS.c, _LOCATIONS.c, _LINKS.c, _BUFFER_ROWS.c, CHANNEL_ATP.c
_LOCATION_FIELDS = tuple(LocationStockOut.model_fields)
_AVAILABLE = case((_lv.on_hand - _lv.reserved - _lv.safety_stock > 0, _lv.on_hand - _lv.reserved - _lv.safety_stock), else_=0)
_TRANSIT = (
    select(Transfer.to_location_id.label("location_id"), func.sum(TransferLine.shipped - TransferLine.received).label("units"))
    .join(TransferLine, TransferLine.transfer_id == Transfer.id)
    .where(TransferLine.variant_id == bindparam("vid"), Transfer.status.in_(("in_transit", "partially_received")))
    .group_by(Transfer.to_location_id)
    .subquery()
)
# In LocationStockOut's field order, with `available` and `in_transit_in` worked out by the database.
_VARIANT_LEVELS = (
    select(
        _loc.code.label("location"),
        _lv.on_hand,
        _lv.reserved,
        _lv.safety_stock,
        _AVAILABLE.label("available"),  # location_available(), in SQL
        _lv.reorder_point,
        _lv.reorder_quantity,
        func.coalesce(_TRANSIT.c.units, 0).label("in_transit_in"),
    )
    .join(_LOCATIONS, _loc.id == _lv.location_id)
    .outerjoin(_TRANSIT, _TRANSIT.c.location_id == _lv.location_id)
    .where(_lv.variant_id == bindparam("vid"))
    .order_by(_loc.code)
)
# The same rows as one JSON array, in the same order, keyed by LocationStockOut's field names (the labels above).
_LEVEL_ROWS = _VARIANT_LEVELS.order_by(None).subquery("levels")
_VARIANT_LEVELS_JSON = select(
    sql_cast(
        func.coalesce(func.json_agg(aggregate_order_by(_LEVEL_ROWS.table_valued(), _LEVEL_ROWS.c.location)), literal_column("'[]'::json")),
        Text,
    )
)
# A channel's pool for some variants: every active location linked to the channel, with what it is linked for.
_POOL_STOCK = (
    select(
        _lv.variant_id, _loc.code, _lv.on_hand, _lv.reserved, _lv.safety_stock, _cl.ships_from, _loc.ships, _cl.pickup, _loc.offers_pickup,
        _buf.held_back_percent, _buf.held_back_units,
    )
    .join(_LOCATIONS, and_(_loc.id == _lv.location_id, _loc.is_active.is_(True)))
    .join(_LINKS, and_(_cl.location_id == _lv.location_id, _cl.channel_id == bindparam("cid")))
    .outerjoin(_BUFFER_ROWS, _buf.channel_id == _cl.channel_id)  # the channel's buffer, on every row: no second query
    .where(_lv.variant_id.in_(bindparam("vids", expanding=True)))
)
_SHIPPING_POOLS = (
    select(_cl.channel_id, _lv.variant_id, _lv.on_hand, _lv.reserved, _lv.safety_stock)
    .join(_LOCATIONS, and_(_loc.id == _cl.location_id, _loc.is_active.is_(True), _loc.ships.is_(True)))
    .join(LEVELS, _lv.location_id == _cl.location_id)
    .where(
        _cl.channel_id.in_(bindparam("cids", expanding=True)),
        _cl.ships_from.is_(True),
        _lv.variant_id.in_(bindparam("vids", expanding=True)),
    )
)
_BUFFERS = select(_buf.channel_id, _buf.held_back_percent, _buf.held_back_units).where(
    _buf.channel_id.in_(bindparam("cids", expanding=True))
)
_SHIPPING_CHANNELS = select(_cl.channel_id).where(_cl.ships_from.is_(True)).distinct()
_NEAREST = (
    select(_loc.code, _loc.name, _loc.latitude, _loc.longitude, _loc.offers_curbside, _loc.pickup_lead_minutes, _lv.on_hand,
           _lv.reserved, _lv.safety_stock)
    .join(LEVELS, _lv.location_id == _loc.id)
    .where(
        _lv.variant_id == bindparam("vid"),
        _loc.is_active.is_(True),
        _loc.offers_pickup.is_(True),
        _lv.on_hand - _lv.reserved - _lv.safety_stock >= bindparam("q"),
    )
)
_NEAREST_FOR_CHANNEL = _NEAREST.join(
    _LINKS, and_(_cl.location_id == _loc.id, _cl.channel_id == bindparam("cid"), _cl.pickup.is_(True))
)
_ANNOUNCED = select(_atp.channel_id, _atp.variant_id, _atp.atp).where(_atp.variant_id.in_(bindparam("vids", expanding=True)))
_ANNOUNCE_NEW = insert(CHANNEL_ATP)
_ANNOUNCE = (
    update(CHANNEL_ATP)
    .where(_atp.channel_id == bindparam("c"), _atp.variant_id == bindparam("v"))
    .values(atp=bindparam("a"))
)


def _connection(uow: Uow) -> Connection:
    return uow.session.connection()


class StockJson(NamedTuple):
    """A VariantStockOut as JSON text, for a route to send as it is, and the variant it shows."""

    variant_id: str
    body: str


def variant_stock(uow: Uow, sku: str) -> VariantStockOut:
    return VariantStockOut.model_validate_json(variant_stock_json(uow, sku).body)


def variant_stock_json(uow: Uow, sku: str) -> StockJson:
    """The variant at every location as VariantStockOut's JSON. On PostgreSQL the database writes the list of up to
    hundreds of locations as one string: no row objects, no dicts, no models on the way out (they were over half of
    the read's time); on SQLite the rows are turned into it here."""
    variant = variants_for(uow, [sku], field="")[sku]
    if uow.dialect == "postgresql":
        locations = _connection(uow).execute(_VARIANT_LEVELS_JSON, {"vid": variant.id}).scalar_one()
    else:
        rows = _connection(uow).execute(_VARIANT_LEVELS, {"vid": variant.id}).all()
        locations = json.dumps([dict(zip(_LOCATION_FIELDS, row, strict=True)) for row in rows], separators=(",", ":"))
    head = json.dumps({"sku": sku, "variant_id": variant.id}, separators=(",", ":"))
    return StockJson(variant.id, f'{head[:-1]},"locations":{locations}}}')


def channel_availability(uow: Uow, channel_code: str, skus: Sequence[str]) -> list[ChannelAtpOut]:
    """ATP of many variants on one channel and their pickup locations, in one pass over their stock in its pool."""
    channel_id = channels.channel_ref(uow, channel_code).id
    variants = variants_for(uow, skus, field="skus")
    ids = sorted({variants[s].id for s in skus})
    connection = _connection(uow)
    pools: dict[str, list[int]] = defaultdict(list)
    pickup: dict[str, list[str]] = defaultdict(list)
    buffer = NO_BUFFER  # no stock in the pool: ATP 0 whatever the buffer
    for variant_id, code, on_hand, reserved, safety, ships_from, ships, pickup_here, offers_pickup, percent, units in connection.execute(
        _POOL_STOCK, {"cid": channel_id, "vids": ids}
    ).all():
        available = max(0, on_hand - reserved - safety)
        if ships_from and ships:
            pools[variant_id].append(available)
        if pickup_here and offers_pickup and available > 0:
            pickup[variant_id].append(code)
        if percent is not None:
            buffer = Buffer(percent, units)
    return [
        ChannelAtpOut(
            sku=s,
            variant_id=variants[s].id,
            channel=channel_code,
            available=channel_atp(pools.get(variants[s].id, []), buffer=buffer),
            pickup_locations=sorted(pickup.get(variants[s].id, [])),
        )
        for s in skus
    ]


def atp_table(
    uow: Uow, variant_ids: Collection[str], *, channel_ids: Collection[str], buffers: dict[str, Buffer] | None = None
) -> AtpTable:
    """ATP per channel per variant: Σ available over the locations a channel ships from, less its buffer."""
    if not channel_ids or not variant_ids:
        return {cid: {vid: 0 for vid in variant_ids} for cid in channel_ids}
    rows = _connection(uow).execute(_SHIPPING_POOLS, {"cids": sorted(set(channel_ids)), "vids": sorted(set(variant_ids))}).all()
    pools: dict[tuple[str, str], list[int]] = defaultdict(list)
    for channel_id, variant_id, on_hand, reserved, safety in rows:
        pools[(channel_id, variant_id)].append(location_available(on_hand=on_hand, reserved=reserved, safety_stock=safety))
    buffers = channel_buffers(uow, channel_ids) if buffers is None else buffers
    return {
        cid: {vid: channel_atp(pools.get((cid, vid), []), buffer=buffers.get(cid, NO_BUFFER)) for vid in variant_ids} for cid in channel_ids
    }


def channel_buffers(uow: Uow, channel_ids: Collection[str]) -> dict[str, Buffer]:
    if not channel_ids:
        return {}
    rows = _connection(uow).execute(_BUFFERS, {"cids": sorted(set(channel_ids))})
    return {cid: Buffer(percent, units) for cid, percent, units in rows}


def nearest(
    uow: Uow,
    sku: str,
    *,
    quantity: int,
    latitude: float | None = None,
    longitude: float | None = None,
    near_location: str | None = None,
    channel_code: str | None = None,
    limit: int = 5,
) -> list[NearestOut]:
    """The nearest locations offering pickup (for the channel, if given) that can give `quantity` units."""
    variant = variants_for(uow, [sku], field="")[sku]
    if near_location is not None:
        origin = location_by_code(uow, near_location, field="location")
        latitude, longitude = origin.latitude, origin.longitude
    assert latitude is not None and longitude is not None
    if channel_code is not None:
        query, params = _NEAREST_FOR_CHANNEL, {"vid": variant.id, "q": quantity, "cid": channels.channel_ref(uow, channel_code).id}
    else:
        query, params = _NEAREST, {"vid": variant.id, "q": quantity}
    lat, lon = latitude, longitude
    # Distances of all candidates (rounded as shown, ties by code), but response models for the `limit` kept only.
    chosen = heapq.nsmallest(
        limit,
        ((round(distance_km(lat, lon, row[2], row[3]), 1), row[0], row) for row in _connection(uow).execute(query, params).all()),
        key=lambda c: (c[0], c[1]),
    )
    return [
        NearestOut(
            location=code,
            name=name,
            distance_km=distance,
            available=max(0, on_hand - reserved - safety),
            offers_curbside=curbside,
            pickup_lead_minutes=lead,
        )
        for distance, _code, (code, name, _lat, _lon, curbside, lead, on_hand, reserved, safety) in chosen
    ]


def shipping_channels(uow: Uow) -> list[str]:
    """Channels that ship from at least one location: the ones with an ATP to announce."""
    return sorted(_connection(uow).scalars(_SHIPPING_CHANNELS))


def announce_atp_changes(uow: Uow, variant_ids: Collection[str]) -> int:
    """Record `availability.changed` for each variant whose ATP on some channel differs from the last announced figure.

    Run by the relay subscriber `inventory.channel_atp` (never concurrently with itself: the relay locks its
    cursor), after the change has committed. Each event's `before` is the figure announced last for that
    channel and variant (0 if none), its `after` the ATP now; the new figure is kept in `channel_atp`.
    Several changes committed before the subscriber looks are announced as one. Returns the events recorded.
    """
    wanted = sorted(set(variant_ids))
    if not wanted:
        return 0
    connection = _connection(uow)
    announced = {(cid, vid): atp for cid, vid, atp in connection.execute(_ANNOUNCED, {"vids": wanted})}
    channel_ids = sorted(set(shipping_channels(uow)) | {cid for cid, _ in announced})
    now = atp_table(uow, wanted, channel_ids=channel_ids)
    moved: dict[str, list[tuple[str, int, int]]] = {}
    for variant_id in wanted:
        changes = [
            (cid, announced.get((cid, variant_id), 0), now[cid][variant_id])
            for cid in channel_ids
            if announced.get((cid, variant_id), 0) != now[cid][variant_id]
        ]
        if changes:
            moved[variant_id] = changes
    if not moved:
        return 0
    updates = [{"c": c, "v": v, "a": after} for v, changes in moved.items() for c, _b, after in changes if (c, v) in announced]
    inserts = [{"channel_id": c, "variant_id": v, "atp": after} for v, changes in moved.items() for c, _b, after in changes
               if (c, v) not in announced]
    if updates:
        connection.execute(_ANNOUNCE, updates)
    if inserts:
        connection.execute(_ANNOUNCE_NEW, inserts)
    codes = {cid: code for code, cid in channels.channel_ids_by_code(uow).items()}
    skus = catalog.skus_by_id(uow, moved)
    for variant_id, changes in moved.items():
        uow.record(
            AvailabilityChanged(
                variant_id=variant_id,
                sku=skus.get(variant_id, ""),
                channels=tuple(ChannelAtpChange(channel_code=codes[cid], before=b, after=a) for cid, b, a in changes),
            )
        )
    return len(moved)


def stock_at(uow: Uow, location_code: str, skus: Sequence[str]) -> list[StockAtOut]:
    location = location_by_code(uow, location_code)
    variants = variants_for(uow, skus)
    levels = {
        lv.variant_id: lv
        for lv in uow.session.scalars(
            select(StockLevel).where(StockLevel.location_id == location.id, StockLevel.variant_id.in_([v.id for v in variants.values()]))
        )
    }
    found = []
    for sku in skus:
        level = levels.get(variants[sku].id)
        on_hand, reserved, safety = (level.on_hand, level.reserved, level.safety_stock) if level else (0, 0, 0)
        found.append(
            StockAtOut(
                sku=sku,
                location=location.code,
                on_hand=on_hand,
                reserved=reserved,
                available=location_available(on_hand=on_hand, reserved=reserved, safety_stock=safety),
            )
        )
    return found
