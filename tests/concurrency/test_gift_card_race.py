"""Many OS processes redeem one gift card at the same instant on PostgreSQL: it can never be overdrawn."""

from __future__ import annotations

import multiprocessing as mp
import time
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from support.gift_card_race import redeem_many
from tvers.bootstrap import build
from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardIssueIn
from tvers.db.migrate import upgrade
from tvers.settings import Settings

PROCESSES, ATTEMPTS, AMOUNT_MINOR, BALANCE_MINOR = 8, 6, 3_700, 100_000  # 48 tries of 37.00 on a 1 000.00 card: 27 can succeed


@pytest.mark.slow
def test_concurrent_redemptions_never_overdraw_the_card(postgres_database):
    if postgres_database is None:
        pytest.skip("the race runs on PostgreSQL: set TVERS_TEST_POSTGRES_URL")
    # given a migrated database and a NOK 1 000 gift card
    engine = create_engine(postgres_database)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE gift_card_entries, gift_cards, outbox CASCADE"))
    engine.dispose()
    tvers = build(Settings(database_url=postgres_database), subscribers=())
    with tvers.uow() as uow:
        card = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal(BALANCE_MINOR) / 100, currency="NOK"))
        uow.commit()
    # when 8 spawned processes each try 6 redemptions of 37.00, all starting at the same instant
    context = mp.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 3
    workers = [context.Process(target=redeem_many, args=(postgres_database, card.code, str(Decimal(AMOUNT_MINOR) / 100), ATTEMPTS, n,
                                                         start_at, results)) for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    outcomes = [code for _ in workers for code in results.get(timeout=120)[1]]
    for worker in workers:
        worker.join(timeout=30)
    # then exactly as many succeeded as the balance allows, every failure is a clean insufficient_balance
    successes = outcomes.count("ok")
    assert sorted(set(outcomes) - {"ok"}) == ["insufficient_balance"]
    assert successes == BALANCE_MINOR // AMOUNT_MINOR
    # and the balance is what is left, never negative, and equal to the ledger's sum
    with tvers.uow(read_only=True) as uow:
        balance = uow.session.scalar(text("SELECT balance_minor FROM gift_cards WHERE id = :id"), {"id": card.id})
        ledger = uow.session.scalar(text("SELECT SUM(amount_minor) FROM gift_card_entries WHERE gift_card_id = :id"), {"id": card.id})
    tvers.close()
    assert balance == ledger == BALANCE_MINOR - successes * AMOUNT_MINOR >= 0
