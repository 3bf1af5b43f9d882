"""Fulfilment events become notification rows, written by the relay subscriber: who is told what, once, within consent."""

from __future__ import annotations

from typing import Any

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from support.api import ok, problem
from support.checkout import Shop
from support.notifications import notification_rows, place_order, publish, run_notifications_relay
from tvers.bootstrap import Tvers
from tvers.customers import service as customers
from tvers.customers.schemas import ConsentIn
from tvers.db.migrate import alembic_config, upgrade
from tvers.db.outbox import OutboxEvent
from tvers.db.uow import Uow
from tvers.fulfillment.events import CustomerArrived, OrderDelayed, OrderReadyForPickup, OrderShipped, TaskCreated
from tvers.integrations.models import HandledEvent, RelayCursor
from tvers.integrations.notifications.subscriber import SUBSCRIBER
from tvers.settings import Settings

KARI = {"name": "Kari Nordmann", "email": "kari@example.no", "phone": "+4791234567"}
OLA = {"name": "Ola", "phone": "+4798765432"}
PICKUP = {"method": "pickup", "location": "bergen"}


def shipped(order: dict[str, Any], **overrides: Any) -> OrderShipped:
    values: dict[str, Any] = {"order_id": order["id"], "channel": "web", "shipment_id": "shp_1", "location_code": "oslo-dc",
                              "carrier": "Posten", "tracking_number": "70700123", "tracking_url": "https://track.example/70700123",
                              "lines": ({"order_line_id": order["lines"][0]["id"], "sku": "CO-1", "quantity": 1},),
                              "captured_minor": 17900}
    return OrderShipped(**{**values, **overrides})


def ready(order: dict[str, Any], *, curbside: bool = False) -> OrderReadyForPickup:
    return OrderReadyForPickup(order_id=order["id"], channel="web", task_id="tsk_1", location_code="bergen", curbside=curbside)


def task(order: dict[str, Any], shop: Shop, *, kind: str, location: str = "bergen") -> TaskCreated:
    return TaskCreated(task_id="tsk_1", order_id=order["id"], location_id=shop.locations[location], location_code=location, kind=kind,
                       units=1)


def test_each_event_becomes_one_message_to_the_right_recipient(tvers: Tvers, client: TestClient, admin: dict[str, str],
                                                               shop: Shop) -> None:
    # given a shipped order with an email contact and a pickup order with only a phone
    parcel = place_order(client, admin, key="ship", contact=KARI)
    collect = place_order(client, admin, key="pickup", contact=OLA, delivery=PICKUP)
    # when fulfilment publishes its events (a shipping task tells no store anything)
    publish(tvers, task(collect, shop, kind="pickup"), task(parcel, shop, kind="ship", location="oslo-dc"), ready(collect),
            CustomerArrived(task_id="tsk_1", order_id=collect["id"], location_code="bergen", spot="bay 3, a red Volvo"),
            shipped(parcel), OrderDelayed(order_id=parcel["id"], channel="web", reason="resourced", ready_by="2026-11-05"))
    run_notifications_relay(tvers)
    # then each becomes one queued message: customers by email (else SMS), stores at their address from the setting
    rows = notification_rows(tvers)
    bergen, oslo = shop.locations["bergen"], shop.locations["oslo-dc"]
    assert [(r.kind, r.audience, r.recipient, r.medium, r.status, r.order_id, r.location_id) for r in rows] == [
        ("new_pickup_order", "store", "bergen@stores.invalid", "email", "queued", collect["id"], bergen),
        ("ready_for_pickup", "customer", "+4798765432", "sms", "queued", collect["id"], bergen),
        ("customer_arrived", "store", "bergen@stores.invalid", "email", "queued", collect["id"], bergen),
        ("shipped", "customer", "kari@example.no", "email", "queued", parcel["id"], oslo),
        ("delayed", "customer", "kari@example.no", "email", "queued", parcel["id"], None),
    ]
    assert all((r.attempts, r.next_attempt_at, r.sent_at, r.reason) == (0, tvers.clock.now(), None, None) for r in rows)
    # and the words say what happened, with the order number, the store and the tracking link
    new_order, ready_row, arrived, sent, delayed = rows
    assert (new_order.subject, new_order.body) == ("New pickup order WEB-000002: 1 unit to prepare", (
        "A new pickup order, WEB-000002, was sent to Bergen.\n\nTo pick and prepare: 1 unit.\nCustomer: Ola.\n\n"
        "Accept it in the store app's pickup queue.\n"))
    assert (ready_row.subject, ready_row.body) == ("Order WEB-000002 is ready for pickup at Bergen", (
        "Hi Ola,\n\nYour order WEB-000002 is ready for pickup at Bergen, Bergen.\n\n"
        "Bring your pickup code: it is shown in your order confirmation.\n\nThank you for your order.\n"))
    assert (arrived.subject, arrived.body) == ("Customer waiting outside for order WEB-000002", (
        "The customer for order WEB-000002 has arrived at Bergen and is waiting: bay 3, a red Volvo.\n\nCustomer: Ola.\n\n"
        "Bring the order out.\n"))
    assert (sent.subject, sent.body) == ("Order WEB-000001 is on its way", (
        "Hi Kari Nordmann,\n\nYour order WEB-000001 has been shipped with Posten.\nFollow the parcel: https://track.example/70700123\n\n"
        "Thank you for your order.\n"))
    assert (delayed.subject, delayed.body) == ("Order WEB-000001 is delayed", (
        "Hi Kari Nordmann,\n\nWe are sorry: your order WEB-000001 will take longer than we promised.\nWe now expect it by 2026-11-05.\n\n"
        "We will tell you as soon as it is on its way or ready for pickup.\n"))


