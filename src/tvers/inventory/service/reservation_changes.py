"""Shrinking a reservation when some units of an order line are cancelled or edited away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.inventory.errors import ReservationNotFound
from tvers.inventory.events import ReservationsReleased
from tvers.inventory.models import RESERVATIONS, Reservation
from tvers.inventory.service.reservations import ACTIVE, UNRESERVE, Ref, consume_reservation, release_reservations


def shrink_reservation(uow: Uow, *, ref: Ref, variant_id: str, location_id: str, by: int, reason: str) -> None:
    """Give `by` units of the reference's active reservation back; all of them closes it as released."""
    row = uow.session.scalars(select(Reservation).where(
        Reservation.reference_type == ref.type, Reservation.reference_id == ref.id, Reservation.variant_id == variant_id,
        Reservation.location_id == location_id, Reservation.status == ACTIVE)).first()
    if row is None:
        raise ReservationNotFound(f"no active reservation of {variant_id} at {location_id} for {ref.type} {ref.id}")
    if by >= row.quantity:
        release_reservations(uow, [row.id], reason=reason)
        return
    shrunk = update(Reservation).where(Reservation.id == row.id, Reservation.status == ACTIVE, Reservation.quantity > by)
    if rows_changed(uow.session.execute(shrunk.values(quantity=Reservation.quantity - by))) != 1:
        raise ReservationNotFound(f"reservation {row.id} changed while it was being shrunk")
    uow.session.execute(UNRESERVE, {"v": variant_id, "l": location_id, "q": by, "at": uow.clock.now()})
    uow.session.expire_all()
    uow.record(ReservationsReleased(reservation_ids=(row.id,), reason=f"{reason} ({by} units)"))


# Built once and run as Core: checkout holds every confirmed order's stock with it.
_HOLD_UNTIL = (
    update(RESERVATIONS)
    .where(RESERVATIONS.c.reference_type == bindparam("ref_type"), RESERVATIONS.c.reference_id == bindparam("ref_id"),
           RESERVATIONS.c.status == ACTIVE, RESERVATIONS.c.expires_at > bindparam("now"))
    .values(expires_at=bindparam("until"))
)


def hold_reservations_until(uow: Uow, ref: Ref, *, expires_at: datetime) -> int:
    """Move the expiry of the reference's active, unexpired reservations (a confirmed order keeps its stock); returns how many."""
    params = {"ref_type": ref.type, "ref_id": ref.id, "now": uow.clock.now(), "until": expires_at}
    return rows_changed(uow.core_connection().execute(_HOLD_UNTIL, params))  # as before: loaded entities are not synchronised


def active_references(uow: Uow, reference_type: str) -> dict[str, datetime]:
    """Every reference of a type holding stock now, with the earliest expiry of its active reservations."""
    rows = uow.session.execute(select(Reservation.reference_id, func.min(Reservation.expires_at))
                               .where(Reservation.reference_type == reference_type, Reservation.status == ACTIVE)
                               .group_by(Reservation.reference_id)).all()
    return {reference: expires_at for reference, expires_at in rows}


@dataclass(frozen=True)
class HeldUnits:
    """An active reservation as fulfilment needs it: what, where, how many."""

    reservation_id: str
    variant_id: str
    location_id: str
    quantity: int


def held_by(uow: Uow, ref: Ref) -> list[HeldUnits]:
    """The reference's active reservations, oldest first."""
    rows = uow.session.execute(select(Reservation.id, Reservation.variant_id, Reservation.location_id, Reservation.quantity)
                               .where(Reservation.reference_type == ref.type, Reservation.reference_id == ref.id,
                                      Reservation.status == ACTIVE).order_by(Reservation.created_at, Reservation.id)).all()
    return [HeldUnits(*row) for row in rows]


def consume_held(uow: Uow, ref: Ref, *, variant_id: str, location_id: str, quantity: int, actor: str) -> None:
    """Units leave the shelf for the reference (shipped, handed over): taken from its reservations at that location."""
    left = quantity
    for held in held_by(uow, ref):
        if left == 0:
            break
        if held.variant_id == variant_id and held.location_id == location_id:
            take = min(left, held.quantity)
            consume_reservation(uow, held.reservation_id, quantity=take, actor=actor)
            left -= take
    if left:
        raise ReservationNotFound(f"{ref.type} {ref.id} holds {quantity - left} of {quantity} units of {variant_id} at {location_id}")


def renew_held(uow: Uow, ref: Ref, *, expires_at: datetime) -> int:
    """Push the expiry of every active reservation of the reference (including ones already past it: work on them goes on)."""
    moved = update(Reservation).where(Reservation.reference_type == ref.type, Reservation.reference_id == ref.id,
                                      Reservation.status == ACTIVE)
    return rows_changed(uow.session.execute(moved.values(expires_at=expires_at).execution_options(synchronize_session=False)))
