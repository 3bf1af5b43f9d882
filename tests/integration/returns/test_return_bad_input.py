"""Bad returns get a clear 4xx and change nothing: too many units, an unfulfilled line, a location that takes no returns."""

from __future__ import annotations

import pytest

from support.api import bearer, make_key, ok, problem
from support.checkout import make_shop
from support.fulfilment import place, run_relay, task_at, walk
from support.returns import add_swedish_store, sell_and_deliver, state
from tvers.channels.access import Role


def lines(sold, quantity, line_id=None):
    return [{"line_id": line_id or sold.order["lines"][0]["id"], "quantity": quantity, "reason": "wrong_size"}]


@pytest.mark.parametrize(("case", "status", "code"), [
    ("more than bought", 422, "invalid_return_quantity"),
    ("more than left after an earlier return", 422, "invalid_return_quantity"),
    ("a line twice", 422, "invalid_return_quantity"),
    ("a line of another order", 422, "unknown_return_line"),
    ("an unknown order", 404, "order_not_found"),
    ("no lines", 422, "validation_failed"),
])
def test_bad_return_request_changes_nothing(client, admin, tvers, case, status, code):
    sold = sell_and_deliver(client, admin, tvers)
    order_id = sold.order["id"]
    body = {"order_id": order_id, "lines": lines(sold, 4)}
    if case == "more than left after an earlier return":
        ok(client.post("/api/v1/returns", headers=sold.stockholm, json={"order_id": order_id, "lines": lines(sold, 2)}))
        body["lines"] = lines(sold, 2)
    elif case == "a line twice":
        body["lines"] = lines(sold, 2) + lines(sold, 1)
    elif case == "a line of another order":
        body["lines"] = lines(sold, 1, line_id="oln_01JD3V7Q0000000000000000AA")
    elif case == "an unknown order":
        body["order_id"] = "ord_01JD3V7Q0000000000000000AA"
    elif case == "no lines":
        body["lines"] = []
    before = state(tvers)
    response = client.post("/api/v1/returns", headers=sold.stockholm, json=body)
    body_out = problem(response, status, code) if code != "validation_failed" else response.json()
    assert response.status_code == status, body_out
    assert state(tvers) == before


def test_an_unfulfilled_line_cannot_be_returned(client, admin, tvers):
    # given an order of two lines of which only the first has shipped
    make_shop(tvers, warehouse_stock=0, store_stock=3)
    add_swedish_store(tvers)
    order = place(client, admin, {"CO-1": 1, "CO-2": 1})
    run_relay(tvers)
    task = task_at(client, admin, order["id"], "bergen", "ship")
    walk(client, admin, task["id"], "accept", "pick", "pack")
    first, second = order["lines"]
    ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=admin, json={
        "carrier": "posten", "lines": [{"line_id": first["id"], "quantity": 1}]}))
    before = state(tvers)
    # when the unshipped line is returned, then refused and nothing changed
    response = client.post("/api/v1/returns", headers=admin, json={
        "order_id": order["id"], "lines": [{"line_id": second["id"], "quantity": 1, "reason": "late"}]})
    problem(response, 422, "line_not_fulfilled")
    assert state(tvers) == before
    # and the shipped one can be
    assert ok(client.post("/api/v1/returns", headers=admin, json={
        "order_id": order["id"], "lines": [{"line_id": first["id"], "quantity": 1, "reason": "late"}]}))["status"] == "requested"


@pytest.mark.parametrize(("case", "status", "code"), [
    ("a location that takes no returns", 422, "returns_not_accepted"),
    ("another store's staff", 403, "outside_scope"),
    ("units not matching the return", 422, "invalid_receipt"),
    ("an unknown location", 404, "location_not_found"),
    ("an unknown return", 404, "return_not_found"),
])
def test_bad_receipt_changes_nothing(client, admin, tvers, case, status, code):
    sold = sell_and_deliver(client, admin, tvers)
    asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={"order_id": sold.order["id"], "lines": lines(sold, 2)}))
    headers, return_id, body = sold.stockholm, asked["id"], {"location": "stockholm"}
    if case == "a location that takes no returns":
        headers, body = admin, {"location": "bergen"}
    elif case == "another store's staff":
        headers = bearer(make_key(tvers, Role.STORE_STAFF, locations=["bergen"]))
    elif case == "units not matching the return":
        body["lines"] = [{"line_id": sold.order["lines"][0]["id"], "quantity": 1, "condition": "resellable"}]
    elif case == "an unknown location":
        headers, body = admin, {"location": "nowhere"}
    elif case == "an unknown return":
        return_id = "ret_01JD3V7Q0000000000000000AA"
    before = state(tvers)
    problem(client.post(f"/api/v1/returns/{return_id}/receive", headers=headers, json=body), status, code)
    assert state(tvers) == before


def test_a_return_is_received_and_refunded_once(client, admin, tvers):
    # given a return received and refunded
    sold = sell_and_deliver(client, admin, tvers)
    asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={"order_id": sold.order["id"], "lines": lines(sold, 1)}))
    key = {**sold.stockholm, "Idempotency-Key": "receive-once"}
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=key, json={"location": "stockholm"}))
    after = state(tvers)
    # when the till retries with the same key, then the first answer comes back and nothing moves again
    assert ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=key, json={"location": "stockholm"})) == done
    # and without a key it is a conflict
    problem(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}), 409,
            "return_already_received")
    assert state(tvers) == after
