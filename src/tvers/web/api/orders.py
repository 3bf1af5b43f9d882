"""Order routes: find orders from every channel, read one with its lines, discounts, payments and history; cancel, hold, release."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import Field

from tvers.channels.access import Permission, Principal
from tvers.kernel.shapes import Strict
from tvers.orders import service as orders
from tvers.orders.lifecycle import OrderStatus
from tvers.orders.schemas import OrderFilter, OrderOut, OrderSummaryOut
from tvers.payments import service as payments
from tvers.payments.schemas import PaymentOut
from tvers.web.api.common import After, Limit, PageOut, api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, TversDep, check_channel_scope, requires
from tvers.web.problems import problem
from tvers.workflows import order_changes, order_edits
from tvers.workflows.order_changes import CancelIn
from tvers.workflows.order_edits import EditDeclined, EditIn

router = api_router("orders")

Read = Annotated[Principal, Depends(requires(Permission.ORDERS_READ))]
Manage = Annotated[Principal, Depends(requires(Permission.ORDERS_MANAGE))]


class OrderDetailOut(OrderOut):
    payments: list[PaymentOut]


class HoldIn(Strict):
    reason: str = Field(min_length=1, max_length=500)
    version: int | None = Field(default=None, description="The order version you saw; a stale one is refused with 409.")


class ReleaseIn(Strict):
    reason: str | None = Field(default=None, max_length=500)
    version: int | None = None


@router.get("/orders", response_model=PageOut[OrderSummaryOut])
def list_orders(uow: ReadUowDep, principal: Read, limit: Limit = 50, after: After = None,
                channel: Annotated[str | None, Query(max_length=64)] = None, status: OrderStatus | None = None,
                customer_id: Annotated[str | None, Query(max_length=40)] = None,
                location_id: Annotated[str | None, Query(max_length=40)] = None,
                placed_from: datetime | None = None, placed_to: datetime | None = None) -> PageOut[OrderSummaryOut]:
    """Newest first. An integration key sees its own channel's orders only."""
    if principal.channel_code is not None and principal.role.value == "integration":
        channel = channel or principal.channel_code
        check_channel_scope(principal, channel)
    query = OrderFilter(channel=channel, status=status, customer_id=customer_id, location_id=location_id,
                        placed_from=placed_from, placed_to=placed_to)
    with uow:
        return PageOut.of(orders.list_orders(uow, query, after=after, limit=limit))


@router.get("/orders/{order_id}", response_model=OrderDetailOut)
def get_order(order_id: str, uow: ReadUowDep, principal: Read) -> OrderDetailOut:
    with uow:
        order = orders.get_order(uow, order_id)
        check_channel_scope(principal, order.channel)
        return OrderDetailOut(**order.model_dump(), payments=payments.payments_for_order(uow, order_id))


@router.post("/orders/{order_id}/cancel", response_model=OrderDetailOut)
def cancel_order(order_id: str, body: CancelIn, tvers: TversDep, principal: Manage, __: IdempotencyKey = None) -> OrderDetailOut:
    """Cancel the whole order (no `lines`) or some units of some lines, before they are fulfilled: stock and money go back."""
    _check_scope(tvers, principal, order_id)
    order_changes.cancel_order(tvers, order_id, body, actor=principal.key_id)
    return _detail(tvers, order_id)


@router.post("/orders/{order_id}/edit", response_model=OrderDetailOut,
             responses={402: {"description": "The tenders for the difference were refused; nothing changed."}})
def edit_order(order_id: str, body: EditIn, tvers: TversDep, principal: Manage, __: IdempotencyKey = None) -> OrderDetailOut | Response:
    """Replace the lines before fulfilment: re-priced, re-reserved; the difference released, or authorised from `tenders`."""
    _check_scope(tvers, principal, order_id)
    try:
        order_edits.edit_order(tvers, order_id, body, actor=principal.key_id)
    except EditDeclined as declined:
        return problem(402, code=declined.code, detail=declined.message, extra=dict(declined.context))
    return _detail(tvers, order_id)


@router.post("/orders/{order_id}/hold", response_model=OrderDetailOut)
def hold_order(order_id: str, body: HoldIn, tvers: TversDep, principal: Manage, __: IdempotencyKey = None) -> OrderDetailOut:
    _check_scope(tvers, principal, order_id)
    with tvers.uow() as uow:
        orders.hold_order(uow, order_id, actor=principal.key_id, reason=body.reason, version=body.version)
        uow.commit()
    return _detail(tvers, order_id)


@router.post("/orders/{order_id}/release", response_model=OrderDetailOut)
def release_order(order_id: str, body: ReleaseIn, tvers: TversDep, principal: Manage, __: IdempotencyKey = None) -> OrderDetailOut:
    _check_scope(tvers, principal, order_id)
    with tvers.uow() as uow:
        orders.release_order(uow, order_id, actor=principal.key_id, reason=body.reason, version=body.version)
        uow.commit()
    return _detail(tvers, order_id)


def _check_scope(tvers: TversDep, principal: Principal, order_id: str) -> None:
    with tvers.uow(read_only=True) as uow:
        check_channel_scope(principal, orders.get_order(uow, order_id).channel)


def _detail(tvers: TversDep, order_id: str) -> OrderDetailOut:
    with tvers.uow(read_only=True) as uow:
        return OrderDetailOut(**orders.get_order(uow, order_id).model_dump(), payments=payments.payments_for_order(uow, order_id))
