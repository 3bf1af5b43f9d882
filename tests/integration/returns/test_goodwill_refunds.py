"""Money back without goods coming back: split over the order's payments in refund order, never more than they have left."""

from __future__ import annotations

import pytest

from support.api import ok, problem
from support.returns import outbox_types, payment_ledger, sell_and_deliver, state


def test_a_goodwill_refund_goes_to_the_card_first_and_is_announced(client, admin, tvers):
    # given a delivered web order paid 500.00 by gift card and 657.65 by card
    sold = sell_and_deliver(client, admin, tvers)
    # when the store gives 700.00 back for a late delivery
    given = ok(client.post(f"/api/v1/orders/{sold.order['id']}/refunds", headers={**sold.stockholm, "Idempotency-Key": "gw-1"},
                           json={"amount": "700.00", "currency": "NOK", "reason": "late_delivery"}))
    # then the card gets all of its 657.65 through its provider and the gift card the other 42.35
    assert [(t["tender"], t["amount_minor"], t["status"]) for t in given["tenders"]] == [("test_card", 65765, "succeeded"),
                                                                                      ("gift_card", 4235, "succeeded")]
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 4235), "test_card": (65765, 65765)}
    assert given["vat_minor"] > 0
    assert "refund.issued" in outbox_types(tvers)


@pytest.mark.parametrize(("body", "status", "code"), [
    pytest.param({"amount": "1157.66", "currency": "NOK", "reason": "goodwill"}, 409, "refund_above_remaining", id="above what remains"),
    pytest.param({"amount": "0", "currency": "NOK", "reason": "goodwill"}, 422, None, id="nothing"),
    pytest.param({"amount": "-5.00", "currency": "NOK", "reason": "goodwill"}, 422, None, id="negative"),
    pytest.param({"amount": "10.00", "currency": "SEK", "reason": "goodwill"}, 422, "wrong_currency", id="another currency"),
    pytest.param({"amount": "10.001", "currency": "NOK", "reason": "goodwill"}, 422, None, id="below the minor unit"),
    pytest.param({"amount": "10.00", "currency": "NOK", "reason": "because"}, 422, None, id="an unknown reason"),
])
def test_a_bad_refund_changes_nothing(client, admin, tvers, body, status, code):
    sold = sell_and_deliver(client, admin, tvers)
    before = state(tvers)
    response = client.post(f"/api/v1/orders/{sold.order['id']}/refunds", headers={**admin, "Idempotency-Key": "gw-bad"}, json=body)
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
    assert state(tvers) == before


def test_a_return_whose_refund_no_longer_fits_what_remains_changes_nothing(client, admin, tvers):
    # given 1,000.00 of the 1,157.65 paid already given back as goodwill
    sold = sell_and_deliver(client, admin, tvers)
    ok(client.post(f"/api/v1/orders/{sold.order['id']}/refunds", headers={**admin, "Idempotency-Key": "gw-1000"},
                   json={"amount": "1000.00", "currency": "NOK", "reason": "goodwill"}))
    line = sold.order["lines"][0]
    asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 3, "reason": "changed_mind"}]}))
    before = state(tvers)
    # when all three units come back (1,078.65 paid for them): more than the 157.65 the payments have left
    problem(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}),
            409, "refund_above_remaining")
    assert state(tvers) == before


def test_a_goodwill_refund_needs_a_key_and_a_retry_refunds_once(client, admin, tvers):
    sold = sell_and_deliver(client, admin, tvers)
    body = {"amount": "100.00", "currency": "NOK", "reason": "price_adjustment"}
    before = state(tvers)
    assert client.post(f"/api/v1/orders/{sold.order['id']}/refunds", headers=admin, json=body).status_code == 422
    assert state(tvers) == before
    first = ok(client.post(f"/api/v1/orders/{sold.order['id']}/refunds", headers={**admin, "Idempotency-Key": "gw-once"}, json=body))
    again = ok(client.post(f"/api/v1/orders/{sold.order['id']}/refunds", headers={**admin, "Idempotency-Key": "gw-once"}, json=body))
    assert first == again
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 0), "test_card": (65765, 10000)}


def test_a_cash_goodwill_refund_is_handed_over_at_a_till_or_else_kept_as_store_credit(client, admin, tvers):
    from support.checkout import make_shop
    from support.returns import takes_returns

    make_shop(tvers)
    takes_returns(client, admin, "bergen")
    kari = ok(client.post("/api/v1/customers", headers=admin, json={"given_name": "Kari"}))
    placed = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "till"}, json={
        "channel": "pos-bergen", "lines": [{"sku": "CO-2", "quantity": 2}], "delivery": {"method": "carry_out", "location": "bergen"},
        "customer": {"id": kari["id"]}, "tenders": [{"tender": "cash", "amount": "500.00", "currency": "NOK"}]}))
    order_id = placed["order"]["id"]
    at_till = ok(client.post(f"/api/v1/orders/{order_id}/refunds", headers={**admin, "Idempotency-Key": "gw-till"}, json={
        "amount": "20.00", "currency": "NOK", "reason": "price_adjustment", "location": "bergen"}))
    by_phone = ok(client.post(f"/api/v1/orders/{order_id}/refunds", headers={**admin, "Idempotency-Key": "gw-phone"}, json={
        "amount": "30.00", "currency": "NOK", "reason": "goodwill"}))
    given = [(t["refund_as"], t["amount_minor"]) for t in at_till["tenders"] + by_phone["tenders"]]
    assert given == [("cash", 2000), ("store_credit", 3000)]
    credit = ok(client.get(f"/api/v1/customers/{kari['id']}/store-credit", headers=admin))["balances"]
    assert credit == [{"amount": "30.00", "currency": "NOK"}]
