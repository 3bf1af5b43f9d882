"""Fulfilment events reach people: the store hears of a new pickup order, the customer gets the pickup code when it is ready."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from support.api import bearer, make_key
from support.checkout import make_shop
from support.fulfilment import place, task_at, walk
from tvers.bootstrap import Tvers, integration_subscribers
from tvers.channels.access import Role
from tvers.fulfillment import service as fulfillment
from tvers.integrations.notifications.models import Notification
from tvers.integrations.relay import Relay
from tvers.workflows.fulfilment import subscribers


def test_a_ready_pickup_tells_the_customer_its_code_and_the_store_heard_of_the_order(client: TestClient, admin: dict[str, str],
                                                                                      tvers: Tvers) -> None:
    # given the relay with the fulfilment and notification subscribers, as `tvers worker` runs them
    make_shop(tvers)
    relay = Relay(tvers.db, tvers.clock, [*subscribers(tvers.settings), *integration_subscribers(tvers.settings)])
    order = place(client, admin, {"CO-1": 1}, delivery={"method": "pickup", "location": "bergen"},
                  customer={"identities": [{"type": "email", "value": "kari@example.no", "is_verified": True}]})
    relay.run_once()
    relay.run_once()  # the task made by the first pass announces itself in the second
    task = task_at(client, admin, order["id"], "bergen", "pickup")
    # when the store makes it ready
    walk(client, bearer(make_key(tvers, Role.STORE_STAFF, locations=["bergen"])), task["id"], "accept", "pick", "pack", "ready")
    relay.run_once()
    # then the store got "new pickup order" and the customer a message with the code they will show
    with tvers.uow(read_only=True) as uow:
        rows = {kind: (audience, body) for kind, audience, body in uow.session.execute(
            select(Notification.kind, Notification.audience, Notification.body).where(Notification.order_id == order["id"]))}
        code = fulfillment.pickup_code(uow, task["id"])
    assert {"new_pickup_order", "ready_for_pickup"} <= rows.keys()
    audience, body = rows["ready_for_pickup"]
    assert audience == "customer" and code is not None and code in body
    assert code not in rows["new_pickup_order"][1]
