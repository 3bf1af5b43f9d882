"""Checkout under concurrency and crashes, with OS processes: the last unit, retried keys, a killed checkout."""

from __future__ import annotations

import multiprocessing as mp
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from support.api import bearer, make_key
from support.checkout import APPROVE, DECLINE, card, crash_during_checkout, ledger_state, make_shop, post_order_at, ship_to
from support.server import running_server
from tvers.bootstrap import Tvers, build
from tvers.channels.access import Role
from tvers.inventory.models import Reservation
from tvers.kernel.clock import FixedClock
from tvers.orders.models import Order
from tvers.payments.models import Payment, PaymentTransaction
from tvers.settings import Settings

pytestmark = pytest.mark.slow


def order_body(channel: str, amount: str, *, number: str = APPROVE, sku: str = "CO-1") -> dict[str, Any]:
    return {"channel": channel, "lines": [{"sku": sku, "quantity": 1}], "delivery": ship_to(), "tenders": [card(number, amount)]}


def quoted_total(base: str, key: str, channel: str, sku: str = "CO-1") -> str:
    response = httpx.post(f"{base}/api/v1/quotes", headers=bearer(key), json={
        "channel": channel, "lines": [{"sku": sku, "quantity": 1}], "shipping": {"method": "ship", "country": "NO"}})
    assert response.status_code == 200, response.text
    return str(response.json()["grand_total"]["amount"])


def test_two_channels_checking_out_the_last_unit_make_one_order_and_one_clean_409(tvers: Tvers) -> None:
    # given one unit left in the warehouse both channels ship from (the store has two, for pickup only)
    make_shop(tvers, warehouse_stock=1, store_stock=2, store_ships=False)
    keys = {channel: make_key(tvers, Role.INTEGRATION, channel=channel) for channel in ("web", "market")}
    context = mp.get_context("spawn")
    results = context.Queue()
    with running_server(tvers) as base:
        amount = quoted_total(base, keys["web"], "web")
        start_at = time.time() + 3
        workers = [context.Process(target=post_order_at, args=(base, keys[channel], order_body(channel, amount), f"last-{channel}",
                                                               start_at, results)) for channel in keys]
        for worker in workers:
            worker.start()
        outcomes = sorted((results.get(timeout=120) for _ in workers), key=lambda outcome: outcome[0])
        for worker in workers:
            worker.join(timeout=30)
    # then one order, and one 409 insufficient_stock that says where else the item is
    (won, order), (lost, refusal) = outcomes
    assert (won, lost) == (201, 409), outcomes
    assert order["order"]["status"] == "confirmed"
    assert refusal["code"] == "insufficient_stock"
    assert [(a["location"], a["available"]) for a in refusal["available_elsewhere"]] == [("bergen", 2)]
    with tvers.uow(read_only=True) as uow:
        placed = uow.session.scalar(select(func.count()).select_from(Order).where(Order.status == "confirmed"))
        active = uow.session.scalar(select(func.sum(Reservation.quantity)).where(Reservation.status == "active"))
    assert (placed, active) == (1, 1)


def test_fifty_concurrent_retries_of_one_key_make_one_order_and_one_authorisation(tvers: Tvers) -> None:
    make_shop(tvers)
    key = make_key(tvers, Role.INTEGRATION, channel="web")
    with running_server(tvers) as base, ThreadPoolExecutor(max_workers=50) as pool:
        body = order_body("web", quoted_total(base, key, "web"))

        def send(_: int) -> httpx.Response:
            return httpx.post(f"{base}/api/v1/orders", json=body, headers={**bearer(key), "Idempotency-Key": "fifty"}, timeout=60)

        responses = list(pool.map(send, range(50)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["order"]["id"] for r in responses}) == 1
    with tvers.uow(read_only=True) as uow:
        orders = uow.session.scalar(select(func.count()).select_from(Order))
        payments = uow.session.scalar(select(func.count()).select_from(Payment))
        authorisations = uow.session.scalar(select(func.count()).select_from(PaymentTransaction)
                                            .where(PaymentTransaction.kind == "authorize"))
    assert (orders, payments, authorisations) == (1, 1, 1)


