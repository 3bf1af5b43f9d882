"""Human-readable order numbers per channel (WEB-NO-000123)."""

from __future__ import annotations

from sqlalchemy import Table, update

from tvers.db.uow import Uow
from tvers.db.upsert import insert_missing
from tvers.orders.models import OrderNumber

ORDER_NUMBERS: Table = OrderNumber.__table__  # type: ignore[assignment]


def next_order_number(uow: Uow, channel: str) -> str:
    """The channel's next number. Run it in a short unit of work of its own: the counter row stays locked until commit."""
    bump = update(OrderNumber).where(OrderNumber.channel == channel).values(last_number=OrderNumber.last_number + 1)
    number = uow.session.scalar(bump.returning(OrderNumber.last_number))
    if number is None:  # the channel's first order
        insert_missing(uow.session, ORDER_NUMBERS, [{"channel": channel, "last_number": 0}], keys=["channel"])
        number = uow.session.scalar(bump.returning(OrderNumber.last_number))
    return f"{channel.upper()}-{number:06d}"
