"""Promotions, coupons and shipping rates through the admin API: set up, read, change; bad input is a clear 4xx and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from support.api import bearer, make_key, ok, problem
from support.quoting import counts, seed_store
from tvers.channels.access import Role

TEN = {"name": "10% off shoes", "benefit": {"kind": "percent_off", "percent": "10"}, "target": {"categories": ["shoes"]}}


@pytest.fixture
def store(tvers):
    return seed_store(tvers)


def test_promotion_is_set_up_read_and_changed(client, admin, store):
    # given a promotion for gold customers on one channel, for November
    body = {**TEN, "tiers": ["gold"], "channels": ["web-no"], "starts_at": "2026-11-01T00:00:00+01:00",
            "ends_at": "2026-12-01T00:00:00Z", "priority": 5}
    created = ok(client.post("/api/v1/promotions", json=body, headers=admin))
    # then it reads back as it was given, with an id and version 1
    assert created["id"].startswith("prm_") and created["version"] == 1
    assert created["benefit"] == {"kind": "percent_off", "percent": "10.00"}
    assert (created["tiers"], created["channels"], created["starts_at"], created["priority"]) == (
        ["gold"], ["web-no"], "2026-10-31T23:00:00Z", 5)
    assert ok(client.get(f"/api/v1/promotions/{created['id']}", headers=admin)) == created
    # when its benefit is changed and its end cleared
    changed = ok(client.patch(f"/api/v1/promotions/{created['id']}", headers=admin, json={
        "version": 1, "benefit": {"kind": "amount_off", "amount": "99.50", "per_unit": True}, "currency": "NOK", "ends_at": None}))
    # then the rest stays, and the version moved on
    assert changed["benefit"] == {"kind": "amount_off", "amount": "99.50", "per_unit": True}
    assert (changed["ends_at"], changed["tiers"], changed["version"]) == (None, ["gold"], 2)
    # and a stale version is refused
    problem(client.patch(f"/api/v1/promotions/{created['id']}", headers=admin, json={"version": 1, "name": "x"}), 409, "stale_version")


def test_promotions_are_listed_by_page_and_by_instant(client, admin, store):
    # given three promotions: running, ended, and switched off
    running = ok(client.post("/api/v1/promotions", json=TEN, headers=admin))
    ok(client.post("/api/v1/promotions", json={**TEN, "name": "ended", "ends_at": "2026-10-01T00:00:00Z"}, headers=admin))
    ok(client.post("/api/v1/promotions", json={**TEN, "name": "off", "is_active": False}, headers=admin))
    # when listed two by two, then all three come in order of creation
    first = ok(client.get("/api/v1/promotions", params={"limit": 2}, headers=admin))
    second = ok(client.get("/api/v1/promotions", params={"limit": 2, "after": first["next_cursor"]}, headers=admin))
    assert [p["name"] for p in first["items"] + second["items"]] == ["10% off shoes", "ended", "off"]
    assert second["next_cursor"] is None
    # and only the running one is active now
    now = ok(client.get("/api/v1/promotions", params={"active_at": "2026-11-02T10:00:00+00:00"}, headers=admin))
    assert [p["id"] for p in now["items"]] == [running["id"]]
    problem(client.get("/api/v1/promotions", params={"active_at": "2026-11-02T10:00:00"}, headers=admin), 422, "invalid_input")


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"benefit": {"kind": "percent_off", "percent": "0"}}, "benefit.percent_off.percent", "greater_than"),
    ({"benefit": {"kind": "percent_off", "percent": "100.5"}}, "benefit.percent_off.percent", "less_than_equal"),
    ({"benefit": {"kind": "percent_off", "percent": "10.125"}}, "benefit.percent_off.percent", "decimal_max_places"),
    ({"benefit": {"kind": "amount_off", "amount": "50"}}, "currency", "currency_required"),
    ({"benefit": {"kind": "amount_off", "amount": "0"}, "currency": "NOK"}, "benefit.amount", "invalid_amount"),
    ({"benefit": {"kind": "amount_off", "amount": "1.005"}, "currency": "NOK"}, "benefit.amount", "invalid_amount"),
    ({"benefit": {"kind": "amount_off", "amount": "5"}, "currency": "XYZ"}, "currency", "unknown_currency"),
    ({"benefit": {"kind": "buy_x_get_y", "buy": 0, "get": 1}}, "benefit.buy_x_get_y.buy", "greater_than_equal"),
    ({"benefit": {"kind": "free_shipping"}}, "target", "invalid_target"),
    ({"benefit": {"kind": "gift"}}, "benefit", "union_tag_invalid"),
    ({"min_subtotal": "-1", "currency": "NOK"}, "min_subtotal", "invalid_amount"),
    ({"starts_at": "2026-12-01T00:00:00Z", "ends_at": "2026-11-01T00:00:00Z"}, "ends_at", "invalid_window"),
    ({"starts_at": "2026-12-01T00:00:00"}, "starts_at", "timezone_aware"),
    ({"channels": ["web-no", "web-xx"]}, "channels.1", "channel_not_found"),
    ({"target": {"skus": ["NOPE-1"]}}, "target.skus.0", "unknown_sku"),
    ({"target": {"product_ids": ["prd_nope"]}}, "target.product_ids.0", "product_not_found"),
    ({"tiers": ["platinum"]}, "tiers.0", "unknown_tier"),
    ({"priority": 10_000_000}, "priority", "less_than_equal"),
    ({"stacking": "sometimes"}, "stacking", "enum"),
    ({"surprise": True}, "surprise", "extra_forbidden"),
])
def test_bad_promotion_is_refused_and_nothing_is_stored(client, admin, tvers, store, change, field, code):
    # given the store as it is
    before = counts(tvers)
    # when a promotion with one bad field is posted
    response = client.post("/api/v1/promotions", json={**TEN, **change}, headers=admin)
    # then it is a 422 naming the field, and nothing was stored
    body = problem(response, 422, response.json()["code"])
    assert (field, code) in {(error["field"], error["code"]) for error in body["errors"]}, body
    assert counts(tvers) == before


def test_bad_change_is_refused_and_the_promotion_stays(client, admin, tvers, store):
    # given a promotion
    created = ok(client.post("/api/v1/promotions", json=TEN, headers=admin))
    before = counts(tvers)
    # when changes that make it invalid are sent
    for change in ({"name": None}, {"benefit": {"kind": "free_shipping"}}, {"ends_at": "2020-01-01T00:00:00Z",
                                                                              "starts_at": "2021-01-01T00:00:00Z"}):
        problem(client.patch(f"/api/v1/promotions/{created['id']}", json={"version": 1, **change}, headers=admin), 422,
                "invalid_promotion")
    # then it is unchanged and no event went out
    assert ok(client.get(f"/api/v1/promotions/{created['id']}", headers=admin)) == created
    assert counts(tvers) == before
    problem(client.get("/api/v1/promotions/prm_nope", headers=admin), 404, "promotion_not_found")


def test_coupons_are_tied_to_a_promotion_that_requires_one(client, admin, tvers, store):
    # given a coupon promotion and an automatic one
    coupon_only = ok(client.post("/api/v1/promotions", json={**TEN, "requires_coupon": True}, headers=admin))
    automatic = ok(client.post("/api/v1/promotions", json=TEN, headers=admin))
    # when a single-use code with a per-customer limit is made, it is stored upper case
    coupon = ok(client.post(f"/api/v1/promotions/{coupon_only['id']}/coupons", headers=admin,
                            json={"code": " Welcome-10 ", "max_uses": 1, "max_uses_per_customer": 1}))
    assert (coupon["code"], coupon["uses"], coupon["max_uses"], coupon["promotion_id"]) == ("WELCOME-10", 0, 1, coupon_only["id"])
    # then it is found in any case, listed under its promotion, and its limits can change
    assert ok(client.get("/api/v1/coupons/welcome-10", headers=admin)) == coupon
    assert ok(client.get(f"/api/v1/promotions/{coupon_only['id']}/coupons", headers=admin))["items"] == [coupon]
    changed = ok(client.patch("/api/v1/coupons/WELCOME-10", headers=admin, json={"version": 1, "max_uses": None, "is_active": False}))
    assert (changed["max_uses"], changed["max_uses_per_customer"], changed["is_active"], changed["version"]) == (None, 1, False, 2)
    before = counts(tvers)
    # and a taken code (in any case), a code for an automatic promotion, bad limits and unknown ids are refused
    problem(client.post(f"/api/v1/promotions/{coupon_only['id']}/coupons", json={"code": "welcome-10"}, headers=admin), 409,
            "duplicate_coupon")
    problem(client.post(f"/api/v1/promotions/{automatic['id']}/coupons", json={"code": "AUTO"}, headers=admin), 422,
            "promotion_without_coupons")
    problem(client.post(f"/api/v1/promotions/{coupon_only['id']}/coupons", json={"code": "X1", "max_uses": 0}, headers=admin), 422,
            "invalid_input")
    problem(client.post(f"/api/v1/promotions/{coupon_only['id']}/coupons", json={"code": "no spaces"}, headers=admin), 422,
            "invalid_input")
    problem(client.post("/api/v1/promotions/prm_nope/coupons", json={"code": "ABC"}, headers=admin), 404, "promotion_not_found")
    problem(client.get("/api/v1/coupons/NOPE", headers=admin), 404, "coupon_not_found")
    problem(client.patch("/api/v1/coupons/WELCOME-10", json={"version": 1, "is_active": True}, headers=admin), 409, "stale_version")
    assert counts(tvers) == before


def test_shipping_rates_are_set_up_changed_and_removed(client, admin, tvers, store):
    # given a Swedish rate by order value, free from 799
    body = {"country": "SE", "currency": "SEK", "free_from": "799", "value_bands": [
        {"min_value": "0", "price": "79"}, {"min_value": "300", "price": "49"}]}
    rate = ok(client.post("/api/v1/shipping-rates", json=body, headers=admin))
    assert rate["value_bands"] == [{"min_value": "0.00", "price": "79.00"}, {"min_value": "300.00", "price": "49.00"}]
    assert [r["country"] for r in ok(client.get("/api/v1/shipping-rates", headers=admin))] == ["NO", "SE"]
    # when it changes to weight bands
    changed = ok(client.patch(f"/api/v1/shipping-rates/{rate['id']}", headers=admin, json={
        "version": 1, "value_bands": [], "weight_bands": [{"max_grams": 2000, "price": "59"}]}))
    assert (changed["weight_bands"], changed["value_bands"], changed["free_from"], changed["version"]) == (
        [{"max_grams": 2000, "price": "59.00"}], [], "799.00", 2)
    # then it can be removed, and is gone
    assert client.delete(f"/api/v1/shipping-rates/{rate['id']}", headers=admin).status_code == 204
    problem(client.get(f"/api/v1/shipping-rates/{rate['id']}", headers=admin), 404, "shipping_rate_not_found")
    assert [r["country"] for r in ok(client.get("/api/v1/shipping-rates", params={"country": "SE"}, headers=admin))] == []


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"country": "NO", "currency": "NOK", "weight_bands": [{"max_grams": 100, "price": "10"}]}, 409, "duplicate_shipping_rate"),
    ({"country": "SE", "currency": "SEK"}, 422, "invalid_shipping_rate"),
    ({"country": "SE", "currency": "SEK", "weight_bands": [{"max_grams": 1, "price": "1"}],
      "value_bands": [{"min_value": "0", "price": "1"}]}, 422, "invalid_shipping_rate"),
    ({"country": "SE", "currency": "SEK", "value_bands": [{"min_value": "100", "price": "1"}]}, 422, "invalid_shipping_rate"),
    ({"country": "SE", "currency": "SEK", "weight_bands": [{"max_grams": 1, "price": "-1"}]}, 422, "invalid_shipping_rate"),
    ({"country": "SE", "currency": "SEK", "weight_bands": [{"max_grams": 1, "price": "1.001"}]}, 422, "invalid_shipping_rate"),
    ({"country": "se", "currency": "SEK", "weight_bands": [{"max_grams": 1, "price": "1"}]}, 422, "invalid_input"),
    ({"country": "SE", "currency": "ZZZ", "weight_bands": [{"max_grams": 1, "price": "1"}]}, 422, "invalid_shipping_rate"),
])
def test_bad_shipping_rate_is_refused_and_nothing_is_stored(client, admin, tvers, store, body: dict[str, Any], status, code):
    before = counts(tvers)
    problem(client.post("/api/v1/shipping-rates", json=body, headers=admin), status, code)
    assert counts(tvers) == before


def test_only_admins_write_and_every_role_reads(client, admin, tvers, store):
    # given a promotion, and keys for store staff and an analyst
    ok(client.post("/api/v1/promotions", json=TEN, headers=admin))
    staff = bearer(make_key(tvers, Role.STORE_STAFF, locations=["oslo-1"]))
    analyst = bearer(make_key(tvers, Role.ANALYST))
    # then they read promotions and rates, and may not set them up
    for headers in (staff, analyst):
        assert len(ok(client.get("/api/v1/promotions", headers=headers))["items"]) == 1
        ok(client.get("/api/v1/shipping-rates", headers=headers))
        problem(client.post("/api/v1/promotions", json=TEN, headers=headers), 403, "missing_permission")
