"""Human-readable order numbers per channel (WEB-NO-000123)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, exists, or_, select, update

from tvers.db.uow import Uow
from tvers.db.upsert import insert_missing
from tvers.orders.models import Order, OrderNumber

ORDER_NUMBERS: Table = OrderNumber.__table__  # type: ignore[assignment]


def next_order_number(uow: Uow, channel: str) -> str:
    """The channel's next number. Run it in a short unit of work of its own: the counter row stays locked until commit."""
    bump = update(OrderNumber).where(OrderNumber.channel == channel).values(last_number=OrderNumber.last_number + 1)
    number = uow.session.scalar(bump.returning(OrderNumber.last_number))
    if number is None:  # the channel's first order
        insert_missing(uow.session, ORDER_NUMBERS, [{"channel": channel, "last_number": 0}], keys=["channel"])
        number = uow.session.scalar(bump.returning(OrderNumber.last_number))
    return f"{channel.upper()}-{number:06d}"


def next_order_number_unless_ordered(uow: Uow, channel: str, *, checkout_key: str | None = None, cart_id: str | None = None,
                                     external_id: str | None = None) -> str | None:
    """The channel's next number, unless an order with this key, cart or external id exists: one statement (the counter
    bumped only when no such order is there). None also for the channel's first order: then ask `existing_order_id` and
    `next_order_number` as before."""
    made: list[ColumnElement[bool]] = []
    if checkout_key is not None:
        made.append((Order.channel == channel) & (Order.checkout_key == checkout_key))
    if cart_id is not None:
        made.append(Order.cart_id == cart_id)
    if external_id is not None:
        made.append((Order.channel == channel) & (Order.external_id == external_id))
    bump = update(OrderNumber).where(OrderNumber.channel == channel).values(last_number=OrderNumber.last_number + 1)
    if made:
        bump = bump.where(~exists(select(Order.id).where(or_(*made))))
    number = uow.session.scalar(bump.returning(OrderNumber.last_number))
    return None if number is None else f"{channel.upper()}-{number:06d}"
