"""A delivery method per line: one basket, some lines carried out at the till, some shipped home, some collected later."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support.api import bearer, make_key, ok, problem
from support.checkout import APPROVE, card, make_shop, ship_to
from support.fulfilment import captured_minor, fulfilment_of, minor, reservations, run_relay, stock, task_at, walk
from tvers.bootstrap import Tvers
from tvers.channels.access import Role


def checkout(client: TestClient, headers: dict[str, str], body: dict[str, Any], key: str) -> Any:
    quote = ok(client.post("/api/v1/quotes", headers=headers, json={
        "channel": body["channel"], "lines": body["lines"], "shipping": {"method": "ship", "country": "NO"}}))
    body = {**body, "tenders": [card(APPROVE, str(quote["grand_total"]["amount"]))]}
    return client.post("/api/v1/orders", headers={**headers, "Idempotency-Key": key}, json=body)


def test_a_till_basket_hands_one_line_over_now_and_ships_the_other_home(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    # given the Bergen till: CO-1 is on its shelf, CO-2 is to be shipped home from the warehouse
    shop = make_shop(tvers, store_ships=False)
    till = bearer(make_key(tvers, Role.STORE_STAFF, locations=["bergen"]))
    response = checkout(client, till, {
        "channel": "pos-bergen", "lines": [{"sku": "CO-1", "quantity": 1}, {"sku": "CO-2", "quantity": 1}],
        "delivery": {"method": "carry_out", "location": "bergen"}, "line_deliveries": [{"sku": "CO-2", "delivery": ship_to()}]}, "mixed-1")
    placed = ok(response)
    order = placed["order"]
    line1, line2 = order["lines"]
    # then the carried-out line left the shelf and was captured with the shipping charge, and the order is part fulfilled
    assert [(ln["sku"], ln["delivery_method"], ln["fulfilled_quantity"]) for ln in order["lines"]] == [
        ("CO-1", "carry_out", 1), ("CO-2", "ship", 0)]
    assert order["status"] == "partially_fulfilled"
    assert captured_minor(tvers, order["id"]) == minor(line1["total"]["amount"]) + minor(order["shipping_total"]["amount"])
    assert stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]) == (2, 0)
    # when the relay gives the rest its task, only the shipped line goes to the warehouse
    run_relay(tvers)
    tasks = fulfilment_of(client, admin, order["id"])["tasks"]
    assert [(t["location_code"], t["kind"], [ln["sku"] for ln in t["lines"]]) for t in tasks] == [("oslo-dc", "ship", ["CO-2"])]
    dc = bearer(make_key(tvers, Role.STORE_STAFF, locations=["oslo-dc"]))
    task = task_at(client, admin, order["id"], "oslo-dc", "ship")
    walk(client, dc, task["id"], "accept", "pick", "pack")
    ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=dc, json={"carrier": "bring"}))
    # then everything is paid exactly once, every reservation consumed, the order fulfilled
    assert captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])
    assert captured_minor(tvers, order["id"]) == minor(line1["total"]["amount"]) + minor(line2["total"]["amount"]) + minor(
        order["shipping_total"]["amount"])
    assert {r[3] for r in reservations(tvers, order["id"])} == {"consumed"}
    assert ok(client.get(f"/api/v1/orders/{order['id']}", headers=admin))["status"] == "fulfilled"


def test_a_web_order_ships_one_line_and_has_the_other_collected_in_store(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    # given a web basket: CO-3 shipped home, CO-1 collected at Bergen
    make_shop(tvers)
    placed = ok(checkout(client, admin, {
        "channel": "web", "lines": [{"sku": "CO-3", "quantity": 1}, {"sku": "CO-1", "quantity": 2}], "delivery": ship_to(),
        "line_deliveries": [{"sku": "CO-1", "delivery": {"method": "pickup", "location": "bergen"}}]}, "mixed-2"))
    order = placed["order"]
    run_relay(tvers)
    # then the warehouse ships one line and Bergen prepares the other for pickup
    kinds = sorted((t["location_code"], t["kind"], t["lines"][0]["sku"]) for t in fulfilment_of(client, admin, order["id"])["tasks"])
    assert kinds == [("bergen", "pickup", "CO-1"), ("oslo-dc", "ship", "CO-3")]
    assert order["pickup_location_id"] is not None


def test_line_deliveries_that_cannot_be_are_refused_and_change_nothing(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    make_shop(tvers)
    lines = [{"sku": "CO-1", "quantity": 1}, {"sku": "CO-2", "quantity": 1}]
    # two pickup stores in one order
    elsewhere = [{"sku": "CO-2", "delivery": {"method": "pickup", "location": "oslo-dc"}}]
    two_stores = checkout(client, admin, {"channel": "web", "lines": lines, "delivery": {"method": "pickup", "location": "bergen"},
                                          "line_deliveries": elsewhere}, "bad-1")
    assert "one pickup store per order" in problem(two_stores, 422, "invalid_input")["detail"]
    # a line delivery for a SKU the order does not have
    unknown = [{"sku": "CO-4", "delivery": {"method": "pickup", "location": "bergen"}}]
    stranger = checkout(client, admin, {"channel": "web", "lines": lines, "delivery": ship_to(), "line_deliveries": unknown}, "bad-2")
    body = problem(stranger, 422, "invalid_input")
    assert body["errors"][0]["field"] == "line_deliveries.0.sku"
    assert ok(client.get("/api/v1/orders", headers=admin))["items"] == []
