"""Creating orders and finding the one a retried checkout already made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, insert, select

from tvers.db.uow import Uow
from tvers.kernel.ids import new_id
from tvers.orders.lifecycle import OrderStatus
from tvers.orders.models import Order, OrderLine, OrderStatusChange
from tvers.orders.schemas import NewOrder, OrderOut
from tvers.orders.service._shared import order_out, order_row


def create_order(uow: Uow, new: NewOrder, *, number: str) -> str:
    """Step 1 of checkout: the order `pending_payment` with its lines; returns the order id. Bulk inserts: it is the hot path."""
    order_id, now = new_id("ord"), uow.clock.now()
    totals = new.totals
    uow.session.execute(insert(Order), [{
        "id": order_id, "number": number, "channel": new.channel, "channel_type": new.channel_type, "source": new.source,
        "status": OrderStatus.PENDING_PAYMENT.value, "held_from": None, "customer_id": new.customer_id, "cart_id": new.cart_id,
        "external_id": new.external_id, "checkout_key": new.checkout_key, "currency": new.currency,
        "prices_include_vat": new.prices_include_vat, "tax_country": new.tax_country, "delivery_method": new.delivery_method,
        "pickup_location_id": new.pickup_location_id, "subtotal_minor": totals.subtotal_minor, "discount_minor": totals.discount_minor,
        "shipping_minor": totals.shipping_minor, "net_minor": totals.net_minor, "vat_minor": totals.vat_minor,
        "total_minor": totals.total_minor, "shipping": new.shipping, "pricing": new.pricing, "coupon_codes": list(new.coupon_codes),
        "contact": new.contact, "location_id": new.location_id, "placed_by": new.placed_by, "version": 1,
        "checkout_deadline_at": new.checkout_deadline_at, "placed_at": now, "updated_at": now,
    }])
    uow.session.execute(insert(OrderLine), [
        {"id": new_id("oln"), "order_id": order_id, "line_no": number_in_order, "variant_id": line.variant_id,
         "product_id": line.product_id, "sku": line.sku, "title": line.title, "category": line.category, "tax_class": line.tax_class,
         "quantity": line.quantity, "cancelled_quantity": 0, "fulfilled_quantity": 0, "unit_price_minor": line.unit_price_minor,
         "amount_minor": line.amount_minor, "discount_minor": line.discount_minor, "net_minor": line.net_minor,
         "vat_minor": line.vat_minor, "vat_rate": line.vat_rate, "total_minor": line.total_minor, "discounts": line.discounts,
         "location_id": line.location_id, "delivery_method": line.delivery_method}
        for number_in_order, line in enumerate(new.lines, start=1)
    ])
    uow.session.execute(insert(OrderStatusChange), [{"order_id": order_id, "from_status": None, "actor": new.placed_by,
                                                     "to_status": OrderStatus.PENDING_PAYMENT.value, "reason": "checkout", "at": now}])
    return order_id


def existing_order_id(uow: Uow, *, channel: str, checkout_key: str | None = None, cart_id: str | None = None,
                      external_id: str | None = None) -> str | None:
    """The order a retried checkout already made: same key on the channel, same cart, or same marketplace order."""
    conditions: list[ColumnElement[bool]] = []
    if checkout_key is not None:
        conditions.append((Order.channel == channel) & (Order.checkout_key == checkout_key))
    if cart_id is not None:
        conditions.append(Order.cart_id == cart_id)
    if external_id is not None:
        conditions.append((Order.channel == channel) & (Order.external_id == external_id))
    for condition in conditions:
        found = uow.session.scalar(select(Order.id).where(condition))
        if found is not None:
            return found
    return None


def get_order(uow: Uow, order_id: str) -> OrderOut:
    return order_out(uow, order_row(uow, order_id))


def stalled_checkouts(uow: Uow, *, now: datetime, limit: int = 100) -> list[str]:
    """Orders left `pending_payment` past their deadline: a crash (or a lost client) between the checkout's steps."""
    return list(uow.session.scalars(
        select(Order.id)
        .where(Order.status == OrderStatus.PENDING_PAYMENT.value, Order.checkout_deadline_at < now)
        .order_by(Order.checkout_deadline_at)
        .limit(limit)
    ))


def statuses_of(uow: Uow, order_ids: Sequence[str]) -> dict[str, str]:
    if not order_ids:
        return {}
    rows = uow.session.execute(select(Order.id, Order.status).where(Order.id.in_(list(order_ids))))
    return {order_id: status for order_id, status in rows}
