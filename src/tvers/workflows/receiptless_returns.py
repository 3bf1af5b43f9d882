"""Receipt-less returns found through the customer's profile, and a customer's returns from every channel.

Staff find the customer (the customer lookup: email, phone, card, loyalty number), then the units through their orders
on every channel. A receipt-less return opens ordinary returns (one per order the units are taken from) marked
receipt-less; receiving one restocks as any return and refunds only as store credit to the customer (docs/returns.md).
"""

from __future__ import annotations

from tvers.catalog.schemas import MoneyOut
from tvers.customers import service as customers
from tvers.db.uow import Uow
from tvers.kernel.money import Money
from tvers.orders import service as orders
from tvers.orders.schemas import OrderOut
from tvers.returns import service as returns
from tvers.returns.errors import OverrideNotAllowed
from tvers.returns.receiptless_schemas import ReceiptlessReturnIn, ReturnableLineOut
from tvers.returns.schemas import ReturnOut
from tvers.workflows.app import App
from tvers.workflows.returns import returnable_order


def returnable_lines(uow: Uow, customer_id: str, *, channel: str | None) -> list[ReturnableLineOut]:
    """The customer's order lines from every channel (an integration: its own) with units handed over and not yet returned,
    most recently handed over first."""
    customer = customers.get_customer(uow, customer_id).id
    sold = {order.id: order for order in (orders.get_order(uow, order_id) for order_id in orders.customer_order_ids(uow, customer))
            if channel is None or order.channel == channel}
    left = returns.units_left(uow, [returnable_order(uow, order) for order in sold.values()])
    return [_line_out(sold[units.order_id], units, is_inside_window=returns.is_inside_window(uow, units)) for units in left]


def request_receiptless_return(app: App, data: ReceiptlessReturnIn, *, actor: str, may_override: bool,
                               channel: str | None) -> list[ReturnOut]:
    """Open receipt-less returns of the customer's units, per SKU from the most recently handed-over line with units left;
    all in one transaction (`return.requested` per order, marked receipt-less), or nothing."""
    if data.override is not None and not may_override:
        raise OverrideNotAllowed("only admins and store staff may override a return policy")
    with app.uow() as uow:
        customer = customers.active_customer_id(uow, data.customer_id)
        candidates = orders.customer_order_ids(uow, customer, handed_over_skus={line.sku for line in data.lines})
        for order_id in candidates:  # oldest first, a fixed order: the units left are counted once, under the locks
            orders.lock_order(uow, order_id)
        sold = [returnable_order(uow, order) for order in (orders.get_order(uow, order_id) for order_id in candidates)
                if channel is None or order.channel == channel]
        by_id = {order.order_id: order for order in sold}
        asked = returns.take_units(uow, returns.units_left(uow, sold), data)
        opened = [returns.open_return(uow, by_id[order_id], request, actor=actor, may_override=may_override, is_receiptless=True)
                  for order_id, request in asked.items()]
        uow.commit()
    return opened


def customer_returns(uow: Uow, customer_id: str, *, channel: str | None = None) -> list[ReturnOut]:
    """The returns of the customer's orders from every channel (an integration: its own), wherever returned, newest first."""
    customer = customers.get_customer(uow, customer_id).id
    found = returns.returns_of_orders(uow, orders.customer_order_ids(uow, customer))
    return [item for item in found if channel is None or item.sold_channel == channel]


def _line_out(order: OrderOut, units: returns.UnitsLeft, *, is_inside_window: bool) -> ReturnableLineOut:
    line = next(line for line in order.lines if line.id == units.line_id)
    paid = Money.of(line.total.amount, order.currency).minor // (line.quantity - line.cancelled_quantity)
    unit_price = Money(paid, order.currency)
    return ReturnableLineOut(order_id=order.id, order_number=order.number, channel=order.channel, line_id=line.id, sku=line.sku,
                             title=line.title, units_left=units.units_left,
                             unit_price_paid=MoneyOut(amount=str(unit_price.amount), currency=order.currency),
                             handed_over_at=units.handed_over_at, is_inside_window=is_inside_window)
