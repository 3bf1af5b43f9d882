"""Bought online, returned in a store of another country's channel: refunded to the øre on each tender, VAT as charged,
points reversed, restocked at that store, events out. Over HTTP on both databases."""

from __future__ import annotations

from sqlalchemy import select

from support.api import ok
from support.fulfilment import stock
from support.returns import movements, payment_ledger, sell_and_deliver
from tvers.db.outbox import OutboxEvent


def outbox(tvers, type_: str) -> list[dict]:
    with tvers.uow(read_only=True) as uow:
        return [e.payload for e in uow.session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))]


def test_web_order_returned_in_a_swedish_store_is_refunded_to_each_tender(client, admin, tvers):
    # given a web order of 3 × 399.50 at 10 % off (1078.65) + 79.00 shipping, paid 500.00 by gift card and 657.65 by card,
    # delivered, with points earned
    sold = sell_and_deliver(client, admin, tvers)
    line = sold.order["lines"][0]
    assert (line["total"]["amount"], line["vat"]["amount"], line["discount"]["amount"]) == ("1078.65", "215.73", "119.85")
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 0), "test_card": (65765, 0)}
    points_before = ok(client.get(f"/api/v1/customers/{sold.customer_id}/loyalty", headers=admin))["balance"]
    assert points_before > 0
    # when store staff in Stockholm take two of the three back
    asked = ok(client.post("/api/v1/returns", headers={**sold.stockholm, "Idempotency-Key": "ret-1"}, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 2, "reason": "wrong_size"}]}))
    assert (asked["status"], asked["sold_channel"]) == ("requested", "web")
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers={**sold.stockholm, "Idempotency-Key": "rcv-1"},
                          json={"location": "stockholm"}))
    # then two thirds of what the line was paid come back, VAT as charged: 719.10 incl. 143.82 VAT (shipping kept)
    assert (done["status"], done["refund_total_minor"], done["refund_vat_minor"]) == ("refunded", 71910, 14382)
    assert [(ln["quantity"], ln["condition"], ln["refund_minor"]) for ln in done["lines"]] == [(2, "resellable", 71910)]
    # and the card is refunded first, all of its 657.65, the rest 61.45 onto the gift card — in the payments ledger
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 6145), "test_card": (65765, 65765)}
    assert ok(client.get(f"/api/v1/gift-cards/{sold.gift_card_id}", headers=admin))["balance"]["amount"] == "61.45"
    # and the points earned on the returned part are taken back
    reversed_points = done["points_reversed"]
    assert reversed_points > 0 and reversed_points == done["plan"]["points_to_reverse"]
    assert ok(client.get(f"/api/v1/customers/{sold.customer_id}/loyalty", headers=admin))["balance"] == points_before - reversed_points
    # and both units are back on the Stockholm store's shelf, by a return_restock movement
    stockholm = next(loc for loc in ok(client.get("/api/v1/locations", headers=admin)) if loc["code"] == "stockholm")["id"]
    assert stock(tvers, stockholm, sold.shop.variant_ids["CO-3"]) == (2, 0)
    assert movements(tvers, stockholm) == [("return_restock", 2, asked["id"], None)]
    assert (done["returned_at_location_id"], done["received_at"], done["refunded_at"]) == (stockholm, "2026-11-02T09:30:00Z",
                                                                                            "2026-11-02T09:30:00Z")
    # and the events went out, with ids, codes and amounts only
    assert [e["return_id"] for e in outbox(tvers, "return.requested")] == [asked["id"]]
    assert outbox(tvers, "return.received")[0]["location_code"] == "stockholm"
    issued = outbox(tvers, "refund.issued")
    assert [(t["tender"], t["amount_minor"]) for t in issued[0]["tenders"]] == [("test_card", 65765), ("gift_card", 6145)]
    assert issued[0]["total_minor"] == 71910
    # and the order shows its return
    assert [r["id"] for r in ok(client.get(f"/api/v1/orders/{sold.order['id']}/returns", headers=admin))] == [asked["id"]]


