"""A table of promotion cases, end to end: promotions set up through the API, carts priced by POST /api/v1/quotes, totals to the øre.

Prices are VAT-inclusive NOK (25 %, coffee 15 %). SHOE-42 500.00 (800 g), BOOK-1 200.00 (300 g), SHIRT-A 300.00, SHIRT-B 100.00,
COFFEE-1 115.00. Shipping to NO: 99.00 up to 5 kg, free from 1500.00. Tiers (default programme): gold 10 % off and free
shipping, silver 5 % off. The clock stands at 2026-11-02 09:30 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from support.api import ok
from support.quoting import seed_store

CART = (("SHOE-42", 2), ("BOOK-1", 1))  # 1200.00
SHIRTS = (("SHIRT-A", 2), ("SHIRT-B", 1))  # 700.00
SHIP_NO = {"method": "ship", "country": "NO"}


def percent(value: str) -> dict[str, Any]:
    return {"kind": "percent_off", "percent": value}


def amount(value: str, *, per_unit: bool = False) -> dict[str, Any]:
    return {"kind": "amount_off", "amount": value, "per_unit": per_unit}


def promo(name: str, benefit: dict[str, Any], **fields: Any) -> dict[str, Any]:
    if benefit["kind"] == "amount_off" or "min_subtotal" in fields:
        fields.setdefault("currency", "NOK")
    return {"name": name, "benefit": benefit, **fields}


SHOES = {"categories": ["shoes"]}
CLOTHING = {"categories": ["clothing"]}
FREE_SHIPPING = {"kind": "free_shipping"}


@dataclass(frozen=True)
class Case:
    name: str
    lines: tuple[tuple[str, int], ...]
    promotions: tuple[dict[str, Any], ...]
    grand_total: str
    applied: frozenset[str] = frozenset()
    discount_total: str | None = None
    customer: str | None = None
    channel: str = "web-no"
    coupons: tuple[tuple[str, dict[str, Any]], ...] = ()  # (promotion name, coupon body)
    typed: tuple[str, ...] = ()
    shipping: dict[str, Any] | None = None
    shipping_total: str | None = None
    vat_total: str | None = None


CASES = [
    # --- percent and amount, on the cart, a category, a product, each unit
    Case("no promotion", CART, (), "1200.00", discount_total="0.00", vat_total="240.00"),
    Case("10% off the cart", CART, (promo("10% off", percent("10")),), "1080.00", frozenset({"10% off"}), "120.00", vat_total="216.00"),
    Case("20% off a category", CART, (promo("Shoes 20%", percent("20"), target=SHOES),), "1000.00", frozenset({"Shoes 20%"}), "200.00"),
    Case("150 off a product", CART, (promo("Book 150", amount("150"), target={"product_ids": ["@fjell-book"]}),), "1050.00",
         frozenset({"Book 150"})),
    Case("50 off each unit", CART, (promo("50 a pair", amount("50", per_unit=True), target=SHOES),), "1100.00", frozenset({"50 a pair"})),
    Case("12.5% off a SKU", CART, (promo("Book 12.5%", percent("12.5"), target={"skus": ["BOOK-1"]}),), "1175.00",
         frozenset({"Book 12.5%"})),
    # --- stacking and priority
    Case("stack: percent first by priority", CART,
         (promo("10% off", percent("10"), priority=10), promo("100 off", amount("100"), priority=5)),
         "980.00", frozenset({"10% off", "100 off"}), "220.00"),
    Case("stack: amount first by priority", CART,
         (promo("10% off", percent("10"), priority=5), promo("100 off", amount("100"), priority=10)),
         "990.00", frozenset({"10% off", "100 off"}), "210.00"),
    Case("exclusive beats the stack", CART, (promo("10% off", percent("10")), promo("100 off", amount("100")),
                                             promo("30% alone", percent("30"), stacking="exclusive")), "840.00", frozenset({"30% alone"})),
    Case("stack beats a weaker exclusive", CART, (promo("10% off", percent("10")), promo("5% alone", percent("5"), stacking="exclusive")),
         "1080.00", frozenset({"10% off"})),
    # --- buy X get Y
    Case("buy 2 get 1 free", SHIRTS, (promo("3 for 2", {"kind": "buy_x_get_y", "buy": 2, "get": 1}, target=CLOTHING),), "600.00",
         frozenset({"3 for 2"}), "100.00"),
    Case("buy 1 get 1 half price", (("SHIRT-A", 2),), (promo("2nd half", {"kind": "buy_x_get_y", "buy": 1, "get": 1, "percent": "50"}),),
         "450.00", frozenset({"2nd half"})),
    Case("buy 2 get 1, too few units", (("SHIRT-A", 2),), (promo("3 for 2", {"kind": "buy_x_get_y", "buy": 2, "get": 1}),), "600.00"),
    # --- spend thresholds
    Case("spend 1000, get 100", CART, (promo("Spend 1000", amount("100"), min_subtotal="1000"),), "1100.00", frozenset({"Spend 1000"})),
    Case("spend threshold missed", (("BOOK-1", 1),), (promo("Spend 1000", amount("100"), min_subtotal="1000"),), "200.00"),
    # --- loyalty tiers
    Case("gold promotion, gold customer, then the tier's 10%", CART, (promo("Gold 15%", percent("15"), tiers=["gold"]),), "918.00",
         frozenset({"Gold 15%", "gold tier 10% off"}), "282.00", customer="gold"),
    Case("gold promotion, silver customer", CART, (promo("Gold 15%", percent("15"), tiers=["gold"]),), "1140.00",
         frozenset({"silver tier 5% off"}), customer="silver"),
    Case("gold promotion, anonymous cart", CART, (promo("Gold 15%", percent("15"), tiers=["gold"]),), "1200.00"),
    Case("bronze has no benefit", CART, (), "1200.00", customer="bronze"),
    # --- channels
    Case("another channel's promotion", CART, (promo("POS 20%", percent("20"), channels=["pos-oslo"]),), "1200.00"),
    Case("the channel's own promotion", CART, (promo("POS 20%", percent("20"), channels=["pos-oslo"]),), "960.00", frozenset({"POS 20%"}),
         channel="pos-oslo"),
    Case("a channel-type promotion", CART, (promo("Stores 20%", percent("20"), channel_types=["pos"]),), "960.00",
         frozenset({"Stores 20%"}), channel="pos-oslo"),
    # --- shipping
    Case("shipped below free-from", CART, (), "1299.00", shipping=SHIP_NO, shipping_total="99.00", vat_total="259.80"),
    Case("free shipping from the rate's threshold", (("SHOE-42", 3), ("BOOK-1", 1)), (), "1700.00", shipping=SHIP_NO,
         shipping_total="0.00"),
    Case("free-shipping promotion", CART, (promo("Ships free", FREE_SHIPPING, min_subtotal="1000"),), "1200.00", frozenset({"Ships free"}),
         shipping=SHIP_NO, shipping_total="0.00"),
    Case("gold ships free and gets 10%", CART, (), "1080.00", frozenset({"gold tier 10% off", "gold tier free shipping"}), customer="gold",
         shipping=SHIP_NO, shipping_total="0.00"),
    Case("pickup is free", CART, (), "1200.00", shipping={"method": "pickup", "location": "oslo-1"}, shipping_total="0.00"),
    Case("curbside is free", CART, (), "1200.00", shipping={"method": "curbside"}, shipping_total="0.00"),
    # --- coupons and windows
    Case("a coupon unlocks its promotion", CART, (promo("Welcome 10%", percent("10"), requires_coupon=True),), "1080.00",
         frozenset({"Welcome 10%"}), coupons=(("Welcome 10%", {"code": "WELCOME10"}),), typed=(" welcome10 ",)),
    Case("a coupon promotion without its code", CART, (promo("Welcome 10%", percent("10"), requires_coupon=True),), "1200.00",
         coupons=(("Welcome 10%", {"code": "WELCOME10"}),)),
    Case("an ended promotion", CART, (promo("Summer 50%", percent("50"), ends_at="2026-10-01T00:00:00Z"),), "1200.00"),
    Case("a promotion not started yet", CART, (promo("Black Friday", percent("50"), starts_at="2026-11-27T00:00:00+01:00"),), "1200.00"),
    Case("an inactive promotion", CART, (promo("Paused", percent("50"), is_active=False),), "1200.00"),
    # --- VAT per rate
    Case("VAT per rate", (("COFFEE-1", 1), ("BOOK-1", 1)), (), "315.00", vat_total="55.00"),
]


@pytest.fixture
def store(tvers):
    return seed_store(tvers)


def set_up(client: Any, admin: dict[str, str], case: Case, product_ids: dict[str, str]) -> None:
    ids = {}
    for body in case.promotions:
        target = body.get("target", {})
        if "product_ids" in target:
            body = {**body, "target": {**target, "product_ids": [product_ids[p.removeprefix("@")] for p in target["product_ids"]]}}
        ids[body["name"]] = ok(client.post("/api/v1/promotions", json=body, headers=admin))["id"]
    for name, coupon in case.coupons:
        ok(client.post(f"/api/v1/promotions/{ids[name]}/coupons", json=coupon, headers=admin))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_promotion_case(case, client, admin, store):
    # given the case's promotions and coupons, set up through the API
    set_up(client, admin, case, store.product_ids)
    body = {"channel": case.channel, "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in case.lines],
            "customer_id": store.customers[case.customer] if case.customer else None, "coupon_codes": list(case.typed),
            "shipping": case.shipping}
    # when the cart is quoted
    quote = ok(client.post("/api/v1/quotes", json=body, headers=admin))
    # then the totals are exact and the applied promotions are the expected ones
    assert quote["grand_total"] == {"amount": case.grand_total, "currency": "NOK"}
    assert {p["name"] for p in quote["promotions"] if p["is_applied"]} == case.applied
    if case.discount_total is not None:
        assert quote["discount_total"]["amount"] == case.discount_total
    if case.shipping_total is not None:
        assert quote["shipping"]["total"]["amount"] == case.shipping_total
    if case.vat_total is not None:
        assert quote["vat_total"]["amount"] == case.vat_total
    # and the breakdown adds up: lines plus shipping, net plus VAT
    lines = sum(int(line["total"]["amount"].replace(".", "")) for line in quote["lines"])
    assert lines + int(quote["shipping"]["total"]["amount"].replace(".", "")) == int(quote["grand_total"]["amount"].replace(".", ""))
    assert quote["coupons"] == [code.strip().upper() for code in case.typed if case.applied]
