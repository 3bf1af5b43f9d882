"""Transfer routes: create → ship → receive (partly or wholly), or cancel before shipping."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tvers.channels.access import Permission, Principal
from tvers.inventory import service as inventory
from tvers.inventory.schemas import TransferIn, TransferOut, TransferReceiveIn
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, check_location_scope, requires

router = api_router("stock")

StockRead = Annotated[Principal, Depends(requires(Permission.STOCK_READ))]
TransfersWrite = Annotated[Principal, Depends(requires(Permission.TRANSFERS_WRITE))]


@router.post("/transfers", status_code=201, response_model=TransferOut)
def create_transfer(body: TransferIn, uow: UowDep, principal: TransfersWrite, __: IdempotencyKey = None) -> TransferOut:
    """Reserves the units at the source until shipped."""
    check_location_scope(principal, body.from_location)
    with uow:
        transfer = inventory.create_transfer(uow, body, actor=principal.key_id)
        uow.commit()
    return transfer


@router.get("/transfers/{transfer_id}", response_model=TransferOut)
def get_transfer(transfer_id: str, uow: ReadUowDep, _: StockRead) -> TransferOut:
    with uow:
        return inventory.get_transfer(uow, transfer_id)


@router.post("/transfers/{transfer_id}/ship", response_model=TransferOut)
def ship_transfer(transfer_id: str, uow: UowDep, principal: TransfersWrite, __: IdempotencyKey = None) -> TransferOut:
    with uow:
        check_location_scope(principal, inventory.get_transfer(uow, transfer_id).from_location)
        transfer = inventory.ship_transfer(uow, transfer_id, actor=principal.key_id)
        uow.commit()
    return transfer


@router.post("/transfers/{transfer_id}/receive", response_model=TransferOut)
def receive_transfer(
    transfer_id: str, body: TransferReceiveIn, uow: UowDep, principal: TransfersWrite, __: IdempotencyKey = None
) -> TransferOut:
    with uow:
        check_location_scope(principal, inventory.get_transfer(uow, transfer_id).to_location)
        transfer = inventory.receive_transfer(uow, transfer_id, body, actor=principal.key_id)
        uow.commit()
    return transfer


@router.post("/transfers/{transfer_id}/cancel", response_model=TransferOut)
def cancel_transfer(transfer_id: str, uow: UowDep, principal: TransfersWrite, __: IdempotencyKey = None) -> TransferOut:
    with uow:
        check_location_scope(principal, inventory.get_transfer(uow, transfer_id).from_location)
        transfer = inventory.cancel_transfer(uow, transfer_id)
        uow.commit()
    return transfer
