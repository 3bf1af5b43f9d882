"""Reservations: hold stock for a cart, order or transfer; release it, or consume it on fulfilment."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import TextClause, bindparam, delete, insert, literal_column, select, text, update

from tvers.catalog import service as catalog
from tvers.channels import service as channels
from tvers.db import outbox
from tvers.db.base import UtcDateTime
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


@functools.lru_cache(maxsize=16)
def reserve_on_postgresql(lines: int) -> TextClause:
    """PostgreSQL, all lines or none in one statement: the conditional UPDATEs, then — only if every line fits —
    the reservation rows and the `stock.reserved` outbox row. A refusal writes nothing, so nothing needs giving back.

    One line: its conditional UPDATE decides. Several: their stock rows are locked first, in the fixed order
    (COLLATE "C" sorts as Python does), and the decision is taken on what the locks show, so that the UPDATEs run
    for all lines or for none (still conditional, as everywhere).

    One text per number of lines, the lines as a VALUES list: the planner then knows how many rows there are even in
    a prepared statement's generic plan, which it keeps using instead of planning every call anew (an array's
    unnest() is guessed at 10 rows, and that made the custom plans look cheaper: 0.3 ms of planning a call).
    """
    values = ", ".join(
        f"(CAST(:id{i} AS text), CAST(:v{i} AS text), CAST(:l{i} AS text), CAST(:q{i} AS integer))" for i in range(lines)
    )
    conditional_update = (
        " UPDATE stock_levels s SET reserved = s.reserved + w.quantity, updated_at = :at FROM want w{decided}"
        " WHERE{granted} s.variant_id = w.variant_id AND s.location_id = w.location_id"
        " AND s.on_hand - s.reserved - s.safety_stock >= w.quantity RETURNING s.variant_id"
    )
    if lines == 1:
        moved = conditional_update.format(decided="", granted="")
        decide = f" moved AS ({moved}), decision AS (SELECT count(*) = 1 AS granted FROM moved),"
    else:
        decide = (
            " locked AS MATERIALIZED ("
            " SELECT s.variant_id, s.location_id, s.on_hand - s.reserved - s.safety_stock AS available"
            " FROM want w JOIN stock_levels s ON s.variant_id = w.variant_id AND s.location_id = w.location_id"
            ' ORDER BY s.variant_id COLLATE "C", s.location_id COLLATE "C" FOR UPDATE OF s),'
            f" decision AS (SELECT count(*) = {lines} AS granted FROM want w JOIN locked l USING (variant_id, location_id)"
            " WHERE l.available >= w.quantity),"
            f" moved AS ({conditional_update.format(decided=', decision d', granted=' d.granted AND')}),"
        )
    return text(
        f"WITH want (id, variant_id, location_id, quantity) AS MATERIALIZED (VALUES {values}),{decide}"
        " held AS (INSERT INTO reservations (id, variant_id, location_id, quantity, reference_type, reference_id, channel_id,"
        " status, expires_at, created_at) SELECT w.id, w.variant_id, w.location_id, w.quantity, :reference_type, :reference_id,"
        " :channel_id, 'active', :expires_at, :at FROM want w, decision d WHERE d.granted),"
        f" announced AS ({outbox.stage_in_statement('FROM decision d WHERE d.granted')})"
        f" SELECT d.granted AND (SELECT count(*) FROM moved) = {lines} FROM decision d"
    ).bindparams(*(bindparam(name, type_=UtcDateTime) for name in ("at", "expires_at", "event_at")))


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
    """All lines or none; one conditional UPDATE each, in a fixed lock order; returns the reservation ids in that order.

    Expired reservations are given back (lazy expiry) only when the units they hold are needed: a refused attempt
    changed nothing, so the expired holds on its lines are released and it is tried once more. Refused again, it
    raises InsufficientStock and nothing is held or announced, even if a caller commits after catching it.
    """
    now = uow.clock.now()
    if expires_at <= now:
        raise InvalidExpiry("the expiry is in the past", fields=[FieldError("expires_at", "must be in the future", "in_past")])
    ordered = sorted(lines, key=_line_key)  # fixed lock order: no deadlocks
    hold = _Hold.new(ordered, ref, channel_id, expires_at, now)
    attempt = _reserve_in_one_statement if uow.dialect == "postgresql" and _distinct(ordered) else _reserve_line_by_line
    refused = attempt(uow, hold)
    if refused is not None and _release_expired_at(uow, [_line_key(ln) for ln in ordered], now=now):
        hold = _Hold.new(ordered, ref, channel_id, expires_at, now)  # fresh ids: the refused attempt's rows are gone
        refused = attempt(uow, hold)
    if refused is not None:
        raise _insufficient(uow, refused)
    return list(hold.ids)


@dataclass(frozen=True)
class _Hold:
    """One attempt at a reservation: its lines in lock order and the rows it writes."""

    lines: Sequence[ReserveLine]
    ref: Ref
    channel_id: str | None
    expires_at: datetime
    now: datetime
    ids: tuple[str, ...]

    @classmethod
    def new(cls, lines: Sequence[ReserveLine], ref: Ref, channel_id: str | None, expires_at: datetime, now: datetime) -> _Hold:
        return cls(lines, ref, channel_id, expires_at, now, tuple(new_id("rsv") for _ in lines))

    def rows(self) -> list[dict[str, object]]:
        return [
            {
                "id": rid,
                "variant_id": ln.variant_id,
                "location_id": ln.location_id,
                "quantity": ln.quantity,
                "reference_type": self.ref.type,
                "reference_id": self.ref.id,
                "channel_id": self.channel_id,
                "status": ACTIVE,
                "expires_at": self.expires_at,
                "created_at": self.now,
                "closed_at": None,
            }
            for rid, ln in zip(self.ids, self.lines, strict=True)
        ]

    def event(self) -> StockReserved:
        return StockReserved(reference_type=self.ref.type, reference_id=self.ref.id, reservation_ids=self.ids)


def _distinct(lines: Sequence[ReserveLine]) -> bool:
    return len({_line_key(ln) for ln in lines}) == len(lines)


def _reserve_line_by_line(uow: Uow, hold: _Hold) -> ReserveLine | None:
    """Any database: the rows and the event first, then one conditional UPDATE per line; the refused line, if any,
    after giving back the lines reserved before it and deleting the rows and the event."""
    connection = uow.session.connection()
    connection.execute(HOLD, hold.rows())
    event = uow.record_now(hold.event())
    for done, line in enumerate(hold.lines):  # the row locks: from here to COMMIT, nothing else is written
        params = {"v": line.variant_id, "l": line.location_id, "q": line.quantity, "at": hold.now}
        if rows_changed(connection.execute(RESERVE, params)) != 1:
            for back in hold.lines[:done]:
                connection.execute(UNRESERVE, {"v": back.variant_id, "l": back.location_id, "q": back.quantity, "at": hold.now})
            connection.execute(UNHOLD, {"ids": hold.ids})
            uow.unrecord(event)
            return line
    return None


def _reserve_in_one_statement(uow: Uow, hold: _Hold) -> ReserveLine | None:
    """PostgreSQL, distinct lines: the decision, the conditional UPDATEs, the rows and the event in one statement
    (one round trip; the stock rows are locked from it to COMMIT). Refused, it wrote nothing; the refused line is
    told by reading the levels again, which only a refusal pays for."""
    uow.stage_recorded()  # events recorded before this one keep their place in the outbox
    params: dict[str, object] = {
        "reference_type": hold.ref.type,
        "reference_id": hold.ref.id,
        "channel_id": hold.channel_id,
        "expires_at": hold.expires_at,
        "at": hold.now,
        **outbox.statement_params(hold.event(), at=hold.now),
    }
    for i, (rid, line) in enumerate(zip(hold.ids, hold.lines, strict=True)):
        params |= {f"id{i}": rid, f"v{i}": line.variant_id, f"l{i}": line.location_id, f"q{i}": line.quantity}
    granted = uow.session.connection().execute(reserve_on_postgresql(len(hold.lines)), params).scalar_one()
    return None if granted else _first_short(uow, hold.lines)


def _first_short(uow: Uow, lines: Sequence[ReserveLine]) -> ReserveLine:
    if len(lines) == 1:  # nothing to tell apart
        return lines[0]
    available = dict(
        ((v, loc), a)
        for v, loc, a in uow.session.connection().execute(
            select(_levels.variant_id, _levels.location_id, _levels.on_hand - _levels.reserved - _levels.safety_stock).where(
                _levels.variant_id.in_({ln.variant_id for ln in lines})
            )
        )
    )
    return next((ln for ln in lines if available.get(_line_key(ln), 0) < ln.quantity), lines[0])


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


def _release_expired_at(uow: Uow, pairs: Sequence[tuple[str, str]], *, now: datetime) -> int:
    """Lazy expiry: give back what expired reservations still hold here; returns how many were closed."""
    connection = uow.session.connection()
    wanted = set(pairs)
    expired = [Held(*r) for r in connection.execute(EXPIRED_OF, {"vids": sorted({v for v, _ in wanted}), "now": now})]
    expired = [r for r in expired if (r.variant_id, r.location_id) in wanted]
    if not expired:
        return 0
    closed = _close(uow, expired, status=EXPIRED)
    if closed:
        uow.record(ReservationsReleased(reservation_ids=tuple(closed), reason="expired"))
    return len(closed)


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
