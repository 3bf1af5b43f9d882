"""Resellable units returned in a store go back to the warehouse by one transfer, later; a unit is never sent twice."""

from __future__ import annotations

from support.api import ok, problem
from support.fulfilment import stock
from support.returns import sell_and_deliver


def receive(client, sold, quantity, condition="resellable"):
    line = sold.order["lines"][0]
    asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": quantity, "reason": "wrong_size"}]}))
    return ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={
        "location": "stockholm", "lines": [{"line_id": line["id"], "quantity": quantity, "condition": condition}]}))


def test_returned_units_are_sent_back_to_the_warehouse_once(client, admin, tvers):
    # given two units returned resellable in Stockholm and one damaged (written off there)
    sold = sell_and_deliver(client, admin, tvers)
    first = receive(client, sold, 2)
    receive(client, sold, 1, condition="damaged")
    variant = sold.shop.variant_ids["CO-3"]
    stockholm, warehouse = first["returned_at_location_id"], sold.shop.locations["oslo-dc"]
    warehouse_before = stock(tvers, warehouse, variant)
    assert stock(tvers, stockholm, variant) == (2, 0)
    # when the store sends its returned goods back to the warehouse
    sent = ok(client.post("/api/v1/locations/stockholm/returns/send-back", headers=sold.stockholm, json={"to_location": "oslo-dc"}))
    # then one transfer carries the two resellable units, shipped: the store's stock has left
    assert (sent["from_location"], sent["to_location"], sent["return_ids"], sent["lines"]) == (
        "stockholm", "oslo-dc", [first["id"]], [{"sku": "CO-3", "quantity": 2}])
    transfer = ok(client.get(f"/api/v1/transfers/{sent['transfer_id']}", headers=admin))
    assert (transfer["status"], [(ln["sku"], ln["in_transit"]) for ln in transfer["lines"]]) == ("in_transit", [("CO-3", 2)])
    assert stock(tvers, stockholm, variant) == (0, 0)
    # when the warehouse receives it, then it gains the two units
    ok(client.post(f"/api/v1/transfers/{sent['transfer_id']}/receive", headers=admin, json={"lines": [{"sku": "CO-3", "quantity": 2}]}))
    assert stock(tvers, warehouse, variant) == (warehouse_before[0] + 2, warehouse_before[1])
    # and sending again sends nothing: a clear 409
    problem(client.post("/api/v1/locations/stockholm/returns/send-back", headers=sold.stockholm, json={"to_location": "oslo-dc"}),
            409, "nothing_to_send_back")


def test_units_returned_after_a_send_back_go_by_the_next_one(client, admin, tvers):
    # given one unit sent back already, and then another returned
    sold = sell_and_deliver(client, admin, tvers)
    receive(client, sold, 1)
    first = ok(client.post("/api/v1/locations/stockholm/returns/send-back", headers=admin, json={"to_location": "oslo-dc"}))
    later = receive(client, sold, 1)
    # when the store sends back again, then only the new unit goes
    second = ok(client.post("/api/v1/locations/stockholm/returns/send-back", headers=admin, json={"to_location": "oslo-dc"}))
    assert (second["return_ids"], second["lines"]) == ([later["id"]], [{"sku": "CO-3", "quantity": 1}])
    assert second["transfer_id"] != first["transfer_id"]
