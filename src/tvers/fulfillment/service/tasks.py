"""Creating tasks, moving them through their steps, and reading them (one task, a store's queue, an order's tasks)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select

from tvers.db.uow import Uow
from tvers.fulfillment.errors import TaskNotFound, WaitingForTransfer
from tvers.fulfillment.events import CustomerArrived, TaskCreated
from tvers.fulfillment.models import Task, TaskChange, TaskLine
from tvers.fulfillment.schemas import NewTask, PickListLineOut, QueueChangeOut, TaskOut
from tvers.fulfillment.service._shared import add_change, line_rows, move_task, task_out, task_row
from tvers.fulfillment.task_states import OPEN, TaskKind, TaskStatus
from tvers.kernel.ids import new_id

PICKUP_KINDS = frozenset({TaskKind.PICKUP, TaskKind.CURBSIDE})


def create_task(uow: Uow, data: NewTask, *, actor: str) -> str:
    """A new task with its lines; pickup and curbside tasks get the code the customer shows at handover."""
    now = uow.clock.now()
    task_id = new_id("ftk")
    row = Task(id=task_id, order_id=data.order_id, order_number=data.order_number, channel=data.channel, location_id=data.location_id,
               location_code=data.location_code, kind=data.kind, status=TaskStatus.NEW.value,
               destination_location_id=data.destination_location_id, pickup_task_id=data.pickup_task_id, transfer_id=None,
               pickup_code=f"{secrets.randbelow(1_000_000):06d}" if data.kind in PICKUP_KINDS else None, arrival={},
               accept_by=data.accept_by, ready_by=data.ready_by, ready_at=None, version=1, created_at=now, updated_at=now)
    uow.session.add(row)
    uow.session.add_all([TaskLine(task_id=task_id, order_line_id=ln.order_line_id, variant_id=ln.variant_id, sku=ln.sku, title=ln.title,
                                  quantity=ln.quantity, fulfilled=0, rejected=0, awaiting=ln.awaiting) for ln in data.lines])
    add_change(uow, row, from_status=None, to_status=TaskStatus.NEW.value, actor=actor)
    uow.record(TaskCreated(task_id=task_id, order_id=data.order_id, location_id=data.location_id, location_code=data.location_code,
                           kind=data.kind, units=sum(ln.quantity for ln in data.lines)))
    _LOAD.count_new(data.location_id)
    return task_id


def get_task(uow: Uow, task_id: str) -> TaskOut:
    return task_out(uow, task_row(uow, task_id))


def task_scope(uow: Uow, task_id: str) -> tuple[str, str, str | None]:
    """(location code, channel, pickup store id of a transfer) of a task: what a caller's scope is checked against; one query."""
    row = uow.session.execute(select(Task.location_code, Task.channel, Task.destination_location_id).where(Task.id == task_id)).first()
    if row is None:
        raise TaskNotFound(f"no fulfilment task {task_id!r}")
    return row[0], row[1], row[2]


def task_location(uow: Uow, task_id: str) -> tuple[str, str]:
    """(location code, order id) of a task: what the web layer checks a store key's scope against."""
    row = task_row(uow, task_id)
    return row.location_code, row.order_id


def tasks_of_order(uow: Uow, order_id: str) -> list[TaskOut]:
    rows = list(uow.session.scalars(select(Task).where(Task.order_id == order_id).order_by(Task.created_at, Task.id)))
    lines = _lines_by_task(uow, rows)
    return [task_out(uow, r, lines=lines.get(r.id, [])) for r in rows]


def _lines_by_task(uow: Uow, rows: Sequence[Task]) -> dict[str, list[TaskLine]]:
    grouped: dict[str, list[TaskLine]] = {}
    for line in line_rows(uow, [r.id for r in rows]):
        grouped.setdefault(line.task_id, []).append(line)
    return grouped


def has_tasks(uow: Uow, order_id: str) -> bool:
    return uow.session.scalar(select(Task.id).where(Task.order_id == order_id).limit(1)) is not None


def list_tasks(uow: Uow, *, location_id: str, statuses: Collection[str] | None = None, limit: int = 100) -> list[TaskOut]:
    """A location's tasks, oldest first: the store queue."""
    statement = select(Task).where(Task.location_id == location_id)
    if statuses:
        statement = statement.where(Task.status.in_(list(statuses)))
    rows = list(uow.session.scalars(statement.order_by(Task.created_at, Task.id).limit(limit)))
    lines = _lines_by_task(uow, rows)
    return [task_out(uow, r, lines=lines.get(r.id, []), history=False) for r in rows]


def pick_list(uow: Uow, *, location_id: str) -> list[PickListLineOut]:
    """What to take off the shelves for the location's accepted and picking tasks, by SKU."""
    rows = uow.session.execute(
        select(TaskLine.sku, TaskLine.title, TaskLine.quantity - TaskLine.fulfilled - TaskLine.awaiting, Task.id)
        .join(Task, Task.id == TaskLine.task_id)
        .where(Task.location_id == location_id, Task.status.in_([TaskStatus.ACCEPTED.value, TaskStatus.PICKING.value]))
        .order_by(TaskLine.sku, Task.id)).all()
    merged: dict[str, PickListLineOut] = {}
    for sku, title, units, task_id in rows:
        if units > 0:
            line = merged.setdefault(sku, PickListLineOut(sku=sku, title=title, quantity=0, tasks=[]))
            line.quantity += units
            line.tasks.append(task_id)
    return list(merged.values())


