"""The demo's order history, built small and in-process on both databases: every order through the real checkout.

The full-size demo (with its stock history) runs through the CLI in test_cli.py; here the catalog and customer base are
small and the stores keep their opening stock, so the history itself is what is exercised.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import create_engine

from support.demo_orders import check_believable_quarter, ledgers_disagree, placed_orders, placed_returns
from tvers.bootstrap import Tvers, build
from tvers.db.migrate import upgrade
from tvers.demo.build import CHANNELS, build_demo
from tvers.demo.stores import STORES, pos_code
from tvers.kernel.clock import FixedClock
from tvers.settings import Settings

SMALL = {"orders": 160, "products": 40, "customers": 300, "stock_history": False}
DEMO_CHANNELS = {code for code, *_ in CHANNELS} | {pos_code(store) for store in STORES}


def test_a_small_demo_has_a_believable_quarter_of_orders_on_every_channel(tvers, clock):
    # when a small demo is built
    summary = build_demo(tvers, seed=7, **SMALL)
    # then its orders went through checkout on every channel, over 90 days, with promotions, split tenders and declines
    orders = placed_orders(tvers)
    check_believable_quarter(orders, channels=DEMO_CHANNELS, built_at=clock.now())
    assert summary.orders.placed == len(orders)
    assert summary.orders.refused == {}
    # and the welcome coupon and the till's own tenders were used
    assert any(o.coupons == ("WELCOME10",) for o in orders)
    assert {t for o in orders for t in o.tenders} >= {"test_card", "cash", "marketplace", "gift_card", "loyalty_points"}
    # and every cached balance still agrees with its ledger: stock, points, gift cards, store credit, payments
    assert ledgers_disagree(tvers) == {}


def _build_on_sqlite(path: Path, clock_at: FixedClock) -> Tvers:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    app = build(Settings(database_url=url), clock=FixedClock(clock_at.now()), subscribers=())
    build_demo(app, seed=11, **{**SMALL, "orders": 60, "customers": 200})
    return app


def test_the_same_seed_on_the_same_day_builds_the_same_history(tmp_path, clock):
    # given the demo built twice with one seed at the same instant, into two SQLite files
    first, second = (_build_on_sqlite(tmp_path / f"{name}.db", clock) for name in ("first", "second"))
    try:
        # then the two hold the same orders (customer ids are random; whether there is one is not)
        anonymous = [[replace(o, customer_id="known" if o.customer_id else None) for o in placed_orders(app)]
                     for app in (first, second)]
        assert anonymous[0] == anonymous[1]
        assert len(anonymous[0]) >= 50
        # and the same returns, received at the same places at the same instants
        assert placed_returns(first) == placed_returns(second)
    finally:
        first.close()
        second.close()


def test_a_demo_without_orders_still_builds(tvers):
    summary = build_demo(tvers, seed=3, **{**SMALL, "orders": 0, "customers": 100})
    assert (summary.orders.placed, placed_orders(tvers)) == (0, [])
