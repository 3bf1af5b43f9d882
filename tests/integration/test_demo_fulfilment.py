"""The demo's fulfilment history and its traffic simulator, on a small demo built in-process on both databases.

What is asserted is read back from the database after the build: the history went through the fulfilment workflows
(tasks with their step history, shipments, decisions), and every cached balance still agrees with its ledger.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from support.demo_orders import ledgers_disagree
from support.fulfilment import run_relay
from tvers.bootstrap import Tvers
from tvers.demo.build import build_demo
from tvers.demo.simulator import Simulator
from tvers.fulfillment.models import Shipment, SourcingDecision, Task, TaskChange, TaskLine
from tvers.inventory.models import Location
from tvers.jobs import JOBS
from tvers.kernel.clock import FixedClock
from tvers.orders.models import Order

SMALL = {"orders": 240, "products": 40, "customers": 300, "stock_history": False}
IN_PROGRESS = {"new", "accepted", "picking", "packed", "ready_for_pickup", "customer_arrived"}


def tasks(tvers: Tvers) -> list[Task]:
    with tvers.uow(read_only=True) as uow:
        rows = list(uow.session.scalars(select(Task)))
        uow.session.expunge_all()
        return rows


def shipped_from(tvers: Tvers) -> Counter[str]:
    """Shipments by the type of location they left from."""
    with tvers.uow(read_only=True) as uow:
        return Counter(uow.session.scalars(select(Location.type).join(Shipment, Shipment.location_id == Location.id)))


def triggers(tvers: Tvers, order_id: str) -> list[str]:
    with tvers.uow(read_only=True) as uow:
        return list(uow.session.scalars(select(SourcingDecision.trigger).where(SourcingDecision.order_id == order_id)
                                        .order_by(SourcingDecision.id)))


def actors(tvers: Tvers, task_id: str) -> list[tuple[str, str]]:
    with tvers.uow(read_only=True) as uow:
        return [tuple(r) for r in uow.session.execute(select(TaskChange.to_status, TaskChange.actor)  # type: ignore[misc]
                                                      .where(TaskChange.task_id == task_id).order_by(TaskChange.id))]


def locations(tvers: Tvers) -> dict[str, str]:
    with tvers.uow(read_only=True) as uow:
        return {id_: kind for id_, kind in uow.session.execute(select(Location.id, Location.type))}


def count(tvers: Tvers, model: Any) -> int:
    with tvers.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_demo_history_is_fulfilled_through_the_workflows(tvers: Tvers, clock: FixedClock) -> None:
    # when a small demo is built
    summary = build_demo(tvers, seed=3, **SMALL)
    made = tasks(tvers)
    # then parcels left both warehouses and stores (ship-from-store), with the country's carrier and a tracking number
    assert shipped_from(tvers)["warehouse"] > 0 and shipped_from(tvers)["store"] > 0
    with tvers.uow(read_only=True) as uow:
        parcels = list(uow.session.execute(select(Shipment.carrier, Shipment.tracking_number, Shipment.status)))
    assert {carrier for carrier, _, _ in parcels} <= {"posten", "postnord", "gls"}
    assert all(number for _, number, _ in parcels)
    assert Counter(status for _, _, status in parcels)["delivered"] > len(parcels) / 2
    # and click-and-collect orders were picked up, by the store's staff
    picked = [t for t in made if t.kind == "pickup" and t.status == "picked_up"]
    assert picked
    assert actors(tvers, picked[0].id)[-1] == ("picked_up", f"staff:{picked[0].location_code}")
    # and a curbside customer said where they were before being served at the car
    curbside = [t for t in made if t.kind == "curbside" and t.arrival]
    assert curbside and all(t.arrival["spot"] for t in curbside)
    assert [s for s, _ in actors(tvers, curbside[0].id)][-2:] == ["customer_arrived", "picked_up"]
    # and a line rejected at a location was sourced again: the order's decisions go on with a rejection
    with tvers.uow(read_only=True) as uow:
        rejected = set(uow.session.scalars(select(Task.order_id).join(TaskLine, TaskLine.task_id == Task.id).where(TaskLine.rejected > 0)))
    assert rejected and summary.fulfilment.rejected == len(rejected)
    assert all(triggers(tvers, order_id)[:2] == ["checkout", "rejection"] for order_id in rejected)
    # and the last days' orders are still being worked on, so the store queues are not empty
    open_now = [t for t in made if t.status in IN_PROGRESS]
    stores = {loc for loc, kind in locations(tvers).items() if kind == "store"}
    assert any(t.location_id in stores for t in open_now)
    assert sum(summary.fulfilment.in_progress.values()) == len(open_now)
    # and the summary counts what the database holds
    assert summary.fulfilment.shipped == len(parcels)
    assert summary.fulfilment.picked_up == len(picked)
    # and every cached balance still agrees with its ledger: stock, points, gift cards, store credit, payments
    assert ledgers_disagree(tvers) == {}


def test_a_simulator_tick_places_an_order_and_moves_the_stores_work_on(tvers: Tvers, clock: FixedClock) -> None:
    # given a small demo whose last orders are still being worked on, served at the instant it was built
    build_demo(tvers, seed=11, **{**SMALL, "orders": 120, "customers": 100})
    assert any(t.status in IN_PROGRESS for t in tasks(tvers))
    simulator = Simulator(tvers, seed=11, products=SMALL["products"], moves=3)
    orders_before, changes_before = count(tvers, Order), count(tvers, TaskChange)
    # when the simulator ticks once
    tick = simulator.tick()
    # then it placed an order through checkout and moved tasks on through the workflows
    assert tick.placed is not None and count(tvers, Order) == orders_before + 1
    assert len(tick.moved) >= 1 and count(tvers, TaskChange) >= changes_before + len(tick.moved)
    # when the relay gives its orders their tasks, as the served demo's relay does, and it ticks on
    for _ in range(4):
        run_relay(tvers)
        clock.advance(seconds=5)
        simulator.tick()
    # then the stores work on the simulator's orders too, and every balance still agrees with its ledger
    simulated = {t.order_number for t in tasks(tvers) if t.created_at > clock.now() - timedelta(minutes=1)}
    assert simulated
    assert ledgers_disagree(tvers) == {}


def test_the_server_runs_the_fulfilment_jobs() -> None:
    # the embedded server (SQLite) runs every job `tvers worker` runs, the fulfilment sweeps among them
    assert {"resource_overdue_tasks", "expire_uncollected_pickups"} <= {job.name for job in JOBS}
