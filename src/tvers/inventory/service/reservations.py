"""Reservations: hold stock for a cart, order or transfer; release it, or consume it on fulfilment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, delete, insert, literal_column, select, update

from tvers.catalog import service as catalog
from tvers.channels import service as channels
from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.inventory.errors import (
    InsufficientStock,
    InvalidExpiry,
    ReservationExpired,
    ReservationNotActive,
    ReservationNotFound,
)
from tvers.inventory.events import ReservationConsumed, ReservationsReleased, StockReserved
from tvers.inventory.models import LEVELS, RESERVATIONS, Location, Movement, Reservation, StockLevel
from tvers.inventory.schemas import MovementKind, ReservationOut, ReserveIn
from tvers.inventory.service._shared import SYSTEM, location_by_code, variants_for
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id

ACTIVE, RELEASED, CONSUMED, EXPIRED = "active", "released", "consumed", "expired"

_levels, _reservations = LEVELS.c, RESERVATIONS.c
# Built once and reused: building SQLAlchemy statements per line costs more than running them. The hot paths run
# them on the session's Connection (plain Core, no ORM execution layer); `availability.changed` is no longer
# worked out here but by the relay subscriber `inventory.channel_atp` (see subscribers.py).
RESERVE = (
    update(LEVELS)
    .where(
        _levels.variant_id == bindparam("v"),
        _levels.location_id == bindparam("l"),
        _levels.on_hand - _levels.reserved - _levels.safety_stock >= bindparam("q"),
    )
    .values(reserved=_levels.reserved + bindparam("q"), updated_at=bindparam("at"))
)
UNRESERVE = (
    update(LEVELS)
    .where(_levels.variant_id == bindparam("v"), _levels.location_id == bindparam("l"))
    .values(reserved=_levels.reserved - bindparam("q"), updated_at=bindparam("at"))
)
CLOSE = (
    update(RESERVATIONS)
    .where(_reservations.id == bindparam("rid"), _reservations.status == ACTIVE)
    .values(status=bindparam("status"), closed_at=bindparam("at"))
)
HOLD = insert(RESERVATIONS)
UNHOLD = delete(RESERVATIONS).where(_reservations.id.in_(bindparam("ids", expanding=True)))
# `status = 'active'` as a literal, so even a prepared statement's generic plan can use the partial index
# ix_reservations_active_variant_id_expires_at: a range scan of the expired ones only.
_IS_ACTIVE = _reservations.status == literal_column("'active'")
_HELD = (_reservations.id, _reservations.variant_id, _reservations.location_id, _reservations.quantity)
EXPIRED_OF = select(*_HELD).where(
    _reservations.variant_id.in_(bindparam("vids", expanding=True)), _IS_ACTIVE, _reservations.expires_at <= bindparam("now")
)
HELD_BY_ID = select(*_HELD).where(_reservations.id.in_(bindparam("ids", expanding=True)))


class Held(NamedTuple):
    """What a reservation holds, as the closing statements need it."""

    id: str
    variant_id: str
    location_id: str
    quantity: int


@dataclass(frozen=True)
class ReserveLine:
    variant_id: str
    location_id: str
    quantity: int
    sku: str = ""  # for messages only


@dataclass(frozen=True)
class Ref:
    type: str  # cart | order | transfer
    id: str


def _line_key(line: ReserveLine) -> tuple[str, str]:
    return line.variant_id, line.location_id


def reserve_stock(uow: Uow, *, lines: Sequence[ReserveLine], ref: Ref, expires_at: datetime, channel_id: str | None = None) -> list[str]:
    """All lines or none; one conditional UPDATE each, in a fixed lock order.

    The reservation rows and the `stock.reserved` outbox row are written before the first UPDATE, so a stock row
    is locked only from its UPDATE to the COMMIT. A refused line raises InsufficientStock after giving back the
    lines already reserved and deleting those rows, so nothing is held or announced even if a caller committed
    after catching it.
    """
    now = uow.clock.now()
    if expires_at <= now:
        raise InvalidExpiry("the expiry is in the past", fields=[FieldError("expires_at", "must be in the future", "in_past")])
    ordered = sorted(lines, key=_line_key)  # fixed lock order: no deadlocks
    connection = uow.session.connection()
    _release_expired_at(uow, [_line_key(ln) for ln in ordered], now=now)
    ids = [new_id("rsv") for _ in ordered]
    connection.execute(
        HOLD,
        [
            {
                "id": rid,
                "variant_id": ln.variant_id,
                "location_id": ln.location_id,
                "quantity": ln.quantity,
                "reference_type": ref.type,
                "reference_id": ref.id,
                "channel_id": channel_id,
                "status": ACTIVE,
                "expires_at": expires_at,
                "created_at": now,
                "closed_at": None,
            }
            for rid, ln in zip(ids, ordered, strict=True)
        ],
    )
    event = uow.record_now(StockReserved(reference_type=ref.type, reference_id=ref.id, reservation_ids=tuple(ids)))
    for done, line in enumerate(ordered):  # the row locks: from here to COMMIT, nothing else is written
        if rows_changed(connection.execute(RESERVE, {"v": line.variant_id, "l": line.location_id, "q": line.quantity, "at": now})) != 1:
            for back in ordered[:done]:
                connection.execute(UNRESERVE, {"v": back.variant_id, "l": back.location_id, "q": back.quantity, "at": now})
            connection.execute(UNHOLD, {"ids": ids})
            uow.unrecord(event)
            raise _insufficient(uow, line)
    return ids


def _insufficient(uow: Uow, line: ReserveLine) -> InsufficientStock:
    """The refusal, saying where else the item is available (for the caller to offer)."""
    rows = uow.session.execute(
        select(Location.code, StockLevel.location_id, StockLevel.on_hand - StockLevel.reserved - StockLevel.safety_stock)
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.variant_id == line.variant_id, Location.is_active.is_(True))
        .order_by(Location.code)
    ).all()
    here = next((max(0, a) for _c, loc, a in rows if loc == line.location_id), 0)
    elsewhere = [{"location": code, "available": a} for code, loc, a in rows if loc != line.location_id and a > 0]
    where = next((c for c, loc, _a in rows if loc == line.location_id), line.location_id)
    return InsufficientStock(
        f"only {here} of {line.sku or line.variant_id} available at {where}, {line.quantity} requested",
        sku=line.sku,
        location=where,
        requested=line.quantity,
        available=here,
        available_elsewhere=elsewhere,
    )


def release_reservations(uow: Uow, reservation_ids: Sequence[str], *, reason: str = "released") -> list[str]:
    """Release active reservations; already closed ones are left alone (release is idempotent)."""
    connection = uow.session.connection()
    rows = [Held(*r) for r in connection.execute(HELD_BY_ID, {"ids": list(reservation_ids)})] if reservation_ids else []
    found = {r.id for r in rows}
    missing = [rid for rid in reservation_ids if rid not in found]
    if missing:
        raise ReservationNotFound(f"no reservation {missing[0]}")
    released = _close(uow, rows, status=RELEASED)
    if released:
        uow.record(ReservationsReleased(reservation_ids=tuple(released), reason=reason))
    return released


def release_reference(uow: Uow, ref: Ref, *, reason: str = "released") -> list[str]:
    ids = list(
        uow.session.scalars(
            select(Reservation.id).where(
                Reservation.reference_type == ref.type, Reservation.reference_id == ref.id, Reservation.status == ACTIVE
            )
        )
    )
    return release_reservations(uow, ids, reason=reason) if ids else []


def _close(uow: Uow, rows: Iterable[Held], *, status: str) -> list[str]:
    """Close each still-active reservation with one conditional UPDATE, then give its units back (fixed lock order)."""
    connection, now, closed = uow.session.connection(), uow.clock.now(), []
    for row in sorted(rows, key=lambda r: (r.variant_id, r.location_id, r.id)):
        if rows_changed(connection.execute(CLOSE, {"rid": row.id, "status": status, "at": now})) == 1:
            connection.execute(UNRESERVE, {"v": row.variant_id, "l": row.location_id, "q": row.quantity, "at": now})
            closed.append(row.id)
    if closed:
        uow.session.expire_all()  # entities loaded earlier in this unit of work must not show the old figures
    return closed


def consume_reservation(
    uow: Uow, reservation_id: str, *, quantity: int | None = None, actor: str = SYSTEM, kind: MovementKind = MovementKind.SALE
) -> int:
    """Fulfil from a reservation: on-hand and reserved drop together; a partial consume keeps the rest held."""
    row = uow.session.get(Reservation, reservation_id)
    if row is None:
        raise ReservationNotFound(f"no reservation {reservation_id}")
    if row.status != ACTIVE:
        raise ReservationNotActive(f"reservation {reservation_id} is {row.status}")
    if row.expires_at <= uow.clock.now():
        raise ReservationExpired(f"reservation {reservation_id} expired at {row.expires_at.isoformat()}")
    take = row.quantity if quantity is None else quantity
    if not 0 < take <= row.quantity:
        raise ReservationNotActive(
            f"reservation {reservation_id} holds {row.quantity}, not {take}",
            fields=[FieldError("quantity", f"at most {row.quantity}", "above_reserved")],
        )
    now = uow.clock.now()
    remaining = row.quantity - take
    updated = rows_changed(
        uow.session.execute(
            update(Reservation)
            .where(Reservation.id == row.id, Reservation.status == ACTIVE, Reservation.quantity == row.quantity)
            .values(
                quantity=remaining if remaining else row.quantity,
                status=ACTIVE if remaining else CONSUMED,
                closed_at=None if remaining else now,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if updated != 1:
        raise ReservationNotActive(f"reservation {reservation_id} changed meanwhile; retry")
    # A count or write-off may have left fewer units on the shelf than are held: then the pick cannot happen.
    picked = rows_changed(
        uow.session.execute(
            update(StockLevel)
            .where(StockLevel.variant_id == row.variant_id, StockLevel.location_id == row.location_id, StockLevel.on_hand >= take)
            .values(on_hand=StockLevel.on_hand - take, reserved=StockLevel.reserved - take, updated_at=now)
        )
    )
    if picked != 1:
        raise _short_on_shelf(uow, row, take)
    uow.session.add(
        Movement(
            variant_id=row.variant_id,
            location_id=row.location_id,
            kind=kind.value,
            quantity=-take,
            actor=actor,
            channel_id=row.channel_id,
            reference_type=row.reference_type,
            reference_id=row.reference_id,
            created_at=now,
        )
    )
    uow.session.flush()
    uow.session.expire_all()
    uow.record(ReservationConsumed(reservation_id=reservation_id, quantity=take))
    return take


def _short_on_shelf(uow: Uow, row: Reservation, take: int) -> InsufficientStock:
    level = uow.session.get(StockLevel, (row.variant_id, row.location_id))
    location = uow.session.get(Location, row.location_id)
    on_hand = level.on_hand if level else 0
    return InsufficientStock(
        f"only {on_hand} on hand at {location.code if location else row.location_id}; {take} to pick",
        location=location.code if location else row.location_id,
        requested=take,
        available=on_hand,
    )


def _release_expired_at(uow: Uow, pairs: Sequence[tuple[str, str]], *, now: datetime) -> None:
    """Lazy expiry: before reserving, give back what expired reservations still hold here."""
    connection = uow.session.connection()
    wanted = set(pairs)
    expired = [Held(*r) for r in connection.execute(EXPIRED_OF, {"vids": sorted({v for v, _ in wanted}), "now": now})]
    expired = [r for r in expired if (r.variant_id, r.location_id) in wanted]
    if not expired:
        return
    closed = _close(uow, expired, status=EXPIRED)
    if closed:
        uow.record(ReservationsReleased(reservation_ids=tuple(closed), reason="expired"))


def expired_reservations_exist(uow: Uow, *, variant_ids: Sequence[str] | None = None) -> bool:
    query = select(_reservations.id).where(_IS_ACTIVE, _reservations.expires_at <= uow.clock.now())
    if variant_ids is not None:
        query = query.where(_reservations.variant_id.in_(variant_ids))
    return uow.session.connection().execute(query.limit(1)).first() is not None


def release_expired(uow: Uow, *, variant_ids: Sequence[str] | None = None, limit: int = 500) -> int:
    """The worker's sweep (and the lazy path of availability reads): expire what has run out."""
    query = select(*_HELD).where(_IS_ACTIVE, _reservations.expires_at <= uow.clock.now())
    if variant_ids is not None:
        query = query.where(_reservations.variant_id.in_(variant_ids))
    order = (_reservations.variant_id, _reservations.location_id, _reservations.id)
    rows = [Held(*r) for r in uow.session.connection().execute(query.order_by(*order).limit(limit))]
    if not rows:
        return 0
    closed = _close(uow, rows, status=EXPIRED)
    if closed:
        uow.record(ReservationsReleased(reservation_ids=tuple(closed), reason="expired"))
    return len(closed)


