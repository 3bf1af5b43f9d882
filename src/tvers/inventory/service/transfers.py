"""Transfers between locations: create (reserves at the source) → ship → receive, partly or wholly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tvers.catalog import service as catalog
from tvers.db.uow import Uow
from tvers.inventory.errors import InvalidTransfer, OverReceipt, TransferNotFound, TransferStateConflict
from tvers.inventory.events import StockMoved, TransferChanged
from tvers.inventory.models import Location, Transfer, TransferLine
from tvers.inventory.schemas import MovementKind, TransferIn, TransferLineOut, TransferOut, TransferReceiveIn
from tvers.inventory.service._shared import Change, apply_changes, location_by_code, variants_for
from tvers.inventory.service.reservations import Ref, ReserveLine, consume_reservation, release_reference, reserve_stock
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id

# A transfer holds its units until shipped; a long hold is expected, not an abandoned cart.
TRANSFER_HOLD = timedelta(days=90)
REQUESTED, IN_TRANSIT, PARTIALLY_RECEIVED, RECEIVED, CANCELLED = ("requested", "in_transit", "partially_received", "received", "cancelled")


def create_transfer(uow: Uow, data: TransferIn, *, actor: str) -> TransferOut:
    if data.from_location == data.to_location:
        message = "a transfer needs two different locations"
        raise InvalidTransfer(message, fields=[FieldError("to_location", message, "same_location")])
    source = location_by_code(uow, data.from_location, field="from_location", active=True)
    target = location_by_code(uow, data.to_location, field="to_location", active=True)
    _check_unique_skus(data)
    variants = variants_for(uow, [ln.sku for ln in data.lines])
    transfer = Transfer(
        id=new_id("trf"),
        from_location_id=source.id,
        to_location_id=target.id,
        status=REQUESTED,
        reference=data.reference,
        created_by=actor,
        created_at=uow.clock.now(),
    )
    uow.session.add(transfer)
    uow.session.flush()
    reservations = reserve_stock(
        uow,
        lines=[ReserveLine(variants[ln.sku].id, source.id, ln.quantity, sku=ln.sku) for ln in data.lines],
        ref=Ref("transfer", transfer.id),
        expires_at=uow.clock.now() + TRANSFER_HOLD,
    )
    by_variant = dict(zip(sorted(variants[ln.sku].id for ln in data.lines), reservations, strict=True))
    uow.session.add_all(
        TransferLine(
            transfer_id=transfer.id,
            variant_id=variants[ln.sku].id,
            quantity=ln.quantity,
            shipped=0,
            received=0,
            reservation_id=by_variant[variants[ln.sku].id],
        )
        for ln in data.lines
    )
    uow.session.flush()
    uow.record(TransferChanged(transfer_id=transfer.id, status=REQUESTED))
    return get_transfer(uow, transfer.id)


def _check_unique_skus(data: TransferIn | TransferReceiveIn) -> None:
    seen: set[str] = set()
    for i, line in enumerate(data.lines):
        if line.sku in seen:
            raise InvalidTransfer(f"{line.sku} appears twice", fields=[FieldError(f"lines.{i}.sku", "appears twice", "duplicate_sku")])
        seen.add(line.sku)


def ship_transfer(uow: Uow, transfer_id: str, *, actor: str) -> TransferOut:
    transfer = _transfer(uow, transfer_id, expect=(REQUESTED,))
    for line in _lines(uow, transfer_id):
        assert line.reservation_id is not None
        consume_reservation(uow, line.reservation_id, actor=actor, kind=MovementKind.TRANSFER_OUT)
        line.shipped = line.quantity
    transfer.status, transfer.shipped_at = IN_TRANSIT, uow.clock.now()
    uow.session.flush()
    uow.record(TransferChanged(transfer_id=transfer_id, status=IN_TRANSIT))
    return get_transfer(uow, transfer_id)


def receive_transfer(uow: Uow, transfer_id: str, data: TransferReceiveIn, *, actor: str) -> TransferOut:
    transfer = _transfer(uow, transfer_id, expect=(IN_TRANSIT, PARTIALLY_RECEIVED))
    _check_unique_skus(data)
    lines = {line.variant_id: line for line in _lines(uow, transfer_id)}
    variants = variants_for(uow, [ln.sku for ln in data.lines])
    target = uow.session.get(Location, transfer.to_location_id)
    assert target is not None
    changes = []
    for i, received in enumerate(data.lines):
        line = lines.get(variants[received.sku].id)
        if line is None:
            raise InvalidTransfer(
                f"{received.sku} is not on this transfer", fields=[FieldError(f"lines.{i}.sku", "not on this transfer", "not_on_transfer")]
            )
        if received.quantity > line.shipped - line.received:
            message = f"only {line.shipped - line.received} of {received.sku} still in transit"
            raise OverReceipt(message, fields=[FieldError(f"lines.{i}.quantity", message, OverReceipt.code)])
        line.received += received.quantity
        changes.append(
            Change(
                line.variant_id,
                target.id,
                received.quantity,
                MovementKind.TRANSFER_IN,
                reference_type="transfer",
                reference_id=transfer_id,
                sku=received.sku,
                location_code=target.code,
            )
        )
    apply_changes(uow, changes, actor=actor)
    done = all(line.received == line.shipped for line in lines.values())
    transfer.status = RECEIVED if done else PARTIALLY_RECEIVED
    transfer.received_at = uow.clock.now() if done else None
    uow.session.flush()
    uow.record(
        StockMoved(
            kind=MovementKind.TRANSFER_IN.value,
            location_code=target.code,
            lines=tuple((ln.sku, ln.quantity) for ln in data.lines),
            reference_type="transfer",
            reference_id=transfer_id,
        )
    )
    uow.record(TransferChanged(transfer_id=transfer_id, status=transfer.status))
    return get_transfer(uow, transfer_id)


def cancel_transfer(uow: Uow, transfer_id: str) -> TransferOut:
    transfer = _transfer(uow, transfer_id, expect=(REQUESTED,))
    release_reference(uow, Ref("transfer", transfer_id), reason="transfer cancelled")
    transfer.status = CANCELLED
    uow.session.flush()
    uow.record(TransferChanged(transfer_id=transfer_id, status=CANCELLED))
    return get_transfer(uow, transfer_id)


def get_transfer(uow: Uow, transfer_id: str) -> TransferOut:
    transfer = _transfer(uow, transfer_id, expect=None)
    lines = _lines(uow, transfer_id)
    skus = catalog.skus_by_id(uow, [ln.variant_id for ln in lines])
    codes = dict(
        uow.session.execute(
            select(Location.id, Location.code).where(Location.id.in_((transfer.from_location_id, transfer.to_location_id)))
        ).all()
    )
    return TransferOut(
        id=transfer.id,
        from_location=codes[transfer.from_location_id],
        to_location=codes[transfer.to_location_id],
        status=transfer.status,
        reference=transfer.reference,
        created_at=transfer.created_at,
        shipped_at=transfer.shipped_at,
        received_at=transfer.received_at,
        lines=[
            TransferLineOut(
                sku=skus[ln.variant_id], quantity=ln.quantity, shipped=ln.shipped, received=ln.received, in_transit=ln.shipped - ln.received
            )
            for ln in lines
        ],
    )


def _transfer(uow: Uow, transfer_id: str, *, expect: tuple[str, ...] | None) -> Transfer:
    transfer = uow.session.get(Transfer, transfer_id, with_for_update=expect is not None)
    if transfer is None:
        raise TransferNotFound(f"no transfer {transfer_id}")
    if expect is not None and transfer.status not in expect:
        raise TransferStateConflict(f"transfer {transfer_id} is {transfer.status}; this needs {' or '.join(expect)}")
    return transfer


def _lines(uow: Uow, transfer_id: str) -> list[TransferLine]:
    return list(uow.session.scalars(select(TransferLine).where(TransferLine.transfer_id == transfer_id).order_by(TransferLine.variant_id)))
