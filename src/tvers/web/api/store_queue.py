"""A store's queue: its tasks, its pick list, and the same live over Server-Sent Events as tasks land and move.

The stream reads the task history (its row id is the cursor), so it works across API processes and survives a
reconnect: a client sends `Last-Event-ID` and gets what it missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from tvers.channels.access import Permission, Principal
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.schemas import PickListLineOut, QueueChangeOut, TaskOut
from tvers.fulfillment.task_states import TaskStatus
from tvers.inventory import service as inventory
from tvers.web.api.common import api_router
from tvers.web.deps import TversDep, check_location_scope, requires

router = api_router("store queue")

Read = Annotated[Principal, Depends(requires(Permission.FULFILMENT_READ))]
POLL_SECONDS = 1.0


def _location_id(tvers: TversDep, principal: Principal, code: str) -> str:
    check_location_scope(principal, code)
    with tvers.uow(read_only=True) as uow:
        return inventory.get_location(uow, code).id


@router.get("/stores/{code}/tasks", response_model=list[TaskOut])
def store_tasks(code: str, tvers: TversDep, principal: Read, status: Annotated[list[TaskStatus] | None, Query()] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[TaskOut]:
    """The store's tasks, oldest first; filter by status (repeat `status` for several)."""
    location_id = _location_id(tvers, principal, code)
    with tvers.uow(read_only=True) as uow:
        return fulfillment.list_tasks(uow, location_id=location_id, statuses=[s.value for s in status or []], limit=limit)


@router.get("/stores/{code}/pick-list", response_model=list[PickListLineOut])
def store_pick_list(code: str, tvers: TversDep, principal: Read) -> list[PickListLineOut]:
    """What to take off the shelves for the accepted and picking tasks, by SKU."""
    location_id = _location_id(tvers, principal, code)
    with tvers.uow(read_only=True) as uow:
        return fulfillment.pick_list(uow, location_id=location_id)


@router.get("/stores/{code}/tasks/stream", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "`task` events: {cursor, task_id, kind, to_status, …}"}})
async def store_stream(code: str, request: Request, tvers: TversDep, principal: Read,
                       last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20, pattern=r"^\d+$")] = None,
                       after: Annotated[int | None, Query(ge=0)] = None) -> EventSourceResponse:
    """Live: one `task` event per change at this store (a new pickup order, a task accepted elsewhere in the store…)."""
    location_id = await asyncio.to_thread(_location_id, tvers, principal, code)
    cursor = int(last_event_id) if last_event_id else after
    if cursor is None:
        cursor = await asyncio.to_thread(_head, tvers, location_id)
    return EventSourceResponse(_changes(tvers, request, location_id, cursor), ping=15)


def _head(tvers: TversDep, location_id: str) -> int:
    with tvers.uow(read_only=True) as uow:
        return fulfillment.queue_head(uow, location_id=location_id)


async def _changes(tvers: TversDep, request: Request, location_id: str, cursor: int) -> AsyncIterator[ServerSentEvent]:
    yield ServerSentEvent(comment="connected")
    while not await request.is_disconnected():
        changes = await asyncio.to_thread(_read, tvers, location_id, cursor)
        for change in changes:
            cursor = change.cursor
            yield ServerSentEvent(data=change.model_dump_json(), event="task", id=str(change.cursor))
        if not changes:
            await asyncio.sleep(POLL_SECONDS)


def _read(tvers: TversDep, location_id: str, cursor: int) -> list[QueueChangeOut]:
    with tvers.uow(read_only=True) as uow:
        return fulfillment.queue_changes(uow, location_id=location_id, after=cursor)
