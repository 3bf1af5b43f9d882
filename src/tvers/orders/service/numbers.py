"""Human-readable order numbers per channel (WEB-NO-000123)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, String, Table, Update, bindparam, exists, or_, select, update

from tvers.db.uow import Uow
from tvers.db.upsert import insert_missing
from tvers.orders.models import Order, OrderNumber

ORDER_NUMBERS: Table = OrderNumber.__table__  # type: ignore[assignment]
ORDERS: Table = Order.__table__  # type: ignore[assignment]


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
    statement = _bump_unless(checkout_key is not None, cart_id is not None, external_id is not None)
    number = uow.session.connection().execute(statement, {"b_channel": channel, "b_checkout_key": checkout_key,
                                                          "b_cart_id": cart_id, "b_external_id": external_id}).scalar()
    return None if number is None else f"{channel.upper()}-{number:06d}"


@cache
def _bump_unless(by_key: bool, by_cart: bool, by_external_id: bool) -> Update:
    """Built once per kind of checkout (which of the three keys it has): hot path."""
    orders, channel = ORDERS.c, bindparam("b_channel", type_=String)
    made: list[ColumnElement[bool]] = []
    if by_key:
        made.append((orders.channel == channel) & (orders.checkout_key == bindparam("b_checkout_key")))
    if by_cart:
        made.append(orders.cart_id == bindparam("b_cart_id"))
    if by_external_id:
        made.append((orders.channel == channel) & (orders.external_id == bindparam("b_external_id")))
    bump = update(ORDER_NUMBERS).where(ORDER_NUMBERS.c.channel == channel).values(last_number=ORDER_NUMBERS.c.last_number + 1)
    if made:
        bump = bump.where(~exists(select(orders.id).where(or_(*made))))
    return bump.returning(ORDER_NUMBERS.c.last_number)