def advance(uow: Uow, task_id: str, target: TaskStatus, *, actor: str, note: str | None = None) -> TaskOut:
    """accept, start picking, pack, mark ready for pickup: steps with nothing but the move itself."""
    row = task_row(uow, task_id, lock=True)
    if target is TaskStatus.READY_FOR_PICKUP:
        lines = line_rows(uow, [row.id])
        waiting = sum(ln.awaiting for ln in lines)
        if waiting:
            raise WaitingForTransfer(f"{waiting} units are still on their way to {row.location_code} by transfer", awaiting=waiting)
        row.ready_at = uow.clock.now()
    move_task(uow, row, target, actor=actor, note=note)
    return task_out(uow, row)


def customer_arrived(uow: Uow, task_id: str, *, spot: str, actor: str) -> TaskOut:
    row = task_row(uow, task_id, lock=True)
    move_task(uow, row, TaskStatus.CUSTOMER_ARRIVED, actor=actor, note=spot)
    row.arrival = {"spot": spot, "arrived_at": uow.clock.now().isoformat()}
    uow.record(CustomerArrived(task_id=row.id, order_id=row.order_id, location_code=row.location_code, spot=spot))
    return task_out(uow, row)


def overdue_tasks(uow: Uow, *, now: datetime, limit: int = 100) -> list[str]:
    """New ship and transfer tasks nobody accepted in time (pickup tasks stay: the customer chose that store)."""
    return list(uow.session.scalars(
        select(Task.id).where(Task.status == TaskStatus.NEW.value, Task.accept_by < now,
                              Task.kind.in_([TaskKind.SHIP.value, TaskKind.TRANSFER.value]))
        .order_by(Task.accept_by).limit(limit)))


def uncollected_tasks(uow: Uow, *, ready_before: datetime, limit: int = 100) -> list[str]:
    return list(uow.session.scalars(
        select(Task.id).where(Task.status.in_([TaskStatus.READY_FOR_PICKUP.value, TaskStatus.CUSTOMER_ARRIVED.value]),
                              Task.ready_at < ready_before).order_by(Task.ready_at).limit(limit)))


def queue_changes(uow: Uow, *, location_id: str, after: int, limit: int = 100) -> list[QueueChangeOut]:
    """A location's task changes after a cursor (the history row id): what the live store queue streams."""
    rows = uow.session.execute(
        select(TaskChange.id, TaskChange.task_id, Task.order_number, Task.kind, TaskChange.from_status, TaskChange.to_status, TaskChange.at)
        .join(Task, Task.id == TaskChange.task_id)
        .where(TaskChange.location_id == location_id, TaskChange.id > after).order_by(TaskChange.id).limit(limit)).all()
    return [QueueChangeOut(cursor=r[0], task_id=r[1], order_number=r[2], kind=r[3], from_status=r[4], to_status=r[5], at=r[6])
            for r in rows]


def queue_head(uow: Uow, *, location_id: str) -> int:
    """The cursor of the newest change at a location (0 when none): a fresh stream starts here."""
    return int(uow.session.scalar(select(func.max(TaskChange.id)).where(TaskChange.location_id == location_id)) or 0)


def open_tasks_of_order(uow: Uow, order_id: str) -> list[str]:
    return list(uow.session.scalars(select(Task.id).where(Task.order_id == order_id, Task.status.in_([s.value for s in OPEN]))))


class _LoadCache:
    """Tasks created today per location, kept a few seconds per process: capacity is a soft limit, not worth a query per checkout."""

    def __init__(self, ttl_seconds: float = 10.0) -> None:
        self._ttl, self._at, self._day, self._counts = ttl_seconds, float("-inf"), "", dict[str, int]()

    def count_new(self, location_id: str) -> None:
        self._counts[location_id] = self._counts.get(location_id, 0) + 1  # this process's own new task counts at once

    def counts(self, uow: Uow, day_start: datetime) -> dict[str, int]:
        day = day_start.date().isoformat()
        if day != self._day or time.monotonic() - self._at > self._ttl:
            rows = uow.session.execute(select(Task.location_id, func.count()).where(Task.created_at >= day_start)
                                       .group_by(Task.location_id))
            self._counts, self._day, self._at = {location: int(n) for location, n in rows}, day, time.monotonic()
        return self._counts


_LOAD = _LoadCache()


def tasks_today(uow: Uow, location_ids: Sequence[str]) -> dict[str, int]:
    """How many tasks each location got since midnight UTC: sourcing's capacity left is daily capacity less this."""
    now = uow.clock.now()
    counts = _LOAD.counts(uow, now.replace(hour=0, minute=0, second=0, microsecond=0))
    return {location_id: counts.get(location_id, 0) for location_id in location_ids}


def renew_deadline(uow: Uow, task_id: str, *, accept_by: datetime) -> None:
    task_row(uow, task_id).accept_by = accept_by




def units_to_hold(uow: Uow) -> dict[tuple[str, str, str], int]:
    """(order, variant, location) → units open tasks still need held there: ship and transfer tasks at their location,
    pickup and curbside tasks at the store less what is on its way (for `tvers doctor`)."""
    rows = uow.session.execute(
        select(Task.order_id, TaskLine.variant_id, Task.location_id, Task.kind,
               TaskLine.quantity - TaskLine.fulfilled, TaskLine.awaiting)
        .join(Task, Task.id == TaskLine.task_id)
        .where(Task.status.in_([*(s.value for s in OPEN), TaskStatus.READY_FOR_PICKUP.value, TaskStatus.CUSTOMER_ARRIVED.value])))
    needed: dict[tuple[str, str, str], int] = {}
    for order_id, variant_id, location_id, kind, open_units_, awaiting in rows:
        units = open_units_ - (awaiting if kind in PICKUP_KINDS else 0)
        if units > 0:
            key = (order_id, variant_id, location_id)
            needed[key] = needed.get(key, 0) + units
    return needed
