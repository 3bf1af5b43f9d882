"""OS processes place orders with one coupon at the same instant on PostgreSQL: its limits, in total and per customer, always hold."""

from __future__ import annotations

import multiprocessing as mp
import time
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from support.coupon_race import use_coupon_many
from support.quoting import seed_store
from tvers.bootstrap import Tvers, build
from tvers.db.migrate import upgrade
from tvers.quoting import service as quoting
from tvers.quoting.schemas import CouponIn, PercentOffIn, PromotionIn
from tvers.schema import target_metadata
from tvers.settings import Settings

PROCESSES, ATTEMPTS = 6, 3  # 18 orders try the code


def fresh_store(url: str) -> tuple[Tvers, dict[str, str]]:
    engine = create_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        names = ", ".join(f'"{t.name}"' for t in target_metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    tvers = build(Settings(database_url=url), subscribers=())
    return tvers, seed_store(tvers).customers


def race(url: str, code: str, customer_id: str | None) -> list[str]:
    context = mp.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 4
    workers = [context.Process(target=use_coupon_many, args=(url, code, customer_id, ATTEMPTS, n, start_at, results))
               for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    outcomes = [outcome for _ in workers for outcome in results.get(timeout=180)[1]]
    for worker in workers:
        worker.join(timeout=30)
    return outcomes


@pytest.mark.slow
@pytest.mark.parametrize(("limits", "customer", "winners"), [
    ({"max_uses": 5}, None, 5),
    ({"max_uses_per_customer": 2}, "gold", 2),
])
def test_racing_orders_never_overuse_a_coupon(postgres_database, limits, customer, winners):
    if postgres_database is None:
        pytest.skip("the race runs on PostgreSQL: set TVERS_TEST_POSTGRES_URL")
    # given a code limited in total (or per customer)
    tvers, customers = fresh_store(postgres_database)
    with tvers.uow() as uow:
        promotion = quoting.create_promotion(uow, PromotionIn(name="Race", benefit=PercentOffIn(kind="percent_off", percent=Decimal(10)),
                                                              requires_coupon=True))  # type: ignore[arg-type]
        quoting.create_coupon(uow, promotion.id, CouponIn(code="RACE", **limits))
        uow.commit()
    # when 6 spawned processes each place 3 orders with it, all starting at the same instant
    outcomes = race(postgres_database, "RACE", customers[customer] if customer else None)
    # then exactly as many won as the limit allows, and every loser got a clean coupon_used_up
    assert outcomes.count("ok") == winners, outcomes
    assert set(outcomes) - {"ok"} == {"coupon_used_up"}
    # and the counter equals the redemptions kept
    with tvers.uow(read_only=True) as uow:
        uses = uow.session.scalar(text("SELECT uses FROM coupons WHERE code = 'RACE'"))
        kept = uow.session.scalar(text("SELECT COUNT(*) FROM coupon_redemptions WHERE released_at IS NULL"))
    tvers.close()
    assert uses == kept == winners