def test_a_replayed_event_writes_no_second_message(tvers: Tvers, client: TestClient, admin: dict[str, str], shop: Shop) -> None:
    # given an event already turned into a message
    order = place_order(client, admin, key="ship", contact=KARI)
    publish(tvers, shipped(order))
    run_notifications_relay(tvers)
    before = [(r.id, r.kind, r.recipient) for r in notification_rows(tvers)]
    # when the subscriber's history is lost and the outbox replayed from the start
    with tvers.uow() as uow:
        uow.session.execute(delete(HandledEvent).where(HandledEvent.subscriber == SUBSCRIBER))
        uow.session.execute(update(RelayCursor).where(RelayCursor.subscriber == SUBSCRIBER).values(position=0))
        uow.commit()
    run_notifications_relay(tvers)
    # then the message is still the one message
    assert [(r.id, r.kind, r.recipient) for r in notification_rows(tvers)] == before
    assert len(before) == 1


def test_an_upgrade_notifies_nobody_about_events_from_before_it(tvers: Tvers, client: TestClient, admin: dict[str, str],
                                                                shop: Shop) -> None:
    # given a database from before notifications, whose outbox already holds a shipment
    order = place_order(client, admin, key="ship", contact=KARI)
    command.downgrade(alembic_config(tvers.db.engine), "0008")
    try:
        publish(tvers, shipped(order))
        tvers.relay.run_once()  # sequence the events
    finally:
        # when it is upgraded
        upgrade(tvers.db.engine)
    # then the subscriber starts at the outbox's head, and the old shipment is not announced to the customer
    with tvers.uow(read_only=True) as uow:
        head = uow.session.scalar(select(OutboxEvent.position).order_by(OutboxEvent.position.desc()).limit(1))
        start = uow.session.scalar(select(RelayCursor.position).where(RelayCursor.subscriber == SUBSCRIBER))
    assert start == head is not None
    run_notifications_relay(tvers)
    assert notification_rows(tvers) == []


def test_a_customer_who_withdrew_order_updates_gets_a_skipped_row_and_the_store_is_still_told(
        tvers: Tvers, client: TestClient, admin: dict[str, str], shop: Shop) -> None:
    # given three customers' pickup orders: one withdrew order updates, one never said, one was erased
    def order_of(email: str, key: str) -> dict[str, Any]:
        return place_order(client, admin, key=key, contact={"email": email}, delivery=PICKUP,
                           customer={"identities": [{"type": "email", "value": email, "is_verified": True}]})

    withdrew, silent, erased = order_of("kari@example.no", "a"), order_of("per@example.no", "b"), order_of("liv@example.no", "c")
    with tvers.uow() as uow:
        customers.record_consent(uow, withdrew["customer_id"], ConsentIn(purpose="order_updates", is_granted=False, channel="web",
                                                                         wording_version="v1"))
        customers.erase_customer(uow, erased["customer_id"], actor="test")
        uow.commit()
    # when their orders are ready, and a curbside customer among them arrives
    publish(tvers, ready(withdrew), ready(silent), ready(erased),
            CustomerArrived(task_id="tsk_1", order_id=withdrew["id"], location_code="bergen", spot="bay 1"))
    run_notifications_relay(tvers)
    # then only the customer who said nothing is sent to; the others have a row saying why not; the store has no consent to ask
    assert [(r.kind, r.recipient, r.customer_id, r.status, r.reason, r.next_attempt_at) for r in notification_rows(tvers)] == [
        ("ready_for_pickup", "kari@example.no", withdrew["customer_id"], "skipped", "customer withdrew order_updates consent", None),
        ("ready_for_pickup", "per@example.no", silent["customer_id"], "queued", None, tvers.clock.now()),
        ("ready_for_pickup", "liv@example.no", erased["customer_id"], "skipped", "customer was erased", None),
        ("customer_arrived", "bergen@stores.invalid", withdrew["customer_id"], "queued", None, tvers.clock.now()),
    ]


