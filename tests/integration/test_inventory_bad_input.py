"""Bad input to the stock API gets a clear 4xx problem+json with a stable code, and changes nothing.

"Nothing" is checked through the API (stock of every SKU, the movement ledger) and the
database (reservations, transfers, sync batches, stock levels, the outbox).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from support.api import ok, problem
from support.inventory import Place, StockSetup, count_rows, counts, levels, make_stock_setup
from tvers.inventory.models import StockSyncBatch, Transfer

SKUS = ("BAD-1", "BAD-2")
WAREHOUSE, STORE = "wh-1", "store-1"


@pytest.fixture
def stock(tvers: Any) -> StockSetup:
    """10 of each SKU at the warehouse, none at the store."""
    return make_stock_setup(tvers, variants=2, places=[Place(WAREHOUSE, stock=10), Place(STORE, offers_pickup=True, pickup=True)],
                            prefix="bad")


def state(tvers: Any, client: Any, admin: dict[str, str]) -> dict[str, Any]:
    """Everything a refused stock command might have touched."""
    return {"stock": {sku: ok(client.get(f"/api/v1/stock/{sku}", headers=admin)) for sku in SKUS},
            "movements": ok(client.get("/api/v1/stock-movements", params={"limit": 500}, headers=admin)),
            "transfers": count_rows(tvers, Transfer), "sync_batches": count_rows(tvers, StockSyncBatch), **counts(tvers)}


def on_hand(client: Any, admin: dict[str, str], sku: str) -> dict[str, int]:
    return {row["location"]: row["on_hand"] for row in ok(client.get(f"/api/v1/stock/{sku}", headers=admin))["locations"]}


def fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in body.get("errors", [])]


def later(tvers: Any, **delta: float) -> str:
    return (tvers.clock.now() + timedelta(**delta)).isoformat()


def reservation(tvers: Any, *, quantity: int = 1, sku: str = "BAD-1", location: str = WAREHOUSE, **expiry: float) -> dict[str, Any]:
    return {"lines": [{"sku": sku, "location": location, "quantity": quantity}], "reference_type": "cart", "reference_id": "cart-1",
            "expires_at": later(tvers, **(expiry or {"minutes": 30}))}


# Quantities


@pytest.mark.parametrize("quantity", [0, -1])
@pytest.mark.parametrize("path", ["receipts", "write-offs", "reservations", "transfers"])
def test_zero_or_negative_quantity_is_refused_on_the_field(tvers, client, admin, stock, path, quantity):
    before = state(tvers, client, admin)
    line = {"sku": "BAD-1", "quantity": quantity}
    url, body = {
        "receipts": ("/api/v1/stock/receipts", {"location": WAREHOUSE, "lines": [line]}),
        "write-offs": ("/api/v1/stock/write-offs", {"location": WAREHOUSE, "lines": [line], "reason": "broken"}),
        "reservations": ("/api/v1/reservations", reservation(tvers, quantity=quantity)),
        "transfers": ("/api/v1/transfers", {"from_location": WAREHOUSE, "to_location": STORE, "lines": [line]}),
    }[path]
    # when a line asks for no units or fewer than none
    response = client.post(url, json=body, headers=admin)
    # then the line's quantity is named, and nothing changed
    assert fields(problem(response, 422, "invalid_input")) == [("lines.0.quantity", "greater_than_equal")]
    assert state(tvers, client, admin) == before


def test_adjustment_of_zero_is_refused(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/stock/adjustments", headers=admin,
                           json={"location": WAREHOUSE, "sku": "BAD-1", "quantity": 0, "reason": "nothing"})
    body = problem(response, 422, "invalid_quantity")
    assert [f for f, _ in fields(body)] == ["quantity"]
    assert state(tvers, client, admin) == before


def test_adjustment_below_zero_on_hand_is_refused(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/stock/adjustments", headers=admin,
                           json={"location": WAREHOUSE, "sku": "BAD-1", "quantity": -11, "reason": "lost"})
    problem(response, 409, "insufficient_stock")
    assert state(tvers, client, admin) == before


# Unknown SKUs and locations


def test_unknown_sku_in_a_receipt_is_named_and_nothing_is_received(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    # when a receipt's second line is for a SKU nobody knows
    response = client.post("/api/v1/stock/receipts", headers=admin, json={"location": WAREHOUSE, "lines": [
        {"sku": "BAD-1", "quantity": 5}, {"sku": "GHOST-1", "quantity": 5}]})
    # then that line is named, and not even the good line was received
    assert fields(problem(response, 404, "unknown_sku")) == [("lines.1.sku", "unknown_sku")]
    assert state(tvers, client, admin) == before


def test_unknown_sku_in_a_reservation_is_named(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/reservations", json=reservation(tvers, sku="GHOST-1"), headers=admin)
    assert fields(problem(response, 404, "unknown_sku")) == [("lines.0.sku", "unknown_sku")]
    assert state(tvers, client, admin) == before


def test_stock_of_an_unknown_sku_is_a_404_naming_the_sku(tvers, client, admin, stock):
    body = problem(client.get("/api/v1/stock/GHOST-1", headers=admin), 404, "unknown_sku")
    assert fields(body) == [("sku", "unknown_sku")]


@pytest.mark.parametrize(("path", "field"), [("receipts", "location"), ("reservations", "lines"), ("transfers", "to_location")])
def test_unknown_location_is_a_404(tvers, client, admin, stock, path, field):
    before = state(tvers, client, admin)
    url, body = {
        "receipts": ("/api/v1/stock/receipts", {"location": "atlantis", "lines": [{"sku": "BAD-1", "quantity": 1}]}),
        "reservations": ("/api/v1/reservations", reservation(tvers, location="atlantis")),
        "transfers": ("/api/v1/transfers", {"from_location": WAREHOUSE, "to_location": "atlantis",
                                            "lines": [{"sku": "BAD-1", "quantity": 1}]}),
    }[path]
    response = client.post(url, json=body, headers=admin)
    assert fields(problem(response, 404, "location_not_found")) == [(field, "location_not_found")]
    assert state(tvers, client, admin) == before


# Transfers


def test_transfer_to_the_same_location_is_refused(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/transfers", headers=admin, json={
        "from_location": WAREHOUSE, "to_location": WAREHOUSE, "lines": [{"sku": "BAD-1", "quantity": 1}]})
    assert fields(problem(response, 422, "invalid_transfer")) == [("to_location", "same_location")]
    assert state(tvers, client, admin) == before


def test_transfer_from_a_location_without_the_stock_is_refused(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    # when the store, which has none, is asked to send two
    response = client.post("/api/v1/transfers", headers=admin, json={
        "from_location": STORE, "to_location": WAREHOUSE, "lines": [{"sku": "BAD-1", "quantity": 2}]})
    # then it is refused, saying where the stock is, and no transfer exists
    body = problem(response, 409, "insufficient_stock")
    assert body["available"] == 0
    assert body["available_elsewhere"] == [{"location": WAREHOUSE, "available": 10}]
    assert state(tvers, client, admin) == before


def test_receiving_more_than_was_shipped_is_refused(tvers, client, admin, stock):
    # given a transfer of 3 shipped from the warehouse to the store
    transfer = ok(client.post("/api/v1/transfers", headers=admin, json={
        "from_location": WAREHOUSE, "to_location": STORE, "lines": [{"sku": "BAD-1", "quantity": 3}]}))
    ok(client.post(f"/api/v1/transfers/{transfer['id']}/ship", headers=admin))
    before = state(tvers, client, admin)
    # when the store says it received 4
    response = client.post(f"/api/v1/transfers/{transfer['id']}/receive", headers=admin,
                           json={"lines": [{"sku": "BAD-1", "quantity": 4}]})
    # then it is refused on the line, and the 3 are still in transit
    assert fields(problem(response, 422, "over_receipt")) == [("lines.0.quantity", "over_receipt")]
    assert state(tvers, client, admin) == before
    shown = ok(client.get(f"/api/v1/transfers/{transfer['id']}", headers=admin))
    assert (shown["status"], shown["lines"][0]["in_transit"]) == ("in_transit", 3)


# Archived variants, expired reservations, past expiries


def test_count_of_an_archived_variant_is_refused(tvers, client, admin, stock):
    # given BAD-2 archived
    ok(client.patch(f"/api/v1/variants/{stock.variant_ids['BAD-2']}", headers=admin,
                    json={"version": stock.variant_versions["BAD-2"], "status": "archived"}))
    before = state(tvers, client, admin)
    # when it is counted
    response = client.post("/api/v1/stock/counts", headers=admin, json={"location": WAREHOUSE, "sku": "BAD-2", "counted": 3})
    # then the count is refused and the 10 stand
    assert fields(problem(response, 409, "variant_archived")) == [("sku", "variant_archived")]
    assert state(tvers, client, admin) == before
    assert on_hand(client, admin, "BAD-2") == {WAREHOUSE: 10}


def test_consuming_a_reservation_past_its_expiry_is_refused(tvers, client, admin, clock, stock):
    # given a reservation of 2 for 15 minutes, and 16 minutes gone by
    [held] = ok(client.post("/api/v1/reservations", json=reservation(tvers, quantity=2, minutes=15), headers=admin))
    clock.advance(minutes=16)
    before = {"levels": levels(tvers), **counts(tvers)}  # not through GET /stock: that read would expire it
    # when it is consumed
    response = client.post(f"/api/v1/reservations/{held['id']}/consume", json={}, headers=admin)
    # then it is refused, nothing was sold, and the units are still held until expiry is processed
    problem(response, 409, "reservation_expired")
    assert {"levels": levels(tvers), **counts(tvers)} == before
    assert ok(client.get(f"/api/v1/reservations/{held['id']}", headers=admin))["status"] == "active"
    # and a read of the stock then lets them go
    assert ok(client.get("/api/v1/stock/BAD-1", headers=admin))["locations"] == [{
        "location": WAREHOUSE, "on_hand": 10, "reserved": 0, "safety_stock": 0, "available": 10, "reorder_point": 0,
        "reorder_quantity": 0, "in_transit_in": 0}]
    assert ok(client.get(f"/api/v1/reservations/{held['id']}", headers=admin))["status"] == "expired"


def test_reservation_expiring_in_the_past_is_refused(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/reservations", json=reservation(tvers, minutes=-1), headers=admin)
    assert fields(problem(response, 422, "invalid_expiry")) == [("expires_at", "in_past")]
    assert state(tvers, client, admin) == before


def test_reservation_expiring_now_is_refused(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/reservations", json=reservation(tvers, minutes=0), headers=admin)
    problem(response, 422, "invalid_expiry")
    assert state(tvers, client, admin) == before


def test_reservation_expiry_without_a_time_zone_is_refused(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    # when the expiry is a local time without an offset (whose zone is a guess)
    body = {**reservation(tvers), "expires_at": (tvers.clock.now() + timedelta(hours=1)).replace(tzinfo=None).isoformat()}
    response = client.post("/api/v1/reservations", json=body, headers=admin)
    # then it is a 422 on the field, not a 500
    assert response.status_code == 422, response.text
    assert [f for f, _ in fields(response.json())] == ["expires_at"]
    assert state(tvers, client, admin) == before


def test_count_time_without_a_time_zone_is_refused(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/stock/counts", headers=admin, json={
        "location": WAREHOUSE, "sku": "BAD-1", "counted": 3, "counted_at": tvers.clock.now().replace(tzinfo=None).isoformat()})
    assert response.status_code == 422, response.text
    assert [f for f, _ in fields(response.json())] == ["counted_at"]
    assert state(tvers, client, admin) == before


def test_reservation_at_an_inactive_location_is_refused(tvers, client, admin, stock):
    ok(client.patch(f"/api/v1/locations/{WAREHOUSE}", headers=admin, json={"version": 1, "is_active": False}))
    before = state(tvers, client, admin)
    response = client.post("/api/v1/reservations", json=reservation(tvers), headers=admin)
    problem(response, 409, "location_inactive")
    assert state(tvers, client, admin) == before


def test_consuming_more_than_is_reserved_is_refused(tvers, client, admin, stock):
    [held] = ok(client.post("/api/v1/reservations", json=reservation(tvers, quantity=2), headers=admin))
    before = state(tvers, client, admin)
    response = client.post(f"/api/v1/reservations/{held['id']}/consume", json={"quantity": 3}, headers=admin)
    assert fields(problem(response, 409, "reservation_not_active")) == [("quantity", "above_reserved")]
    assert state(tvers, client, admin) == before


# Bulk sync


def sync(client: Any, admin: dict[str, str], batch_id: str, *rows: tuple[str, str, int], mode: str = "absolute") -> Any:
    return client.post("/api/v1/stock/sync", headers=admin, json={
        "batch_id": batch_id, "mode": mode, "rows": [{"location": loc, "sku": sku, "quantity": q} for loc, sku, q in rows]})


def test_sync_with_one_bad_row_applies_nothing_and_the_batch_can_be_sent_again_corrected(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    # when a batch of absolute quantities has one negative row among good ones
    response = sync(client, admin, "night-1", (WAREHOUSE, "BAD-1", 7), (WAREHOUSE, "BAD-2", -1), (STORE, "BAD-1", 2))
    # then the whole batch is refused naming that row, and nothing was applied
    assert fields(problem(response, 422, "invalid_sync_batch")) == [("rows.1.quantity", "negative_quantity")]
    assert state(tvers, client, admin) == before
    # and the same batch id, corrected, is then applied
    report = ok(sync(client, admin, "night-1", (WAREHOUSE, "BAD-1", 7), (WAREHOUSE, "BAD-2", 4), (STORE, "BAD-1", 2)))
    assert (report["applied"], report["unchanged"], report["replayed"]) == (3, 0, False)
    assert on_hand(client, admin, "BAD-1") == {WAREHOUSE: 7, STORE: 2}
    assert on_hand(client, admin, "BAD-2") == {WAREHOUSE: 4}


def test_sync_with_a_zero_delta_applies_nothing(tvers, client, admin, stock):
    before = state(tvers, client, admin)
    response = sync(client, admin, "delta-1", (WAREHOUSE, "BAD-1", 3), (WAREHOUSE, "BAD-2", 0), mode="delta")
    assert fields(problem(response, 422, "invalid_sync_batch")) == [("rows.1.quantity", "zero_delta")]
    assert state(tvers, client, admin) == before


def test_sync_skips_and_reports_unknown_skus_and_locations_and_applies_the_rest(tvers, client, admin, stock):
    # when a legacy batch carries a retired SKU and a closed store's code among known rows
    report = ok(sync(client, admin, "night-2", (WAREHOUSE, "BAD-1", 12), (WAREHOUSE, "RETIRED-9", 3), ("old-store", "BAD-2", 5),
                     (WAREHOUSE, "BAD-2", 10)))
    # then the unknown ones are reported, and the known ones applied
    assert report == {"batch_id": "night-2", "mode": "absolute", "applied": 1, "unchanged": 1, "unknown_skus": ["RETIRED-9"],
                      "unknown_locations": ["old-store"], "replayed": False}
    assert on_hand(client, admin, "BAD-1") == {WAREHOUSE: 12}
    assert on_hand(client, admin, "BAD-2") == {WAREHOUSE: 10}


def test_same_sync_batch_twice_moves_stock_once(tvers, client, admin, stock):
    rows = ((WAREHOUSE, "BAD-1", 4), (STORE, "BAD-2", 1))
    first = ok(sync(client, admin, "delta-2", *rows, mode="delta"))
    after_first = state(tvers, client, admin)
    # when the same batch is sent again (a retry)
    again = sync(client, admin, "delta-2", *rows, mode="delta")
    # then the first report is returned, marked replayed, and stock moved once
    assert again.status_code == 200, again.text
    assert again.json() == {**first, "replayed": True}
    assert state(tvers, client, admin) == after_first
    assert on_hand(client, admin, "BAD-1") == {WAREHOUSE: 14}


def test_same_sync_batch_id_with_other_rows_is_refused(tvers, client, admin, stock):
    ok(sync(client, admin, "night-3", (WAREHOUSE, "BAD-1", 4)))
    before = state(tvers, client, admin)
    response = sync(client, admin, "night-3", (WAREHOUSE, "BAD-1", 5))
    assert fields(problem(response, 409, "sync_batch_reused")) == [("batch_id", "sync_batch_reused")]
    assert state(tvers, client, admin) == before
    assert on_hand(client, admin, "BAD-1") == {WAREHOUSE: 4}
