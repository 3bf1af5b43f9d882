"""Editing an order before anything of it is fulfilled: its lines are replaced by a re-priced set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert

from tvers.db.uow import Uow
from tvers.kernel.ids import new_id
from tvers.kernel.versioning import check_version
from tvers.orders.errors import OrderNotEditable
from tvers.orders.events import OrderUpdated
from tvers.orders.lifecycle import EDITABLE
from tvers.orders.models import Order, OrderLine
from tvers.orders.schemas import NewOrderLine, OrderTotals
from tvers.orders.service._shared import add_history, line_rows, order_row


def editable_order(uow: Uow, order_id: str, *, version: int | None = None) -> Order:
    """The order, locked, if it may still be edited: confirmed or held, and not a unit of it fulfilled."""
    row = order_row(uow, order_id, lock=True)
    if version is not None:
        check_version(row.version, version)
    if row.status not in EDITABLE or any(line.fulfilled_quantity for line in line_rows(uow, order_id)):
        raise OrderNotEditable(f"An order that is {row.status} or partly fulfilled can no longer be edited", order_status=row.status)
    return row


def replace_lines(uow: Uow, row: Order, lines: Sequence[NewOrderLine], *, totals: OrderTotals, pricing: dict[str, Any],
                  shipping: dict[str, Any], actor: str, summary: str) -> None:
    """Swap the order's lines for the re-priced set; the edit is stamped in the history and announced."""
    uow.session.execute(delete(OrderLine).where(OrderLine.order_id == row.id))
    uow.session.execute(insert(OrderLine), [
        {"id": new_id("oln"), "order_id": row.id, "line_no": number, "variant_id": line.variant_id, "product_id": line.product_id,
         "sku": line.sku, "title": line.title, "category": line.category, "tax_class": line.tax_class, "quantity": line.quantity,
         "cancelled_quantity": 0, "fulfilled_quantity": 0, "unit_price_minor": line.unit_price_minor, "amount_minor": line.amount_minor,
         "discount_minor": line.discount_minor, "net_minor": line.net_minor, "vat_minor": line.vat_minor, "vat_rate": line.vat_rate,
         "total_minor": line.total_minor, "discounts": line.discounts, "location_id": line.location_id,
         "delivery_method": line.delivery_method}
        for number, line in enumerate(lines, start=1)
    ])
    row.subtotal_minor, row.discount_minor, row.shipping_minor = totals.subtotal_minor, totals.discount_minor, totals.shipping_minor
    row.net_minor, row.vat_minor, row.total_minor = totals.net_minor, totals.vat_minor, totals.total_minor
    row.pricing, row.shipping = pricing, shipping
    row.version += 1
    row.updated_at = uow.clock.now()
    add_history(uow, row.id, from_status=row.status, to_status=row.status, actor=actor, reason=f"edited: {summary}")
    uow.record(OrderUpdated(order_id=row.id, channel=row.channel, status=row.status, change="edited", version=row.version))
