"""Quotes that cannot be made: bad lines, channels, customers, shipping and coupons are clear 4xx problems, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from support.api import bearer, make_key, ok, problem
from support.quoting import counts, seed_store
from tvers.channels.access import Role

CART = [{"sku": "SHOE-42", "quantity": 2}, {"sku": "BOOK-1", "quantity": 1}]


@pytest.fixture
def store(tvers):
    return seed_store(tvers)


def quote(client: Any, headers: dict[str, str], **fields: Any) -> Any:
    return client.post("/api/v1/quotes", json={"channel": "web-no", "lines": CART, **fields}, headers=headers)


@pytest.mark.parametrize(("lines", "code", "field", "detail"), [
    ([{"sku": "SHOE-42", "quantity": 1}, {"sku": "NOPE-1", "quantity": 1}], "unknown_sku", "lines.1.sku", "NOPE-1"),
    ([{"sku": "STORE-1", "quantity": 1}], "not_listed_on_channel", "lines.0.sku", "STORE-1 is not listed on channel web-no"),
    ([{"sku": "SHOE-OLD", "quantity": 1}], "not_for_sale", "lines.0.sku", "SHOE-OLD"),
    ([{"sku": "NOPRICE-1", "quantity": 1}], "not_priced", "lines.0.sku", "NOPRICE-1"),
    ([{"sku": "BOOK-1", "quantity": 1}, {"sku": "BOOK-1", "quantity": 2}], "duplicate_sku", "lines.1.sku", "BOOK-1"),
    ([{"sku": "BOOK-1", "quantity": 0}], "invalid_input", "lines.0.quantity", "greater than or equal to 1"),
    ([{"sku": "BOOK-1", "quantity": 10**9}], "invalid_input", "lines.0.quantity", "less than or equal to 100000"),
    ([{"sku": "BOOK-1", "quantity": -3}], "invalid_input", "lines.0.quantity", ""),
    ([{"sku": "BOOK-1", "quantity": 1.5}], "invalid_input", "lines.0.quantity", ""),
    ([{"sku": "BOOK-1", "quantity": True}], "invalid_input", "lines.0.quantity", ""),
    ([{"sku": "bad sku!", "quantity": 1}], "invalid_input", "lines.0.sku", ""),
    ([], "invalid_input", "lines", ""),
])
def test_bad_lines_are_refused_naming_the_line(client, admin, tvers, store, lines, code, field, detail):
    before = counts(tvers)
    body = problem(quote(client, admin, lines=lines), 422, code)
    assert field in [error["field"] for error in body["errors"]]
    assert detail in body["detail"]
    assert counts(tvers) == before


def test_every_bad_line_is_reported_at_once(client, admin, store):
    body = problem(quote(client, admin, lines=[{"sku": "NOPE-1", "quantity": 1}, {"sku": "BOOK-1", "quantity": 1},
                                                {"sku": "STORE-1", "quantity": 1}]), 422, "unknown_sku")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("lines.0.sku", "unknown_sku"), ("lines.2.sku", "not_listed_on_channel")]
    assert body["skus"] == ["NOPE-1", "STORE-1"]


def test_bad_channel_customer_and_shipping_are_refused(client, admin, tvers, store):
    # given a Danish rate for parcels up to 1 kg, and the store channel switched off
    ok(client.post("/api/v1/shipping-rates", headers=admin, json={"country": "DK", "currency": "NOK",
                                                                   "weight_bands": [{"max_grams": 1000, "price": "150"}]}))
    channel = ok(client.get("/api/v1/channels/pos-oslo", headers=admin))
    ok(client.patch("/api/v1/channels/pos-oslo", json={"version": channel["version"], "is_active": False}, headers=admin))
    before = counts(tvers)
    # when quotes name what is not there or cannot be, then each is a clear problem
    problem(quote(client, admin, channel="web-xx"), 404, "channel_not_found")
    problem(quote(client, admin, channel="pos-oslo"), 422, "channel_not_active")
    problem(quote(client, admin, customer_id="cus_01JD3V7Q0000000000000000AA"), 404, "customer_not_found")
    problem(quote(client, admin, shipping={"method": "ship"}), 422, "invalid_input")
    problem(quote(client, admin, shipping={"method": "teleport", "country": "NO"}), 422, "invalid_input")
    problem(quote(client, admin, shipping={"method": "ship", "country": "NO", "address": {
        "lines": ["Storgata 1"], "postal_code": "0155", "city": "Oslo", "country": "SE"}}), 422, "invalid_input")
    problem(quote(client, admin, shipping={"method": "ship", "country": "FI"}), 422, "shipping_not_available")
    problem(quote(client, admin, shipping={"method": "ship", "country": "DK"}), 422, "shipping_too_heavy")
    problem(quote(client, admin, coupon_codes=[f"C{n}" for n in range(11)]), 422, "invalid_input")
    problem(quote(client, admin, locale="xx-nope"), 422, "unknown_locale")
    # and nothing changed
    assert counts(tvers) == before


def test_an_address_gives_the_destination_and_the_vat_country(client, admin, store):
    # given a Swedish channel selling the book in SEK, and a Norwegian address
    address = {"lines": ["Storgata 1"], "postal_code": "0155", "city": "Oslo", "country": "NO"}
    priced = ok(client.post("/api/v1/quotes", headers=admin, json={
        "channel": "web-se", "lines": [{"sku": "BOOK-1", "quantity": 1}], "shipping": {"method": "pickup"}}))
    # then the Swedish channel prices in SEK with Swedish VAT
    assert (priced["grand_total"], priced["tax_country"], priced["vat_total"]["amount"]) == (
        {"amount": "229.00", "currency": "SEK"}, "SE", "45.80")
    # and a shipped Norwegian order is priced with its address's country
    shipped = ok(quote(client, admin, shipping={"method": "ship", "address": address}))
    assert (shipped["tax_country"], shipped["shipping"]["total"]["amount"]) == ("NO", "99.00")


def coupon_promotion(client: Any, admin: dict[str, str], code: str, coupon: dict[str, Any] | None = None, **fields: Any) -> str:
    promotion = ok(client.post("/api/v1/promotions", headers=admin, json={
        "name": f"{code} 10%", "benefit": {"kind": "percent_off", "percent": "10"}, "requires_coupon": True, **fields}))
    ok(client.post(f"/api/v1/promotions/{promotion['id']}/coupons", json={"code": code, **(coupon or {})}, headers=admin))
    return str(promotion["id"])


def test_coupons_that_cannot_apply_are_refused_with_their_reason(client, admin, tvers, store):
    # given coupons that are expired, not started, for another channel, for gold only, per customer, switched off
    coupon_promotion(client, admin, "OLD", ends_at="2026-10-01T00:00:00Z")
    coupon_promotion(client, admin, "SOON", starts_at="2026-12-01T00:00:00Z")
    coupon_promotion(client, admin, "STORE", channels=["pos-oslo"])
    coupon_promotion(client, admin, "GOLDEN", tiers=["gold"])
    coupon_promotion(client, admin, "ONCE-EACH", {"max_uses_per_customer": 1})
    coupon_promotion(client, admin, "OFF", {"is_active": False})
    twice = coupon_promotion(client, admin, "PAIR-A")
    ok(client.post(f"/api/v1/promotions/{twice}/coupons", json={"code": "PAIR-B"}, headers=admin))
    before = counts(tvers)
    silver = store.customers["silver"]
    # when each is typed, then each is a 422 with the engine's stable code, naming the coupon
    for codes, customer, code in [(["NOPE"], None, "coupon_unknown"), (["old"], None, "coupon_expired"),
                                  (["SOON"], None, "coupon_not_started"), (["STORE"], None, "coupon_not_for_channel"),
                                  (["GOLDEN"], silver, "coupon_not_for_customer"), (["ONCE-EACH"], None, "coupon_requires_customer"),
                                  (["OFF"], None, "coupon_unknown"), (["PAIR-A", "PAIR-B"], None, "coupons_for_one_promotion")]:
        body = problem(quote(client, admin, coupon_codes=codes, customer_id=customer), 422, code)
        assert body["coupon"] == codes[-1].upper()
    # and the right customer or channel may use them, and nothing changed meanwhile
    assert ok(quote(client, admin, coupon_codes=["GOLDEN"], customer_id=store.customers["gold"]))["coupons"] == ["GOLDEN"]
    assert ok(quote(client, admin, coupon_codes=["STORE"], channel="pos-oslo"))["coupons"] == ["STORE"]
    assert counts(tvers) == before


def test_integration_key_quotes_only_its_own_channel(client, tvers, store):
    web_no = bearer(make_key(tvers, Role.INTEGRATION, channel="web-no"))
    assert ok(quote(client, web_no))["grand_total"]["amount"] == "1200.00"
    problem(quote(client, web_no, channel="pos-oslo"), 403, "outside_scope")
