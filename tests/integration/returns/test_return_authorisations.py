"""A return asked for online is an authorisation: a number the customer shows anywhere, an expiry the worker enforces, and a
cancel while the goods have not come in; cancelled and expired returns free their units. Over HTTP on both databases."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from support.api import bearer, make_key, ok, problem
from support.returns import sell_and_deliver
from tvers.channels.access import Role
from tvers.db.outbox import OutboxEvent
from tvers.jobs import expire_return_authorisations


def outbox(tvers, type_: str) -> list[dict]:
    with tvers.uow(read_only=True) as uow:
        return [e.payload for e in uow.session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))]


def ask(client, sold, headers, quantity=3, **extra):
    line = sold.order["lines"][0]
    return client.post("/api/v1/returns", headers=headers, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": quantity, "reason": "changed_mind"}], **extra})


def test_a_return_asked_for_online_is_found_by_its_number_and_received_in_any_store(client, admin, tvers, clock):
    # given the web shop's integration asks for a return of its own order
    sold = sell_and_deliver(client, admin, tvers)
    web = bearer(make_key(tvers, Role.INTEGRATION, channel="web"))
    asked = ok(ask(client, sold, web, quantity=2))
    # then it is an authorisation: a readable number and an expiry 30 days out (`return_authorisation_days`)
    assert re.fullmatch(r"RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", asked["number"]), asked["number"]
    assert asked["expires_at"] == (clock.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert asked["status"] == "requested"
    # when the customer turns up in Stockholm and staff type the number as it looks on the phone, lower case, no dash
    typed = asked["number"].removeprefix("RMA-").replace("-", "").lower()
    found = ok(client.get(f"/api/v1/return-authorisations/{typed}", headers=sold.stockholm))
    assert found["id"] == asked["id"]
    # then they receive it there as any return, and it is refunded
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    assert (done["status"], done["number"], done["refund_total_minor"]) == ("refunded", asked["number"], 71910)
    # and an unknown number is a 404
    problem(client.get("/api/v1/return-authorisations/RMA-0000-0000", headers=sold.stockholm), 404, "return_not_found")


def test_an_authorisation_past_its_date_expires_and_its_units_may_be_returned_again(client, admin, tvers, clock):
    # given a year's return window on the web and an authorisation for all three units
    sold = sell_and_deliver(client, admin, tvers)
    ok(client.put("/api/v1/return-policies", headers=admin, json={"channel": "web", "window_days": 365}))
    asked = ok(ask(client, sold, admin))
    # when nothing came in within 30 days and the worker runs
    clock.advance(days=29)
    assert expire_return_authorisations(tvers) == 0
    clock.advance(days=1, seconds=1)
    assert expire_return_authorisations(tvers) == 1
    # then it is expired, once, with an event
    assert ok(client.get(f"/api/v1/returns/{asked['id']}", headers=admin))["status"] == "expired"
    assert expire_return_authorisations(tvers) == 0
    assert outbox(tvers, "return.expired") == [{"return_id": asked["id"], "order_id": sold.order["id"], "channel": "web",
                                                 "number": asked["number"]}]
    # and its units count for nothing: they can be asked for again
    again = ok(ask(client, sold, admin))
    assert again["status"] == "requested" and again["number"] != asked["number"]


def test_an_expired_return_comes_in_only_with_staff_override_and_a_reason(client, admin, tvers, clock):
    # given an authorisation past its date (the worker has not run yet: the date alone decides)
    sold = sell_and_deliver(client, admin, tvers)
    asked = ok(ask(client, sold, admin, quantity=1))
    clock.advance(days=31)
    # when the till receives it plainly, then 409 with a clear code
    body = problem(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}),
                   409, "return_authorisation_expired")
    assert "override" in body["detail"]
    # and an integration may not override
    web = bearer(make_key(tvers, Role.INTEGRATION, channel="web"))
    problem(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=web, json={
        "location": "stockholm", "override": {"reason": "late parcel"}}), 403, "override_not_allowed")
    # when the worker expires it and store staff receive it with a reason
    expire_return_authorisations(tvers)
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={
        "location": "stockholm", "override": {"reason": "the post office lost it for six weeks"}}))
    # then it is received and refunded, and who let it in and why is kept
    assert done["status"] == "refunded" and done["refund_total_minor"] == 35955
    assert done["late_override"]["reason"] == "the post office lost it for six weeks"


def test_an_expired_return_whose_units_were_returned_since_cannot_come_in(client, admin, tvers, clock):
    # given an authorisation for all three units that expired, and a new return of those units received meanwhile
    sold = sell_and_deliver(client, admin, tvers)
    first = ok(ask(client, sold, admin))
    clock.advance(days=31)
    expire_return_authorisations(tvers)
    second = ok(ask(client, sold, admin, override={"reason": "late, but the customer is right"}))
    ok(client.post(f"/api/v1/returns/{second['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))
    # when staff try to receive the expired one anyway, then refused: nothing is left to return
    problem(client.post(f"/api/v1/returns/{first['id']}/receive", headers=sold.stockholm, json={
        "location": "stockholm", "override": {"reason": "found it"}}), 422, "invalid_return_quantity")
    assert ok(client.get(f"/api/v1/returns/{first['id']}", headers=admin))["status"] == "expired"


def test_a_customer_cancels_a_return_before_sending_it(client, admin, tvers):
    # given an authorisation for all three units
    sold = sell_and_deliver(client, admin, tvers)
    web = bearer(make_key(tvers, Role.INTEGRATION, channel="web"))
    asked = ok(ask(client, sold, web))
    # when the customer changes their mind
    cancelled = ok(client.post(f"/api/v1/returns/{asked['id']}/cancel", headers=web))
    # then it is cancelled, with an event, and cannot come in any more
    assert cancelled["status"] == "cancelled"
    assert outbox(tvers, "return.cancelled") == [{"return_id": asked["id"], "order_id": sold.order["id"], "channel": "web"}]
    problem(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}),
            409, "return_cancelled")
    # and the units may be asked for again
    assert ok(ask(client, sold, web))["status"] == "requested"
