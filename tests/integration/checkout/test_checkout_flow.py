"""Checkout over HTTP on both databases: carts and direct orders into orders, payments, reservations and events."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from support.api import ok, problem
from support.checkout import APPROVE, DECLINE, THREE_DS, card, ledger_state, make_shop, ship_to
from tvers.bootstrap import Tvers
from tvers.db.outbox import OutboxEvent
from tvers.inventory.models import Reservation, StockLevel
from tvers.kernel.clock import FixedClock


@pytest.fixture
def shop(tvers: Tvers) -> Any:
    return make_shop(tvers)


def key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


def direct(skus: dict[str, int], *, channel: str = "web", tenders: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"channel": channel, "lines": [{"sku": s, "quantity": q} for s, q in skus.items()], "delivery": extra.pop("delivery", ship_to()),
            "tenders": tenders or [card(amount="0")], **extra}


def total_of(client: TestClient, admin: dict[str, str], skus: dict[str, int], *, channel: str = "web", **extra: Any) -> str:
    """What the order will cost: the quote's grand total (same pricing code as checkout)."""
    body = {"channel": channel, "lines": [{"sku": s, "quantity": q} for s, q in skus.items()], **extra}
    return str(ok(client.post("/api/v1/quotes", json=body, headers=admin))["grand_total"]["amount"])


def events(tvers: Tvers) -> list[str]:
    with tvers.uow(read_only=True) as uow:
        return list(uow.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id)))


def place(client: TestClient, admin: dict[str, str], skus: dict[str, int], *, number: str = APPROVE, idem: str = "k1",
          **extra: Any) -> Any:
    channel = extra.get("channel", "web")
    amount = total_of(client, admin, skus, channel=channel, shipping=extra.get("quote_shipping", {"method": "ship", "country": "NO"}))
    extra.pop("quote_shipping", None)
    return client.post("/api/v1/orders", json=direct(skus, tenders=[card(number, amount)], **extra), headers={**admin, **key(idem)})


def test_cart_checkout_confirms_an_order_with_snapshot_lines_payments_and_events(client: TestClient, admin: dict[str, str],
                                                                                  tvers: Tvers, shop: Any) -> None:
    # given a cart with two lines on the web channel
    cart = ok(client.post("/api/v1/carts", json={"channel": "web", "anonymous_token": "tok-1234567890abcdef"}, headers=admin))
    for sku, quantity in (("CO-1", 2), ("CO-2", 1)):
        ok(client.post(f"/api/v1/carts/{cart['id']}/lines", json={"sku": sku, "quantity": quantity, "channel": "web"}, headers=admin))
    amount = total_of(client, admin, {"CO-1": 2, "CO-2": 1}, shipping={"method": "ship", "country": "NO"})
    # when it is checked out with an approving test card
    response = client.post("/api/v1/checkout", headers={**admin, **key("cart-1")}, json={
        "channel": "web", "cart_id": cart["id"], "delivery": ship_to(), "tenders": [card(APPROVE, amount)]})
    # then the order is confirmed, numbered per channel, with lines as sold
    assert response.status_code == 201, response.text
    body = response.json()
    order = body["order"]
    assert (body["outcome"], order["status"], order["number"]) == ("confirmed", "confirmed", "WEB-000001")
    assert [(line["sku"], line["quantity"], line["unit_price"]["amount"], line["title"]) for line in order["lines"]] == [
        ("CO-1", 2, "100.00", "Fjellstøvel"), ("CO-2", 1, "250.00", "Fjellstøvel")]
    assert order["total"]["amount"] == amount
    lines_total = sum(int(line["total"]["amount"].replace(".", "")) for line in order["lines"])
    assert lines_total + int(order["shipping_total"]["amount"].replace(".", "")) == int(amount.replace(".", ""))
    assert [(p["tender"], p["status"], p["authorized"]["amount"]) for p in body["payments"]] == [("test_card", "authorized", amount)]
    assert [h["to_status"] for h in order["history"]] == ["pending_payment", "confirmed"]
    # and the stock is held for the order, well past the checkout's own expiry
    with tvers.uow(read_only=True) as uow:
        held = uow.session.execute(select(Reservation.quantity, Reservation.status, Reservation.expires_at)
                                   .where(Reservation.reference_id == order["id"])).all()
    assert sorted((q, s) for q, s, _ in held) == [(1, "active"), (2, "active")]
    assert all((at - tvers.clock.now()).days >= 29 for _, _, at in held)
    assert {"order.placed", "payment.authorized", "stock.reserved"} <= set(events(tvers))
    # and the cart is converted: checking it out again gives the same order, not a second one
    again = client.post("/api/v1/checkout", headers={**admin, **key("cart-1-other-key")}, json={
        "channel": "web", "cart_id": cart["id"], "delivery": ship_to(), "tenders": [card(APPROVE, amount)]})
    assert again.status_code == 201 and again.json()["order"]["id"] == order["id"]


