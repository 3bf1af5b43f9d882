"""The demo's returns, on a small demo built in-process on both databases: completed orders come back through the real
returns workflow, more often from the web than from the tills, many of them to a store, each restocked and refunded.

What is asserted is read back from the database after the build, never numbers remembered from an earlier run.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from support.demo_orders import ledgers_disagree
from tvers.bootstrap import Tvers
from tvers.catalog.models import Product
from tvers.demo.build import build_demo
from tvers.inventory.models import Location, Movement
from tvers.kernel.clock import FixedClock
from tvers.orders.models import Order, OrderLine
from tvers.payments.models import Payment
from tvers.returns.models import Return, ReturnLineRow
from tvers.workflows import consistency

SMALL = {"orders": 240, "products": 40, "customers": 300, "stock_history": False}


def rows(tvers: Tvers, statement: Any) -> list[Any]:
    with tvers.uow(read_only=True) as uow:
        return list(uow.session.execute(statement))


def returned_share(tvers: Tvers, channel_type: str, category: str) -> float:
    """Of the completed orders' lines of a kind of channel and a top-level category: the share that came back."""
    lines = rows(tvers, select(OrderLine.id, func.count(ReturnLineRow.id))
                 .join(Order, Order.id == OrderLine.order_id).join(Product, Product.id == OrderLine.product_id)
                 .outerjoin(ReturnLineRow, ReturnLineRow.order_line_id == OrderLine.id)
                 .where(Order.status == "completed", Order.channel_type == channel_type, Product.category.like(f"{category}/%"))
                 .group_by(OrderLine.id))
    assert len(lines) >= 20, (channel_type, category, len(lines))
    return sum(1 for _, returned in lines if returned) / len(lines)


def test_the_demo_history_has_returns_through_the_workflow(tvers: Tvers, clock: FixedClock) -> None:
    # when a small demo is built
    summary = build_demo(tvers, seed=3, **SMALL)
    found = rows(tvers, select(Return.id, Return.status, Return.refund_total_minor, Order.channel_type, Location.type)
                 .join(Order, Order.id == Return.order_id).outerjoin(Location, Location.id == Return.returned_at_location_id))
    # then orders sold on several kinds of channel came back, the web and the tills among them
    kinds = Counter(kind for *_, kind, _ in found)
    assert len(kinds) >= 3 and kinds["web"] > 0 and kinds["pos"] > 0
    # and web apparel comes back far more often than anything bought at a till
    assert returned_share(tvers, "web", "apparel") > 2 * returned_share(tvers, "pos", "apparel")
    # and some web orders were brought back to a store, others posted to a warehouse
    web_at = Counter(place for *_, kind, place in found if kind == "web")
    assert web_at["store"] > 0 and web_at["warehouse"] > 0
    # and a received return was restocked where it came in, by that location's staff, and refunded
    received = [(return_id, refund) for return_id, status, refund, _, _ in found if status == "refunded"]
    assert received and all(refund > 0 for _, refund in received)
    restocked = rows(tvers, select(Movement.reference_id, Movement.actor, Location.code).join(Location, Location.id == Movement.location_id)
                     .where(Movement.kind == "return_restock"))
    assert {return_id for return_id, _ in received} == {reference for reference, _, _ in restocked}
    assert all(actor == f"staff:{code}" for _, actor, code in restocked)
    # and a size that does not fit is the commonest reason apparel and shoes come back
    reasons = Counter(reason for (reason,) in rows(tvers, select(ReturnLineRow.reason_code)
                                                   .join(OrderLine, OrderLine.id == ReturnLineRow.order_line_id)
                                                   .join(Product, Product.id == OrderLine.product_id)
                                                   .where(Product.category.like("apparel/%") | Product.category.like("footwear/%"))))
    assert reasons.most_common(1)[0][0] == "wrong_size"
    # and the summary counts what the database holds
    assert summary.returns.asked == len(found)
    assert summary.returns.online_in_store == sum(1 for *_, kind, place in found if kind != "pos" and place == "store")
    # and the shop refused none of them (part of a points payment goes back as points too)
    assert not summary.returns.refused
    # and no refund is more than was captured, and every cached balance still agrees with its ledger
    assert rows(tvers, select(Payment.id).where(Payment.refunded_minor + Payment.pending_refund_minor > Payment.captured_minor)) == []
    assert ledgers_disagree(tvers) == {}
    with tvers.uow(read_only=True) as uow:
        assert consistency.tasks_without_stock(uow) == []
