"""Customers over HTTP: the store app serves a customer who built a cart in the app; bad input is a 4xx that changes nothing."""

from __future__ import annotations

import pytest

from support.api import bearer, make_key, ok, problem
from support.customers import counts, seed_channels
from tvers.channels.access import Role


@pytest.fixture
def keys(tvers):
    seed_channels(tvers, with_products=True)
    return {"app": bearer(make_key(tvers, Role.INTEGRATION, channel="app-no")),
            "staff": bearer(make_key(tvers, Role.STORE_STAFF, locations=["oslo-1"]))}


def test_the_store_app_loads_the_cart_a_customer_built_in_the_app(tvers, client, admin, keys):
    # given a shopper who filled a cart anonymously in the app, then signed up there
    token = "app-session-7f3a9c2b1d4e5f60"
    cart = ok(client.post("/api/v1/carts", headers=keys["app"], json={"channel": "app-no", "anonymous_token": token}))
    ok(client.post(f"/api/v1/carts/{cart['id']}/lines", headers=keys["app"], json={"sku": "TT-RED-M", "quantity": 2,
                                                                                    "seen_unit_price": "1299.00"}))
    signed_up = ok(client.post("/api/v1/customers/resolve", headers=keys["app"], json={
        "kind": "sign_up", "identities": [{"type": "email", "value": "Kari@Example.no", "is_verified": True},
                                          {"type": "phone", "value": "912 34 567"}],
        "profile": {"given_name": "Kari", "family_name": "Nordmann"}}))
    claimed = ok(client.post("/api/v1/carts/claim", headers=keys["app"], json={"anonymous_token": token,
                                                                                "customer_id": signed_up["customer_id"]}))
    # when she walks into the store and staff find her by phone
    found = ok(client.get("/api/v1/customers", headers=keys["staff"], params={"phone": "+47 912 34 567"}))
    carts = ok(client.get(f"/api/v1/customers/{found[0]['id']}/carts", headers=keys["staff"]))
    # then the store app sees the app cart with the price she saw and the channel that added the line
    assert [c["id"] for c in carts] == [claimed["id"]]
    assert [(ln["sku"], ln["quantity"], ln["channel"], ln["seen_unit_price"]) for ln in carts[0]["lines"]] == [
        ("TT-RED-M", 2, "app-no", {"amount": "1299.00", "currency": "NOK"})]
    # and the customer view shows profile, cart, loyalty and a timeline, with orders and returns still empty
    view = ok(client.get(f"/api/v1/customers/{found[0]['id']}/view", headers=keys["staff"]))
    assert view["profile"]["created_channel"] == "app-no" and view["loyalty"]["tier"]["code"] == "bronze"
    assert {t["kind"] for t in view["timeline"]} >= {"created", "identity_added"}
    assert (view["orders"], view["returns"], len(view["carts"])) == ([], [], 1)


def test_a_signed_in_cart_merges_by_the_larger_quantity(tvers, client, keys):
    kari = ok(client.post("/api/v1/customers", headers=keys["staff"], json={"given_name": "Kari"}))
    web = ok(client.post("/api/v1/carts", headers=keys["staff"], json={"channel": "web-no", "customer_id": kari["id"]}))
    ok(client.post(f"/api/v1/carts/{web['id']}/lines", headers=keys["staff"], json={"sku": "TT-RED-M", "quantity": 1}))
    ok(client.post(f"/api/v1/carts/{web['id']}/lines", headers=keys["staff"], json={"sku": "TT-BLU-M", "quantity": 3}))
    token = "anon-token-0123456789abcdef"
    anon = ok(client.post("/api/v1/carts", headers=keys["app"], json={"channel": "app-no", "anonymous_token": token}))
    ok(client.post(f"/api/v1/carts/{anon['id']}/lines", headers=keys["app"], json={"sku": "TT-RED-M", "quantity": 2}))
    ok(client.post(f"/api/v1/carts/{anon['id']}/lines", headers=keys["app"], json={"sku": "TT-RED-L", "quantity": 1}))
    merged = ok(client.post("/api/v1/carts/claim", headers=keys["app"], json={"anonymous_token": token, "customer_id": kari["id"]}))
    assert merged["id"] == web["id"]
    assert sorted((ln["sku"], ln["quantity"], ln["channel"]) for ln in merged["lines"]) == [
        ("TT-BLU-M", 3, "web-no"), ("TT-RED-L", 1, "app-no"), ("TT-RED-M", 2, "app-no")]
    closed = client.post(f"/api/v1/carts/{anon['id']}/lines", headers=keys["app"], json={"sku": "TT-RED-M", "quantity": 1})
    problem(closed, 409, "cart_closed")


def test_export_is_admin_only_and_erasure_twice_is_a_conflict(tvers, client, admin, keys):
    kari = ok(client.post("/api/v1/customers", headers=keys["staff"], json={"given_name": "Kari", "identities": [
        {"type": "email", "value": "kari@example.no"}]}))
    problem(client.get(f"/api/v1/customers/{kari['id']}/export", headers=keys["staff"]), 403, "missing_permission")
    assert ok(client.get(f"/api/v1/customers/{kari['id']}/export", headers=admin))["profile"]["given_name"] == "Kari"
    assert client.post(f"/api/v1/customers/{kari['id']}/erase", headers=admin).status_code == 204
    before = counts(tvers)
    body = problem(client.post(f"/api/v1/customers/{kari['id']}/erase", headers=admin), 409, "already_erased")
    assert body["errors"][0]["field"] == "customer_id"
    assert counts(tvers) == before


