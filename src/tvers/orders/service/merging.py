"""Orders follow their customer when two profiles are merged into one."""

from __future__ import annotations

from sqlalchemy import update

from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.orders.models import Order


def move_customer_orders(uow: Uow, *, from_customer: str, to_customer: str) -> int:
    """Re-point every order of the merged profile at the survivor; returns how many moved."""
    result = uow.session.execute(update(Order).where(Order.customer_id == from_customer).values(customer_id=to_customer))
    return rows_changed(result)
