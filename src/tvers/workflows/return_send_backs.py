"""Returned goods sent back from a store to a warehouse: the resellable units received there and not yet sent back go on one
transfer (created and shipped: the store's stock leaves now, the warehouse receives it through the transfers API)."""

from __future__ import annotations

from tvers.inventory import service as inventory
from tvers.inventory.schemas import StockLineIn, TransferIn
from tvers.returns import service as returns
from tvers.returns.schemas import SendBackIn, SentBackOut
from tvers.workflows.app import App


def send_back(app: App, location_code: str, data: SendBackIn, *, actor: str) -> SentBackOut:
    """One transaction: the units to go are claimed for the transfer, so a unit is never sent twice (a second call is a 409)."""
    with app.uow() as uow:
        store = inventory.get_location(uow, location_code)
        units = returns.units_to_send_back(uow, location_id=store.id, location_code=store.code)
        lines = [StockLineIn(sku=sku, quantity=quantity) for sku, quantity in sorted(units.quantities.items())]
        transfer = inventory.create_transfer(uow, TransferIn(from_location=store.code, to_location=data.to_location, lines=lines,
                                                             reference=f"returns sent back from {store.code}"[:64]), actor=actor)
        inventory.ship_transfer(uow, transfer.id, actor=actor)
        returns.mark_sent_back(uow, units, transfer_id=transfer.id, from_code=store.code, to_code=data.to_location)
        uow.commit()
    return SentBackOut(transfer_id=transfer.id, from_location=store.code, to_location=data.to_location,
                       return_ids=list(units.return_ids), lines=[line.model_dump() for line in lines])
