"""Idempotency over real HTTP: concurrent retries of one request make one thing and share one response."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from support.api import bearer, make_key
from support.server import running_server
from tvers.channels.access import Role
from tvers.db.outbox import OutboxEvent

BODY = {"handle": "hardanger-tent", "title": "Hardanger 3-Person Tent", "variants": [{"sku": "HT-3P"}]}


def test_fifty_concurrent_retries_make_one_product(tvers):
    # given one request sent 50 times at once with the same Idempotency-Key
    headers = {**bearer(make_key(tvers, Role.ADMIN)), "Idempotency-Key": "create-tent-1"}
    with running_server(tvers) as base, ThreadPoolExecutor(max_workers=50) as pool:
        def send(_: int) -> httpx.Response:
            return httpx.post(f"{base}/api/v1/products", json=BODY, headers=headers, timeout=30)

        responses = list(pool.map(send, range(50)))
    # then every caller got the same 201 and exactly one product (and one event) exists
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 49
    with tvers.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutboxEvent)) == 1


def test_client_error_is_stored_and_replayed(tvers):
    # given a request that failed validation in the domain (duplicate SKU in its own body)
    headers = {**bearer(make_key(tvers, Role.ADMIN)), "Idempotency-Key": "k-2"}
    bad = {**BODY, "variants": [{"sku": "A"}, {"sku": "A"}]}
    with running_server(tvers) as base:
        first = httpx.post(f"{base}/api/v1/products", json=bad, headers=headers)
        again = httpx.post(f"{base}/api/v1/products", json=bad, headers=headers)
    # then the 4xx is stored and replayed like any response (same key, same body, same answer)
    assert first.status_code == again.status_code == 422
    assert again.headers.get("idempotent-replayed") == "true"