def assert_doctor_is_happy(tvers: Tvers) -> None:
    """No stock held for an order that should not hold it, and every payment's totals equal its transactions."""
    from tvers.payments import service as payments
    from tvers.workflows.consistency import dangling_order_reservations

    with tvers.uow(read_only=True) as uow:
        assert (dangling_order_reservations(uow), payments.check_payment_ledgers(uow)) == ([], [])


def _crash(database_url: str, body: dict[str, Any], after: str) -> str:
    context = mp.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=crash_during_checkout, args=(database_url, body, after, out))
    process.start()
    order_id = str(out.get(timeout=120))
    process.join(timeout=30)
    assert process.exitcode == -9  # killed, not finished
    return order_id


def _sweeper(tvers: Tvers) -> Tvers:
    """The worker, run after the checkout deadline has passed (the crashed process used the real clock)."""
    later = datetime.now(UTC) + timedelta(seconds=tvers.settings.checkout_deadline_seconds + 5)
    return build(Settings(database_url=tvers.settings.database_url), clock=FixedClock(later), subscribers=())


@pytest.mark.parametrize("after", ["step1", "step2"])
def test_a_checkout_killed_between_steps_is_finished_by_the_worker(tvers: Tvers, after: str) -> None:
    from tvers.workflows.checkout import sweep_stalled_checkouts

    make_shop(tvers)
    with running_server(tvers) as base:
        amount = quoted_total(base, make_key(tvers, Role.ADMIN), "web")
    order_id = _crash(tvers.settings.database_url, order_body("web", amount), after)
    with tvers.uow(read_only=True) as uow:
        assert uow.session.scalar(select(Order.status).where(Order.id == order_id)) == "pending_payment"
    worker = _sweeper(tvers)
    assert sweep_stalled_checkouts(worker) == 1
    worker.close()
    with tvers.uow(read_only=True) as uow:
        status = uow.session.scalar(select(Order.status).where(Order.id == order_id))
        authorised = uow.session.execute(select(PaymentTransaction.kind, PaymentTransaction.status)
                                         .join(Payment, Payment.id == PaymentTransaction.payment_id)
                                         .where(Payment.order_id == order_id)).all()
        held = uow.session.execute(select(Reservation.status, Reservation.expires_at).where(Reservation.reference_id == order_id)).all()
    # finished: confirmed, one authorisation, and the stock held for the order (not left to a checkout expiry)
    assert status == "confirmed"
    assert [tuple(row) for row in authorised] == [("authorize", "succeeded")]
    assert [s for s, _ in held] == ["active"] and all(at > datetime.now(UTC) + timedelta(days=20) for _, at in held)
    assert_doctor_is_happy(tvers)


def test_a_killed_checkout_with_a_declined_card_is_undone_by_the_worker(tvers: Tvers) -> None:
    from tvers.workflows.checkout import sweep_stalled_checkouts

    make_shop(tvers)
    before = ledger_state(tvers)
    with running_server(tvers) as base:
        amount = quoted_total(base, make_key(tvers, Role.ADMIN), "web")
    order_id = _crash(tvers.settings.database_url, order_body("web", amount, number=DECLINE), "step1")
    assert ledger_state(tvers)["active_reservations"] == 1
    worker = _sweeper(tvers)
    assert sweep_stalled_checkouts(worker) == 1
    worker.close()
    after = ledger_state(tvers)
    assert (after["levels"], after["active_reservations"]) == (before["levels"], 0)
    with tvers.uow(read_only=True) as uow:
        assert uow.session.scalar(select(Order.status).where(Order.id == order_id)) == "payment_failed"
        authorised = uow.session.scalars(select(PaymentTransaction.status).where(PaymentTransaction.kind == "authorize")).all()
    assert list(authorised) == ["failed"]  # no orphan authorisation
    assert_doctor_is_happy(tvers)
