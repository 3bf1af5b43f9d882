"""`tvers fulfilment …`: a store's queue and pick list, an order's fulfilment, and the worker's sweeps on demand."""

from __future__ import annotations

from typing import Annotated

import typer

from tvers.cli.core import open_tvers, say
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.task_states import TaskStatus
from tvers.inventory import service as inventory
from tvers.workflows.fulfilment import start_tasks_now
from tvers.workflows.resourcing import expire_uncollected, sweep_overdue_tasks

fulfilment_app = typer.Typer(help="Store queues, pick lists, an order's fulfilment; re-source overdue tasks.", no_args_is_help=True)


@fulfilment_app.command("queue")
def queue(store: Annotated[str, typer.Argument(help="Location code.")],
          status: Annotated[list[TaskStatus] | None, typer.Option(help="Repeat for several.")] = None, limit: int = 50) -> None:
    """A location's tasks, oldest first, as JSON lines."""
    with open_tvers().uow(read_only=True) as uow:
        location = inventory.get_location(uow, store)
        tasks = fulfillment.list_tasks(uow, location_id=location.id, statuses=[s.value for s in status or []], limit=limit)
    for task in tasks:
        typer.echo(task.model_dump_json())


@fulfilment_app.command("pick-list")
def pick_list(store: Annotated[str, typer.Argument(help="Location code.")]) -> None:
    """What to take off the shelves for the accepted and picking tasks, by SKU."""
    with open_tvers().uow(read_only=True) as uow:
        picks = fulfillment.pick_list(uow, location_id=inventory.get_location(uow, store).id)
    for line in picks:
        typer.echo(f"{line.quantity:>5}  {line.sku:<20} {line.title}")


@fulfilment_app.command("show")
def show(order_id: str) -> None:
    """An order's tasks, shipments, sourcing decisions (with their explanations) and units needing attention, as JSON."""
    tvers = open_tvers()
    start_tasks_now(tvers, order_id)  # idempotent: an order the relay has not reached yet gets its tasks
    with tvers.uow(read_only=True) as uow:
        for decision in fulfillment.decisions_of_order(uow, order_id):
            say(f"{decision.decided_at:%Y-%m-%d %H:%M} {decision.trigger}: {decision.explanation}")
        for task in fulfillment.tasks_of_order(uow, order_id):
            typer.echo(task.model_dump_json())
        for shipment in fulfillment.shipments_of_order(uow, order_id):
            typer.echo(shipment.model_dump_json())
        for item in fulfillment.attention_of_order(uow, order_id):
            typer.echo(item.model_dump_json())


@fulfilment_app.command("sweep")
def sweep() -> None:
    """Re-source tasks nobody accepted in time and expire uncollected pickups (what `tvers worker` does)."""
    tvers = open_tvers()
    say(f"{sweep_overdue_tasks(tvers)} overdue tasks re-sourced, {expire_uncollected(tvers)} uncollected pickups expired")