def test_the_last_unit_returned_later_gives_back_the_rest_exactly(client, admin, tvers):
    # given two of three units already returned and refunded
    sold = sell_and_deliver(client, admin, tvers)
    line = sold.order["lines"][0]
    first = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 2, "reason": "wrong_size"}]}))
    ok(client.post(f"/api/v1/returns/{first['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    # when the third comes back damaged
    second = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 1, "reason": "damaged"}]}))
    done = ok(client.post(f"/api/v1/returns/{second['id']}/receive", headers=sold.stockholm, json={
        "location": "stockholm", "lines": [{"line_id": line["id"], "quantity": 1, "condition": "damaged"}]}))
    # then together the returns gave back the whole line, to the øre
    assert done["refund_total_minor"] == 107865 - 71910
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 107865 - 65765), "test_card": (65765, 65765)}
    # and the damaged unit is restocked and written off again: the ledger shows both
    stockholm = next(loc for loc in ok(client.get("/api/v1/locations", headers=admin)) if loc["code"] == "stockholm")["id"]
    assert movements(tvers, stockholm)[1:] == [("return_restock", 1, second["id"], None), ("damage", -1, None, "returned damaged")]
    assert stock(tvers, stockholm, sold.shop.variant_ids["CO-3"]) == (2, 0)


def test_the_gift_card_part_goes_back_as_store_credit_when_the_policy_says_so(client, admin, tvers):
    # given the web channel pays gift-card parts back as store credit
    sold = sell_and_deliver(client, admin, tvers)
    ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": "web", "window_days": 30,
                                                                   "gift_card_refund_as": "store_credit"}))
    line = sold.order["lines"][0]
    # when all three units come back
    asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 3, "reason": "not_as_described"}]}))
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    # then the card gets its 657.65 and the gift card's 421.00 is booked as refunded, paid out as store credit
    assert done["refund_total_minor"] == 107865
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 42100), "test_card": (65765, 65765)}
    assert ok(client.get(f"/api/v1/gift-cards/{sold.gift_card_id}", headers=admin))["balance"]["amount"] == "0.00"
    credit = ok(client.get(f"/api/v1/customers/{sold.customer_id}/store-credit", headers=admin))["balances"]
    assert credit == [{"amount": "421.00", "currency": "NOK"}]
    assert [(t["tender"], t["refund_as"]) for t in done["plan"]["tenders"]] == [("test_card", "test_card"), ("gift_card", "store_credit")]


SPEND_1000_GET_100 = {"name": "100 off from 1,000", "benefit": {"kind": "amount_off", "amount": "100.00"}, "currency": "NOK",
                      "min_subtotal": "1000.00", "target": {"categories": ["shoes"]}}


def test_a_return_that_breaks_a_spend_threshold_claws_the_discount_back_and_everything_returned_gives_everything_back(
        client, admin, tvers):
    # given 3 × 399.50 = 1198.50 with 100.00 off from 1,000.00: 1098.50 for the goods
    sold = sell_and_deliver(client, admin, tvers, promotion=SPEND_1000_GET_100)
    line = sold.order["lines"][0]
    assert line["total"]["amount"] == "1098.50"
    # when one unit comes back, the two kept (799.00) are below the threshold
    first = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 1, "reason": "changed_mind"}]}))
    first = ok(client.post(f"/api/v1/returns/{first['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    # then the discount the kept units had is deducted from the refund of the one (never below zero)
    [claw] = first["plan"]["promotions"]
    assert claw["deducted_minor"] > 0
    assert first["refund_total_minor"] == 36616 - claw["deducted_minor"]
    # when the other two come back too, then altogether everything paid for the goods came back, to the øre
    second = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 2, "reason": "changed_mind"}]}))
    second = ok(client.post(f"/api/v1/returns/{second['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    assert first["refund_total_minor"] + second["refund_total_minor"] == 109850
    refunded = payment_ledger(tvers, sold.order["id"])
    assert sum(r for _, r in refunded.values()) == 109850
