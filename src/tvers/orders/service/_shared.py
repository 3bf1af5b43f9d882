"""Helpers the order use cases share: rows that raise, output mapping, history rows."""

from __future__ import annotations

from sqlalchemy import select

from tvers.catalog.schemas import MoneyOut
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.money import Money
from tvers.orders.errors import OrderNotFound
from tvers.orders.models import Order, OrderLine, OrderStatusChange
from tvers.orders.schemas import OrderLineOut, OrderOut, OrderSummaryOut, StatusChangeOut


def order_row(uow: Uow, order_id: str, *, lock: bool = False) -> Order:
    """The order; `lock` takes its row lock (PostgreSQL) so concurrent changes queue instead of racing."""
    statement = select(Order).where(Order.id == order_id)
    row = uow.session.scalars(statement.with_for_update() if lock and uow.dialect == "postgresql" else statement).first()
    if row is None:
        message = f"no order {order_id!r}"
        raise OrderNotFound(message, fields=[FieldError("order_id", message, OrderNotFound.code)])
    return row


def line_rows(uow: Uow, order_id: str) -> list[OrderLine]:
    return list(uow.session.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)))


def add_history(uow: Uow, order_id: str, *, from_status: str | None, to_status: str, actor: str, reason: str | None) -> None:
    uow.session.add(OrderStatusChange(order_id=order_id, from_status=from_status, to_status=to_status, actor=actor, reason=reason,
                                      at=uow.clock.now()))


def money(minor: int, currency: str) -> MoneyOut:
    value = Money(minor, currency)
    return MoneyOut(amount=str(value.amount), currency=currency)


def summary_out(row: Order) -> OrderSummaryOut:
    return OrderSummaryOut(id=row.id, number=row.number, channel=row.channel, status=row.status, customer_id=row.customer_id,
                           total=money(row.total_minor, row.currency), delivery_method=row.delivery_method, placed_at=row.placed_at)


def line_out(row: OrderLine, currency: str) -> OrderLineOut:
    return OrderLineOut(
        id=row.id, line_no=row.line_no, sku=row.sku, title=row.title, variant_id=row.variant_id, product_id=row.product_id,
        quantity=row.quantity, cancelled_quantity=row.cancelled_quantity, fulfilled_quantity=row.fulfilled_quantity,
        open_quantity=row.quantity - row.cancelled_quantity - row.fulfilled_quantity,
        unit_price=money(row.unit_price_minor, currency), amount=money(row.amount_minor, currency),
        discount=money(row.discount_minor, currency), discounts=row.discounts, net=money(row.net_minor, currency),
        vat=money(row.vat_minor, currency), vat_rate=row.vat_rate, total=money(row.total_minor, currency),
        location_id=row.location_id, delivery_method=row.delivery_method,
    )


def order_out(uow: Uow, row: Order) -> OrderOut:
    history = uow.session.scalars(select(OrderStatusChange).where(OrderStatusChange.order_id == row.id).order_by(OrderStatusChange.id))
    currency = row.currency
    return OrderOut(
        **summary_out(row).model_dump(),
        source=row.source, currency=currency, prices_include_vat=row.prices_include_vat, tax_country=row.tax_country,
        cart_id=row.cart_id, external_id=row.external_id, location_id=row.location_id, pickup_location_id=row.pickup_location_id,
        subtotal=money(row.subtotal_minor, currency), discount_total=money(row.discount_minor, currency),
        shipping_total=money(row.shipping_minor, currency), net_total=money(row.net_minor, currency),
        vat_total=money(row.vat_minor, currency), shipping=row.shipping, pricing=row.pricing, coupon_codes=list(row.coupon_codes),
        sourcing=row.sourcing or {}, contact=row.contact, version=row.version,
        lines=[line_out(line, currency) for line in line_rows(uow, row.id)],
        history=[StatusChangeOut(from_status=h.from_status, to_status=h.to_status, actor=h.actor, reason=h.reason, at=h.at)
                 for h in history],
        updated_at=row.updated_at,
    )
