"""Orders from every channel land on one customer: a till sale and a web order, two profiles merged, points in one account."""

from __future__ import annotations

from fastapi.testclient import TestClient

from support.api import ok
from support.checkout import APPROVE, card, make_shop, ship_to
from tvers.bootstrap import Tvers, build, module_subscribers
from tvers.customers import service as customers
from tvers.kernel.clock import FixedClock
from tvers.settings import Settings


def test_a_till_sale_and_a_web_order_of_two_merged_profiles_end_up_on_the_survivor_with_their_points(
        client: TestClient, admin: dict[str, str], tvers: Tvers, clock: FixedClock) -> None:
    make_shop(tvers)
    # given a web order by email and a till sale by loyalty card: two profiles
    web_total = ok(client.post("/api/v1/quotes", headers=admin, json={
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "shipping": {"method": "ship", "country": "NO"}}))["grand_total"]
    web = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "web"}, json={
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": ship_to(), "tenders": [card(APPROVE, web_total["amount"])],
        "customer": {"identities": [{"type": "email", "value": "kari@example.no", "is_verified": True}]}}))["order"]
    till = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "till"}, json={
        "channel": "pos-bergen", "lines": [{"sku": "CO-2", "quantity": 1}], "delivery": {"method": "carry_out", "location": "bergen"},
        "tenders": [{"tender": "cash", "amount": "250.00", "currency": "NOK"}],
        "customer": {"identities": [{"type": "loyalty_card", "value": "7001000042"}]}}))["order"]
    assert web["customer_id"] and till["customer_id"] and web["customer_id"] != till["customer_id"]
    # when staff merge them and the worker's relay runs the modules' subscribers
    with tvers.uow() as uow:
        customers.merge_customers(uow, survivor_id=web["customer_id"], merged_id=till["customer_id"], reason="same person",
                                  actor="staff")
        uow.commit()
    worker = build(Settings(database_url=tvers.settings.database_url), clock=clock, subscribers=module_subscribers())
    for _ in range(3):
        worker.relay.run_once()
    worker.close()
    # then both orders belong to the survivor, and the till sale earned its points there
    mine = ok(client.get("/api/v1/orders", params={"customer_id": web["customer_id"]}, headers=admin))["items"]
    assert sorted(o["id"] for o in mine) == sorted([web["id"], till["id"]])
    view = ok(client.get(f"/api/v1/customers/{web['customer_id']}/view", headers=admin))
    assert {(o["id"], o["channel"]) for o in view["orders"]} == {(web["id"], "web"), (till["id"], "pos-bergen")}
    points = ok(client.get(f"/api/v1/customers/{web['customer_id']}/loyalty/points", headers=admin))
    assert [(entry["kind"], entry["reference"], entry["channel"]) for entry in points] == [("earn", till["id"], "pos-bergen")]
    assert points[0]["points"] > 0


def test_keys_place_orders_only_where_they_serve(client: TestClient, tvers: Tvers) -> None:
    from support.api import bearer, make_key, problem
    from tvers.channels.access import Role

    make_shop(tvers)
    market = bearer(make_key(tvers, Role.INTEGRATION, channel="market"))
    oslo_staff = bearer(make_key(tvers, Role.STORE_STAFF, locations=["oslo-dc"]))
    sale = {"channel": "pos-bergen", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": {"method": "carry_out", "location": "bergen"},
            "tenders": [{"tender": "cash", "amount": "500.00", "currency": "NOK"}]}
    problem(client.post("/api/v1/orders", json=sale, headers={**market, "Idempotency-Key": "a"}), 403, "outside_scope")
    problem(client.post("/api/v1/orders", json=sale, headers={**oslo_staff, "Idempotency-Key": "b"}), 403, "outside_scope")


def test_the_doctor_finds_stock_held_for_an_order_that_no_longer_needs_it(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    from datetime import timedelta

    from tvers.inventory import service as inventory
    from tvers.workflows.consistency import dangling_order_reservations

    shop = make_shop(tvers)
    price = ok(client.post("/api/v1/quotes", headers=admin, json={
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "shipping": {"method": "ship", "country": "NO"}}))["grand_total"]
    order = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "doc"}, json={
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": ship_to(), "tenders": [card(APPROVE, price["amount"])]}))
    order_id, ghost = order["order"]["id"], "ord_01JD3V7Q0000000000000000AA"
    ok(client.post(f"/api/v1/orders/{order_id}/cancel", headers=admin, json={}))
    one = [inventory.ReserveLine(variant_id=shop.variant_ids["CO-2"], location_id=shop.locations["oslo-dc"], quantity=1)]
    with tvers.uow() as uow:
        assert dangling_order_reservations(uow) == []
        for reference in (order_id, ghost):
            inventory.reserve_stock(uow, lines=one, ref=inventory.Ref("order", reference), expires_at=uow.clock.now() + timedelta(days=1))
        found = dangling_order_reservations(uow)
    assert sorted(found) == sorted([f"{order_id}: stock still held although the order is cancelled",
                                    f"{ghost}: stock held for an order that does not exist"])


def test_the_same_card_at_the_till_finds_the_customer_who_used_it_online(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    make_shop(tvers)
    price = ok(client.post("/api/v1/quotes", headers=admin, json={
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "shipping": {"method": "ship", "country": "NO"}}))["grand_total"]
    online = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "web-card"}, json={
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": ship_to(), "tenders": [card(APPROVE, price["amount"])],
        "customer": {"identities": [{"type": "email", "value": "ola@example.no", "is_verified": True}]}}))["order"]
    till_price = ok(client.post("/api/v1/quotes", headers=admin, json={
        "channel": "pos-bergen", "lines": [{"sku": "CO-2", "quantity": 1}], "shipping": {"method": "carry_out"}}))["grand_total"]
    at_till = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "till-card"}, json={
        "channel": "pos-bergen", "lines": [{"sku": "CO-2", "quantity": 1}], "delivery": {"method": "carry_out", "location": "bergen"},
        "tenders": [card(APPROVE, till_price["amount"])]}))["order"]
    assert at_till["customer_id"] == online["customer_id"] is not None
