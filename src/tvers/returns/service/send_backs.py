"""Returned resellable units restocked at a store and sent back to a warehouse later: which are still to go, and which
transfer took them, so a unit is never sent twice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.returns import return_states
from tvers.returns.errors import NothingToSendBack
from tvers.returns.events import ReturnsSentBack
from tvers.returns.models import Return, ReturnLineRow
from tvers.returns.schemas import Condition


@dataclass(frozen=True, slots=True)
class UnitsToSendBack:
    line_ids: tuple[int, ...]
    return_ids: tuple[str, ...]
    quantities: dict[str, int]  # sku → units


def units_to_send_back(uow: Uow, *, location_id: str, location_code: str) -> UnitsToSendBack:
    """The resellable units received at the location and not sent back yet; a 409 when there are none."""
    rows = uow.session.execute(select(ReturnLineRow.id, ReturnLineRow.sku, ReturnLineRow.quantity, Return.id.label("return_id"))
                               .join(Return).where(Return.returned_at_location_id == location_id,
                                                   Return.status.in_(return_states.RECEIVED_GOODS),
                                                   ReturnLineRow.condition == Condition.RESELLABLE.value,
                                                   ReturnLineRow.sent_back_transfer_id.is_(None), ReturnLineRow.quantity > 0)
                               .order_by(ReturnLineRow.id)).all()
    if not rows:
        raise NothingToSendBack(f"{location_code} holds no returned units that were not sent back already")
    quantities: dict[str, int] = {}
    for row in rows:
        quantities[row.sku] = quantities.get(row.sku, 0) + row.quantity
    return UnitsToSendBack(line_ids=tuple(r.id for r in rows), return_ids=tuple(dict.fromkeys(r.return_id for r in rows)),
                           quantities=quantities)


def mark_sent_back(uow: Uow, units: UnitsToSendBack, *, transfer_id: str, from_code: str, to_code: str) -> None:
    """The units went by `transfer_id`; a unit another send-back took meanwhile makes this one a 409 (the caller rolls back)."""
    moved = rows_changed(uow.session.execute(update(ReturnLineRow).where(
        ReturnLineRow.id.in_(units.line_ids), ReturnLineRow.sent_back_transfer_id.is_(None)).values(sent_back_transfer_id=transfer_id)))
    if moved != len(units.line_ids):
        raise NothingToSendBack(f"some returned units at {from_code} were sent back meanwhile; try again")
    uow.record(ReturnsSentBack(transfer_id=transfer_id, from_location=from_code, to_location=to_code, return_ids=units.return_ids,
                               lines=tuple({"sku": sku, "quantity": q} for sku, q in sorted(units.quantities.items()))))
