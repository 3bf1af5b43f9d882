"""Points spent on an order go back as points when a return reaches them: in part, in proportion to the value, the parts
adding up to the points burnt (the loyalty ledger gives back part of a burn under each refund's own key)."""

from __future__ import annotations

from support.api import ok
from support.returns import payment_ledger, sell_and_deliver


def balance(client, admin, customer_id: str) -> int:
    return ok(client.get(f"/api/v1/customers/{customer_id}/loyalty", headers=admin))["balance"]


def test_points_spent_come_back_in_part_and_then_the_rest(client, admin, tvers):
    # given 3 × 359.55 + 79.00 shipping paid with 5,000 points (500.00) and 657.65 by card, delivered
    sold = sell_and_deliver(client, admin, tvers, points=5000)
    line = sold.order["lines"][0]
    assert payment_ledger(tvers, sold.order["id"]) == {"loyalty_points": (50000, 0), "test_card": (65765, 0)}
    before = balance(client, admin, sold.customer_id)
    # when two units come back (719.10): the card's 657.65 first, then 61.45 of the points payment
    first = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 2, "reason": "wrong_size"}]}))
    first = ok(client.post(f"/api/v1/returns/{first['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    points_part = next(t for t in first["plan"]["tenders"] if t["tender"] == "loyalty_points")
    # then 5,000 × 61.45 ÷ 500.00 = 614 points go back (rounded down), less the points the returned part had earned
    assert (points_part["amount_minor"], points_part["points"]) == (6145, 614)
    assert balance(client, admin, sold.customer_id) == before + 614 - first["points_reversed"]
    # when the last unit comes back (359.55), the points payment gives back its share: 5,000 × 421.00 ÷ 500.00 − 614
    second = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 1, "reason": "wrong_size"}]}))
    second = ok(client.post(f"/api/v1/returns/{second['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    assert [(t["tender"], t["amount_minor"], t["points"]) for t in second["plan"]["tenders"]] == [("loyalty_points", 35955, 3596)]
    assert balance(client, admin, sold.customer_id) == before + 614 + 3596 - first["points_reversed"] - second["points_reversed"]
    # and the ledger: the points payment refunded 421.00 of its 500.00 (the shipping kept is paid by points)
    assert payment_ledger(tvers, sold.order["id"]) == {"loyalty_points": (50000, 42100), "test_card": (65765, 65765)}
