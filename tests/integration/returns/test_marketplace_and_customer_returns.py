"""A marketplace order returned in a store: refunded through the marketplace, or as store credit where the marketplace's
policy says so (a guest's always through the marketplace). A customer's returns from every channel, in the customer view
and on their own route. Over HTTP, both databases."""

from __future__ import annotations

import pytest

from support.api import ok
from support.receiptless import marketplace_order, refund_notes, store_credit
from support.returns import payment_ledger, sell_and_deliver


def return_in_stockholm(client, sold, order, *, reason="wrong_size"):
    line = order["lines"][0]
    asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": order["id"], "lines": [{"line_id": line["id"], "quantity": line["quantity"], "reason": reason}]}))
    return ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))


def minor(amount: str) -> int:
    return int(amount.replace(".", ""))


@pytest.mark.parametrize(("marketplace_refund", "is_guest", "refund_as"), [
    (None, False, "marketplace"),  # the default
    ("marketplace", False, "marketplace"),
    ("store_credit", False, "store_credit"),
    ("store_credit", True, "marketplace"),  # store credit belongs to a customer: a guest's goes back through the marketplace
])
def test_a_marketplace_order_returned_in_a_store_is_refunded_as_its_policy_says(client, admin, tvers, marketplace_refund, is_guest,
                                                                                refund_as):
    # given Kari (or a guest) bought one CO-1 on the marketplace, delivered, and the marketplace channel's policy
    sold = sell_and_deliver(client, admin, tvers)
    if marketplace_refund is not None:
        ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": "market", "window_days": 30,
                                                                       "marketplace_refund": marketplace_refund}))
    order = marketplace_order(client, admin, tvers, customer_id=None if is_guest else sold.customer_id)
    paid = minor(order["lines"][0]["total"]["amount"])
    # when it comes back in the Stockholm store
    done = return_in_stockholm(client, sold, order)
    # then the goods' price is refunded, through the marketplace or as store credit to Kari
    assert done["refund_total_minor"] == paid
    assert [(t["tender"], t["refund_as"], t["amount_minor"]) for t in done["plan"]["tenders"]] == [("marketplace", refund_as, paid)]
    assert payment_ledger(tvers, order["id"]) == {"marketplace": (minor(order["total"]["amount"]), paid)}
    if refund_as == "store_credit":
        assert refund_notes(tvers, order["id"]) == {"marketplace": [("succeeded", "refunded as store_credit")]}
        assert store_credit(client, admin, sold.customer_id) == [{"amount": order["lines"][0]["total"]["amount"], "currency": "NOK"}]
    else:
        assert [status for status, _ in refund_notes(tvers, order["id"])["marketplace"]] == ["succeeded"]
        assert store_credit(client, admin, sold.customer_id) == []


def test_a_policy_shows_its_marketplace_refund(client, admin, tvers):
    sell_and_deliver(client, admin, tvers)  # a shop with its channels
    put = ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": "market", "window_days": 14,
                                                                         "marketplace_refund": "store_credit"}))
    assert put["marketplace_refund"] == "store_credit"
    assert [p["marketplace_refund"] for p in ok(client.get("/api/v1/return-policies", headers=admin))] == ["store_credit"]
    response = client.put("/api/v1/return-policies", headers=admin, json={"channel": "market", "window_days": 14,
                                                                           "marketplace_refund": "cash"})
    assert response.status_code == 422


def test_the_customer_and_the_order_show_returns_from_every_channel(client, admin, tvers):
    # given Kari's web order returned in the Stockholm store (another channel's), then her marketplace order returned there too
    sold = sell_and_deliver(client, admin, tvers)
    web = return_in_stockholm(client, sold, sold.order)
    tvers.clock.advance(hours=1)
    market = marketplace_order(client, admin, tvers, customer_id=sold.customer_id)
    marketplace = return_in_stockholm(client, sold, market, reason="damaged")
    stockholm = next(loc for loc in ok(client.get("/api/v1/locations", headers=admin)) if loc["code"] == "stockholm")["id"]
    # when staff read her returns, then both are there, newest first, with where they were sold and returned
    found = ok(client.get(f"/api/v1/customers/{sold.customer_id}/returns", headers=sold.stockholm))
    assert [(r["id"], r["order_id"], r["sold_channel"], r["returned_at_location_id"], r["status"], r["refund_total_minor"])
            for r in found] == [
        (marketplace["id"], market["id"], "market", stockholm, "refunded", marketplace["refund_total_minor"]),
        (web["id"], sold.order["id"], "web", stockholm, "refunded", web["refund_total_minor"])]
    assert [[ln["reason"] for ln in r["lines"]] for r in found] == [["damaged"], ["wrong_size"]]
    # and the customer view shows the same
    view = ok(client.get(f"/api/v1/customers/{sold.customer_id}/view", headers=admin))
    assert view["returns"] == found
    # and each order lists its return received in a store of another channel
    [of_web] = ok(client.get(f"/api/v1/orders/{sold.order['id']}/returns", headers=admin))
    assert (of_web["id"], of_web["sold_channel"], of_web["returned_at_location_id"]) == (web["id"], "web", stockholm)
    [of_market] = ok(client.get(f"/api/v1/orders/{market['id']}/returns", headers=admin))
    assert (of_market["id"], of_market["sold_channel"]) == (marketplace["id"], "market")
