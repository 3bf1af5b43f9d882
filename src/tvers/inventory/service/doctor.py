"""The doctor's stock check: every cached level against its ledger."""

from __future__ import annotations

from sqlalchemy import func, select

from tvers.catalog import service as catalog
from tvers.db.uow import Uow
from tvers.inventory.models import Location, Movement, Reservation, StockLevel
from tvers.inventory.schemas import DoctorFinding, DoctorReport


def check_stock(uow: Uow) -> DoctorReport:
    """on_hand must equal Σ movements, reserved Σ active reservations, for every level."""
    ledger = dict(
        ((v, loc), int(q))
        for v, loc, q in uow.session.execute(
            select(Movement.variant_id, Movement.location_id, func.sum(Movement.quantity)).group_by(
                Movement.variant_id, Movement.location_id
            )
        ).all()
    )
    held = dict(
        ((v, loc), int(q))
        for v, loc, q in uow.session.execute(
            select(Reservation.variant_id, Reservation.location_id, func.sum(Reservation.quantity))
            .where(Reservation.status == "active")
            .group_by(Reservation.variant_id, Reservation.location_id)
        ).all()
    )
    levels = uow.session.execute(select(StockLevel.variant_id, StockLevel.location_id, StockLevel.on_hand, StockLevel.reserved)).all()
    raw = []
    seen = set()
    for variant_id, location_id, on_hand, reserved in levels:
        key = (variant_id, location_id)
        seen.add(key)
        if on_hand != ledger.get(key, 0):
            raw.append((key, "on_hand", on_hand, ledger.get(key, 0)))
        if reserved != held.get(key, 0):
            raw.append((key, "reserved", reserved, held.get(key, 0)))
    raw += [(key, "on_hand", 0, q) for key, q in ledger.items() if key not in seen and q]
    raw += [(key, "reserved", 0, q) for key, q in held.items() if key not in seen and q]
    return DoctorReport(checked=len(levels), findings=_named(uow, raw))


def _named(uow: Uow, raw: list[tuple[tuple[str, str], str, int, int]]) -> list[DoctorFinding]:
    if not raw:
        return []
    skus = catalog.skus_by_id(uow, {key[0] for key, *_ in raw})
    codes = dict(uow.session.execute(select(Location.id, Location.code)).all())
    return [DoctorFinding(sku=skus.get(v, v), location=codes.get(loc, loc), field=f, cached=c, ledger=lg) for (v, loc), f, c, lg in raw]
