"""The policy of the channel the goods were sold on applies wherever they come back: window, final sale, override."""

from __future__ import annotations

from support.api import bearer, make_key, ok, problem
from support.returns import sell_and_deliver, state
from tvers.channels.access import Role
from tvers.returns import service as returns


def ask(client, headers, sold, *, quantity=1, **extra):
    line = sold.order["lines"][0]
    return client.post("/api/v1/returns", headers=headers, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": quantity, "reason": "changed_mind"}], **extra})


def test_outside_the_built_in_30_days_is_refused_and_nothing_changes(client, admin, tvers, clock):
    # given an order delivered 31 days ago and no stored policy
    sold = sell_and_deliver(client, admin, tvers)
    clock.advance(days=31)
    before = state(tvers)
    # when a return is asked for, then it is refused as outside the window
    response = ask(client, sold.stockholm, sold)
    problem(response, 422, "outside_return_window")
    assert state(tvers) == before


def test_the_sold_channels_window_applies_in_any_store(client, admin, tvers, clock):
    # given the web channel gives 60 days and the Swedish store's own channel only 7
    sold = sell_and_deliver(client, admin, tvers)
    ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": "web", "window_days": 60}))
    ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": "pos-stockholm", "window_days": 7}))
    clock.advance(days=45)
    # when the web order comes back in Stockholm after 45 days, then the web channel's 60 days apply
    assert ok(ask(client, sold.stockholm, sold))["status"] == "requested"
    # and after 61 days it is too late
    clock.advance(days=16)
    problem(ask(client, sold.stockholm, sold), 422, "outside_return_window")


def test_final_sale_is_refused_unless_staff_override_with_a_reason(client, admin, tvers):
    # given shoes sold on the web are final sale
    sold = sell_and_deliver(client, admin, tvers)
    ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": "web", "category_prefix": "shoes", "window_days": 30,
                                                                   "is_final_sale": True}))
    before = state(tvers)
    # when returned without an override, then refused and nothing changed
    problem(ask(client, sold.stockholm, sold), 422, "final_sale")
    # and an integration of the web channel may not override: 403, nothing changed
    web = bearer(make_key(tvers, Role.INTEGRATION, channel="web"))
    problem(ask(client, web, sold, override={"reason": "goodwill"}), 403, "override_not_allowed")
    assert state(tvers) == before
    # when store staff override with a reason, then the return is opened and the override recorded
    opened = ok(ask(client, sold.stockholm, sold, override={"reason": "manager approved: faulty seam"}))
    assert opened["override"]["reason"] == "manager approved: faulty seam"
    assert opened["override"]["actor"]
    assert ok(client.get(f"/api/v1/returns/{opened['id']}", headers=admin))["override"] == opened["override"]


def test_an_integration_asks_for_returns_of_its_own_channel_only(client, admin, tvers):
    sold = sell_and_deliver(client, admin, tvers)
    problem(ask(client, bearer(make_key(tvers, Role.INTEGRATION, channel="market")), sold), 403, "outside_scope")
    assert ok(ask(client, bearer(make_key(tvers, Role.INTEGRATION, channel="web")), sold))["status"] == "requested"


def test_the_most_specific_policy_wins(client, admin, tvers):
    # given policies at every level
    for body in ({"window_days": 10}, {"channel": "web", "window_days": 60}, {"category_prefix": "shoes", "window_days": 5},
                 {"channel": "web", "category_prefix": "shoes", "window_days": 90}, {"channel": "web", "category_prefix": "shoe",
                                                                                     "window_days": 1}):
        ok(client.put("/api/v1/return-policies", headers=admin, json=body))
    # when resolved, then channel + category > channel > category > every channel (a prefix matches whole segments)
    with tvers.uow(read_only=True) as uow:
        assert returns.policy_for(uow, channel="web", category="shoes/hiking").window_days == 90
        assert returns.policy_for(uow, channel="web", category="books").window_days == 60
        assert returns.policy_for(uow, channel="market", category="shoes/hiking").window_days == 5
        assert returns.policy_for(uow, channel="market", category=None).window_days == 10
    # and putting the same (channel, category) again replaces it
    ok(client.put("/api/v1/return-policies", headers=admin, json={"window_days": 14}))
    assert len(ok(client.get("/api/v1/return-policies", headers=admin))) == 5


def test_asking_again_with_the_same_key_answers_the_first_return(client, admin, tvers):
    sold = sell_and_deliver(client, admin, tvers)
    headers = {**sold.stockholm, "Idempotency-Key": "ask-once"}
    first = ok(ask(client, headers, sold))
    after = state(tvers)
    # when the till retries, then the same return comes back and no second one is opened
    assert ok(ask(client, headers, sold)) == first
    assert state(tvers) == after
    # and the same key with another body is a conflict
    problem(ask(client, headers, sold, quantity=2), 409, "idempotency_key_reused")


def test_an_integration_reads_only_its_own_channels_returns(client, admin, tvers):
    sold = sell_and_deliver(client, admin, tvers)
    opened = ok(ask(client, sold.stockholm, sold))
    market = bearer(make_key(tvers, Role.INTEGRATION, channel="market"))
    problem(client.get(f"/api/v1/returns/{opened['id']}", headers=market), 403, "outside_scope")
    problem(client.get(f"/api/v1/orders/{sold.order['id']}/returns", headers=market), 403, "outside_scope")
    web = bearer(make_key(tvers, Role.INTEGRATION, channel="web"))
    assert ok(client.get(f"/api/v1/returns/{opened['id']}", headers=web))["id"] == opened["id"]


def test_the_condition_rule_keeps_part_of_what_a_customer_damaged_but_not_of_faulty_goods(client, admin, tvers):
    # given web sales keep half of a unit the customer damaged (359.55 paid a unit)
    sold = sell_and_deliver(client, admin, tvers)
    ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": "web", "window_days": 30, "damaged_fee_percent": "50"}))
    line = sold.order["lines"][0]["id"]

    def returned(reason: str, *, damaged: int, units: int) -> dict:
        asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
            "order_id": sold.order["id"], "lines": [{"line_id": line, "quantity": units, "reason": reason}]}))
        inspected = [{"line_id": line, "quantity": damaged, "condition": "damaged"}]
        if units > damaged:
            inspected.append({"line_id": line, "quantity": units - damaged, "condition": "resellable"})
        return ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={
            "location": "stockholm", "lines": inspected}))

    # when two come back for the wrong size and one of them is found damaged: half of that one is kept (179.78, half up)
    first = returned("wrong_size", damaged=1, units=2)
    assert (first["refund_total_minor"], first["plan"]["lines"][0]["restocking_fee_minor"]) == (71910 - 17978, 17978)
    # when the last comes back damaged because it arrived so ("damaged": the goods' fault), all of it is refunded
    second = returned("damaged", damaged=1, units=1)
    assert (second["refund_total_minor"], second["plan"]["lines"][0]["restocking_fee_minor"]) == (107865 - 71910, 0)
    assert ok(client.get("/api/v1/return-policies", headers=admin))[0]["damaged_fee_percent"] == "50"
