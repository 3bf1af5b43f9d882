"""Order edits before fulfilment, and checkout's bad input: a clear 4xx and nothing changed (both databases)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from support.api import ok, problem
from support.checkout import APPROVE, DECLINE, card, ledger_state, make_shop, ship_to
from tvers.bootstrap import Tvers
from tvers.catalog import service as catalog
from tvers.catalog.schemas import PriceRowIn, ProductIn, ProductStatus, VariantIn
from tvers.orders.models import Order


@pytest.fixture
def shop(tvers: Tvers) -> Any:
    return make_shop(tvers)


def quote_total(client: TestClient, admin: dict[str, str], skus: dict[str, int], channel: str = "web", **extra: Any) -> str:
    body = {"channel": channel, "lines": [{"sku": s, "quantity": q} for s, q in skus.items()],
            "shipping": {"method": "ship", "country": "NO"}, **extra}
    return str(ok(client.post("/api/v1/quotes", json=body, headers=admin))["grand_total"]["amount"])


def place(client: TestClient, admin: dict[str, str], skus: dict[str, int], idem: str) -> Any:
    body = {"channel": "web", "lines": [{"sku": s, "quantity": q} for s, q in skus.items()], "delivery": ship_to(),
            "tenders": [card(APPROVE, quote_total(client, admin, skus))]}
    return ok(client.post("/api/v1/orders", json=body, headers={**admin, "Idempotency-Key": idem}))["order"]


def minor(amount: str) -> int:
    return int(amount.replace(".", ""))


def reserved_for(tvers: Tvers, order_id: str) -> dict[str, int]:
    from tvers.inventory.models import Reservation

    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(select(Reservation.variant_id, func.sum(Reservation.quantity)).where(
            Reservation.reference_id == order_id, Reservation.status == "active").group_by(Reservation.variant_id)).all()
    return {variant: int(units) for variant, units in rows}


def test_an_edit_that_costs_less_reprices_rereserves_and_releases_the_difference(client: TestClient, admin: dict[str, str],
                                                                                 tvers: Tvers, shop: Any) -> None:
    order = place(client, admin, {"CO-1": 3, "CO-2": 1}, "e1")
    edited = ok(client.post(f"/api/v1/orders/{order['id']}/edit", headers=admin, json={
        "lines": [{"sku": "CO-1", "quantity": 1}, {"sku": "CO-3", "quantity": 1}], "version": order["version"]}))
    new_total = quote_total(client, admin, {"CO-1": 1, "CO-3": 1})
    assert [(line["sku"], line["quantity"]) for line in edited["lines"]] == [("CO-1", 1), ("CO-3", 1)]
    assert edited["total"]["amount"] == new_total and edited["version"] > order["version"]
    assert reserved_for(tvers, order["id"]) == {shop.variant_ids["CO-1"]: 1, shop.variant_ids["CO-3"]: 1}
    card_payment = edited["payments"][0]
    assert minor(card_payment["authorized"]["amount"]) - minor(card_payment["voided"]["amount"]) == minor(new_total)
    assert edited["history"][-1]["reason"].startswith("edited:")


def test_an_edit_that_costs_more_needs_tenders_and_authorises_only_the_difference(client: TestClient, admin: dict[str, str],
                                                                                  tvers: Tvers, shop: Any) -> None:
    order = place(client, admin, {"CO-1": 1}, "e2")
    wanted = [{"sku": "CO-1", "quantity": 1}, {"sku": "CO-4", "quantity": 1}]
    difference = minor(quote_total(client, admin, {"CO-1": 1, "CO-4": 1})) - minor(order["total"]["amount"])
    before = ledger_state(tvers)
    problem(client.post(f"/api/v1/orders/{order['id']}/edit", headers=admin, json={"lines": wanted}), 422, "edit_needs_payment")
    assert ledger_state(tvers) == before
    edited = ok(client.post(f"/api/v1/orders/{order['id']}/edit", headers=admin, json={
        "lines": wanted, "tenders": [card(APPROVE, f"{difference / 100:.2f}")]}))
    assert [(p["tender"], p["status"], minor(p["authorized"]["amount"])) for p in edited["payments"]][1] == ("test_card", "authorized",
                                                                                                             difference)
    assert reserved_for(tvers, order["id"]) == {shop.variant_ids["CO-1"]: 1, shop.variant_ids["CO-4"]: 1}


def test_an_edit_refused_by_a_declined_card_leaves_the_order_as_it_was(client: TestClient, admin: dict[str, str], tvers: Tvers,
                                                                       shop: Any) -> None:
    order = place(client, admin, {"CO-1": 1}, "e3")
    before = ledger_state(tvers)
    difference = minor(quote_total(client, admin, {"CO-1": 2})) - minor(order["total"]["amount"])
    response = client.post(f"/api/v1/orders/{order['id']}/edit", headers=admin, json={
        "lines": [{"sku": "CO-1", "quantity": 2}], "tenders": [card(DECLINE, f"{difference / 100:.2f}")]})
    problem(response, 402, "payment_declined")
    after = ok(client.get(f"/api/v1/orders/{order['id']}", headers=admin))
    assert (after["lines"], after["total"], after["version"]) == (order["lines"], order["total"], order["version"])
    state = ledger_state(tvers)
    assert (state["levels"], state["active_reservations"]) == (before["levels"], before["active_reservations"])


def test_an_edit_or_a_cancel_after_fulfilment_is_refused(client: TestClient, admin: dict[str, str], tvers: Tvers, shop: Any) -> None:
    sale = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "till"}, json={
        "channel": "pos-bergen", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": {"method": "carry_out", "location": "bergen"},
        "tenders": [{"tender": "cash", "amount": "500.00", "currency": "NOK"}]}))["order"]
    before = ledger_state(tvers)
    problem(client.post(f"/api/v1/orders/{sale['id']}/edit", headers=admin, json={"lines": [{"sku": "CO-1", "quantity": 2}]}), 409,
            "order_not_editable")
    problem(client.post(f"/api/v1/orders/{sale['id']}/cancel", headers=admin, json={"lines": [{"line_id": sale["lines"][0]["id"],
                                                                                             "quantity": 1}]}), 409, "order_not_editable")
    problem(client.post(f"/api/v1/orders/{sale['id']}/hold", headers=admin, json={"reason": "too late"}), 409, "illegal_transition")
    assert ledger_state(tvers) == before


def _unlisted_sku(tvers: Tvers) -> str:
    with tvers.uow() as uow:
        catalog.create_product(uow, ProductIn(handle="not-on-web", title="Hidden", status=ProductStatus.ACTIVE,
                                              variants=[VariantIn(sku="HIDDEN-1")]))
        catalog.bulk_upsert_prices(uow, "nok", [PriceRowIn(sku="HIDDEN-1", amount="10.00")])
        uow.commit()
    return "HIDDEN-1"


def _coupon(client: TestClient, admin: dict[str, str], code: str, coupon: dict[str, Any] | None = None, **fields: Any) -> None:
    promotion = ok(client.post("/api/v1/promotions", headers=admin, json={
        "name": f"{code} 10%", "benefit": {"kind": "percent_off", "percent": "10"}, "requires_coupon": True, **fields}))
    ok(client.post(f"/api/v1/promotions/{promotion['id']}/coupons", json={"code": code, **(coupon or {})}, headers=admin))


BAD_ORDERS: list[tuple[str, dict[str, Any], int, str]] = [
    ("quantity 0", {"lines": [{"sku": "CO-1", "quantity": 0}]}, 422, "invalid_input"),
    ("quantity 10^9", {"lines": [{"sku": "CO-1", "quantity": 10**9}]}, 422, "invalid_input"),
    ("unknown SKU", {"lines": [{"sku": "NOPE-1", "quantity": 1}]}, 422, "unknown_sku"),
    ("not listed on the channel", {"lines": [{"sku": "HIDDEN-1", "quantity": 1}]}, 422, "not_listed_on_channel"),
    ("tenders short of the total", {"tenders": [card(APPROVE, "1.00")]}, 422, "tenders_do_not_add_up"),
    ("tender in another currency", {"tenders": [card(APPROVE, "TOTAL", currency="SEK")]}, 422, "tender_currency_mismatch"),
    ("expired coupon", {"coupon_codes": ["OLD"]}, 422, "coupon_expired"),
    ("used-up coupon", {"coupon_codes": ["GONE"]}, 422, "coupon_used_up"),
    ("coupon for another channel", {"coupon_codes": ["MARKETONLY"]}, 422, "coupon_not_for_channel"),
    ("no delivery address to ship", {"delivery": {"method": "ship"}}, 422, "invalid_input"),
    ("pickup at a store that does not offer it", {"delivery": {"method": "pickup", "location": "oslo-dc"},
                                                  "tenders": [card(APPROVE, "PICKUP_TOTAL")]}, 422, "delivery_not_offered"),
    ("no tenders", {"tenders": []}, 422, "invalid_input"),
]


@pytest.mark.parametrize(("case", "change", "status", "code"), BAD_ORDERS, ids=[case for case, *_ in BAD_ORDERS])
def test_bad_orders_get_a_clear_4xx_and_change_nothing(client: TestClient, admin: dict[str, str], tvers: Tvers, shop: Any,
                                                       case: str, change: dict[str, Any], status: int, code: str) -> None:
    _unlisted_sku(tvers)
    _coupon(client, admin, "OLD", ends_at="2026-01-01T00:00:00Z")
    _coupon(client, admin, "GONE", {"max_uses": 1})
    _coupon(client, admin, "MARKETONLY", channels=["market"])
    place(client, admin, {"CO-2": 1}, "use-up")  # an order that is no use of GONE; GONE is used up below
    gone = {"channel": "web", "lines": [{"sku": "CO-2", "quantity": 1}], "delivery": ship_to(), "coupon_codes": ["GONE"],
            "tenders": [card(APPROVE, quote_total(client, admin, {"CO-2": 1}, coupon_codes=["GONE"]))]}
    ok(client.post("/api/v1/orders", json=gone, headers={**admin, "Idempotency-Key": "gone"}))
    total = quote_total(client, admin, {"CO-1": 1})
    body = {"channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": ship_to(), "tenders": [card(APPROVE, total)], **change}
    pickup_total = quote_total(client, admin, {"CO-1": 1}, shipping={"method": "pickup"})
    stand_ins = {"TOTAL": total, "PICKUP_TOTAL": pickup_total}
    body["tenders"] = [{**t, "amount": stand_ins.get(t["amount"], t["amount"])} for t in body["tenders"]]
    before = ledger_state(tvers)
    with tvers.uow(read_only=True) as uow:
        orders_before = uow.session.scalar(select(func.count()).select_from(Order))
    problem(client.post("/api/v1/orders", json=body, headers={**admin, "Idempotency-Key": f"bad-{case}"}), status, code)
    with tvers.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Order)) == orders_before
    assert ledger_state(tvers) == before


def test_checking_out_an_empty_cart_is_refused(client: TestClient, admin: dict[str, str], tvers: Tvers, shop: Any) -> None:
    cart = ok(client.post("/api/v1/carts", json={"channel": "web", "anonymous_token": "tok-empty-cart-000001"}, headers=admin))
    before = ledger_state(tvers)
    problem(client.post("/api/v1/checkout", headers={**admin, "Idempotency-Key": "empty"}, json={
        "channel": "web", "cart_id": cart["id"], "delivery": ship_to(), "tenders": [card(APPROVE, "79.00")]}), 422, "empty_cart")
    assert ledger_state(tvers) == before
