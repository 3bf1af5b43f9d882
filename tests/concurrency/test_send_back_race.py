"""Store staff at several tills send the same returned goods back at the same instant: one transfer, the others a clean 409."""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from support.api import make_key, ok
from support.fulfilment import stock
from support.returns import post_at, sell_and_deliver
from support.server import running_server
from tvers.bootstrap import Tvers
from tvers.channels.access import Role
from tvers.inventory.models import Transfer
from tvers.web.app import create_app

pytestmark = pytest.mark.slow
TILLS = 4


def test_concurrent_send_backs_send_each_unit_once(tvers: Tvers) -> None:
    # given two units returned resellable in Stockholm
    admin = {"Authorization": f"Bearer {make_key(tvers, Role.ADMIN)}"}
    with TestClient(create_app(tvers, run_relay=False)) as client:
        sold = sell_and_deliver(client, admin, tvers)
        line = sold.order["lines"][0]
        asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
            "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 2, "reason": "wrong_size"}]}))
        done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    # when four tills send them back at the same instant
    context = mp.get_context("spawn")
    results = context.Queue()
    with running_server(tvers) as base:
        start_at = time.time() + 3
        workers = [context.Process(target=post_at, args=(base, "/api/v1/locations/stockholm/returns/send-back", sold.stockholm,
                                                         {"to_location": "oslo-dc"}, start_at, results)) for _ in range(TILLS)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
    # then one transfer took the two units, every other till got a clean 409, and the store's stock left once
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [201] + [409] * (TILLS - 1), outcomes
    assert {body["code"] for status, body in outcomes if status == 409} <= {"nothing_to_send_back", "insufficient_stock"}
    with tvers.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Transfer)) == 1
    assert stock(tvers, done["returned_at_location_id"], sold.shop.variant_ids["CO-3"]) == (0, 0)
