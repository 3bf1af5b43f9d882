"""Finding orders: by channel, status, customer, location and date, newest first, with cursor pagination."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_, select

from tvers.db.pagination import Page, decode_cursor, page_of
from tvers.db.uow import Uow
from tvers.orders.models import Order, OrderLine
from tvers.orders.schemas import OrderFilter, OrderSummaryOut
from tvers.orders.service._shared import summary_out


def list_orders(uow: Uow, query: OrderFilter, *, after: str | None = None, limit: int = 50) -> Page[OrderSummaryOut]:
    """Newest first; ids are time-sortable, so the id is the cursor."""
    statement = select(Order).order_by(Order.id.desc()).limit(limit + 1)
    if query.channel:
        statement = statement.where(Order.channel == query.channel)
    if query.status:
        statement = statement.where(Order.status == query.status.value)
    if query.customer_id:
        statement = statement.where(Order.customer_id == query.customer_id)
    if query.location_id:
        statement = statement.where(or_(Order.location_id == query.location_id, Order.pickup_location_id == query.location_id))
    if query.placed_from:
        statement = statement.where(Order.placed_at >= query.placed_from)
    if query.placed_to:
        statement = statement.where(Order.placed_at < query.placed_to)
    last_seen = decode_cursor(after)
    if last_seen:
        statement = statement.where(Order.id < last_seen)
    rows = list(uow.session.scalars(statement))
    page = page_of(rows, limit=limit, last_id=rows[limit - 1].id if len(rows) > limit else None)
    return Page(items=[summary_out(row) for row in page.items], next_cursor=page.next_cursor)


def customer_order_ids(uow: Uow, customer_id: str, *, handed_over_skus: Collection[str] | None = None) -> list[str]:
    """The customer's orders, oldest first; with `handed_over_skus`, only those with units of one of them handed over."""
    statement = select(Order.id).where(Order.customer_id == customer_id).order_by(Order.id)
    if handed_over_skus is not None:
        statement = statement.where(Order.id.in_(select(OrderLine.order_id).where(OrderLine.sku.in_(list(handed_over_skus)),
                                                                                   OrderLine.fulfilled_quantity > 0)))
    return list(uow.session.scalars(statement))
