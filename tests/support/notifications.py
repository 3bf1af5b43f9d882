"""Notification test helpers: orders placed through the real checkout, fulfilment events published through the outbox,
the notifications subscriber run by a relay, the rows read back; and the sender run started in spawned processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from tvers.bootstrap import Tvers
    from tvers.kernel.events import DomainEvent
    from tvers.settings import Settings


def place_order(client: TestClient, admin: dict[str, str], *, key: str, contact: dict[str, str] | None = None,
                delivery: dict[str, Any] | None = None, customer: dict[str, Any] | None = None) -> dict[str, Any]:
    """One unit of CO-1 on the web channel, paid by test card; shipped to Oslo unless `delivery` says otherwise."""
    from support.api import ok
    from support.checkout import APPROVE, card, ship_to

    delivery = delivery or ship_to()
    shipping = {"method": "ship", "country": "NO"} if delivery["method"] == "ship" else {"method": delivery["method"]}
    total = ok(client.post("/api/v1/quotes", headers=admin, json={
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "shipping": shipping}))["grand_total"]["amount"]
    body: dict[str, Any] = {"channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": delivery,
                            "tenders": [card(APPROVE, total)], "contact": contact or {}}
    if customer is not None:
        body["customer"] = customer
    order: dict[str, Any] = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": key}, json=body))["order"]
    return order


def publish(tvers: Tvers, *events: DomainEvent) -> None:
    """Record events on a unit of work and commit: they reach the outbox as a fulfilment command would put them there."""
    with tvers.uow() as uow:
        for event in events:
            uow.record(event)
        uow.commit()


def run_notifications_relay(tvers: Tvers, settings: Settings | None = None, **options: Any) -> None:
    """The relay with only the notifications subscriber (as `tvers worker` runs it among the others)."""
    from tvers.integrations.notifications.subscriber import subscribers
    from tvers.integrations.relay import Relay

    Relay(tvers.db, tvers.clock, subscribers(settings or tvers.settings, **options)).run_once()


def notification_rows(tvers: Tvers) -> list[Any]:
    from tvers.integrations.notifications import service

    with tvers.uow(read_only=True) as uow:
        return service.list_notifications(uow, limit=200).items[::-1]  # oldest first


# Run in spawned processes by the concurrency test.

def send_in_process(database_url: str, at: str, out_file: str, start_at: float, results: Any) -> None:
    """Run the sender job once at a shared instant, through a file sender that takes a little while per message."""
    import time
    from datetime import datetime

    from tvers.bootstrap import build
    from tvers.integrations.notifications.delivery import DeliveryPolicy, send_due
    from tvers.integrations.notifications.schemas import OutgoingNotification
    from tvers.integrations.notifications.senders import FileSender
    from tvers.kernel.clock import FixedClock
    from tvers.settings import Settings

    class SlowFileSender(FileSender):
        def send(self, notification: OutgoingNotification) -> None:
            time.sleep(0.005)
            super().send(notification)

    app = build(Settings(database_url=database_url), clock=FixedClock(datetime.fromisoformat(at)), subscribers=())
    time.sleep(max(0.0, start_at - time.time()))
    result = send_due(app.uow, SlowFileSender(out_file), policy=DeliveryPolicy(batch=10))
    app.close()
    results.put(result.sent)
