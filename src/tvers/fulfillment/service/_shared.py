"""Helpers the fulfilment use cases share: rows that raise, history rows, output mapping."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tvers.db.uow import Uow
from tvers.fulfillment.errors import TaskNotFound
from tvers.fulfillment.events import TaskStatusChanged
from tvers.fulfillment.models import Task, TaskChange, TaskLine
from tvers.fulfillment.schemas import TaskChangeOut, TaskLineOut, TaskOut
from tvers.fulfillment.task_states import TaskStatus, check_task_transition


def task_row(uow: Uow, task_id: str, *, lock: bool = False) -> Task:
    """The task; `lock` takes its row lock (PostgreSQL) so two staff tapping at once queue instead of racing."""
    statement = select(Task).where(Task.id == task_id)
    row = uow.session.scalars(statement.with_for_update() if lock and uow.dialect == "postgresql" else statement).first()
    if row is None:
        raise TaskNotFound(f"no fulfilment task {task_id!r}")
    return row


def line_rows(uow: Uow, task_ids: Sequence[str]) -> list[TaskLine]:
    return list(uow.session.scalars(select(TaskLine).where(TaskLine.task_id.in_(task_ids)).order_by(TaskLine.task_id, TaskLine.id)))


def open_units(line: TaskLine) -> int:
    return line.quantity - line.fulfilled


def add_change(uow: Uow, row: Task, *, from_status: str | None, to_status: str, actor: str, note: str | None = None) -> None:
    uow.session.add(TaskChange(task_id=row.id, location_id=row.location_id, from_status=from_status, to_status=to_status, actor=actor,
                               note=note, at=uow.clock.now()))


def move_task(uow: Uow, row: Task, target: TaskStatus, *, actor: str, note: str | None = None) -> None:
    """The one way a task changes status: allowed by the table, stamped with who and when, announced."""
    check_task_transition(row.kind, row.status, target)
    add_change(uow, row, from_status=row.status, to_status=target.value, actor=actor, note=note)
    uow.record(TaskStatusChanged(task_id=row.id, order_id=row.order_id, location_code=row.location_code, from_status=row.status,
                                 to_status=target.value, actor=actor))
    row.status = target.value
    row.version += 1
    row.updated_at = uow.clock.now()


def task_out(uow: Uow, row: Task, *, lines: Sequence[TaskLine] | None = None, history: bool = True) -> TaskOut:
    lines = line_rows(uow, [row.id]) if lines is None else lines
    changes: list[TaskChange] = (list(uow.session.scalars(select(TaskChange).where(TaskChange.task_id == row.id).order_by(TaskChange.id)))
                                 if history else [])
    return TaskOut(
        id=row.id, order_id=row.order_id, order_number=row.order_number, channel=row.channel, location_id=row.location_id,
        location_code=row.location_code, kind=row.kind, status=row.status, destination_location_id=row.destination_location_id,
        pickup_task_id=row.pickup_task_id, transfer_id=row.transfer_id, arrival=dict(row.arrival), accept_by=row.accept_by,
        ready_by=row.ready_by, ready_at=row.ready_at, version=row.version, created_at=row.created_at, updated_at=row.updated_at,
        lines=[TaskLineOut(order_line_id=ln.order_line_id, variant_id=ln.variant_id, sku=ln.sku, title=ln.title, quantity=ln.quantity,
                           fulfilled=ln.fulfilled, rejected=ln.rejected, awaiting=ln.awaiting, open=open_units(ln)) for ln in lines],
        history=[TaskChangeOut(id=c.id, from_status=c.from_status, to_status=c.to_status, actor=c.actor, note=c.note, at=c.at)
                 for c in changes],
    )
