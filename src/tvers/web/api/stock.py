"""Stock routes: levels and availability, ledger operations, reservations, sync, replenishment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Response

from tvers.bootstrap import Tvers
from tvers.channels.access import Permission, Principal, Role
from tvers.db.uow import Uow
from tvers.inventory import service as inventory
from tvers.inventory.schemas import (
    AdjustIn,
    ChannelAtpOut,
    ConsumeIn,
    CountIn,
    CountOut,
    MovementOut,
    NearestOut,
    ReceiveIn,
    ReorderPointsIn,
    ReorderPointsOut,
    ReservationOut,
    ReserveIn,
    StockAtOut,
    StockSettingsIn,
    SuggestionOut,
    SyncIn,
    SyncReport,
    VariantStockOut,
    WriteOffIn,
)
from tvers.kernel.errors import FieldError, InvalidInput
from tvers.web.api.common import api_router
from tvers.web.deps import (
    IdempotencyKey,
    ReadUowDep,
    TversDep,
    UowDep,
    check_channel_scope,
    check_location_scope,
    requires,
)

router = api_router("stock")
T = TypeVar("T")

StockRead = Annotated[Principal, Depends(requires(Permission.STOCK_READ))]
StockWrite = Annotated[Principal, Depends(requires(Permission.STOCK_WRITE))]
StockSync = Annotated[Principal, Depends(requires(Permission.STOCK_SYNC))]
ChannelView = Annotated[Principal, Depends(requires(Permission.CHANNEL_VIEW))]
ReservationsWrite = Annotated[Principal, Depends(requires(Permission.RESERVATIONS_WRITE))]
ReplenishmentRead = Annotated[Principal, Depends(requires(Permission.REPLENISHMENT_READ))]


def read_after_lazy_expiry(tvers: Tvers, uow: Uow, read: Callable[[Uow], T], variant_ids: Callable[[T], list[str]]) -> T:
    """Lazy expiry: reads never count units held by reservations that have run out.

    Usually there are none: the read, then a check for expired reservations of the variants it shows, in one
    read-only unit of work. Otherwise they are released in a unit of work of their own and the read is taken
    anew (in a new unit of work: a snapshot begun before the release would not see it).
    """
    with uow:
        found = read(uow)
        ids = variant_ids(found)
        if not ids or not inventory.expired_reservations_exist(uow, variant_ids=ids):
            return found
    with tvers.uow() as writer:
        inventory.release_expired(writer, variant_ids=ids)
        writer.commit()
    with tvers.uow(read_only=True) as again:
        return read(again)


@router.get("/stock/{sku:path}", response_model=VariantStockOut)
def variant_stock(sku: str, tvers: TversDep, uow: ReadUowDep, _: StockRead) -> Response:
    """On hand, reserved and available at every location holding this SKU, and what is in transit."""
    # Sent as the service wrote it: hundreds of locations need no models and no second serialisation.
    found = read_after_lazy_expiry(tvers, uow, lambda reader: inventory.variant_stock_json(reader, sku), lambda out: [out.variant_id])
    return Response(found.body, media_type="application/json")


@router.get("/channels/{code}/availability", response_model=list[ChannelAtpOut])
def channel_availability(
    code: str,
    tvers: TversDep,
    uow: ReadUowDep,
    principal: ChannelView,
    skus: Annotated[str, Query(description="Comma-separated SKUs, up to 500.", max_length=40_000)],
) -> list[ChannelAtpOut]:
    """Available-to-promise on this channel: its pool of locations, less its buffer."""
    check_channel_scope(principal, code)
    wanted = list(dict.fromkeys(s for s in (p.strip() for p in skus.split(",")) if s))[:500]
    return read_after_lazy_expiry(
        tvers, uow, lambda reader: inventory.channel_availability(reader, code, wanted), lambda out: [row.variant_id for row in out]
    )


@router.get("/availability/nearest", response_model=list[NearestOut])
def nearest(
    uow: ReadUowDep,
    _: StockRead,
    sku: str,
    quantity: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    location: str | None = None,
    channel: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[NearestOut]:
    """Nearest pickup locations (to a point or to a location) that can give `quantity` units, with distance in km."""
    if location is None and (lat is None or lon is None):
        raise InvalidInput(
            "give lat and lon, or a location",
            code="missing_origin",
            fields=[FieldError("lat", "required without location", "missing_origin")],
        )
    with uow:
        return inventory.nearest(
            uow, sku, quantity=quantity, latitude=lat, longitude=lon, near_location=location, channel_code=channel, limit=limit
        )


@router.post("/stock/receipts", response_model=list[StockAtOut])
def receive(body: ReceiveIn, uow: UowDep, principal: StockWrite, __: IdempotencyKey = None) -> list[StockAtOut]:
    check_location_scope(principal, body.location)
    with uow:
        inventory.receive(uow, body, actor=principal.key_id)
        stock = inventory.stock_at(uow, body.location, [ln.sku for ln in body.lines])
        uow.commit()
    return stock


@router.post("/stock/adjustments", response_model=list[StockAtOut])
def adjust(body: AdjustIn, uow: UowDep, principal: StockWrite, __: IdempotencyKey = None) -> list[StockAtOut]:
    check_location_scope(principal, body.location)
    with uow:
        inventory.adjust(uow, body, actor=principal.key_id)
        stock = inventory.stock_at(uow, body.location, [body.sku])
        uow.commit()
    return stock


@router.post("/stock/counts", response_model=CountOut)
def count(body: CountIn, uow: UowDep, principal: StockWrite, __: IdempotencyKey = None) -> CountOut:
    check_location_scope(principal, body.location)
    with uow:
        difference = inventory.count(uow, body, actor=principal.key_id)
        stock = inventory.stock_at(uow, body.location, [body.sku])[0]
        uow.commit()
    return CountOut(difference=difference, stock=stock)


@router.post("/stock/write-offs", response_model=list[StockAtOut])
def write_off(body: WriteOffIn, uow: UowDep, principal: StockWrite, __: IdempotencyKey = None) -> list[StockAtOut]:
    check_location_scope(principal, body.location)
    with uow:
        inventory.write_off(uow, body, actor=principal.key_id)
        stock = inventory.stock_at(uow, body.location, [ln.sku for ln in body.lines])
        uow.commit()
    return stock


@router.put("/stock/settings", response_model=StockAtOut)
def set_stock_settings(body: StockSettingsIn, uow: UowDep, principal: StockWrite) -> StockAtOut:
    """Safety stock and reorder settings of one SKU at one location."""
    check_location_scope(principal, body.location)
    with uow:
        inventory.set_stock_settings(uow, body)
        stock = inventory.stock_at(uow, body.location, [body.sku])[0]
        uow.commit()
    return stock


@router.post("/stock/sync", response_model=SyncReport)
def sync_stock(body: SyncIn, uow: UowDep, principal: StockSync) -> SyncReport:
    """Bulk quantities from a legacy POS/ERP; the batch id makes it safe to send again."""
    with uow:
        report = inventory.sync_stock(uow, body, actor=principal.key_id)
        uow.commit()
    return report


@router.get("/stock-movements", response_model=list[MovementOut])
def movements(
    uow: ReadUowDep,
    _: StockRead,
    sku: str | None = None,
    location: str | None = None,
    after: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[MovementOut]:
    with uow:
        return inventory.movements(uow, sku=sku, location_code=location, after_id=after, limit=limit)


@router.post("/reservations", status_code=201, response_model=list[ReservationOut])
def reserve(body: ReserveIn, uow: UowDep, principal: ReservationsWrite, __: IdempotencyKey = None) -> list[ReservationOut]:
    """Hold stock for a cart, order or transfer: every line or none (409 `insufficient_stock`)."""
    if principal.role is Role.INTEGRATION:
        body = body.model_copy(update={"channel": body.channel or principal.channel_code})
        check_channel_scope(principal, body.channel or "")
    check_location_scope(principal, *{ln.location for ln in body.lines})
    with uow:
        reservations = inventory.reserve(uow, body)
        uow.commit()
    return reservations


@router.get("/reservations/{reservation_id}", response_model=ReservationOut)
def get_reservation(reservation_id: str, uow: ReadUowDep, _: StockRead) -> ReservationOut:
    with uow:
        return inventory.get_reservations(uow, [reservation_id])[0]


@router.post("/reservations/{reservation_id}/release", response_model=ReservationOut)
def release(reservation_id: str, uow: UowDep, principal: ReservationsWrite, __: IdempotencyKey = None) -> ReservationOut:
    with uow:
        check_location_scope(principal, inventory.get_reservations(uow, [reservation_id])[0].location)
        inventory.release_reservations(uow, [reservation_id])
        released = inventory.get_reservations(uow, [reservation_id])[0]
        uow.commit()
    return released


@router.post("/reservations/{reservation_id}/consume", response_model=ReservationOut)
def consume(reservation_id: str, body: ConsumeIn, uow: UowDep, principal: StockWrite, __: IdempotencyKey = None) -> ReservationOut:
    """Fulfil from a reservation: on-hand and reserved drop together."""
    with uow:
        check_location_scope(principal, inventory.get_reservations(uow, [reservation_id])[0].location)
        inventory.consume_reservation(uow, reservation_id, quantity=body.quantity, actor=principal.key_id)
        consumed = inventory.get_reservations(uow, [reservation_id])[0]
        uow.commit()
    return consumed


@router.get("/replenishment/suggestions", response_model=list[SuggestionOut])
def replenishment(uow: ReadUowDep, principal: ReplenishmentRead, location: str | None = None) -> list[SuggestionOut]:
    """Where stock has fallen to its reorder point: a transfer from a location with surplus, else a purchase."""
    if location is not None:
        check_location_scope(principal, location)
    with uow:
        found = inventory.suggestions(uow, location_code=location)
    return [s for s in found if principal.may_use_location(s.location)]


@router.post("/replenishment/reorder-points", response_model=ReorderPointsOut)
def compute_reorder_points(body: ReorderPointsIn, uow: UowDep, principal: StockWrite) -> ReorderPointsOut:
    """Reorder points from recent sales velocity × lead time + safety stock."""
    if principal.role is Role.STORE_STAFF and body.location is None:
        body = body.model_copy(update={"location": next(iter(sorted(principal.location_codes)))})
    if body.location is not None:
        check_location_scope(principal, body.location)
    with uow:
        changed = inventory.compute_reorder_points(uow, days=body.days, lead_time_days=body.lead_time_days, location_code=body.location)
        uow.commit()
    return ReorderPointsOut(changed=changed)