def reservations_for(uow: Uow, ref: Ref) -> list[ReservationOut]:
    ids = list(
        uow.session.scalars(select(Reservation.id).where(Reservation.reference_type == ref.type, Reservation.reference_id == ref.id))
    )
    return get_reservations(uow, ids) if ids else []


def reserve(uow: Uow, data: ReserveIn) -> list[ReservationOut]:
    """The API's reservation: SKUs and location codes in, reservations out."""
    variants = variants_for(uow, [ln.sku for ln in data.lines])
    codes = {ln.location for ln in data.lines}
    locations = {code: location_by_code(uow, code, field="lines", active=True) for code in sorted(codes)}
    channel_id = channels.channel_ref(uow, data.channel).id if data.channel else None
    ids = reserve_stock(
        uow,
        lines=[ReserveLine(variants[ln.sku].id, locations[ln.location].id, ln.quantity, sku=ln.sku) for ln in data.lines],
        ref=Ref(data.reference_type.value, data.reference_id),
        expires_at=data.expires_at,
        channel_id=channel_id,
    )
    return get_reservations(uow, ids)


def get_reservations(uow: Uow, reservation_ids: Sequence[str]) -> list[ReservationOut]:
    rows = uow.session.execute(
        select(Reservation, Location.code)
        .join(Location, Location.id == Reservation.location_id)
        .where(Reservation.id.in_(reservation_ids))
        .order_by(Reservation.id)
    ).all()
    if len(rows) != len(set(reservation_ids)):
        raise ReservationNotFound("no such reservation")
    skus = catalog.skus_by_id(uow, {r.variant_id for r, _ in rows})
    return [
        ReservationOut(
            id=r.id,
            sku=skus[r.variant_id],
            location=code,
            quantity=r.quantity,
            reference_type=r.reference_type,
            reference_id=r.reference_id,
            status=r.status,
            expires_at=r.expires_at,
        )
        for r, code in rows
    ]
