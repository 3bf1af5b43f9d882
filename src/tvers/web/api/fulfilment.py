"""Fulfilment routes: a task's steps (accept → pick → pack → ship | ready → hand over), rejections, transfers into a
pickup store, deliveries, and an order's fulfilment as a whole (tasks, shipments, sourcing decisions, needs attention).

Store staff act only on tasks at their own locations; an integration may only say its customer has arrived (curbside).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel

from tvers.channels.access import Permission, Principal, Role
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.schemas import (
    ArrivedIn,
    AttentionOut,
    DecisionOut,
    HandOverIn,
    NoteIn,
    RejectIn,
    ShipIn,
    ShipmentOut,
    TaskOut,
)
from tvers.fulfillment.task_states import TaskStatus
from tvers.inventory import service as inventory
from tvers.orders import service as orders
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, TversDep, check_channel_scope, check_location_scope, requires
from tvers.workflows import fulfilment, resourcing

router = api_router("fulfilment")

Read = Annotated[Principal, Depends(requires(Permission.FULFILMENT_READ))]
Write = Annotated[Principal, Depends(requires(Permission.FULFILMENT_WRITE))]
Arrive = Annotated[Principal, Depends(requires(Permission.CURBSIDE_ARRIVE))]
OrdersRead = Annotated[Principal, Depends(requires(Permission.ORDERS_READ))]
OrdersManage = Annotated[Principal, Depends(requires(Permission.ORDERS_MANAGE))]


class OrderFulfilmentOut(BaseModel):
    order_id: str
    status: str
    tasks: list[TaskOut]
    shipments: list[ShipmentOut]
    decisions: list[DecisionOut]
    attention: list[AttentionOut]


def _scoped_task(tvers: TversDep, principal: Principal, task_id: str, *, destination: bool = False) -> None:
    """A store key acts on its own locations' tasks only (a transfer is received by the store it goes to)."""
    with tvers.uow(read_only=True) as uow:
        code, channel, store_id = fulfillment.task_scope(uow, task_id)
        if destination and store_id is not None:
            code = inventory.get_location_by_id(uow, store_id).code
    if principal.role is Role.INTEGRATION:
        check_channel_scope(principal, channel)
    check_location_scope(principal, code)


def _step(tvers: TversDep, principal: Principal, task_id: str, target: TaskStatus, body: NoteIn | None) -> TaskOut:
    _scoped_task(tvers, principal, task_id)
    return fulfilment.advance_task(tvers, task_id, target, actor=principal.key_id, note=body.note if body else None)


@router.get("/fulfillment/tasks/{task_id}", response_model=TaskOut)
def get_task(task_id: str, tvers: TversDep, principal: Read) -> TaskOut:
    """A task with its lines and every step it took (who, when)."""
    _scoped_task(tvers, principal, task_id)
    with tvers.uow(read_only=True) as uow:
        return fulfillment.get_task(uow, task_id)


@router.post("/fulfillment/tasks/{task_id}/accept", response_model=TaskOut)
def accept(task_id: str, tvers: TversDep, principal: Write, body: NoteIn | None = None) -> TaskOut:
    """The location takes the task on; the first acceptance puts the order in fulfilment."""
    return _step(tvers, principal, task_id, TaskStatus.ACCEPTED, body)


@router.post("/fulfillment/tasks/{task_id}/pick", response_model=TaskOut)
def start_picking(task_id: str, tvers: TversDep, principal: Write, body: NoteIn | None = None) -> TaskOut:
    return _step(tvers, principal, task_id, TaskStatus.PICKING, body)


@router.post("/fulfillment/tasks/{task_id}/pack", response_model=TaskOut)
def pack(task_id: str, tvers: TversDep, principal: Write, body: NoteIn | None = None) -> TaskOut:
    return _step(tvers, principal, task_id, TaskStatus.PACKED, body)


@router.post("/fulfillment/tasks/{task_id}/ready", response_model=TaskOut)
def ready_for_pickup(task_id: str, tvers: TversDep, principal: Write, body: NoteIn | None = None) -> TaskOut:
    """Packed and waiting at the counter (or for the car): the customer is told (`order.ready_for_pickup`)."""
    return _step(tvers, principal, task_id, TaskStatus.READY_FOR_PICKUP, body)


@router.post("/fulfillment/tasks/{task_id}/arrived", response_model=TaskOut)
def customer_arrived(task_id: str, body: ArrivedIn, tvers: TversDep, principal: Arrive) -> TaskOut:
    """Curbside: the customer is outside, at this bay or in this car; the store is told."""
    _scoped_task(tvers, principal, task_id)
    return fulfilment.customer_arrived(tvers, task_id, spot=body.spot, actor=principal.key_id)


