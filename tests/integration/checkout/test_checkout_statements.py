"""What one checkout costs the database (issue 5: at most 25 SQL statements per order), and that the quick answer of
step 3 is the order as it is stored.

Counted as benchmarks/checkout.py counts: every statement sent through SQLAlchemy (`before_cursor_execute`; an
executemany counts once); BEGIN, COMMIT and ROLLBACK are not counted (SQLite's BEGIN IMMEDIATE, which this
engine sends as a statement, is left out so both databases count alike).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from support.api import ok
from support.checkout import APPROVE, card, make_shop, ship_to
from tvers.bootstrap import Tvers
from tvers.channels import api_keys
from tvers.quoting import service as quoting
from tvers.quoting.schemas import PercentOffIn, PromotionIn
from tvers.workflows import checkout
from tvers.workflows.checkout_schemas import CartCheckoutIn

# On PostgreSQL the order with its lines and first history row is one statement, and so are the payments with their
# pending authorisations (data-modifying CTEs); SQLite has none, so they are three and two statements there (+3).
LIMIT = {"postgresql": 25, "sqlite": 28}
HTTP_BOOKKEEPING = 3  # key check + Idempotency-Key claim (one transaction), and storing the response


@pytest.fixture
def shop(tvers: Tvers) -> Any:
    made = make_shop(tvers, warehouse_stock=100)
    with tvers.uow() as uow:
        quoting.create_promotion(uow, PromotionIn(name="Ten off", benefit=PercentOffIn(kind="percent_off", percent=Decimal(10))))
        uow.commit()
    return made


@contextmanager
def statements(tvers: Tvers) -> Iterator[list[str]]:
    seen: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN (IMMEDIATE): psycopg sends its own unseen
            seen.append(statement)

    engines = list({id(e): e for e in (tvers.db.engine, tvers.db.read_engine)}.values())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", remember)


def cart_body(client: TestClient, admin: dict[str, str], skus: dict[str, int]) -> dict[str, Any]:
    """A cart with these lines made through the API, and the body that pays its quoted total with an approving card."""
    cart = ok(client.post("/api/v1/carts", json={"channel": "web", "anonymous_token": f"tok-{'-'.join(skus)}-0123456789"}, headers=admin))
    for sku, quantity in skus.items():
        ok(client.post(f"/api/v1/carts/{cart['id']}/lines", json={"sku": sku, "quantity": quantity}, headers=admin))
    quote = ok(client.get(f"/api/v1/carts/{cart['id']}/quote", params={"shipping": "ship", "country": "NO"}, headers=admin))
    return {"channel": "web", "cart_id": cart["id"], "delivery": ship_to(), "tenders": [card(APPROVE, quote["grand_total"]["amount"])]}


def test_a_three_line_cart_checkout_stays_within_25_statements_and_answers_the_stored_order(
        client: TestClient, admin: dict[str, str], tvers: Tvers, backend: str, shop: Any) -> None:
    # given a 3-line cart with a promotion, VAT and shipping, and a first order on the channel (the counter row exists)
    first = cart_body(client, admin, {"CO-4": 1})
    assert client.post("/api/v1/checkout", json=first, headers={**admin, "Idempotency-Key": "first"}).status_code == 201
    body = cart_body(client, admin, {"CO-1": 2, "CO-2": 1, "CO-3": 1})
    with tvers.uow(read_only=True) as uow:
        principal = api_keys.authenticate(uow, admin["Authorization"].removeprefix("Bearer "))
    caller = checkout.Caller(actor=principal.key_id, checkout_key="counted")
    # when it is checked out (the workflow, as the route calls it)
    with statements(tvers) as seen:
        answer = checkout.checkout_cart(tvers, CartCheckoutIn.model_validate(body), caller=caller)
    # then it is confirmed within the statement budget
    assert answer.outcome == "confirmed" and answer.order.status == "confirmed"
    assert len(seen) <= LIMIT[backend], "\n".join(s.split("\n")[0][:120] for s in seen)
    # and what it answered without reading back is the order and payments as stored
    stored = checkout.order_state(tvers, answer.order.id)
    assert answer.model_dump(mode="json") == stored.model_dump(mode="json")


def test_the_http_checkout_adds_only_the_key_check_and_the_idempotency_bookkeeping(
        client: TestClient, admin: dict[str, str], tvers: Tvers, backend: str, shop: Any) -> None:
    first = cart_body(client, admin, {"CO-4": 1})
    assert client.post("/api/v1/checkout", json=first, headers={**admin, "Idempotency-Key": "first"}).status_code == 201
    body = cart_body(client, admin, {"CO-1": 1, "CO-2": 2, "CO-3": 1})
    with statements(tvers) as seen:
        response = client.post("/api/v1/checkout", json=body, headers={**admin, "Idempotency-Key": "counted"})
    assert response.status_code == 201, response.text
    assert len(seen) <= LIMIT[backend] + HTTP_BOOKKEEPING, "\n".join(s.split("\n")[0][:120] for s in seen)
    # the stored answer is replayed as it was sent
    again = client.post("/api/v1/checkout", json=body, headers={**admin, "Idempotency-Key": "counted"})
    assert again.headers.get("idempotent-replayed") == "true" and again.content == response.content