BAD = [
    ("malformed email", "POST", "/api/v1/customers", {"identities": [{"type": "email", "value": "kari@"}]}, 422, "invalid_identity",
     "identities.0.value"),
    ("malformed phone", "POST", "/api/v1/customers", {"channel": "web-no", "identities": [{"type": "phone", "value": "+47 12"}]}, 422,
     "invalid_identity", "identities.0.value"),
    ("card number as fingerprint", "POST", "/api/v1/customers",
     {"identities": [{"type": "payment_card_fingerprint", "value": "4111111111111111"}]}, 422, "looks_like_card_number",
     "identities.0.value"),
    ("identity owned by another", "POST", "/api/v1/customers", {"identities": [{"type": "email", "value": "TAKEN@example.no"}]}, 409,
     "identity_taken", "identities.0.value"),
    ("merge into itself", "POST", "/api/v1/customers/{kari}/merges", {"merged_id": "{kari}", "reason": "x"}, 409, "invalid_merge",
     "merged_id"),
    ("merge an erased one", "POST", "/api/v1/customers/{kari}/merges", {"merged_id": "{erased}", "reason": "x"}, 409, "customer_erased",
     "merged_id"),
    ("points below zero", "POST", "/api/v1/customers/{kari}/loyalty/adjustments", {"points": -1, "reason": "fix"}, 409,
     "insufficient_points", "points"),
    ("gift card overdrawn", "POST", "/api/v1/gift-cards/redemptions", {"code": "{code}", "amount": "100.01", "currency": "NOK",
                                                                       "reference": "r1"}, 409, "insufficient_balance", "amount"),
    ("gift card other currency", "POST", "/api/v1/gift-cards/redemptions", {"code": "{code}", "amount": "1", "currency": "SEK",
                                                                            "reference": "r1"}, 422, "wrong_currency", "currency"),
    ("gift card expired", "POST", "/api/v1/gift-cards/redemptions", {"code": "{old}", "amount": "1", "currency": "NOK",
                                                                     "reference": "r1"}, 409, "gift_card_expired", "code"),
    ("unknown consent purpose", "POST", "/api/v1/customers/{kari}/consents", {"purpose": "telepathy", "is_granted": True,
                                                                               "wording_version": "v1"}, 422, "unknown_purpose", "purpose"),
]


@pytest.mark.parametrize(("case", "method", "path", "body", "status", "code", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_clear_problem_and_changes_nothing(tvers, client, admin, clock, case, method, path, body, status, code, field):
    seed_channels(tvers)
    kari = ok(client.post("/api/v1/customers", headers=admin, json={"identities": [{"type": "email", "value": "taken@example.no"}]}))
    erased = ok(client.post("/api/v1/customers", headers=admin, json={"given_name": "Gone"}))
    assert client.post(f"/api/v1/customers/{erased['id']}/erase", headers=admin).status_code == 204
    card = ok(client.post("/api/v1/gift-cards", headers=admin, json={"amount": "100.00", "currency": "NOK"}))
    old = ok(client.post("/api/v1/gift-cards", headers=admin, json={"amount": "100.00", "currency": "NOK", "expires_on": "2026-01-31"}))
    values = {"{kari}": kari["id"], "{erased}": erased["id"], "{code}": card["code"], "{old}": old["code"]}
    fill = lambda text: next((text.replace(k, v) for k, v in values.items() if k in text), text)  # noqa: E731
    before = counts(tvers)
    response = client.request(method, fill(path), headers=admin, json={k: fill(v) if isinstance(v, str) else v for k, v in body.items()})
    found = problem(response, status, code)
    assert found["errors"][0]["field"] == field
    assert counts(tvers) == before
    assert ok(client.get(f"/api/v1/gift-cards/{card['id']}", headers=admin))["balance"]["amount"] == "100.00"


def test_lookup_by_any_identity_and_idempotent_tenders(tvers, client, admin, keys):
    ok(client.post("/api/v1/customers/resolve", headers=admin, json={"kind": "order", "channel": "nordmarket-se", "identities": [
        {"type": "marketplace_buyer_id", "value": "B-77"}, {"type": "device_id", "value": "android-00ff00ff00ff"}]}))
    by_buyer = ok(client.get("/api/v1/customers/lookup", headers=keys["staff"],
                             params={"type": "marketplace_buyer_id", "value": "B-77", "channel": "nordmarket-se"}))
    by_device = ok(client.get("/api/v1/customers/lookup", headers=keys["staff"],
                              params={"type": "device_id", "value": "android-00ff00ff00ff"}))
    assert by_buyer["id"] == by_device["id"]
    missing = problem(client.get("/api/v1/customers/lookup", headers=keys["staff"], params={"type": "email", "value": "x@example.no"}),
                      404, "customer_not_found")
    assert missing["errors"][0]["field"] == "value"
    # a retried redemption with the same Idempotency-Key answers the first response and takes the money once
    card = ok(client.post("/api/v1/gift-cards", headers=admin, json={"amount": "100.00", "currency": "NOK"}))
    body = {"code": card["code"], "amount": "40.00", "currency": "NOK", "reference": "till-1"}
    first = client.post("/api/v1/gift-cards/redemptions", headers={**keys["app"], "Idempotency-Key": "k-1"}, json=body)
    again = client.post("/api/v1/gift-cards/redemptions", headers={**keys["app"], "Idempotency-Key": "k-1"}, json=body)
    assert first.json() == again.json() and again.headers.get("idempotent-replayed") == "true"
    assert ok(client.get(f"/api/v1/gift-cards/{card['id']}", headers=admin))["balance"]["amount"] == "60.00"
