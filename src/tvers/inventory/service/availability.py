"""Availability: per location, per channel (ATP), nearest pickup stores, and change events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import and_, select

from tvers.catalog import service as catalog
from tvers.channels import service as channels
from tvers.db.uow import Uow
from tvers.inventory.atp import NO_BUFFER, Buffer, channel_atp, location_available
from tvers.inventory.events import AvailabilityChanged, ChannelAtpChange
from tvers.inventory.geo import distance_km
from tvers.inventory.models import ChannelBuffer, ChannelLocation, Location, StockLevel, Transfer, TransferLine
from tvers.inventory.schemas import ChannelAtpOut, LocationStockOut, NearestOut, StockAtOut, VariantStockOut
from tvers.inventory.service._shared import location_by_code, variants_for

# channel id → variant id → ATP
AtpTable = dict[str, dict[str, int]]


def variant_stock(uow: Uow, sku: str) -> VariantStockOut:
    variant = variants_for(uow, [sku], field="")[sku]
    rows = uow.session.execute(
        select(StockLevel, Location.code)
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.variant_id == variant.id)
        .order_by(Location.code)
    ).all()
    transit = _in_transit_to(uow, variant.id)
    return VariantStockOut(
        sku=sku,
        variant_id=variant.id,
        locations=[
            LocationStockOut(
                location=code,
                on_hand=level.on_hand,
                reserved=level.reserved,
                safety_stock=level.safety_stock,
                available=location_available(on_hand=level.on_hand, reserved=level.reserved, safety_stock=level.safety_stock),
                reorder_point=level.reorder_point,
                reorder_quantity=level.reorder_quantity,
                in_transit_in=transit.get(level.location_id, 0),
            )
            for level, code in rows
        ],
    )


def _in_transit_to(uow: Uow, variant_id: str) -> dict[str, int]:
    rows = uow.session.execute(
        select(Transfer.to_location_id, TransferLine.shipped - TransferLine.received)
        .join(TransferLine, TransferLine.transfer_id == Transfer.id)
        .where(TransferLine.variant_id == variant_id, Transfer.status.in_(("in_transit", "partially_received")))
    ).all()
    totals: dict[str, int] = defaultdict(int)
    for location_id, quantity in rows:
        totals[location_id] += quantity
    return dict(totals)


def channel_availability(uow: Uow, channel_code: str, skus: Sequence[str]) -> list[ChannelAtpOut]:
    """ATP of many variants on one channel, in one pass over their stock."""
    channel_id = channels.channel_ref(uow, channel_code).id
    variants = variants_for(uow, skus, field="skus")
    ids = [variants[s].id for s in skus]
    atp = atp_table(uow, ids, channel_ids=[channel_id]).get(channel_id, {})
    pickup = _pickup_locations(uow, channel_id, ids)
    return [
        ChannelAtpOut(
            sku=s,
            variant_id=variants[s].id,
            channel=channel_code,
            available=atp.get(variants[s].id, 0),
            pickup_locations=pickup.get(variants[s].id, []),
        )
        for s in skus
    ]


def atp_table(
    uow: Uow, variant_ids: Collection[str], *, channel_ids: Collection[str], buffers: dict[str, Buffer] | None = None
) -> AtpTable:
    """ATP per channel per variant: Σ available over the locations a channel ships from, less its buffer."""
    if not channel_ids:
        return {}
    rows = uow.session.execute(
        select(ChannelLocation.channel_id, StockLevel.variant_id, StockLevel.on_hand, StockLevel.reserved, StockLevel.safety_stock)
        .join(Location, and_(Location.id == ChannelLocation.location_id, Location.is_active.is_(True), Location.ships.is_(True)))
        .join(StockLevel, StockLevel.location_id == ChannelLocation.location_id)
        .where(ChannelLocation.channel_id.in_(channel_ids), ChannelLocation.ships_from.is_(True), StockLevel.variant_id.in_(variant_ids))
    ).all()
    pools: dict[tuple[str, str], list[int]] = defaultdict(list)
    for channel_id, variant_id, on_hand, reserved, safety in rows:
        pools[(channel_id, variant_id)].append(location_available(on_hand=on_hand, reserved=reserved, safety_stock=safety))
    buffers = channel_buffers(uow, channel_ids) if buffers is None else buffers
    return {
        cid: {vid: channel_atp(pools.get((cid, vid), []), buffer=buffers.get(cid, NO_BUFFER)) for vid in variant_ids} for cid in channel_ids
    }


def channels_shipping_from(uow: Uow, location_ids: Collection[str]) -> list[str]:
    """The channels whose ATP a change at these locations can move."""
    return sorted(
        set(
            uow.session.scalars(
                select(ChannelLocation.channel_id).where(
                    ChannelLocation.location_id.in_(location_ids), ChannelLocation.ships_from.is_(True)
                )
            )
        )
    )


def channel_buffers(uow: Uow, channel_ids: Collection[str]) -> dict[str, Buffer]:
    rows = uow.session.scalars(select(ChannelBuffer).where(ChannelBuffer.channel_id.in_(channel_ids)))
    return {b.channel_id: Buffer(b.held_back_percent, b.held_back_units) for b in rows}


def _pickup_locations(uow: Uow, channel_id: str, variant_ids: list[str]) -> dict[str, list[str]]:
    rows = uow.session.execute(
        select(StockLevel.variant_id, Location.code, StockLevel.on_hand, StockLevel.reserved, StockLevel.safety_stock)
        .join(Location, Location.id == StockLevel.location_id)
        .join(ChannelLocation, and_(ChannelLocation.location_id == Location.id, ChannelLocation.channel_id == channel_id))
        .where(
            StockLevel.variant_id.in_(variant_ids),
            ChannelLocation.pickup.is_(True),
            Location.offers_pickup.is_(True),
            Location.is_active.is_(True),
        )
        .order_by(Location.code)
    ).all()
    found: dict[str, list[str]] = defaultdict(list)
    for variant_id, code, on_hand, reserved, safety in rows:
        if location_available(on_hand=on_hand, reserved=reserved, safety_stock=safety) > 0:
            found[variant_id].append(code)
    return dict(found)


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
    query = (
        select(Location, StockLevel.on_hand, StockLevel.reserved, StockLevel.safety_stock)
        .join(StockLevel, StockLevel.location_id == Location.id)
        .where(
            StockLevel.variant_id == variant.id,
            Location.is_active.is_(True),
            Location.offers_pickup.is_(True),
            StockLevel.on_hand - StockLevel.reserved - StockLevel.safety_stock >= quantity,
        )
    )
    if channel_code is not None:
        channel_id = channels.channel_ref(uow, channel_code).id
        query = query.join(
            ChannelLocation,
            and_(ChannelLocation.location_id == Location.id, ChannelLocation.channel_id == channel_id, ChannelLocation.pickup.is_(True)),
        )
    found = [
        NearestOut(
            location=loc.code,
            name=loc.name,
            distance_km=round(distance_km(latitude, longitude, loc.latitude, loc.longitude), 1),
            available=location_available(on_hand=on_hand, reserved=reserved, safety_stock=safety),
            offers_curbside=loc.offers_curbside,
            pickup_lead_minutes=loc.pickup_lead_minutes,
        )
        for loc, on_hand, reserved, safety in uow.session.execute(query)
    ]
    return sorted(found, key=lambda n: (n.distance_km, n.location))[:limit]


class AtpWatch:
    """Notes channel ATP of some variants before a change, and records `availability.changed` after it."""

    def __init__(self, uow: Uow, variant_ids: Collection[str], location_ids: Collection[str]) -> None:
        self._uow, self._variants = uow, sorted(set(variant_ids))
        self._channels = channels_shipping_from(uow, sorted(set(location_ids)))
        self._buffers = channel_buffers(uow, self._channels) if self._channels else {}
        self._before = atp_table(uow, self._variants, channel_ids=self._channels, buffers=self._buffers)

    def record_changes(self) -> None:
        if not self._before:
            return
        after = atp_table(self._uow, self._variants, channel_ids=self._channels, buffers=self._buffers)
        codes: dict[str, str] | None = None
        skus: dict[str, str] | None = None
        for variant_id in self._variants:
            changed = [(cid, self._before[cid].get(variant_id, 0), after.get(cid, {}).get(variant_id, 0)) for cid in sorted(self._before)]
            changed = [c for c in changed if c[1] != c[2]]
            if not changed:
                continue
            codes = codes or {v: k for k, v in channels.channel_ids_by_code(self._uow).items()}
            skus = skus or catalog.skus_by_id(self._uow, self._variants)
            self._uow.record(
                AvailabilityChanged(
                    variant_id=variant_id,
                    sku=skus[variant_id],
                    channels=tuple(ChannelAtpChange(channel_code=codes[cid], before=b, after=a) for cid, b, a in changed),
                )
            )


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
