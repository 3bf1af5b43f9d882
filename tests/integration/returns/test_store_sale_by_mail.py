"""Bought at a till, returned by mail to a warehouse: a card is refunded through its provider; cash, which nobody at a
warehouse can hand back, goes back as the customer's store credit (a guest's cash sale must come back to a store)."""

from __future__ import annotations

from typing import Any

from support.api import ok, problem
from support.checkout import APPROVE, card, make_shop
from support.returns import payment_ledger, state, takes_returns

TILL = {"method": "carry_out", "location": "bergen"}


def till_sale(client, admin, tender: dict[str, Any], *, customer: bool = True) -> dict[str, Any]:
    """Two CO-2 at 250.00 carried out of the Bergen store, paid by `tender`."""
    body: dict[str, Any] = {"channel": "pos-bergen", "lines": [{"sku": "CO-2", "quantity": 2}], "delivery": TILL, "tenders": [tender]}
    if customer:
        kari = ok(client.post("/api/v1/customers", headers=admin, json={"given_name": "Kari", "identities": [
            {"type": "email", "value": "kari@example.com"}]}))
        body["customer"] = {"id": kari["id"]}
    placed = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "till-sale"}, json=body))
    assert placed["outcome"] == "confirmed", placed
    return ok(client.get(f"/api/v1/orders/{placed['order']['id']}", headers=admin))


def by_mail(client, admin, order: dict[str, Any]):
    asked = ok(client.post("/api/v1/returns", headers=admin, json={
        "order_id": order["id"], "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1, "reason": "changed_mind"}]}))
    return asked, client.post(f"/api/v1/returns/{asked['id']}/receive", headers=admin, json={"location": "oslo-dc"})


def test_a_card_sale_at_the_till_returned_by_mail_is_refunded_to_the_card(client, admin, tvers):
    make_shop(tvers)
    takes_returns(client, admin, "oslo-dc")
    order = till_sale(client, admin, card(APPROVE, "500.00"))
    _, received = by_mail(client, admin, order)
    done = ok(received)
    assert [(t["tender"], t["refund_as"], t["amount_minor"]) for t in done["plan"]["tenders"]] == [("test_card", "test_card", 25000)]
    assert payment_ledger(tvers, order["id"]) == {"test_card": (50000, 25000)}


def test_a_cash_sale_returned_by_mail_goes_back_as_store_credit(client, admin, tvers):
    make_shop(tvers)
    takes_returns(client, admin, "oslo-dc")
    order = till_sale(client, admin, {"tender": "cash", "amount": "500.00", "currency": "NOK"})
    _, received = by_mail(client, admin, order)
    done = ok(received)
    assert [(t["tender"], t["refund_as"], t["amount_minor"]) for t in done["plan"]["tenders"]] == [("cash", "store_credit", 25000)]
    assert payment_ledger(tvers, order["id"]) == {"cash": (50000, 25000)}
    credit = ok(client.get(f"/api/v1/customers/{order['customer_id']}/store-credit", headers=admin))["balances"]
    assert credit == [{"amount": "250.00", "currency": "NOK"}]


def test_a_guests_cash_sale_cannot_come_back_by_mail_and_nothing_changes(client, admin, tvers):
    make_shop(tvers)
    takes_returns(client, admin, "oslo-dc")
    order = till_sale(client, admin, {"tender": "cash", "amount": "500.00", "currency": "NOK"}, customer=False)
    asked = ok(client.post("/api/v1/returns", headers=admin, json={
        "order_id": order["id"], "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1, "reason": "changed_mind"}]}))
    before = state(tvers)
    problem(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=admin, json={"location": "oslo-dc"}), 422,
            "cash_needs_a_till")
    assert state(tvers) == before
    # and at a store's till the cash is simply handed back
    takes_returns(client, admin, "bergen")
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=admin, json={"location": "bergen"}))
    assert [(t["tender"], t["refund_as"], t["amount_minor"]) for t in done["plan"]["tenders"]] == [("cash", "cash", 25000)]
