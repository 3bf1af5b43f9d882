"""Helpers for receipt-less and marketplace returns: more orders of the same customer delivered, a marketplace order, the
store credit a refund lands on, and the state a refused receipt-less return must leave as it was."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from support.api import ok
from support.checkout import ship_to
from support.fulfilment import fulfilment_of, run_relay, walk
from support.returns import state
from tvers.bootstrap import Tvers


def deliver(client: TestClient, admin: dict[str, str], tvers: Tvers, order_id: str) -> dict[str, Any]:
    """Ship the order's ship task through the fulfilment API and mark it delivered; the order as it is then."""
    run_relay(tvers)
    task = next(t for t in fulfilment_of(client, admin, order_id)["tasks"] if t["kind"] == "ship")
    walk(client, admin, task["id"], "accept", "pick", "pack")
    shipment = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=admin, json={"carrier": "posten"}))
    ok(client.post(f"/api/v1/shipments/{shipment['id']}/delivered", headers=admin))
    return ok(client.get(f"/api/v1/orders/{order_id}", headers=admin))


def marketplace_order(client: TestClient, admin: dict[str, str], tvers: Tvers, *, customer_id: str | None, sku: str = "CO-1",
                      quantity: int = 1, key: str = "market-1") -> dict[str, Any]:
    """An order of the `market` channel paid through the marketplace (captured at checkout), shipped and delivered."""
    lines = [{"sku": sku, "quantity": quantity}]
    total = ok(client.post("/api/v1/quotes", headers=admin, json={"channel": "market", "lines": lines,
                                                                  "shipping": {"method": "ship", "country": "NO"}}))
    body: dict[str, Any] = {"channel": "market", "lines": lines, "delivery": ship_to(), "external_id": key,
                            "tenders": [{"tender": "marketplace", "amount": str(total["grand_total"]["amount"]), "currency": "NOK",
                                         "marketplace_order_id": key}]}
    if customer_id is not None:
        body["customer"] = {"id": customer_id}
    placed = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": key}, json=body))
    assert placed["outcome"] == "confirmed", placed
    return deliver(client, admin, tvers, placed["order"]["id"])


def store_credit(client: TestClient, admin: dict[str, str], customer_id: str) -> list[dict[str, str]]:
    return ok(client.get(f"/api/v1/customers/{customer_id}/store-credit", headers=admin))["balances"]  # type: ignore[no-any-return]


def refund_notes(tvers: Tvers, order_id: str) -> dict[str, list[tuple[str, str | None]]]:
    """tender → (status, note) of each refund transaction on the order's payments: how each part went back."""
    from tvers.payments.models import Payment, PaymentTransaction

    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(select(Payment.tender, PaymentTransaction.status, PaymentTransaction.note)
                                   .join(Payment, Payment.id == PaymentTransaction.payment_id)
                                   .where(Payment.order_id == order_id, PaymentTransaction.kind == "refund")
                                   .order_by(PaymentTransaction.created_at, PaymentTransaction.id))
        found: dict[str, list[tuple[str, str | None]]] = {}
        for tender, status, note in rows:
            found.setdefault(tender, []).append((status, note))
        return found


def full_state(tvers: Tvers) -> dict[str, Any]:
    """`support.returns.state` and the store credit ledger too."""
    from tvers.customers.models import StoreCreditEntry

    with tvers.uow(read_only=True) as uow:
        credit = uow.session.scalar(select(func.count()).select_from(StoreCreditEntry))
    return {**state(tvers), "store_credit_entries": credit}
