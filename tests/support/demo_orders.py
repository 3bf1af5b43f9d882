"""Reads a demo database's order history back, and checks it looks like a believable quarter of trade.

Shared by the in-process demo tests (both databases) and the CLI demo test: what is asserted is the database after
the demo, never numbers remembered from an earlier run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tvers.bootstrap import Tvers


FULFILMENT_STATUSES = ("confirmed", "in_fulfilment", "partially_fulfilled", "fulfilled", "completed", "cancelled", "payment_failed")


@dataclass(frozen=True)
class PlacedOrder:
    number: str
    channel: str
    channel_type: str
    status: str
    delivery_method: str
    placed_at: datetime
    customer_id: str | None
    discount_minor: int
    total_minor: int
    promotions: tuple[str, ...]  # applied, by name
    coupons: tuple[str, ...]
    tenders: tuple[str, ...]  # in checkout order
    skus: tuple[tuple[str, int], ...]


def placed_orders(tvers: Tvers) -> list[PlacedOrder]:
    from sqlalchemy import select

    from tvers.orders.models import Order, OrderLine
    from tvers.payments.models import Payment

    with tvers.uow(read_only=True) as uow:
        session = uow.session
        tenders: dict[str, list[str]] = {}
        for order_id, tender in session.execute(select(Payment.order_id, Payment.tender).order_by(Payment.order_id, Payment.position)):
            tenders.setdefault(order_id, []).append(tender)
        lines: dict[str, list[tuple[str, int]]] = {}
        for order_id, sku, quantity in session.execute(select(OrderLine.order_id, OrderLine.sku, OrderLine.quantity)
                                                       .order_by(OrderLine.order_id, OrderLine.line_no)):
            lines.setdefault(order_id, []).append((sku, quantity))
        return [PlacedOrder(number=o.number, channel=o.channel, channel_type=o.channel_type, status=o.status,
                            delivery_method=o.delivery_method, placed_at=o.placed_at, customer_id=o.customer_id,
                            discount_minor=o.discount_minor, total_minor=o.total_minor, promotions=_applied(o.pricing),
                            coupons=tuple(o.coupon_codes), tenders=tuple(tenders.get(o.id, ())), skus=tuple(lines.get(o.id, ())))
                for o in session.scalars(select(Order).order_by(Order.placed_at, Order.number))]


def placed_returns(tvers: Tvers) -> list[tuple[Any, ...]]:
    """The demo's returns as comparable values (ids are random): order number, where, status, refund, and each line."""
    from sqlalchemy import select

    from tvers.inventory.models import Location
    from tvers.orders.models import Order
    from tvers.returns.models import Return, ReturnLineRow

    with tvers.uow(read_only=True) as uow:
        lines: dict[str, list[tuple[str, int, str, str | None]]] = {}
        for return_id, sku, quantity, reason, condition in uow.session.execute(select(
                ReturnLineRow.return_id, ReturnLineRow.sku, ReturnLineRow.quantity, ReturnLineRow.reason_code, ReturnLineRow.condition)):
            lines.setdefault(return_id, []).append((sku, quantity, reason, condition))
        found = uow.session.execute(
            select(Return.id, Order.number, Location.code, Return.status, Return.refund_total_minor, Return.created_at)
            .join(Order, Order.id == Return.order_id).outerjoin(Location, Location.id == Return.returned_at_location_id))
        return sorted((number, code, status, refund, created_at, tuple(sorted(lines.get(id_, []))))
                      for id_, number, code, status, refund, created_at in found)


def _applied(pricing: dict[str, Any]) -> tuple[str, ...]:
    return tuple(p["name"] for p in pricing.get("promotions", []) if p.get("is_applied"))


def ledgers_disagree(tvers: Tvers) -> dict[str, Any]:
    """What `tvers doctor` would report: every cached balance against its ledger (empty when all agree)."""
    from tvers.customers import service as customers
    from tvers.inventory import service as inventory
    from tvers.payments import service as payments
    from tvers.workflows import consistency

    with tvers.uow(read_only=True) as uow:
        found = {"stock": inventory.check_stock(uow).findings, "points": customers.check_points_ledgers(uow),
                 "gift_cards": customers.check_gift_card_ledgers(uow), "store_credit": customers.check_store_credit_ledgers(uow),
                 "payments": payments.check_payment_ledgers(uow), "order_reservations": consistency.dangling_order_reservations(uow)}
    return {name: bad for name, bad in found.items() if bad}


def check_believable_quarter(orders: list[PlacedOrder], *, channels: set[str], built_at: datetime, days: int = 90,
                             slack: timedelta = timedelta(0)) -> None:
    """Every channel sold, across the quarter before `built_at` (± `slack`); tills completed on the spot; promotions, split
    tenders and declines occur."""
    assert orders, "the demo placed no orders"
    # on every channel the demo has
    assert {o.channel for o in orders} == channels
    # spread over the quarter, all in the past
    went_live = built_at - timedelta(days=days)
    assert all(went_live - slack < o.placed_at < built_at + slack for o in orders)
    assert min(o.placed_at for o in orders) < went_live + timedelta(days=10)
    assert max(o.placed_at for o in orders) > built_at - timedelta(days=10)
    assert len({o.placed_at.date() for o in orders}) > min(len(orders) // 3, days * 2 // 3)
    # carry-out sales at the tills completed at once; the rest went through fulfilment (most of them completed, the last
    # days' still under way, uncollected pickups cancelled), or failed payment
    statuses = Counter((o.channel_type == "pos", o.status) for o in orders)
    assert set(statuses) <= {(True, "completed"), (True, "payment_failed")} | {(False, status) for status in FULFILMENT_STATUSES}
    assert statuses[(True, "completed")] and statuses[(False, "completed")]
    assert statuses[(False, "completed")] > sum(n for (pos, _), n in statuses.items() if not pos) / 2
    assert all(o.delivery_method == "carry_out" for o in orders if o.channel_type == "pos")
    # some declined cards, each leaving a payment_failed order
    failed = [o for o in orders if o.status == "payment_failed"]
    assert failed and all("test_card" in o.tenders for o in failed)
    assert len(failed) < len(orders) / 10
    # promotions applied (the stored ones, not just loyalty tiers), split tenders, guests and known customers
    assert any(o.discount_minor > 0 for o in orders)
    assert any(not name.startswith(("bronze", "silver", "gold")) for o in orders for name in o.promotions)
    assert any(len(o.tenders) >= 2 for o in orders)
    assert any(o.customer_id is None for o in orders) and any(o.customer_id is not None for o in orders)