def test_declined_card_leaves_nothing_reserved_and_no_gift_card_balance_taken(client: TestClient, admin: dict[str, str],
                                                                               tvers: Tvers, shop: Any) -> None:
    gift = ok(client.post("/api/v1/gift-cards", json={"amount": "50.00", "currency": "NOK"}, headers=admin))
    amount = total_of(client, admin, {"CO-3": 1}, shipping={"method": "ship", "country": "NO"})
    rest = f"{float(amount) - 50:.2f}"
    before = ledger_state(tvers)
    response = client.post("/api/v1/orders", headers={**admin, **key("decline-1")}, json=direct(
        {"CO-3": 1}, tenders=[{"tender": "gift_card", "code": gift["code"], "amount": "50.00", "currency": "NOK"}, card(DECLINE, rest)]))
    body = problem(response, 402, "payment_declined")
    after = ledger_state(tvers)
    # nothing stays reserved or taken: stock, reservations and the gift card are as they were
    assert (after["levels"], after["active_reservations"], after["gift_cards"]) == (before["levels"], 0, before["gift_cards"])
    order = ok(client.get(f"/api/v1/orders/{body['order_id']}", headers=admin))
    assert order["status"] == "payment_failed"
    assert {p["tender"]: p["status"] for p in order["payments"]} == {"gift_card": "voided", "test_card": "failed"}
    assert "order.payment_failed" in events(tvers) and "order.placed" not in events(tvers)


def test_requires_action_waits_then_the_sweep_gives_up_and_undoes_it(client: TestClient, admin: dict[str, str], tvers: Tvers,
                                                                     clock: FixedClock, shop: Any) -> None:
    before = ledger_state(tvers)
    response = place(client, admin, {"CO-1": 1}, number=THREE_DS, idem="3ds")
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["outcome"] == "requires_action" and body["order"]["status"] == "pending_payment"
    assert ledger_state(tvers)["active_reservations"] == 1
    # when the shopper never comes back and the worker sweeps after the deadline
    from tvers.workflows.checkout import sweep_stalled_checkouts

    clock.advance(seconds=tvers.settings.checkout_deadline_seconds + 1)
    assert sweep_stalled_checkouts(tvers) == 1
    # then the order failed and everything went back
    assert ok(client.get(f"/api/v1/orders/{body['order']['id']}", headers=admin))["status"] == "payment_failed"
    assert ledger_state(tvers)["levels"] == before["levels"] and ledger_state(tvers)["active_reservations"] == 0


def test_requires_action_then_the_shopper_passes_3ds_and_the_checkout_completes(client: TestClient, admin: dict[str, str],
                                                                               tvers: Tvers, shop: Any) -> None:
    body = place(client, admin, {"CO-1": 1}, number=THREE_DS, idem="3ds-ok").json()
    url = body["next_action"]["url"]
    # the shopper is not back yet: completing changes nothing
    again = client.post(f"/api/v1/checkout/{body['order']['id']}/complete", headers=admin)
    assert again.status_code == 202 and again.json()["order"]["status"] == "pending_payment"
    # when the bank's page is passed and the client completes the checkout
    assert client.post(f"/api/v1/test-card/3ds/{url.rsplit('/', 1)[1]}", headers=admin).status_code == 204
    done = client.post(f"/api/v1/checkout/{body['order']['id']}/complete", headers=admin)
    # then the order is confirmed on the same authorisation key, and its stock is held for fulfilment
    assert done.status_code == 201, done.text
    assert done.json()["order"]["status"] == "confirmed"
    assert [p["status"] for p in done.json()["payments"]] == ["authorized"]
    assert "order.placed" in events(tvers)


def test_checkout_needs_an_idempotency_key_and_a_retry_returns_the_first_order(client: TestClient, admin: dict[str, str],
                                                                               tvers: Tvers, shop: Any) -> None:
    amount = total_of(client, admin, {"CO-1": 1}, shipping={"method": "ship", "country": "NO"})
    body = direct({"CO-1": 1}, tenders=[card(APPROVE, amount)])
    assert client.post("/api/v1/orders", json=body, headers=admin).status_code == 422
    first = ok(client.post("/api/v1/orders", json=body, headers={**admin, **key("same")}))
    second = client.post("/api/v1/orders", json=body, headers={**admin, **key("same")})
    assert second.status_code == 201 and second.json()["order"]["id"] == first["order"]["id"]
    assert len(ok(client.get("/api/v1/orders", headers=admin))["items"]) == 1