@router.post("/fulfillment/tasks/{task_id}/hand-over", response_model=TaskOut)
def hand_over(task_id: str, body: HandOverIn, tvers: TversDep, principal: Write, __: IdempotencyKey = None) -> TaskOut:
    """The customer collects: the pickup code (or an identity staff checked) must match; the goods' value is captured."""
    _scoped_task(tvers, principal, task_id)
    return fulfilment.hand_over(tvers, task_id, body, actor=principal.key_id)


@router.post("/fulfillment/tasks/{task_id}/ship", response_model=ShipmentOut, status_code=201)
def ship(task_id: str, body: ShipIn, tvers: TversDep, principal: Write, __: IdempotencyKey = None) -> ShipmentOut:
    """A shipment from a packed task (all open units, or the lines named: a partial shipment); its value is captured."""
    _scoped_task(tvers, principal, task_id)
    return fulfilment.ship(tvers, task_id, body, actor=principal.key_id)


@router.post("/fulfillment/tasks/{task_id}/reject", response_model=TaskOut)
def reject(task_id: str, body: RejectIn, tvers: TversDep, principal: Write, __: IdempotencyKey = None) -> TaskOut:
    """Units this location cannot fulfil (not found, damaged): its stock is corrected and they are sourced elsewhere."""
    _scoped_task(tvers, principal, task_id)
    return resourcing.reject(tvers, task_id, body, actor=principal.key_id)


@router.post("/fulfillment/tasks/{task_id}/send", response_model=TaskOut)
def send_transfer(task_id: str, tvers: TversDep, principal: Write) -> TaskOut:
    """A packed transfer task leaves for the pickup store (a stock transfer, in transit)."""
    _scoped_task(tvers, principal, task_id)
    return fulfilment.send_transfer(tvers, task_id, actor=principal.key_id)


@router.post("/fulfillment/tasks/{task_id}/receive", response_model=TaskOut)
def receive_transfer(task_id: str, tvers: TversDep, principal: Write) -> TaskOut:
    """The pickup store received the transfer: the goods are held there for the order."""
    _scoped_task(tvers, principal, task_id, destination=True)
    return fulfilment.receive_transfer(tvers, task_id, actor=principal.key_id)


@router.post("/shipments/{shipment_id}/delivered", response_model=ShipmentOut)
def delivered(shipment_id: str, tvers: TversDep, principal: Write) -> ShipmentOut:
    """The carrier delivered it; when every parcel is delivered the order completes."""
    with tvers.uow(read_only=True) as uow:
        _, code = fulfillment.shipment_order(uow, shipment_id)
    check_location_scope(principal, code)
    return fulfilment.deliver(tvers, shipment_id, actor=principal.key_id)


@router.get("/orders/{order_id}/fulfilment", response_model=OrderFulfilmentOut)
def order_fulfilment(order_id: str, tvers: TversDep, principal: OrdersRead) -> OrderFulfilmentOut:
    """Where the order is being fulfilled and why: tasks, shipments, every sourcing decision, units needing attention."""
    with tvers.uow(read_only=True) as uow:
        order = orders.get_order(uow, order_id)
        check_channel_scope(principal, order.channel)
        return OrderFulfilmentOut(order_id=order_id, status=order.status, tasks=fulfillment.tasks_of_order(uow, order_id),
                                  shipments=fulfillment.shipments_of_order(uow, order_id),
                                  decisions=fulfillment.decisions_of_order(uow, order_id),
                                  attention=fulfillment.attention_of_order(uow, order_id))


@router.post("/orders/{order_id}/fulfilment/retry", response_model=OrderFulfilmentOut)
def retry_sourcing(order_id: str, tvers: TversDep, principal: OrdersManage) -> OrderFulfilmentOut:
    """Source the units needing attention again (stock came in, a transfer arrived)."""
    _order_scope(tvers, principal, order_id)
    resourcing.retry_attention(tvers, order_id, actor=principal.key_id)
    return order_fulfilment(order_id, tvers, principal)


@router.post("/orders/{order_id}/fulfilment/attention/{line_id}/cancel", response_model=OrderFulfilmentOut)
def cancel_unfulfillable(order_id: str, line_id: str, tvers: TversDep, principal: OrdersManage, body: NoteIn | None = None,
                         __: IdempotencyKey = None) -> OrderFulfilmentOut:
    """Give up on a line's units that nothing can fulfil: cancelled, their money released to the customer."""
    _order_scope(tvers, principal, order_id)
    resourcing.cancel_attention(tvers, order_id, line_id, actor=principal.key_id, reason=body.note if body else None)
    return order_fulfilment(order_id, tvers, principal)


def _order_scope(tvers: TversDep, principal: Principal, order_id: str) -> None:
    with tvers.uow(read_only=True) as uow:
        check_channel_scope(principal, orders.get_order(uow, order_id).channel)


