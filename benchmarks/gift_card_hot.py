"""Redemptions per second on ONE hot gift card from 8 processes on PostgreSQL (issue 4); the card never goes negative.

Each process redeems NOK 1.00 in its own unit of work (one conditional UPDATE + one ledger row + outbox) as fast as it
can for --seconds; the card holds enough for about half of what they try, so both outcomes are exercised.

    .venv/bin/python benchmarks/gift_card_hot.py [--postgres-url URL] [--processes 8] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import time
from decimal import Decimal
from typing import Any

from _harness import log, postgres_admin_url, postgres_version, temporary_database


def hammer(url: str, code: str, seconds: float, worker: int, start_at: float, results: Any) -> None:
    from tvers.bootstrap import build
    from tvers.customers import service as customers
    from tvers.customers.money_schemas import GiftCardRedeemIn
    from tvers.kernel.errors import TversError
    from tvers.settings import Settings

    tvers = build(Settings(database_url=url, pool_size=2), subscribers=())
    ok = refused = 0
    while time.time() < start_at:
        time.sleep(0.001)
    deadline, attempt = time.time() + seconds, 0
    while time.time() < deadline:
        attempt += 1
        try:
            with tvers.uow() as uow:
                customers.redeem_gift_card(uow, GiftCardRedeemIn(code=code, amount=Decimal("1.00"), currency="NOK",
                                                                 reference=f"w{worker}-{attempt}"))
                uow.commit()
            ok += 1
        except TversError as error:
            assert error.code == "insufficient_balance", error
            refused += 1
    results.put((ok, refused))
    tvers.close()


def run(url: str, *, processes: int, seconds: float, balance: int) -> dict[str, Any]:
    from sqlalchemy import text

    from tvers.bootstrap import build
    from tvers.customers import service as customers
    from tvers.customers.money_schemas import GiftCardIssueIn
    from tvers.settings import Settings

    tvers = build(Settings(database_url=url), subscribers=())
    with tvers.uow() as uow:
        card = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal(balance), currency="NOK"))
        uow.commit()
    context = mp.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 5
    workers = [context.Process(target=hammer, args=(url, card.code, seconds, n, start_at, results)) for n in range(processes)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    ok, refused = sum(o for o, _ in outcomes), sum(r for _, r in outcomes)
    with tvers.uow(read_only=True) as uow:
        left = uow.session.scalar(text("SELECT balance_minor FROM gift_cards WHERE id = :id"), {"id": card.id})
        ledger = uow.session.scalar(text("SELECT SUM(amount_minor) FROM gift_card_entries WHERE gift_card_id = :id"), {"id": card.id})
    tvers.close()
    left, ledger = int(left), int(ledger)
    assert left == ledger == balance * 100 - ok * 100 >= 0, (left, ledger, ok)
    return {"processes": processes, "seconds": seconds, "redeemed": ok, "refused_insufficient_balance": refused,
            "redemptions_per_second": round(ok / seconds, 1), "attempts_per_second": round((ok + refused) / seconds, 1),
            "balance_left_minor": left, "ledger_sum_minor": ledger}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--balance", type=int, default=400, help="NOK on the card (whole kroner).")
    args = parser.parse_args()
    admin = postgres_admin_url(args.postgres_url)
    with temporary_database(admin, prefix="tvers_bench_giftcard_") as url:
        from sqlalchemy import create_engine

        from tvers.db.migrate import upgrade

        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        figures = run(url, processes=args.processes, seconds=args.seconds, balance=args.balance)
    figures["postgres"] = postgres_version(admin)
    log("the card never went negative and its ledger sums to its balance")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
