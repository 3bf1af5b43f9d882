"""Coupon use by orders (what checkout calls), the statements a quote costs, and a stored cart's quote."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from support.api import bearer, make_key, ok, problem
from support.quoting import counts, coupon_uses, seed_store
from tvers.channels.access import Role
from tvers.pricing.errors import CouponUsedUp
from tvers.quoting import service as quoting
from tvers.quoting.quote_schemas import Quote, QuoteIn, QuoteLineIn, ShippingChoice
from tvers.quoting.schemas import CouponIn, PercentOffIn, PromotionIn

THREE_LINES = [QuoteLineIn(sku="SHOE-42", quantity=2), QuoteLineIn(sku="BOOK-1", quantity=1), QuoteLineIn(sku="COFFEE-1", quantity=3)]


@pytest.fixture
def store(tvers):
    return seed_store(tvers)


def add_coupon(tvers: Any, code: str, **limits: Any) -> None:
    with tvers.uow() as uow:
        promotion = quoting.create_promotion(uow, PromotionIn(name=f"{code} 10%", benefit=PercentOffIn(kind="percent_off", percent=10),
                                                              requires_coupon=True))  # type: ignore[arg-type]
        quoting.create_coupon(uow, promotion.id, CouponIn(code=code, **limits))
        uow.commit()


def priced(tvers: Any, *codes: str, customer: str | None = None, shipping: ShippingChoice | None = None) -> Quote:
    with tvers.uow(read_only=True) as uow:
        return quoting.quote(uow, QuoteIn(channel="web-no", lines=THREE_LINES, customer_id=customer, coupon_codes=list(codes),
                                          shipping=shipping))


def record(tvers: Any, quote: Quote, order_id: str, customer_id: str | None = None) -> None:
    with tvers.uow() as uow:
        quoting.record_coupon_use(uow, quote=quote, order_id=order_id, customer_id=customer_id)
        uow.commit()


def release(tvers: Any, order_id: str) -> int:
    with tvers.uow() as uow:
        released = quoting.release_coupon_use(uow, order_id)
        uow.commit()
    return released


def test_a_single_use_coupon_is_taken_once_and_given_back(tvers, store):
    # given a single-use code, quoted for an order
    add_coupon(tvers, "LAST", max_uses=1)
    quote = priced(tvers, "last")
    assert [(use.code, use.promotion_id) for use in quote.coupon_uses] == [("LAST", quote.breakdown.promotions[0].promotion_id)]
    # when the order records its use, twice (a retry)
    record(tvers, quote, "ord-1")
    record(tvers, quote, "ord-1")
    # then it was taken once, and the code is used up for the next cart
    assert coupon_uses(tvers) == {"LAST": 1}
    assert counts(tvers)["coupon_redemptions"] == 1
    with pytest.raises(CouponUsedUp):
        priced(tvers, "LAST")
    # when the order fails and its use is released, twice
    assert (release(tvers, "ord-1"), release(tvers, "ord-1")) == (1, 0)
    # then the code is free again
    assert coupon_uses(tvers) == {"LAST": 0}
    assert [use.code for use in priced(tvers, "LAST").coupon_uses] == ["LAST"]


def test_the_second_of_two_orders_quoted_together_loses_the_last_use(tvers, store):
    # given a single-use code that two carts were quoted with before either order was placed
    add_coupon(tvers, "LAST", max_uses=1)
    first, second = priced(tvers, "LAST"), priced(tvers, "LAST")
    record(tvers, first, "ord-1")
    before = counts(tvers)
    # when the second order records its use
    with pytest.raises(CouponUsedUp) as raised:
        record(tvers, second, "ord-2")
    # then it is refused with the engine's code, and nothing of it was kept
    assert (raised.value.code, raised.value.context["coupon"]) == ("coupon_used_up", "LAST")
    assert coupon_uses(tvers) == {"LAST": 1}
    assert counts(tvers) == before


def test_a_per_customer_limit_holds_across_orders(tvers, store):
    # given a code each customer may use once, and two orders of Kari's quoted before either was placed
    add_coupon(tvers, "ONCE-EACH", max_uses_per_customer=1)
    gold, silver = store.customers["gold"], store.customers["silver"]
    first, second = priced(tvers, "ONCE-EACH", customer=gold), priced(tvers, "ONCE-EACH", customer=gold)
    record(tvers, first, "ord-1", gold)
    # when the second records its use, then it is refused
    with pytest.raises(CouponUsedUp):
        record(tvers, second, "ord-2", gold)
    # and a new quote for her is refused, while another customer may use it
    with pytest.raises(CouponUsedUp):
        priced(tvers, "ONCE-EACH", customer=gold)
    record(tvers, priced(tvers, "ONCE-EACH", customer=silver), "ord-3", silver)
    assert coupon_uses(tvers) == {"ONCE-EACH": 2}


@contextmanager
def statements(tvers: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            seen.append(statement)

    engines = {id(engine): engine for engine in (tvers.db.engine, tvers.db.read_engine)}.values()  # one engine on PostgreSQL
    for engine in engines:
        event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", remember)


def test_a_three_line_quote_costs_six_statements(tvers, store):
    # given a code, a gold customer and a shipped order: everything a quote can read
    add_coupon(tvers, "LAST", max_uses=5, max_uses_per_customer=2)
    ship = ShippingChoice(method="ship", country="NO")  # type: ignore[arg-type]
    # when three lines are quoted
    with statements(tvers) as full:
        quote = priced(tvers, "LAST", customer=store.customers["gold"], shipping=ship)
    with statements(tvers) as anonymous:
        priced(tvers, shipping=ShippingChoice(method="pickup"))  # type: ignore[arg-type]
    with statements(tvers) as recorded:
        record(tvers, quote, "ord-1", store.customers["gold"])
    # then: channel, lines, customer + programme, points, promotions + coupons, shipping rate; and three for an anonymous pickup
    assert quote.breakdown.consumed_coupons == ("LAST",)
    assert len(full) == 6, full
    assert len(anonymous) == 3, anonymous
    # and recording the use: redemption, conditional UPDATE, per-customer count, outbox
    assert len(recorded) == 4, recorded


def test_a_stored_cart_is_quoted_for_its_owner(client, admin, tvers, store):
    # given gold Kari's cart with three lines, and a code
    add_coupon(tvers, "LAST", max_uses=5)
    cart = ok(client.post("/api/v1/carts", json={"channel": "web-no", "customer_id": store.customers["gold"]}, headers=admin))
    for line in THREE_LINES:
        ok(client.post(f"/api/v1/carts/{cart['id']}/lines", json=line.model_dump(), headers=admin))
    # when it is quoted with the code, shipped to Norway
    params = {"coupon": "last", "shipping": "ship", "country": "NO"}
    quoted = ok(client.get(f"/api/v1/carts/{cart['id']}/quote", params=params, headers=admin))
    # then it is priced exactly as the same lines posted as a quote
    direct = ok(client.post("/api/v1/quotes", headers=admin, json={
        "channel": "web-no", "lines": [line.model_dump() for line in THREE_LINES], "customer_id": store.customers["gold"],
        "coupon_codes": ["LAST"], "shipping": {"method": "ship", "country": "NO"}}))
    assert quoted == direct
    assert (quoted["tier"], quoted["coupons"], quoted["shipping"]["total"]["amount"]) == ("gold", ["LAST"], "0.00")
    # and an integration key prices it on its own channel only
    web_no = bearer(make_key(tvers, Role.INTEGRATION, channel="web-no"))
    assert ok(client.get(f"/api/v1/carts/{cart['id']}/quote", params=params, headers=web_no)) == quoted
    problem(client.get(f"/api/v1/carts/{cart['id']}/quote", params={"channel": "pos-oslo"}, headers=web_no), 403, "outside_scope")


def test_cart_quotes_refuse_what_cannot_be_priced(client, admin, tvers, store):
    cart = ok(client.post("/api/v1/carts", json={"channel": "web-no", "anonymous_token": "t" * 20}, headers=admin))
    before = counts(tvers)
    problem(client.get(f"/api/v1/carts/{cart['id']}/quote", headers=admin), 422, "empty_cart")
    problem(client.get("/api/v1/carts/crt_01JD3V7Q0000000000000000AA/quote", headers=admin), 404, "cart_not_found")
    ok(client.post(f"/api/v1/carts/{cart['id']}/lines", json={"sku": "BOOK-1", "quantity": 1}, headers=admin))
    problem(client.get(f"/api/v1/carts/{cart['id']}/quote", params={"shipping": "ship"}, headers=admin), 422, "invalid_input")
    problem(client.get(f"/api/v1/carts/{cart['id']}/quote", params={"coupon": "NOPE"}, headers=admin), 422, "coupon_unknown")
    problem(client.get(f"/api/v1/carts/{cart['id']}/quote", params={"channel": "pos-xx"}, headers=admin), 404, "channel_not_found")
    assert ok(client.get(f"/api/v1/carts/{cart['id']}/quote", params={"channel": "web-se"}, headers=admin))["currency"] == "SEK"
    with tvers.uow(read_only=True) as uow:
        assert uow.session.scalar(text("SELECT COUNT(*) FROM coupon_redemptions")) == before["coupon_redemptions"]
