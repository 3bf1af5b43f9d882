"""The live store queue over a real HTTP server: a new pickup order reaches the store's stream, and only its own store's."""

from __future__ import annotations

import json

import httpx

from support.api import bearer, make_key
from support.checkout import make_shop
from support.fulfilment import place, run_relay
from support.server import running_server
from tvers.bootstrap import Tvers
from tvers.channels.access import Role


def test_a_new_pickup_task_is_streamed_live_to_its_store_and_no_other(tvers: Tvers) -> None:
    # given a shop, keys for the Bergen store, the warehouse and an admin, and a real server
    make_shop(tvers)
    admin = bearer(make_key(tvers, Role.ADMIN))
    bergen = bearer(make_key(tvers, Role.STORE_STAFF, locations=["bergen"]))
    warehouse = bearer(make_key(tvers, Role.STORE_STAFF, locations=["oslo-dc"]))
    with running_server(tvers) as base, httpx.Client(base_url=base, timeout=20) as client:
        # then another store's key may not watch Bergen's queue
        refused = client.get("/api/v1/stores/bergen/tasks/stream", headers=warehouse)
        assert refused.status_code == 403 and refused.json()["code"] == "outside_scope"
        with client.stream("GET", "/api/v1/stores/bergen/tasks/stream", headers=bergen) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            assert next(lines).startswith(":")  # connected
            # when a click & collect order for Bergen is placed and the relay turns it into a task
            order = place(client, admin, {"CO-1": 1}, delivery={"method": "pickup", "location": "bergen"})  # type: ignore[arg-type]
            run_relay(tvers)
            # then the stream delivers it, with a cursor to resume from
            event = _next_event(lines)
    assert event["event"] == "task"
    data = json.loads(event["data"])
    assert (data["order_number"], data["kind"], data["to_status"]) == (order["number"], "pickup", "new")
    assert int(event["id"]) == data["cursor"]


def _next_event(lines: object) -> dict[str, str]:
    """The next full event (fields up to the blank line), skipping keep-alive comments."""
    fields: dict[str, str] = {}
    for line in lines:  # type: ignore[attr-defined]
        if not line:
            if fields:
                return fields
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    raise AssertionError("the stream ended without an event")
