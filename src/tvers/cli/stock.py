"""Stock commands: locations, receipts, adjustments, counts, transfers, sync, replenishment, doctor."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from tvers.cli.core import open_tvers, say
from tvers.inventory import service as inventory
from tvers.inventory.schemas import (
    Address,
    AdjustIn,
    Capabilities,
    CountIn,
    LocationIn,
    LocationType,
    ReceiveIn,
    StockLineIn,
    SyncIn,
    SyncMode,
    SyncRowIn,
    TransferIn,
    TransferReceiveIn,
)

CLI_ACTOR = "cli"

location_app = typer.Typer(help="Stores, warehouses and other stock locations.", no_args_is_help=True)
stock_app = typer.Typer(help="Stock levels and the ledger: receive, adjust, count, sync.", no_args_is_help=True)
transfer_app = typer.Typer(help="Transfers between locations: create, ship, receive.", no_args_is_help=True)
report_app = typer.Typer(help="Reports.", no_args_is_help=True)

Lines = Annotated[list[str], typer.Argument(help="SKU=QUANTITY pairs, e.g. TT-RED-M=5")]


def register(app: typer.Typer) -> None:
    app.add_typer(location_app, name="location")
    app.add_typer(stock_app, name="stock")
    app.add_typer(transfer_app, name="transfer")
    app.add_typer(report_app, name="report")


def emit(value: BaseModel | list[BaseModel]) -> None:
    for item in value if isinstance(value, list) else [value]:
        typer.echo(item.model_dump_json())


def parse_lines(pairs: list[str]) -> list[StockLineIn]:
    lines = []
    for pair in pairs:
        sku, _, quantity = pair.rpartition("=")
        if not sku or not quantity.isdigit():
            raise typer.BadParameter(f"{pair!r} is not SKU=QUANTITY")
        lines.append(StockLineIn(sku=sku, quantity=int(quantity)))
    return lines


@location_app.command("create")
def location_create(
    code: str,
    name: str,
    city: str,
    country: str,
    lat: float,
    lon: float,
    type: LocationType = LocationType.STORE,
    time_zone: str = "Europe/Oslo",
    pickup: bool = False,
    curbside: bool = False,
    returns: bool = False,
    ships: Annotated[bool, typer.Option("--ships/--no-ships")] = True,
    priority: int = 0,
    capacity: int = 100,
) -> None:
    """Create a location; prints it as JSON."""
    data = LocationIn(
        code=code,
        name=name,
        type=type,
        address=Address(city=city),
        country=country,
        latitude=lat,
        longitude=lon,
        time_zone=time_zone,
        sourcing_priority=priority,
        daily_capacity=capacity,
        capabilities=Capabilities(ships=ships, offers_pickup=pickup, offers_curbside=curbside, accepts_returns=returns),
    )
    with open_tvers().uow() as uow:
        created = inventory.create_location(uow, data)
        uow.commit()
    emit(created)


@location_app.command("list")
def location_list() -> None:
    """All locations as JSON lines."""
    with open_tvers().uow(read_only=True) as uow:
        emit(list(inventory.list_locations(uow)))


@stock_app.command("show")
def stock_show(sku: str) -> None:
    """On hand, reserved and available per location."""
    with open_tvers().uow(read_only=True) as uow:
        emit(inventory.variant_stock(uow, sku))


@stock_app.command("receive")
def stock_receive(location: str, lines: Lines, reference: str | None = None) -> None:
    with open_tvers().uow() as uow:
        inventory.receive(uow, ReceiveIn(location=location, lines=parse_lines(lines), reference=reference), actor=CLI_ACTOR)
        result = inventory.stock_at(uow, location, [ln.sku for ln in parse_lines(lines)])
        uow.commit()
    emit(list(result))


@stock_app.command("adjust")
def stock_adjust(
    location: str,
    sku: str,
    quantity: Annotated[int, typer.Argument(help="Signed change, e.g. -2")],
    reason: Annotated[str, typer.Option(help="Why (required)")],
) -> None:
    with open_tvers().uow() as uow:
        inventory.adjust(uow, AdjustIn(location=location, sku=sku, quantity=quantity, reason=reason), actor=CLI_ACTOR)
        result = inventory.stock_at(uow, location, [sku])
        uow.commit()
    emit(list(result))


@stock_app.command("count")
def stock_count(location: str, sku: str, counted: int) -> None:
    """Record a cycle count; prints the difference written to the ledger."""
    with open_tvers().uow() as uow:
        difference = inventory.count(uow, CountIn(location=location, sku=sku, counted=counted), actor=CLI_ACTOR)
        uow.commit()
    typer.echo(difference)


@stock_app.command("sync")
def stock_sync(
    file: Annotated[Path, typer.Argument(help="CSV with columns location,sku,quantity ('-' for stdin)")],
    batch_id: Annotated[str, typer.Option(help="Idempotency: the same batch is applied once")],
    mode: SyncMode = SyncMode.ABSOLUTE,
) -> None:
    """Bulk quantities from a legacy POS/ERP; prints the report (unknown SKUs and locations)."""
    handle = sys.stdin if str(file) == "-" else file.open(newline="", encoding="utf-8")
    rows = [SyncRowIn(location=r["location"], sku=r["sku"], quantity=int(r["quantity"])) for r in csv.DictReader(handle)]
    with open_tvers().uow() as uow:
        report = inventory.sync_stock(uow, SyncIn(batch_id=batch_id, mode=mode, rows=rows), actor=CLI_ACTOR)
        uow.commit()
    emit(report)


@transfer_app.command("create")
def transfer_create(from_location: str, to_location: str, lines: Lines) -> None:
    with open_tvers().uow() as uow:
        transfer = inventory.create_transfer(
            uow, TransferIn(from_location=from_location, to_location=to_location, lines=parse_lines(lines)), actor=CLI_ACTOR
        )
        uow.commit()
    emit(transfer)


@transfer_app.command("ship")
def transfer_ship(transfer_id: str) -> None:
    with open_tvers().uow() as uow:
        transfer = inventory.ship_transfer(uow, transfer_id, actor=CLI_ACTOR)
        uow.commit()
    emit(transfer)


@transfer_app.command("receive")
def transfer_receive(transfer_id: str, lines: Lines) -> None:
    with open_tvers().uow() as uow:
        transfer = inventory.receive_transfer(uow, transfer_id, TransferReceiveIn(lines=parse_lines(lines)), actor=CLI_ACTOR)
        uow.commit()
    emit(transfer)


@transfer_app.command("show")
def transfer_show(transfer_id: str) -> None:
    with open_tvers().uow(read_only=True) as uow:
        emit(inventory.get_transfer(uow, transfer_id))


@report_app.command("replenishment")
def report_replenishment(location: str | None = None) -> None:
    """Suggested transfers and purchases where stock is at or below its reorder point, as JSON lines."""
    with open_tvers().uow(read_only=True) as uow:
        found = inventory.suggestions(uow, location_code=location)
    emit(list(found))
    say(f"{len(found)} suggestions")
