"""No receipt: store staff find the customer, then the purchase through their profile on every channel; the return is
refunded only as store credit to that customer, and only where the sold channel's policy allows it. Over HTTP, both
databases."""

from __future__ import annotations

import pytest

from support.api import bearer, make_key, ok, problem
from support.fulfilment import place
from support.receiptless import deliver, full_state, refund_notes, store_credit
from support.returns import movements, payment_ledger, sell_and_deliver
from tvers.channels.access import Role
from tvers.integrations.relay import Relay
from tvers.orders import subscribers as order_subscribers

RECEIPTLESS = {"window_days": 30, "receiptless": "store_credit"}


def allow_receiptless(client, admin, channel="web", **terms):
    ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": channel, **RECEIPTLESS, **terms}))


def find_kari(client, headers):
    return ok(client.get("/api/v1/customers/lookup", headers=headers, params={"type": "email", "value": "kari@example.com"}))


def receiptless(client, headers, customer_id, *lines, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/returns/receiptless", headers={**headers, **extra}, json={
        "customer_id": customer_id, "lines": [{"sku": sku, "quantity": quantity, "reason": "changed_mind"} for sku, quantity in lines]})


def test_a_web_order_returned_without_a_receipt_in_a_store_is_refunded_as_store_credit(client, admin, tvers):
    # given Kari's web order of 3 × CO-3 (1078.65 for the goods: 657.65 by card, 421.00 of it by gift card), delivered,
    # and the web channel takes receipt-less returns as store credit
    sold = sell_and_deliver(client, admin, tvers)
    allow_receiptless(client, admin)
    line = sold.order["lines"][0]
    # when Stockholm staff find Kari by her email and see what she can bring back
    kari = find_kari(client, sold.stockholm)
    returnable = ok(client.get(f"/api/v1/customers/{kari['id']}/returnable", headers=sold.stockholm))
    assert [(r["order_id"], r["channel"], r["line_id"], r["sku"], r["units_left"], r["unit_price_paid"]["amount"],
             r["is_inside_window"]) for r in returnable] == [(sold.order["id"], "web", line["id"], "CO-3", 3, "359.55", True)]
    # and take all three back without a receipt
    [asked] = ok(receiptless(client, sold.stockholm, kari["id"], ("CO-3", 3), key="rl-1"))
    assert ok(receiptless(client, sold.stockholm, kari["id"], ("CO-3", 3), key="rl-1")) == [asked]  # a retry: the same answer
    assert (asked["order_id"], asked["is_receiptless"], asked["status"]) == (sold.order["id"], True, "requested")
    assert [(ln["order_line_id"], ln["quantity"], ln["reason"]) for ln in asked["lines"]] == [(line["id"], 3, "changed_mind")]
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    # then everything paid for the goods comes back as store credit to Kari, whatever paid it
    assert (done["status"], done["refund_total_minor"]) == ("refunded", 107865)
    assert store_credit(client, admin, kari["id"]) == [{"amount": "1078.65", "currency": "NOK"}]
    assert [(t["tender"], t["refund_as"], t["amount_minor"]) for t in done["plan"]["tenders"]] == [
        ("test_card", "store_credit", 65765), ("gift_card", "store_credit", 42100)]
    # and the card and the gift card get nothing back: each part is booked on its payment as refunded as store credit
    # (never above what it captured), settled here with no provider asked
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 42100), "test_card": (65765, 65765)}
    assert refund_notes(tvers, sold.order["id"]) == {"test_card": [("succeeded", "refunded as store_credit")],
                                                     "gift_card": [("succeeded", "refunded as store_credit")]}
    assert ok(client.get(f"/api/v1/gift-cards/{sold.gift_card_id}", headers=admin))["balance"]["amount"] == "0.00"
    # and the three units are back on the Stockholm shelf
    stockholm = next(loc for loc in ok(client.get("/api/v1/locations", headers=admin)) if loc["code"] == "stockholm")["id"]
    assert movements(tvers, stockholm) == [("return_restock", 3, asked["id"], None)]
    # and nothing is left to return
    assert ok(client.get(f"/api/v1/customers/{kari['id']}/returnable", headers=sold.stockholm)) == []


def test_units_come_from_the_most_recent_purchase_first_and_split_across_orders(client, admin, tvers):
    # given Kari's first web order of 3 × CO-3, then a second of 1 × CO-3 delivered later
    sold = sell_and_deliver(client, admin, tvers)
    allow_receiptless(client, admin)
    tvers.clock.advance(days=2)
    second = place(client, admin, {"CO-3": 1}, customer={"id": sold.customer_id}, key="order-2")
    second = deliver(client, admin, tvers, second["id"])
    # when she brings back two without a receipt
    asked = ok(receiptless(client, sold.stockholm, sold.customer_id, ("CO-3", 2)))
    # then one comes off the newest order, the other off the one before: one return per order
    assert [(r["order_id"], [ln["quantity"] for ln in r["lines"]]) for r in asked] == [(second["id"], [1]), (sold.order["id"], [1])]
    # and the returnable lines show what is left, newest first
    left = ok(client.get(f"/api/v1/customers/{sold.customer_id}/returnable", headers=admin))
    assert [(r["order_id"], r["units_left"]) for r in left] == [(sold.order["id"], 2)]


