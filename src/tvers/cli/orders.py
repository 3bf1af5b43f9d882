"""`tvers orders …`: find and read orders from every channel; finish checkouts a crash left behind."""

from __future__ import annotations

from typing import Annotated

import typer

from tvers.cli.core import open_tvers, say
from tvers.orders import service as orders
from tvers.orders.lifecycle import OrderStatus
from tvers.orders.schemas import OrderFilter
from tvers.workflows.checkout import sweep_stalled_checkouts

orders_app = typer.Typer(help="Find and read orders; finish stalled checkouts.", no_args_is_help=True)


@orders_app.command("list")
def list_orders(channel: str | None = None, status: Annotated[OrderStatus | None, typer.Option()] = None,
                customer: Annotated[str | None, typer.Option(help="Customer id.")] = None, limit: int = 20) -> None:
    """The newest orders as JSON lines."""
    with open_tvers().uow(read_only=True) as uow:
        page = orders.list_orders(uow, OrderFilter(channel=channel, status=status, customer_id=customer), limit=limit)
    for order in page.items:
        typer.echo(order.model_dump_json())


@orders_app.command("show")
def show(order_id: str) -> None:
    """One order with its lines and history, as JSON."""
    with open_tvers().uow(read_only=True) as uow:
        typer.echo(orders.get_order(uow, order_id).model_dump_json(indent=2))


@orders_app.command("sweep")
def sweep() -> None:
    """Finish or undo checkouts left between their steps (what `tvers worker` does every 30 s)."""
    done = sweep_stalled_checkouts(open_tvers())
    say(f"{done} stalled checkouts finished or undone")
