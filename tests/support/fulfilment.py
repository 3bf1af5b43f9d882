"""Helpers for fulfilment tests: place an order through the real checkout, let the relay make its tasks, read money and stock."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from support.api import ok
from support.checkout import APPROVE, card, ship_to
from tvers.bootstrap import Tvers
from tvers.integrations.relay import Relay
from tvers.workflows.fulfilment import subscribers


def place(client: TestClient, headers: dict[str, str], skus: dict[str, int], *, channel: str = "web",
          delivery: dict[str, Any] | None = None, key: str = "order-1", customer: dict[str, Any] | None = None) -> dict[str, Any]:
    """A confirmed order paid by test card for exactly its quoted total; the relay then gives it its tasks."""
    delivery = delivery or ship_to()
    quote_shipping = {"method": "ship", "country": "NO"} if delivery["method"] == "ship" else {"method": delivery["method"]}
    lines = [{"sku": s, "quantity": q} for s, q in skus.items()]
    total = ok(client.post("/api/v1/quotes", headers=headers, json={"channel": channel, "lines": lines, "shipping": quote_shipping}))
    body: dict[str, Any] = {"channel": channel, "lines": lines, "delivery": delivery,
                            "tenders": [card(APPROVE, str(total["grand_total"]["amount"]))]}
    if customer:
        body["customer"] = customer
    placed = ok(client.post("/api/v1/orders", headers={**headers, "Idempotency-Key": key}, json=body))
    assert placed["outcome"] == "confirmed", placed
    return placed["order"]


def run_relay(tvers: Tvers) -> None:
    """Deliver outbox events to the fulfilment subscriber (order.placed → tasks), as `tvers worker` does."""
    Relay(tvers.db, tvers.clock, subscribers(tvers.settings)).run_once()


def fulfilment_of(client: TestClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/orders/{order_id}/fulfilment", headers=headers))


def task_at(client: TestClient, headers: dict[str, str], order_id: str, code: str, kind: str | None = None) -> dict[str, Any]:
    tasks = [t for t in fulfilment_of(client, headers, order_id)["tasks"]
             if t["location_code"] == code and (kind is None or t["kind"] == kind)
             and t["status"] not in ("rejected", "reassigned", "cancelled")]
    assert len(tasks) == 1, tasks
    return tasks[0]


def walk(client: TestClient, headers: dict[str, str], task_id: str, *steps: str) -> dict[str, Any]:
    task: dict[str, Any] = {}
    for step in steps:
        task = ok(client.post(f"/api/v1/fulfillment/tasks/{task_id}/{step}", headers=headers))
    return task


def captured_minor(tvers: Tvers, order_id: str) -> int:
    from tvers.payments.models import Payment

    with tvers.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.coalesce(func.sum(Payment.captured_minor), 0)).where(Payment.order_id == order_id)))


def stock(tvers: Tvers, location_id: str, variant_id: str) -> tuple[int, int]:
    """(on hand, reserved) of a variant at a location."""
    from tvers.inventory.models import StockLevel

    with tvers.uow(read_only=True) as uow:
        level = uow.session.get(StockLevel, (variant_id, location_id))
        return (level.on_hand, level.reserved) if level else (0, 0)


def reservations(tvers: Tvers, order_id: str) -> list[tuple[str, str, int, str]]:
    """(variant, location, quantity, status) of the order's reservations."""
    from tvers.inventory.models import Reservation

    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(select(Reservation.variant_id, Reservation.location_id, Reservation.quantity, Reservation.status)
                                   .where(Reservation.reference_id == order_id).order_by(Reservation.created_at, Reservation.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def minor(amount: str) -> int:
    return round(float(amount) * 100)
