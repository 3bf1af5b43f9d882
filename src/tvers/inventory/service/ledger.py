"""Stock operations that move on-hand stock: receive, adjust, count, write off, restock returns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update

from tvers.catalog import service as catalog
from tvers.db.uow import Uow
from tvers.inventory.errors import InvalidQuantity, VariantArchived
from tvers.inventory.events import StockMoved, StockSettingsChanged
from tvers.inventory.models import Location, Movement, StockLevel
from tvers.inventory.schemas import (
    AdjustIn,
    CountIn,
    MovementKind,
    MovementOut,
    ReceiveIn,
    StockLineIn,
    StockSettingsIn,
    WriteOffIn,
)
from tvers.inventory.service._shared import Change, apply_changes, ensure_levels, location_by_code, variants_for
from tvers.kernel.errors import FieldError


def move_stock(
    uow: Uow,
    *,
    location_code: str,
    lines: Sequence[StockLineIn],
    kind: MovementKind,
    sign: int,
    actor: str,
    reason: str | None = None,
    reference_type: str | None = None,
    reference_id: str | None = None,
    channel_id: str | None = None,
) -> None:
    """Add (sign 1) or take (sign -1) units at one location, as one ledger entry per line."""
    location = location_by_code(uow, location_code)
    variants = variants_for(uow, [ln.sku for ln in lines])
    changes = [
        Change(
            variants[ln.sku].id,
            location.id,
            sign * ln.quantity,
            kind,
            reason,
            reference_type,
            reference_id,
            sku=ln.sku,
            location_code=location.code,
        )
        for ln in lines
    ]
    apply_changes(uow, changes, actor=actor, channel_id=channel_id)
    uow.record(
        StockMoved(
            kind=kind.value,
            location_code=location.code,
            lines=tuple((ln.sku, sign * ln.quantity) for ln in lines),
            reference_type=reference_type,
            reference_id=reference_id,
        )
    )


def receive(uow: Uow, data: ReceiveIn, *, actor: str) -> None:
    move_stock(
        uow,
        location_code=data.location,
        lines=data.lines,
        kind=MovementKind.RECEIPT,
        sign=1,
        actor=actor,
        reference_type="receipt" if data.reference else None,
        reference_id=data.reference,
    )


def write_off(uow: Uow, data: WriteOffIn, *, actor: str) -> None:
    move_stock(uow, location_code=data.location, lines=data.lines, kind=MovementKind.DAMAGE, sign=-1, actor=actor, reason=data.reason)


def restock_return(uow: Uow, *, location_code: str, lines: Sequence[StockLineIn], return_id: str, actor: str) -> None:
    move_stock(
        uow,
        location_code=location_code,
        lines=lines,
        kind=MovementKind.RETURN_RESTOCK,
        sign=1,
        actor=actor,
        reference_type="return",
        reference_id=return_id,
    )


def adjust(uow: Uow, data: AdjustIn, *, actor: str) -> None:
    if data.quantity == 0:
        raise InvalidQuantity("an adjustment of 0 changes nothing", fields=[FieldError("quantity", "must not be 0", "zero")])
    move_stock(
        uow,
        location_code=data.location,
        lines=[StockLineIn(sku=data.sku, quantity=abs(data.quantity))],
        kind=MovementKind.ADJUSTMENT,
        sign=1 if data.quantity > 0 else -1,
        actor=actor,
        reason=data.reason,
    )


def count(uow: Uow, data: CountIn, *, actor: str) -> int:
    """Record a cycle count; returns the difference written to the ledger.

    Reserved units are still on the shelf until picked, so the count is of on-hand stock and
    reservations stay as they are. Movements recorded after `counted_at` (a sale while the
    count sheet was on its way) happened after the count, so they are kept on top of it.
    """
    location = location_by_code(uow, data.location)
    variant = variants_for(uow, [data.sku], field="")[data.sku]
    if variant.is_archived:
        raise VariantArchived(
            f"{data.sku} is archived; counts are for variants in the range", fields=[FieldError("sku", "archived", VariantArchived.code)]
        )
    counted_at = data.counted_at or uow.clock.now()
    ensure_levels(uow, [(variant.id, location.id)])
    level = uow.session.execute(
        select(StockLevel).where(StockLevel.variant_id == variant.id, StockLevel.location_id == location.id).with_for_update()
    ).scalar_one()
    since = (
        uow.session.scalar(
            select(func.coalesce(func.sum(Movement.quantity), 0)).where(
                Movement.variant_id == variant.id, Movement.location_id == location.id, Movement.created_at > counted_at
            )
        )
        or 0
    )
    difference = max(0, data.counted + since) - level.on_hand
    if difference:
        apply_changes(
            uow,
            [
                Change(
                    variant.id,
                    location.id,
                    difference,
                    MovementKind.COUNT,
                    f"counted {data.counted}",
                    sku=data.sku,
                    location_code=location.code,
                )
            ],
            actor=actor,
        )
        uow.record(
            StockMoved(
                kind=MovementKind.COUNT.value,
                location_code=location.code,
                lines=((data.sku, difference),),
                reference_type=None,
                reference_id=None,
            )
        )
    uow.session.expire_all()
    return difference


def set_stock_settings(uow: Uow, data: StockSettingsIn) -> None:
    location = location_by_code(uow, data.location)
    variant = variants_for(uow, [data.sku], field="")[data.sku]
    ensure_levels(uow, [(variant.id, location.id)])
    values = {
        k: v
        for k, v in (
            ("safety_stock", data.safety_stock),
            ("reorder_point", data.reorder_point),
            ("reorder_quantity", data.reorder_quantity),
        )
        if v is not None
    }
    if not values:
        return
    uow.session.execute(
        update(StockLevel)
        .where(StockLevel.variant_id == variant.id, StockLevel.location_id == location.id)
        .values(**values, updated_at=uow.clock.now())
    )
    uow.record(StockSettingsChanged(location_code=location.code, sku=data.sku, **values))


def movements(
    uow: Uow,
    *,
    sku: str | None = None,
    location_code: str | None = None,
    after_id: int | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[MovementOut]:
    query = select(Movement, Location.code).join(Location, Location.id == Movement.location_id)
    if sku is not None:
        query = query.where(Movement.variant_id == variants_for(uow, [sku], field="")[sku].id)
    if location_code is not None:
        query = query.where(Movement.location_id == location_by_code(uow, location_code).id)
    if after_id is not None:
        query = query.where(Movement.id > after_id)
    if since is not None:
        query = query.where(Movement.created_at >= since)
    rows = uow.session.execute(query.order_by(Movement.id).limit(limit)).all()
    skus = catalog.skus_by_id(uow, {m.variant_id for m, _ in rows})
    return [
        MovementOut(
            id=m.id,
            sku=skus[m.variant_id],
            location=code,
            kind=MovementKind(m.kind),
            quantity=m.quantity,
            reason=m.reason,
            actor=m.actor,
            reference_type=m.reference_type,
            reference_id=m.reference_id,
            created_at=m.created_at,
        )
        for m, code in rows
    ]