@pytest.mark.parametrize(("case", "status", "code"), [
    ("policy takes no receipt-less returns", 422, "receiptless_not_allowed"),
    ("a SKU the customer never bought", 422, "not_bought_by_customer"),
    ("more units than left", 422, "invalid_return_quantity"),
    ("a SKU twice", 422, "invalid_return_quantity"),
    ("an unknown customer", 404, "customer_not_found"),
])
def test_a_refused_receiptless_return_changes_nothing(client, admin, tvers, case, status, code):
    sold = sell_and_deliver(client, admin, tvers)
    if case != "policy takes no receipt-less returns":
        allow_receiptless(client, admin)
    customer_id, lines = sold.customer_id, [("CO-3", 1)]
    if case == "a SKU the customer never bought":
        lines = [("CO-1", 1)]
    elif case == "more units than left":
        ok(receiptless(client, sold.stockholm, customer_id, ("CO-3", 2)))
        lines = [("CO-3", 2)]
    elif case == "a SKU twice":
        lines = [("CO-3", 1), ("CO-3", 1)]
    elif case == "an unknown customer":
        customer_id = "cus_01JD3V7Q0000000000000000AA"
    before = full_state(tvers)
    problem(receiptless(client, sold.stockholm, customer_id, *lines), status, code)
    assert full_state(tvers) == before


def test_the_window_applies_and_staff_may_override_it(client, admin, tvers):
    # given a receipt-less-friendly web policy of 30 days, and 31 days gone since delivery
    sold = sell_and_deliver(client, admin, tvers)
    allow_receiptless(client, admin)
    tvers.clock.advance(days=31)
    [line] = ok(client.get(f"/api/v1/customers/{sold.customer_id}/returnable", headers=admin))
    assert line["is_inside_window"] is False
    # when asked without an override, then refused and nothing changed
    before = full_state(tvers)
    problem(receiptless(client, sold.stockholm, sold.customer_id, ("CO-3", 1)), 422, "outside_return_window")
    assert full_state(tvers) == before
    # when store staff override it with a reason, then it opens, keeping who and why
    [asked] = ok(client.post("/api/v1/returns/receiptless", headers=sold.stockholm, json={
        "customer_id": sold.customer_id, "lines": [{"sku": "CO-3", "quantity": 1, "reason": "damaged"}],
        "override": {"reason": "regular customer"}}))
    assert asked["is_receiptless"] is True and asked["override"]["reason"] == "regular customer"


def test_an_integration_finds_only_its_own_channels_sales(client, admin, tvers):
    # given Kari's web order, returnable without a receipt
    sold = sell_and_deliver(client, admin, tvers)
    allow_receiptless(client, admin)
    market = bearer(make_key(tvers, Role.INTEGRATION, channel="market"))
    web = bearer(make_key(tvers, Role.INTEGRATION, channel="web"))
    # then the marketplace's key sees nothing of hers to return, and cannot return the web order's units
    assert ok(client.get(f"/api/v1/customers/{sold.customer_id}/returnable", headers=market)) == []
    before = full_state(tvers)
    problem(receiptless(client, market, sold.customer_id, ("CO-3", 1)), 422, "not_bought_by_customer")
    assert full_state(tvers) == before
    # and the web channel's key sees the line, but may not override a policy
    assert len(ok(client.get(f"/api/v1/customers/{sold.customer_id}/returnable", headers=web))) == 1
    response = client.post("/api/v1/returns/receiptless", headers=web, json={
        "customer_id": sold.customer_id, "lines": [{"sku": "CO-3", "quantity": 1, "reason": "damaged"}], "override": {"reason": "x"}})
    problem(response, 403, "override_not_allowed")
    assert full_state(tvers) == before


def test_after_a_merge_the_purchase_is_found_through_the_surviving_profile_and_credited_there(client, admin, tvers):
    # given Kari's web order, then her profile merged into a second one made at the till (by phone)
    sold = sell_and_deliver(client, admin, tvers)
    allow_receiptless(client, admin)
    till = ok(client.post("/api/v1/customers", headers=admin, json={"given_name": "Kari", "identities": [
        {"type": "phone", "value": "+4791234567"}]}))
    ok(client.post(f"/api/v1/customers/{till['id']}/merges", headers=admin, json={"merged_id": sold.customer_id, "reason": "same person"}))
    Relay(tvers.db, tvers.clock, order_subscribers.subscribers()).run_once()  # the worker: orders follow the merge
    # when staff find the surviving profile and take one unit back without a receipt
    assert [r["order_id"] for r in ok(client.get(f"/api/v1/customers/{till['id']}/returnable", headers=sold.stockholm))] == [
        sold.order["id"]]
    [asked] = ok(receiptless(client, sold.stockholm, till["id"], ("CO-3", 1)))
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    # then the store credit lands on the surviving profile, and its returns show it
    assert store_credit(client, admin, till["id"]) == [{"amount": f"{done['refund_total_minor'] / 100:.2f}", "currency": "NOK"}]
    assert [r["id"] for r in ok(client.get(f"/api/v1/customers/{till['id']}/returns", headers=admin))] == [asked["id"]]
