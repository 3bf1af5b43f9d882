"""Several tenders on one order through the one checkout: gift card + card online, store credit + cash at the till, points + card."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support.api import ok
from support.checkout import APPROVE, card, make_shop, ship_to
from tvers.bootstrap import Tvers


def total(client: TestClient, admin: dict[str, str], body: dict[str, Any]) -> int:
    return int(ok(client.post("/api/v1/quotes", headers=admin, json=body))["grand_total"]["amount"].replace(".", ""))


def money(minor: int) -> str:
    return f"{minor / 100:.2f}"


def test_split_tenders_on_every_channel_land_in_one_ledger(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    make_shop(tvers)
    kari = ok(client.post("/api/v1/customers", headers=admin, json={"given_name": "Kari", "identities": [
        {"type": "loyalty_card", "value": "7001000077"}]}))
    credit_in = {"amount": "100.00", "currency": "NOK", "reference": "goodwill-1", "reason": "goodwill"}
    ok(client.post(f"/api/v1/customers/{kari['id']}/store-credit", headers=admin, json=credit_in))
    ok(client.post(f"/api/v1/customers/{kari['id']}/loyalty/adjustments", headers=admin, json={"points": 500, "reason": "welcome"}))
    gift = ok(client.post("/api/v1/gift-cards", json={"amount": "50.00", "currency": "NOK"}, headers=admin))
    # gift card + card, online
    ship = {"method": "ship", "country": "NO"}
    web = total(client, admin, {"channel": "web", "lines": [{"sku": "CO-2", "quantity": 1}], "shipping": ship})
    online = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "gc+card"}, json={
        "channel": "web", "lines": [{"sku": "CO-2", "quantity": 1}], "delivery": ship_to(),
        "tenders": [{"tender": "gift_card", "code": gift["code"], "amount": "50.00", "currency": "NOK"},
                    card(APPROVE, money(web - 5000))]}))
    assert [(p["tender"], p["status"]) for p in online["payments"]] == [("gift_card", "authorized"), ("test_card", "authorized")]
    # store credit + cash at the till, with change
    till = total(client, admin, {"channel": "pos-bergen", "lines": [{"sku": "CO-3", "quantity": 1}], "shipping": {"method": "carry_out"},
                                 "customer_id": kari["id"]})
    sale = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "credit+cash"}, json={
        "channel": "pos-bergen", "lines": [{"sku": "CO-3", "quantity": 1}], "delivery": {"method": "carry_out", "location": "bergen"},
        "customer": {"id": kari["id"]}, "tenders": [{"tender": "store_credit", "amount": "100.00", "currency": "NOK"},
                                                    {"tender": "cash", "amount": money(till - 10000 + 2000), "currency": "NOK"}]}))
    assert sale["order"]["status"] == "completed"
    assert [(p["tender"], p["status"]) for p in sale["payments"]] == [("store_credit", "captured"), ("cash", "captured")]
    assert sale["payments"][1]["change_due"]["amount"] == "20.00"
    # points + card: 500 points are worth 50.00 in the default programme
    app = total(client, admin, {"channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "shipping": ship, "customer_id": kari["id"]})
    points = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "points+card"}, json={
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": ship_to(), "customer": {"id": kari["id"]},
        "tenders": [{"tender": "loyalty_points", "points": 500, "amount": "50.00", "currency": "NOK"}, card(APPROVE, money(app - 5000))]}))
    assert [(p["tender"], p["status"]) for p in points["payments"]] == [("loyalty_points", "authorized"), ("test_card", "authorized")]
    # every tender sits in the one ledger, and the balances moved by what they paid
    credit = ok(client.get(f"/api/v1/customers/{kari['id']}/store-credit", headers=admin))["balances"]
    assert credit == [{"amount": "0.00", "currency": "NOK"}]
    assert ok(client.get(f"/api/v1/gift-cards/{gift['id']}", headers=admin))["balance"]["amount"] == "0.00"
    assert ok(client.get(f"/api/v1/customers/{kari['id']}/loyalty", headers=admin))["balance"] == 0