def test_pos_carry_out_with_cash_gives_change_completes_the_order_and_takes_the_goods_off_the_shelf(
        client: TestClient, admin: dict[str, str], tvers: Tvers, shop: Any) -> None:
    amount = total_of(client, admin, {"CO-2": 1}, channel="pos-bergen", shipping={"method": "carry_out"})
    response = client.post("/api/v1/orders", headers={**admin, **key("till-1")}, json={
        "channel": "pos-bergen", "lines": [{"sku": "CO-2", "quantity": 1}], "delivery": {"method": "carry_out", "location": "bergen"},
        "tenders": [{"tender": "cash", "amount": "300.00", "currency": "NOK"}]})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["order"]["status"] == "completed" and body["order"]["number"] == "POS-BERGEN-000001"
    assert body["payments"][0]["change_due"]["amount"] == f"{300 - float(amount):.2f}"
    assert body["payments"][0]["status"] == "captured"
    with tvers.uow(read_only=True) as uow:
        on_hand, reserved = uow.session.execute(select(StockLevel.on_hand, StockLevel.reserved).where(
            StockLevel.variant_id == shop.variant_ids["CO-2"], StockLevel.location_id == shop.locations["bergen"])).one()
    assert (on_hand, reserved) == (2, 0)
    assert "order.completed" in events(tvers)
    # a fulfilled line cannot be cancelled
    problem(client.post(f"/api/v1/orders/{body['order']['id']}/cancel", json={}, headers=admin), 409, "order_not_editable")


def test_pickup_reserves_at_the_chosen_store(client: TestClient, admin: dict[str, str], tvers: Tvers, shop: Any) -> None:
    amount = total_of(client, admin, {"CO-1": 2}, shipping={"method": "pickup"})
    response = client.post("/api/v1/orders", headers={**admin, **key("pickup")}, json=direct(
        {"CO-1": 2}, delivery={"method": "pickup", "location": "bergen"}, tenders=[card(APPROVE, amount)]))
    order = ok(response)["order"]
    assert order["pickup_location_id"] == shop.locations["bergen"]
    assert {line["location_id"] for line in order["lines"]} == {shop.locations["bergen"]}
    assert order["shipping_total"]["amount"] == "0.00"


def test_cancelling_some_units_then_the_rest_gives_back_stock_and_releases_the_authorisation(
        client: TestClient, admin: dict[str, str], tvers: Tvers, shop: Any) -> None:
    placed = ok(place(client, admin, {"CO-1": 3, "CO-2": 1}))
    order = placed["order"]
    before = ledger_state(tvers)
    line = next(line for line in order["lines"] if line["sku"] == "CO-1")
    one = {"lines": [{"line_id": line["id"], "quantity": 1}]}
    partly = ok(client.post(f"/api/v1/orders/{order['id']}/cancel", headers=admin, json=one))
    assert partly["status"] == "confirmed"
    assert next(x for x in partly["lines"] if x["sku"] == "CO-1")["cancelled_quantity"] == 1
    assert ledger_state(tvers)["active_reservations"] == before["active_reservations"]  # shrunk, not closed
    whole = ok(client.post(f"/api/v1/orders/{order['id']}/cancel", headers=admin, json={"reason": "customer called"}))
    assert whole["status"] == "cancelled"
    assert whole["payments"][0]["voided"]["amount"] == order["total"]["amount"]
    assert ledger_state(tvers)["active_reservations"] == 0
    assert "order.cancelled" in events(tvers)
    problem(client.post(f"/api/v1/orders/{order['id']}/cancel", headers=admin, json={}), 409, "order_not_editable")


def test_hold_and_release_follow_the_state_machine(client: TestClient, admin: dict[str, str], tvers: Tvers, shop: Any) -> None:
    order = ok(place(client, admin, {"CO-1": 1}))["order"]
    problem(client.post(f"/api/v1/orders/{order['id']}/release", headers=admin, json={}), 409, "illegal_transition")
    held = ok(client.post(f"/api/v1/orders/{order['id']}/hold", headers=admin, json={"reason": "fraud check", "version": order["version"]}))
    assert held["status"] == "on_hold"
    problem(client.post(f"/api/v1/orders/{order['id']}/hold", headers=admin, json={"reason": "again"}), 409, "illegal_transition")
    released = ok(client.post(f"/api/v1/orders/{order['id']}/release", headers=admin, json={}))
    assert released["status"] == "confirmed"
    assert [h["to_status"] for h in released["history"]] == ["pending_payment", "confirmed", "on_hold", "confirmed"]


def test_orders_list_filters_and_pages(client: TestClient, admin: dict[str, str], tvers: Tvers, shop: Any) -> None:
    ids = [ok(place(client, admin, {"CO-1": 1}, idem=f"list-{i}"))["order"]["id"] for i in range(3)]
    pos = ok(client.post("/api/v1/orders", headers={**admin, **key("till")}, json={
        "channel": "pos-bergen", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": {"method": "carry_out", "location": "bergen"},
        "tenders": [{"tender": "cash", "amount": "1000.00", "currency": "NOK"}]}))["order"]["id"]
    first = ok(client.get("/api/v1/orders", params={"channel": "web", "limit": 2}, headers=admin))
    assert [o["id"] for o in first["items"]] == ids[::-1][:2]
    rest = ok(client.get("/api/v1/orders", params={"channel": "web", "limit": 2, "after": first["next_cursor"]}, headers=admin))
    assert [o["id"] for o in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    completed = ok(client.get("/api/v1/orders", params={"status": "completed"}, headers=admin))["items"]
    assert [o["id"] for o in completed] == [pos]
    at_store = ok(client.get("/api/v1/orders", params={"location_id": shop.locations["bergen"]}, headers=admin))["items"]
    assert [o["id"] for o in at_store] == [pos]
