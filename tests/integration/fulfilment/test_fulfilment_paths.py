"""Every fulfilment path end to end over HTTP, on both databases: tasks, stock, money and events move together.

Invariant checked on every path: what was captured equals the value of what shipped or was handed over, and the
order's reservations were consumed exactly (on-hand and reserved dropped together at the location that fulfilled).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from support.api import bearer, make_key, ok, problem
from support.checkout import make_shop, ship_to
from support.fulfilment import captured_minor, fulfilment_of, minor, place, reservations, run_relay, stock, task_at, walk
from tvers.bootstrap import Tvers
from tvers.channels.access import Role
from tvers.db.outbox import OutboxEvent
from tvers.inventory.models import Movement


def events(tvers: Tvers) -> list[str]:
    with tvers.uow(read_only=True) as uow:
        return list(uow.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id)))


def staff(tvers: Tvers, *codes: str) -> dict[str, str]:
    return bearer(make_key(tvers, Role.STORE_STAFF, locations=list(codes)))


def order_of(client: TestClient, admin: dict[str, str], order_id: str) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/orders/{order_id}", headers=admin))


def test_ship_from_store_in_two_partial_shipments_captures_each_shipments_value(client: TestClient, admin: dict[str, str],
                                                                                tvers: Tvers) -> None:
    # given the warehouse is empty and the Bergen store ships: a web order for two lines goes to the store
    shop = make_shop(tvers, warehouse_stock=0, store_stock=3)
    order = place(client, admin, {"CO-1": 2, "CO-2": 1})
    run_relay(tvers)
    bergen = staff(tvers, "bergen")
    task = task_at(client, admin, order["id"], "bergen", "ship")
    assert fulfilment_of(client, admin, order["id"])["decisions"][0]["explanation"]
    # when the store works the task and ships line 1 first, then the rest
    walk(client, bergen, task["id"], "accept", "pick", "pack")
    assert order_of(client, admin, order["id"])["status"] == "in_fulfilment"
    line1, line2 = order["lines"]
    first = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=bergen, json={
        "carrier": "posten", "tracking_number": "70712345", "tracking_url": "https://sporing.example/70712345",
        "packages": [{"weight_grams": 1200}], "lines": [{"line_id": line1["id"], "quantity": 2}]}))
    # then the first shipment captured exactly its lines and the shipping charge
    assert first["value_minor"] == minor(line1["total"]["amount"]) + minor(order["shipping_total"]["amount"])
    assert captured_minor(tvers, order["id"]) == first["value_minor"]
    assert order_of(client, admin, order["id"])["status"] == "partially_fulfilled"
    second = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=bergen, json={"carrier": "posten"}))
    # and the second the rest: together the whole order, to the øre
    assert second["value_minor"] == minor(line2["total"]["amount"])
    assert captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])
    assert order_of(client, admin, order["id"])["status"] == "fulfilled"
    # and the store's stock dropped with its reservations consumed exactly
    assert stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]) == (1, 0)
    assert stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-2"]) == (2, 0)
    assert {r[3] for r in reservations(tvers, order["id"])} == {"consumed"}
    # when both parcels are delivered, the order completes
    for shipment in (first, second):
        ok(client.post(f"/api/v1/shipments/{shipment['id']}/delivered", headers=bergen))
    assert order_of(client, admin, order["id"])["status"] == "completed"
    assert events(tvers).count("order.shipped") == 2
    assert {"fulfillment.task_created", "order.delivered", "order.completed"} <= set(events(tvers))


def test_a_marketplace_order_ships_without_capturing_again(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    # given a marketplace order: the marketplace collected the buyer's money, so it is captured at checkout
    make_shop(tvers)
    lines = [{"sku": "CO-1", "quantity": 1}]
    total = ok(client.post("/api/v1/quotes", headers=admin, json={"channel": "market", "lines": lines,
                                                                  "shipping": {"method": "ship", "country": "NO"}}))
    amount = str(total["grand_total"]["amount"])
    placed = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "market-1"}, json={
        "channel": "market", "lines": lines, "delivery": ship_to(), "external_id": "M-1",
        "tenders": [{"tender": "marketplace", "amount": amount, "currency": "NOK", "marketplace_order_id": "M-1"}]}))
    order = placed["order"]
    assert placed["outcome"] == "confirmed" and captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])
    run_relay(tvers)
    task = next(t for t in fulfilment_of(client, admin, order["id"])["tasks"] if t["kind"] == "ship")
    dc = staff(tvers, task["location_code"])
    walk(client, dc, task["id"], "accept", "pick", "pack")
    # when it ships
    shipment = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=dc, json={"carrier": "postnord"}))
    # then the shipment is worth the order and nothing more is captured
    assert shipment["value_minor"] == minor(order["total"]["amount"])
    assert captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])
    assert order_of(client, admin, order["id"])["status"] == "fulfilled"


def test_click_and_collect_hands_over_against_the_pickup_code(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    # given a pickup order at Bergen, which has the goods
    shop = make_shop(tvers)
    order = place(client, admin, {"CO-1": 1, "CO-3": 1}, delivery={"method": "pickup", "location": "bergen"})
    run_relay(tvers)
    bergen = staff(tvers, "bergen")
    task = task_at(client, admin, order["id"], "bergen", "pickup")
    walk(client, bergen, task["id"], "accept", "pick", "pack", "ready")
    assert "order.ready_for_pickup" in events(tvers)
    before = (captured_minor(tvers, order["id"]), stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]))
    # when someone gives a wrong code, then nothing is handed over
    problem(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/hand-over", headers=bergen, json={"code": "000000x"}), 422,
            "wrong_pickup_code")
    assert (captured_minor(tvers, order["id"]), stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"])) == before
    # when the customer shows the right code
    with tvers.uow(read_only=True) as uow:
        from tvers.fulfillment import service as fulfillment

        code = fulfillment.pickup_code(uow, task["id"])
    done = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/hand-over", headers=bergen, json={"code": code}))
    # then the goods leave the shelf, the whole order is captured and it completes
    assert done["status"] == "picked_up"
    assert captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])
    assert stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]) == (2, 0)
    assert order_of(client, admin, order["id"])["status"] == "completed"
    assert {"order.picked_up", "order.completed"} <= set(events(tvers))


def test_curbside_customer_arrives_and_is_served_at_the_car_by_identity(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    # given a curbside order by a known customer
    make_shop(tvers)
    order = place(client, admin, {"CO-2": 1}, delivery={"method": "curbside", "location": "bergen"},
                  customer={"identities": [{"type": "email", "value": "kari@example.no", "is_verified": True}]})
    run_relay(tvers)
    bergen = staff(tvers, "bergen")
    task = task_at(client, admin, order["id"], "bergen", "curbside")
    walk(client, bergen, task["id"], "accept", "pick", "pack", "ready")
    # when the customer's app says they are in bay 3
    app_key = bearer(make_key(tvers, Role.INTEGRATION, channel="web"))
    arrived = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/arrived", headers=app_key, json={"spot": "bay 3, red Tesla"}))
    assert arrived["status"] == "customer_arrived" and arrived["arrival"]["spot"] == "bay 3, red Tesla"
    assert "fulfillment.customer_arrived" in events(tvers)
    # when staff check someone else's identity, then no handover; with the customer's own, it is done
    problem(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/hand-over", headers=bergen,
                        json={"identity": {"type": "email", "value": "ola@example.no"}}), 422, "wrong_pickup_code")
    done = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/hand-over", headers=bergen,
                          json={"identity": {"type": "email", "value": "kari@example.no"}}))
    assert done["status"] == "picked_up"
    assert captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])


def test_ship_to_store_brings_a_missing_line_by_transfer_before_the_pickup(client: TestClient, admin: dict[str, str],
                                                                           tvers: Tvers) -> None:
    # given Bergen has none of CO-4: a pickup order there for CO-1 and CO-4
    shop = make_shop(tvers)
    with tvers.uow() as uow:
        from tvers.inventory import service as inventory
        from tvers.inventory.schemas import StockLineIn, WriteOffIn

        inventory.write_off(uow, WriteOffIn(location="bergen", lines=[StockLineIn(sku="CO-4", quantity=3)], reason="test"), actor="t")
        uow.commit()
    order = place(client, admin, {"CO-1": 1, "CO-4": 2}, delivery={"method": "pickup", "location": "bergen"})
    run_relay(tvers)
    decision = fulfilment_of(client, admin, order["id"])["decisions"][0]
    assert "transfer" in decision["explanation"].lower() and decision["plan"]["ready_by"]
    pickup = task_at(client, admin, order["id"], "bergen", "pickup")
    transfer = task_at(client, admin, order["id"], "oslo-dc", "transfer")
    bergen, dc = staff(tvers, "bergen"), staff(tvers, "oslo-dc")
    walk(client, bergen, pickup["id"], "accept", "pick", "pack")
    # when the store would call the customer before the goods arrive, then it is told to wait
    problem(client.post(f"/api/v1/fulfillment/tasks/{pickup['id']}/ready", headers=bergen), 409, "waiting_for_transfer")
    # when the warehouse sends them and Bergen receives them
    walk(client, dc, transfer["id"], "accept", "pick", "pack", "send")
    assert stock(tvers, shop.locations["oslo-dc"], shop.variant_ids["CO-4"]) == (8, 0)
    problem(client.post(f"/api/v1/fulfillment/tasks/{transfer['id']}/receive", headers=dc), 403, "outside_scope")
    walk(client, bergen, transfer["id"], "receive")
    assert stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-4"]) == (2, 2)
    walk(client, bergen, pickup["id"], "ready")
    with tvers.uow(read_only=True) as uow:
        from tvers.fulfillment import service as fulfillment

        code = fulfillment.pickup_code(uow, pickup["id"])
    ok(client.post(f"/api/v1/fulfillment/tasks/{pickup['id']}/hand-over", headers=bergen, json={"code": code}))
    # then the customer got both lines at Bergen, paid in full, with every reservation consumed
    assert stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-4"]) == (0, 0)
    assert captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])
    assert {r[3] for r in reservations(tvers, order["id"])} <= {"consumed", "released"}
    assert order_of(client, admin, order["id"])["status"] == "completed"


def test_endless_aisle_a_till_sells_what_its_store_lacks_and_ships_it_home(client: TestClient, admin: dict[str, str],
                                                                         tvers: Tvers) -> None:
    # given the Bergen till, and Bergen has no CO-2
    shop = make_shop(tvers, store_ships=False)
    with tvers.uow() as uow:
        from tvers.inventory import service as inventory
        from tvers.inventory.schemas import StockLineIn, WriteOffIn

        inventory.write_off(uow, WriteOffIn(location="bergen", lines=[StockLineIn(sku="CO-2", quantity=3)], reason="test"), actor="t")
        uow.commit()
    till = staff(tvers, "bergen")
    # when the till sells it for delivery to the customer's home
    order = place(client, till, {"CO-2": 1}, channel="pos-bergen")
    run_relay(tvers)
    # then the warehouse ships it and the sale is captured when it does
    task = task_at(client, admin, order["id"], "oslo-dc", "ship")
    dc = staff(tvers, "oslo-dc")
    walk(client, dc, task["id"], "accept", "pick", "pack")
    ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=dc, json={"carrier": "bring"}))
    assert captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])
    assert stock(tvers, shop.locations["oslo-dc"], shop.variant_ids["CO-2"]) == (9, 0)
    # and for later pickup at this store instead, the goods come by transfer
    later = place(client, till, {"CO-2": 1}, channel="pos-bergen", delivery={"method": "pickup", "location": "bergen"}, key="order-2")
    run_relay(tvers)
    assert task_at(client, admin, later["id"], "oslo-dc", "transfer")["lines"][0]["quantity"] == 1


def test_a_rejected_line_is_resourced_and_fulfilled_elsewhere_with_the_shelf_corrected(client: TestClient, admin: dict[str, str],
                                                                                       tvers: Tvers) -> None:
    # given a web order sourced to the warehouse (highest priority)
    shop = make_shop(tvers)
    order = place(client, admin, {"CO-1": 2})
    run_relay(tvers)
    dc = staff(tvers, "oslo-dc")
    task = task_at(client, admin, order["id"], "oslo-dc", "ship")
    walk(client, dc, task["id"], "accept", "pick")
    # when the warehouse cannot find them
    line = order["lines"][0]
    rejected = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/reject", headers=dc,
                              json={"lines": [{"line_id": line["id"], "quantity": 2, "reason": "not_found"}]}))
    # then its shelf is corrected by a movement, the order lives on and Bergen gets the units
    assert rejected["status"] == "rejected"
    assert stock(tvers, shop.locations["oslo-dc"], shop.variant_ids["CO-1"]) == (8, 0)
    with tvers.uow(read_only=True) as uow:
        kinds = list(uow.session.scalars(select(Movement.kind).where(Movement.reference_id == order["id"], Movement.quantity < 0)))
    assert kinds == ["adjustment"]
    assert order_of(client, admin, order["id"])["status"] == "in_fulfilment"
    view = fulfilment_of(client, admin, order["id"])
    assert [d["trigger"] for d in view["decisions"]] == ["checkout", "rejection"]
    bergen = staff(tvers, "bergen")
    new = task_at(client, admin, order["id"], "bergen", "ship")
    walk(client, bergen, new["id"], "accept", "pick", "pack")
    ok(client.post(f"/api/v1/fulfillment/tasks/{new['id']}/ship", headers=bergen, json={"carrier": "posten"}))
    assert captured_minor(tvers, order["id"]) == minor(order["total"]["amount"])
    assert stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]) == (1, 0)
    assert {"fulfillment.line_rejected", "fulfillment.lines_resourced"} <= set(events(tvers))


def test_a_task_not_accepted_in_time_is_resourced_by_the_worker(client: TestClient, admin: dict[str, str], tvers: Tvers,
                                                                 clock: Any) -> None:
    # given a web order at the warehouse that nobody accepts
    make_shop(tvers)
    order = place(client, admin, {"CO-3": 1})
    run_relay(tvers)
    task = task_at(client, admin, order["id"], "oslo-dc", "ship")
    from tvers.workflows.resourcing import sweep_overdue_tasks

    assert sweep_overdue_tasks(tvers) == 0  # not yet due
    # when its deadline passes and the worker sweeps
    clock.advance(minutes=tvers.settings.accept_minutes_warehouse + 1)
    assert sweep_overdue_tasks(tvers) == 1
    # then the task is reassigned and Bergen has the units
    view = fulfilment_of(client, admin, order["id"])
    assert next(t for t in view["tasks"] if t["id"] == task["id"])["status"] == "reassigned"
    assert task_at(client, admin, order["id"], "bergen", "ship")["lines"][0]["quantity"] == 1
    assert [d["trigger"] for d in view["decisions"]] == ["checkout", "timeout"]


def test_when_nothing_can_fulfil_a_line_it_needs_attention_and_can_be_cancelled_with_its_money(client: TestClient,
                                                                                             admin: dict[str, str],
                                                                                             tvers: Tvers) -> None:
    # given only the warehouse has CO-1 and it is rejected as damaged
    shop = make_shop(tvers, store_stock=0)
    order = place(client, admin, {"CO-1": 1, "CO-2": 1})
    run_relay(tvers)
    dc = staff(tvers, "oslo-dc")
    task = task_at(client, admin, order["id"], "oslo-dc", "ship")
    walk(client, dc, task["id"], "accept", "pick")
    with tvers.uow() as uow:  # the last units elsewhere were sold meanwhile
        from tvers.inventory import service as inventory
        from tvers.inventory.schemas import StockLineIn, WriteOffIn

        inventory.write_off(uow, WriteOffIn(location="oslo-dc", lines=[StockLineIn(sku="CO-1", quantity=9)], reason="test"), actor="t")
        uow.commit()
    line1 = order["lines"][0]
    ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/reject", headers=dc,
                   json={"lines": [{"line_id": line1["id"], "quantity": 1, "reason": "damaged"}]}))
    # then the line needs attention with its options, and the order is alive
    view = fulfilment_of(client, admin, order["id"])
    assert [(a["order_line_id"], a["quantity"], a["status"]) for a in view["attention"]] == [(line1["id"], 1, "open")]
    assert view["attention"][0]["options"] == ["retry_sourcing", "wait_for_transfer", "cancel_line"]
    assert "fulfillment.needs_attention" in events(tvers) and "order.delayed" in events(tvers)
    with tvers.uow(read_only=True) as uow:
        kinds = list(uow.session.scalars(select(Movement.kind).where(Movement.reference_id == order["id"], Movement.quantity < 0)))
    assert kinds == ["damage"]
    # when the customer service cancels that line
    ok(client.post(f"/api/v1/orders/{order['id']}/fulfilment/attention/{line1['id']}/cancel", headers=admin))
    # then its money is released and the rest ships and is captured at exactly its value
    walk(client, dc, task["id"], "pack")
    ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=dc, json={"carrier": "posten"}))
    detail = order_of(client, admin, order["id"])
    assert detail["status"] == "fulfilled"
    line2 = order["lines"][1]
    assert captured_minor(tvers, order["id"]) == minor(line2["total"]["amount"]) + minor(order["shipping_total"]["amount"])
    assert stock(tvers, shop.locations["oslo-dc"], shop.variant_ids["CO-2"]) == (9, 0)


def test_a_pickup_not_collected_in_time_is_cancelled_restocked_and_released(client: TestClient, admin: dict[str, str],
                                                                            tvers: Tvers, clock: Any) -> None:
    # given a ready pickup order
    shop = make_shop(tvers)
    order = place(client, admin, {"CO-1": 1}, delivery={"method": "pickup", "location": "bergen"})
    run_relay(tvers)
    task = task_at(client, admin, order["id"], "bergen", "pickup")
    walk(client, staff(tvers, "bergen"), task["id"], "accept", "pick", "pack", "ready")
    from tvers.workflows.resourcing import expire_uncollected

    # when the customer never comes and the worker looks after the expiry
    clock.advance(days=tvers.settings.pickup_expiry_days + 1)
    assert expire_uncollected(tvers) == 1
    # then the order is cancelled, the unit is free again and no money is taken
    assert order_of(client, admin, order["id"])["status"] == "cancelled"
    assert stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]) == (3, 0)
    assert captured_minor(tvers, order["id"]) == 0
    assert fulfilment_of(client, admin, order["id"])["tasks"][0]["status"] == "expired"
    assert {"fulfillment.pickup_expired", "order.cancelled"} <= set(events(tvers))


@pytest.mark.parametrize("case", ["no_pickup_for_channel", "wrong_code", "ship_more_than_ordered", "out_of_order", "other_store"])
def test_bad_input_is_refused_and_changes_nothing(client: TestClient, admin: dict[str, str], tvers: Tvers, case: str) -> None:
    shop = make_shop(tvers, warehouse_stock=0)
    bergen = staff(tvers, "bergen")
    if case == "no_pickup_for_channel":
        # given the marketplace channel does not offer pickup at Bergen
        with tvers.uow() as uow:
            from tvers.inventory import service as inventory
            from tvers.inventory.schemas import ChannelPoolIn, PoolLocationIn

            inventory.set_channel_pool(uow, "market", ChannelPoolIn(locations=[PoolLocationIn(location="bergen", ships_from=True,
                                                                                              pickup=False)]))
            uow.commit()
        before = events(tvers)
        response = client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "bad-1"}, json={
            "channel": "market", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": {"method": "pickup", "location": "bergen"},
            "tenders": [{"tender": "test_card", "card_number": "4242424242424242", "amount": "100.00", "currency": "NOK"}]})
        problem(response, 422, "delivery_not_offered")
        assert events(tvers) == before
        return
    order = place(client, admin, {"CO-1": 2}, delivery={"method": "pickup", "location": "bergen"} if case == "wrong_code" else None)
    run_relay(tvers)
    kind = "pickup" if case == "wrong_code" else "ship"
    task = task_at(client, admin, order["id"], "bergen", kind)
    state = (events(tvers), stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]), captured_minor(tvers, order["id"]))
    url = f"/api/v1/fulfillment/tasks/{task['id']}"
    if case == "wrong_code":
        walk(client, bergen, task["id"], "accept", "pick", "pack", "ready")
        state = (events(tvers), stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]), captured_minor(tvers, order["id"]))
        problem(client.post(f"{url}/hand-over", headers=bergen, json={"code": "999999"}), 422, "wrong_pickup_code")
    elif case == "ship_more_than_ordered":
        walk(client, bergen, task["id"], "accept", "pick", "pack")
        state = (events(tvers), stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]), captured_minor(tvers, order["id"]))
        body = problem(client.post(f"{url}/ship", headers=bergen, json={
            "carrier": "posten", "lines": [{"line_id": order["lines"][0]["id"], "quantity": 3}]}), 422, "invalid_quantity")
        assert body["errors"][0]["field"] == "lines.0.quantity"
    elif case == "out_of_order":
        walk(client, bergen, task["id"], "accept")
        state = (events(tvers), stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]), captured_minor(tvers, order["id"]))
        body = problem(client.post(f"{url}/pack", headers=bergen), 409, "illegal_transition")
        assert body["current"] == "accepted" and body["allowed"] == ["cancelled", "picking", "rejected"]
    else:  # a store key acting on another store's task
        other = staff(tvers, "oslo-dc")
        problem(client.post(f"{url}/accept", headers=other), 403, "outside_scope")
        problem(client.get(url, headers=other), 403, "outside_scope")
        problem(client.get("/api/v1/stores/bergen/tasks", headers=other), 403, "outside_scope")
    assert (events(tvers), stock(tvers, shop.locations["bergen"], shop.variant_ids["CO-1"]), captured_minor(tvers, order["id"])) == state


def test_the_pick_list_gathers_accepted_tasks_by_sku(client: TestClient, admin: dict[str, str], tvers: Tvers) -> None:
    # given two orders at Bergen, one accepted and picking, one accepted, and a third not yet accepted
    make_shop(tvers, warehouse_stock=0)
    bergen = staff(tvers, "bergen")
    orders = [place(client, admin, skus, key=f"o-{i}") for i, skus in enumerate(({"CO-1": 2, "CO-2": 1}, {"CO-1": 1}, {"CO-3": 1}))]
    run_relay(tvers)
    tasks = [task_at(client, admin, order["id"], "bergen", "ship") for order in orders]
    walk(client, bergen, tasks[0]["id"], "accept", "pick")
    walk(client, bergen, tasks[1]["id"], "accept")
    # when the store asks what to fetch
    picks = ok(client.get("/api/v1/stores/bergen/pick-list", headers=bergen))
    # then it is the accepted tasks' units, merged by SKU, and not the unaccepted one
    assert [(p["sku"], p["quantity"], len(p["tasks"])) for p in picks] == [("CO-1", 3, 2), ("CO-2", 1, 1)]
    listed = ok(client.get("/api/v1/stores/bergen/tasks", headers=bergen, params={"status": "new"}))
    assert [t["id"] for t in listed] == [tasks[2]["id"]]


def test_the_doctor_finds_a_task_whose_stock_was_released_behind_its_back(client: TestClient, admin: dict[str, str],
                                                                          tvers: Tvers) -> None:
    # given an order with its task at the warehouse
    make_shop(tvers)
    order = place(client, admin, {"CO-1": 2})
    run_relay(tvers)
    from tvers.inventory import service as inventory
    from tvers.workflows.consistency import tasks_without_stock

    with tvers.uow() as uow:
        assert tasks_without_stock(uow) == []
        # when its reservation is released outside the workflows
        inventory.release_reference(uow, inventory.Ref("order", order["id"]), reason="a bad script")
        # then the doctor's check names the order, the variant and the location
        findings = tasks_without_stock(uow)
        assert len(findings) == 1 and findings[0].startswith(order["id"]) and "need 2" in findings[0] and "0 held" in findings[0]