def test_consent_given_again_after_a_withdrawal_sends_again(tvers: Tvers, client: TestClient, admin: dict[str, str],
                                                            shop: Shop) -> None:
    order = place_order(client, admin, key="a", contact={"email": "kari@example.no"},
                        customer={"identities": [{"type": "email", "value": "kari@example.no", "is_verified": True}]})
    for granted in (False, True):  # the latest entry is the state
        with tvers.uow() as uow:
            customers.record_consent(uow, order["customer_id"], ConsentIn(purpose="order_updates", is_granted=granted,
                                                                          wording_version="v1"))
            uow.commit()
        tvers.clock.advance(seconds=1)  # type: ignore[attr-defined]
    publish(tvers, shipped(order))
    run_notifications_relay(tvers)
    assert [(r.kind, r.status) for r in notification_rows(tvers)] == [("shipped", "queued")]


def test_without_an_address_the_row_says_so(tvers: Tvers, client: TestClient, admin: dict[str, str], shop: Shop) -> None:
    # given an order with no contact, and no store address template
    order = place_order(client, admin, key="a", delivery=PICKUP)
    # when its store gets a task and it is ready
    publish(tvers, task(order, shop, kind="curbside"), ready(order))
    run_notifications_relay(tvers, Settings(database_url=tvers.settings.database_url, notifications_store_address_template=""))
    # then both are written as skipped, with the reason
    assert [(r.kind, r.recipient, r.status, r.reason) for r in notification_rows(tvers)] == [
        ("new_pickup_order", "", "skipped", "no store address: notifications_store_address_template is empty"),
        ("ready_for_pickup", "", "skipped", "the order has no contact email or phone"),
    ]


def test_the_pickup_code_hook_puts_the_code_in_the_message(tvers: Tvers, client: TestClient, admin: dict[str, str],
                                                           shop: Shop) -> None:
    # given a curbside order and a pickup-code lookup (the fulfilment module's, once it is wired)
    order = place_order(client, admin, key="a", contact=KARI, delivery={"method": "curbside", "location": "bergen"})
    asked: list[str] = []

    def pickup_code(_uow: Uow, task_id: str) -> str | None:
        asked.append(task_id)
        return "4711"

    # when it is ready
    publish(tvers, ready(order, curbside=True))
    run_notifications_relay(tvers, pickup_code_lookup=pickup_code)
    # then the message carries the code and the curbside instructions
    [row] = notification_rows(tvers)
    assert asked == ["tsk_1"]
    assert row.body == ("Hi Kari Nordmann,\n\nYour order WEB-000001 is ready for pickup at Bergen, Bergen.\n\n"
                        "Bring your pickup code: 4711.\n"
                        "You chose curbside pickup: tell us when you have arrived, and we bring the order out to you.\n\n"
                        "Thank you for your order.\n")


def test_an_event_about_an_unknown_order_is_passed_over(tvers: Tvers, client: TestClient, admin: dict[str, str], shop: Shop) -> None:
    # given an event naming an order that does not exist, then one about a real order
    order = place_order(client, admin, key="a", contact=KARI)
    publish(tvers, OrderDelayed(order_id="ord_01JD3V7Q0000000000000000AA", channel="web", reason="x", ready_by=None), shipped(order))
    # when the relay runs
    run_notifications_relay(tvers)
    # then the unknown order holds nothing back
    assert [(r.kind, r.order_id) for r in notification_rows(tvers)] == [("shipped", order["id"])]


def test_admins_read_an_orders_notifications(tvers: Tvers, client: TestClient, admin: dict[str, str], shop: Shop) -> None:
    first = place_order(client, admin, key="a", contact=KARI)
    second = place_order(client, admin, key="b", contact=OLA)
    publish(tvers, shipped(first), shipped(second, shipment_id="shp_2", tracking_url=None))
    run_notifications_relay(tvers)
    page = ok(client.get("/api/v1/notifications", params={"order_id": second["id"]}, headers=admin))
    assert [(n["kind"], n["recipient"], n["medium"], n["status"]) for n in page["items"]] == [
        ("shipped", "+4798765432", "sms", "queued")]
    assert "Tracking number: 70700123" in page["items"][0]["body"]
    everything = ok(client.get("/api/v1/notifications", params={"limit": 1}, headers=admin))
    rest = ok(client.get("/api/v1/notifications", params={"after": everything["next_cursor"]}, headers=admin))
    assert [n["order_id"] for n in everything["items"] + rest["items"]] == [second["id"], first["id"]]
    problem(client.get("/api/v1/notifications", params={"after": "not-a-cursor"}, headers=admin), 422, "invalid_cursor")
    problem(client.get("/api/v1/notifications", params={"status": "lost"}, headers=admin), 422, "invalid_input")
