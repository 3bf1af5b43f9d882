"""Shrinking a reservation when some units of an order line are cancelled or edited away."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.inventory.errors import ReservationNotFound
from tvers.inventory.events import ReservationsReleased
from tvers.inventory.models import Reservation
from tvers.inventory.service.reservations import ACTIVE, UNRESERVE, Ref, release_reservations


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


def hold_reservations_until(uow: Uow, ref: Ref, *, expires_at: datetime) -> int:
    """Move the expiry of the reference's active, unexpired reservations (a confirmed order keeps its stock); returns how many."""
    now = uow.clock.now()
    moved = update(Reservation).where(Reservation.reference_type == ref.type, Reservation.reference_id == ref.id,
                                      Reservation.status == ACTIVE, Reservation.expires_at > now)
    return rows_changed(uow.session.execute(moved.values(expires_at=expires_at).execution_options(synchronize_session=False)))


def active_references(uow: Uow, reference_type: str) -> dict[str, datetime]:
    """Every reference of a type holding stock now, with the earliest expiry of its active reservations."""
    rows = uow.session.execute(select(Reservation.reference_id, func.min(Reservation.expires_at))
                               .where(Reservation.reference_type == reference_type, Reservation.status == ACTIVE)
                               .group_by(Reservation.reference_id)).all()
    return {reference: expires_at for reference, expires_at in rows}
