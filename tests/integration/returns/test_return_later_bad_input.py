"""Bad moves on authorisations, refunds and send-backs get a clear 4xx and change nothing: cancelling a received return,
receiving an expired or cancelled one, retrying a refund that did not fail, sending back what is not there."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from support.api import bearer, make_key, ok, problem
from support.returns import sell_and_deliver, state
from tvers.channels.access import Role
from tvers.jobs import expire_return_authorisations


def everything(tvers) -> dict[str, Any]:
    """`state` and what these routes could move besides: refund parts, send-back marks, transfers, store credit, overrides."""
    from tvers.customers.models import StoreCreditEntry
    from tvers.inventory.models import Transfer
    from tvers.returns.models import Return, ReturnLineRow, ReturnRefund

    with tvers.uow(read_only=True) as uow:
        s = uow.session
        return {**state(tvers),
                "refund_parts": sorted(s.execute(select(ReturnRefund.id, ReturnRefund.status)).all()),
                "sent_back": sorted(s.execute(select(ReturnLineRow.id, ReturnLineRow.sent_back_transfer_id)).all()),
                "late_overrides": s.scalar(select(func.count()).select_from(Return).where(Return.late_override.is_not(None))),
                "transfers": s.scalar(select(func.count()).select_from(Transfer)),
                "store_credit": s.scalar(select(func.count()).select_from(StoreCreditEntry))}


def ask(client, sold, quantity=1):
    line = sold.order["lines"][0]
    return ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": quantity, "reason": "changed_mind"}]}))


def receive(client, sold, asked, **extra):
    return client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm", **extra})


@pytest.mark.parametrize(("case", "status", "code"), [
    ("cancel a received return", 409, "return_not_cancellable"),
    ("cancel an expired return", 409, "return_not_cancellable"),
    ("cancel an unknown return", 404, "return_not_found"),
    ("receive an expired return", 409, "return_authorisation_expired"),
    ("receive an expired return by integration override", 403, "override_not_allowed"),
    ("receive a cancelled return", 409, "return_cancelled"),
    ("retry a refund that did not fail", 409, "no_failed_refund"),
    ("retry a refund of a return not received", 409, "no_failed_refund"),
    ("retry as something unknown", 422, "validation_failed"),
])
def test_bad_moves_on_a_return_change_nothing(client, admin, tvers, clock, case, status, code):
    sold = sell_and_deliver(client, admin, tvers)
    asked = ask(client, sold)
    if case in ("cancel a received return", "retry a refund that did not fail"):
        ok(receive(client, sold, asked))
    elif "expired" in case:
        clock.advance(days=31)
        expire_return_authorisations(tvers)
    elif case == "receive a cancelled return":
        ok(client.post(f"/api/v1/returns/{asked['id']}/cancel", headers=sold.stockholm))
    before = everything(tvers)
    if case.startswith("cancel"):
        return_id = "ret_01JD3V7Q0000000000000000AA" if "unknown" in case else asked["id"]
        response = client.post(f"/api/v1/returns/{return_id}/cancel", headers=sold.stockholm)
    elif case == "receive an expired return by integration override":
        web = bearer(make_key(tvers, Role.INTEGRATION, channel="web"))
        response = client.post(f"/api/v1/returns/{asked['id']}/receive", headers=web, json={
            "location": "stockholm", "override": {"reason": "late"}})
    elif case.startswith("receive"):
        response = receive(client, sold, asked)
    else:
        body = {"as": "cheque"} if "unknown" in case else {"as": "store_credit"}
        response = client.post(f"/api/v1/returns/{asked['id']}/retry-refund", headers=sold.stockholm, json=body)
    if code == "validation_failed":
        assert response.status_code == status, response.text
    else:
        problem(response, status, code)
    assert everything(tvers) == before


@pytest.mark.parametrize(("case", "status", "code"), [
    ("a location with nothing to send", 409, "nothing_to_send_back"),
    ("units returned but sold or written off since", 409, "insufficient_stock"),
    ("to the store itself", 422, "invalid_transfer"),
    ("to an unknown location", 404, "location_not_found"),
    ("from an unknown location", 404, "location_not_found"),
    ("by another store's staff", 403, "outside_scope"),
])
def test_bad_send_back_changes_nothing(client, admin, tvers, case, status, code):
    sold = sell_and_deliver(client, admin, tvers)
    if case != "a location with nothing to send":
        ok(receive(client, sold, ask(client, sold, quantity=2)))
    if case == "units returned but sold or written off since":
        ok(client.post("/api/v1/stock/write-offs", headers=admin, json={
            "location": "stockholm", "lines": [{"sku": "CO-3", "quantity": 1}], "reason": "stolen"}))
    headers, path, body = sold.stockholm, "/api/v1/locations/stockholm/returns/send-back", {"to_location": "oslo-dc"}
    if case == "to the store itself":
        body = {"to_location": "stockholm"}
    elif case == "to an unknown location":
        body = {"to_location": "nowhere"}
    elif case == "from an unknown location":
        headers, path = admin, "/api/v1/locations/nowhere/returns/send-back"
    elif case == "by another store's staff":
        headers = bearer(make_key(tvers, Role.STORE_STAFF, locations=["bergen"]))
    before = everything(tvers)
    problem(client.post(path, headers=headers, json=body), status, code)
    assert everything(tvers) == before
