"""Exchanges over HTTP on both databases: the replacement reserved when the return is asked for, ordered (a linked order)
when the goods come in, paid by what the returned units were paid and, for the difference, by what the customer hands over
or gets back. Even at the till: no money moves."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from support.api import bearer, make_key, ok, problem
from support.checkout import APPROVE, DECLINE, THREE_DS, card, ship_to
from support.fulfilment import stock
from support.returns import payment_ledger, sell_and_deliver, state, takes_returns
from tvers.channels.access import Role


def bergen_till(client, admin, tvers, sold, *, units: int = 2) -> dict[str, str]:
    """The Bergen store takes returns and has `units` of every SKU on its shelf; its staff's key."""
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import ReceiveIn, StockLineIn

    takes_returns(client, admin, "bergen")
    with tvers.uow() as uow:
        inventory.receive(uow, ReceiveIn(location="bergen", lines=[StockLineIn(sku=s, quantity=units) for s in sold.shop.skus]),
                          actor="test")
        uow.commit()
    return bearer(make_key(tvers, Role.STORE_STAFF, locations=["bergen"]))


def set_price(tvers, sku: str, amount: str) -> None:
    from decimal import Decimal

    from tvers.catalog import service as catalog
    from tvers.catalog.schemas import PriceRowIn

    with tvers.uow() as uow:
        catalog.bulk_upsert_prices(uow, "nok", [PriceRowIn(sku=sku, amount=Decimal(amount))])
        uow.commit()


def ask(client, headers, sold, *, units: int, exchange: dict[str, Any]) -> dict[str, Any]:
    line = sold.order["lines"][0]
    return ok(client.post("/api/v1/returns", headers=headers, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": units, "reason": "wrong_size"}],
        "exchange": exchange}))


def refunds(tvers, order_id: str, tender: str) -> list[tuple[str, int, str | None]]:
    """(kind, amount, note) of a tender's succeeded refunds on an order."""
    from tvers.payments.models import Payment, PaymentTransaction

    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(select(PaymentTransaction.kind, PaymentTransaction.amount_minor, PaymentTransaction.note)
                                   .join(Payment, Payment.id == PaymentTransaction.payment_id)
                                   .where(Payment.order_id == order_id, Payment.tender == tender, PaymentTransaction.status == "succeeded",
                                          PaymentTransaction.kind == "refund")
                                   .order_by(PaymentTransaction.created_at, PaymentTransaction.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


CARRY_OUT_BERGEN = {"method": "carry_out", "location": "bergen"}


def test_an_even_exchange_at_the_till_moves_no_money(client, admin, tvers):
    # given a web order of 3 × CO-3 at 399.50, 10 % off shoes (359.55 a unit), delivered; CO-2 now costs the same
    sold = sell_and_deliver(client, admin, tvers)
    set_price(tvers, "CO-2", "399.50")
    till = bergen_till(client, admin, tvers, sold)
    bergen, co2, co3 = sold.shop.locations["bergen"], sold.shop.variant_ids["CO-2"], sold.shop.variant_ids["CO-3"]
    # when the customer brings one unit to the Bergen store for the other size, carried out now
    asked = ask(client, till, sold, units=1, exchange={"lines": [{"sku": "CO-2", "quantity": 1}], "delivery": CARRY_OUT_BERGEN})
    # then the replacement is held at once on the shelf it will leave from
    assert asked["exchange"]["status"] == "held" and asked["exchange"]["price_minor"] == 35955
    assert stock(tvers, bergen, co2) == (2, 1)
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=till, json={"location": "bergen"}))
    # then the returned unit's 359.55 pays the replacement's 359.55: nothing refunded, nothing paid on top
    exchange = done["exchange"]
    assert (exchange["status"], exchange["credit_minor"], exchange["difference_minor"], exchange["refunded_minor"]) == (
        "ordered", 35955, 0, 0)
    assert "voucher_code" not in exchange
    # and the card's part is booked into the voucher, not sent back to the card
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 0), "test_card": (65765, 35955)}
    [(kind, amount, note)] = refunds(tvers, sold.order["id"], "test_card")
    assert (kind, amount) == ("refund", 35955) and note.startswith("exchanged: into voucher")
    # and the linked order is paid by that voucher alone and was handed over at the till
    replacement = ok(client.get(f"/api/v1/orders/{exchange['order_id']}", headers=admin))
    assert (replacement["status"], replacement["total"]["amount"], replacement["customer_id"]) == ("completed", "359.55",
                                                                                                  sold.customer_id)
    assert payment_ledger(tvers, replacement["id"]) == {"gift_card": (35955, 0)}
    # and the shelf: CO-3 back, CO-2 gone out, nothing held any more
    assert stock(tvers, bergen, co3) == (3, 0)
    assert stock(tvers, bergen, co2) == (1, 0)


def test_an_exchange_for_something_dearer_is_paid_on_top_at_the_till(client, admin, tvers):
    # given 359.55 paid for a CO-3, and a CO-4 at 1,299.00 less 10 % = 1,169.10
    sold = sell_and_deliver(client, admin, tvers)
    till = bergen_till(client, admin, tvers, sold)
    asked = ask(client, till, sold, units=1, exchange={"lines": [{"sku": "CO-4", "quantity": 1}], "delivery": CARRY_OUT_BERGEN})
    before = state(tvers)
    # when the difference offered is short, nothing happens
    short = problem(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=till, json={
        "location": "bergen", "tenders": [card(APPROVE, "800.00")]}), 422, "exchange_difference_unpaid")
    assert short["difference"] == "809.55"
    assert state(tvers) == before
    # when the customer pays the 809.55 by card
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=till, json={
        "location": "bergen", "tenders": [card(APPROVE, "809.55")]}))
    exchange = done["exchange"]
    assert (exchange["status"], exchange["credit_minor"], exchange["difference_minor"]) == ("ordered", 35955, 80955)
    replacement = ok(client.get(f"/api/v1/orders/{exchange['order_id']}", headers=admin))
    assert replacement["total"]["amount"] == "1169.10"
    assert payment_ledger(tvers, replacement["id"]) == {"gift_card": (35955, 0), "test_card": (80955, 0)}


def test_an_exchange_for_something_cheaper_refunds_the_rest_to_the_card(client, admin, tvers):
    # given two units returned (719.10 paid) for one CO-2 at 250.00 less 10 % = 225.00
    sold = sell_and_deliver(client, admin, tvers)
    till = bergen_till(client, admin, tvers, sold)
    asked = ask(client, till, sold, units=2, exchange={"lines": [{"sku": "CO-2", "quantity": 1}], "delivery": CARRY_OUT_BERGEN})
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=till, json={"location": "bergen"}))
    exchange = done["exchange"]
    assert (exchange["credit_minor"], exchange["refunded_minor"], done["refund_total_minor"]) == (22500, 49410, 71910)
    # then the voucher takes its 225.00 from the parts refunded last (the gift card's 61.45, then 163.55 of the card's) and
    # the card gets the rest of its part, 494.10, back through its provider
    def into_voucher(tender: str) -> list[tuple[int, bool]]:
        return sorted((amount, (note or "").startswith("exchanged")) for _, amount, note in refunds(tvers, sold.order["id"], tender))

    assert into_voucher("test_card") == [(16355, True), (49410, False)]
    assert into_voucher("gift_card") == [(6145, True)]
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 6145), "test_card": (65765, 65765)}


def test_a_mail_exchange_holds_the_replacement_and_ships_it_when_the_goods_arrive(client, admin, tvers):
    # given the customer asks online to swap two units (719.10 paid) for one CO-2 shipped home: 359.55 + 79.00 shipping
    sold = sell_and_deliver(client, admin, tvers)
    set_price(tvers, "CO-2", "399.50")
    takes_returns(client, admin, "oslo-dc")
    asked = ask(client, admin, sold, units=2, exchange={"lines": [{"sku": "CO-2", "quantity": 1}], "delivery": ship_to()})
    oslo, co2 = sold.shop.locations["oslo-dc"], sold.shop.variant_ids["CO-2"]
    # then the CO-2 is held at the warehouse before anything comes back
    assert stock(tvers, oslo, co2) == (10, 1)
    # when the parcel arrives at the warehouse
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=admin, json={"location": "oslo-dc"}))
    exchange = done["exchange"]
    # then the credit pays the replacement and its shipping, the rest goes back to the card, and a linked order ships it
    assert (exchange["status"], exchange["credit_minor"], exchange["refunded_minor"]) == ("ordered", 43855, 71910 - 43855)
    replacement = ok(client.get(f"/api/v1/orders/{exchange['order_id']}", headers=admin))
    assert (replacement["status"], replacement["total"]["amount"]) == ("confirmed", "438.55")
    assert stock(tvers, oslo, co2) == (10, 1)  # held once: by the replacement order now, not by the return
    assert [r["id"] for r in ok(client.get(f"/api/v1/orders/{sold.order['id']}/returns", headers=admin))] == [asked["id"]]


@pytest.mark.parametrize(("exchange", "status", "code"), [
    pytest.param({"lines": [{"sku": "CO-2", "quantity": 3}], "delivery": CARRY_OUT_BERGEN}, 409, "insufficient_stock",
                 id="more than the till has"),
    pytest.param({"lines": [{"sku": "NOPE-1", "quantity": 1}], "delivery": CARRY_OUT_BERGEN}, 422, "unknown_sku", id="an unknown SKU"),
    pytest.param({"lines": [{"sku": "CO-2", "quantity": 1}], "delivery": {"method": "carry_out", "location": "stockholm"},
                  "channel": "pos-stockholm"}, 422, "wrong_currency", id="priced in another currency"),
])
def test_an_exchange_for_what_cannot_be_had_changes_nothing(client, admin, tvers, exchange, status, code):
    sold = sell_and_deliver(client, admin, tvers)
    till = bergen_till(client, admin, tvers, sold)
    before = state(tvers)
    line = sold.order["lines"][0]
    response = client.post("/api/v1/returns", headers=till, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 1, "reason": "wrong_size"}], "exchange": exchange})
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
    assert state(tvers) == before


def test_tenders_with_a_plain_return_are_refused(client, admin, tvers):
    sold = sell_and_deliver(client, admin, tvers)
    till = bergen_till(client, admin, tvers, sold)
    line = sold.order["lines"][0]
    asked = ok(client.post("/api/v1/returns", headers=till, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": 1, "reason": "wrong_size"}]}))
    before = state(tvers)
    problem(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=till, json={
        "location": "bergen", "tenders": [card(APPROVE, "10.00")]}), 422, "not_an_exchange")
    assert state(tvers) == before


def test_a_declined_difference_leaves_the_credit_on_a_voucher_for_the_customer(client, admin, tvers):
    sold = sell_and_deliver(client, admin, tvers)
    till = bergen_till(client, admin, tvers, sold)
    asked = ask(client, till, sold, units=1, exchange={"lines": [{"sku": "CO-4", "quantity": 1}], "delivery": CARRY_OUT_BERGEN})
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=till, json={
        "location": "bergen", "tenders": [card(DECLINE, "809.55")]}))
    exchange = done["exchange"]
    assert exchange["status"] == "failed" and exchange["voucher_code"]
    voucher = ok(client.get(f"/api/v1/gift-cards/{exchange['voucher_id']}", headers=admin))
    assert voucher["balance"]["amount"] == "359.55"
    # and no replacement will leave: the CO-4 held for it is free again
    assert stock(tvers, sold.shop.locations["bergen"], sold.shop.variant_ids["CO-4"]) == (2, 0)


def test_a_difference_waiting_for_3ds_is_followed_by_the_worker_to_its_order(client, admin, tvers):
    from tvers.jobs import finish_exchanges

    sold = sell_and_deliver(client, admin, tvers)
    till = bergen_till(client, admin, tvers, sold)
    asked = ask(client, till, sold, units=1, exchange={"lines": [{"sku": "CO-4", "quantity": 1}], "delivery": CARRY_OUT_BERGEN})
    # when the difference card asks the customer for 3-D Secure, the exchange waits, its voucher code shown
    done = ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=till, json={
        "location": "bergen", "tenders": [card(THREE_DS, "809.55")]}))
    exchange = done["exchange"]
    assert exchange["status"] == "pending" and exchange["voucher_code"]
    assert finish_exchanges(tvers) == 1  # still waiting: nothing changes
    assert ok(client.get(f"/api/v1/returns/{asked['id']}", headers=admin))["exchange"]["status"] == "pending"
    # when the customer passes 3-D Secure and the till completes the order, the worker records the exchange as ordered
    order = ok(client.get(f"/api/v1/orders/{exchange['order_id']}", headers=admin))
    payment = next(p for p in order["payments"] if p["tender"] == "test_card")
    assert payment["status"] == "requires_action"
    url = payment["action_url"]
    assert client.post(f"/api/v1/test-card/3ds/{url.rsplit('/', 1)[1]}", headers=admin).status_code == 204
    assert client.post(f"/api/v1/checkout/{exchange['order_id']}/complete", headers=admin).status_code == 201
    finish_exchanges(tvers)
    after = ok(client.get(f"/api/v1/returns/{asked['id']}", headers=admin))["exchange"]
    assert after["status"] == "ordered" and "voucher_code" not in after


def test_a_cancelled_or_expired_exchange_frees_its_held_replacement(client, admin, tvers, clock):
    from tvers.jobs import expire_return_authorisations

    sold = sell_and_deliver(client, admin, tvers, quantity=3)
    till = bergen_till(client, admin, tvers, sold)
    bergen, co2 = sold.shop.locations["bergen"], sold.shop.variant_ids["CO-2"]
    # given two exchanges asked for, each holding a CO-2 at the Bergen till
    first = ask(client, till, sold, units=1, exchange={"lines": [{"sku": "CO-2", "quantity": 1}], "delivery": CARRY_OUT_BERGEN})
    second = ask(client, till, sold, units=1, exchange={"lines": [{"sku": "CO-2", "quantity": 1}], "delivery": CARRY_OUT_BERGEN})
    assert stock(tvers, bergen, co2) == (2, 2)
    # when the customer cancels the first, its CO-2 is free again
    cancelled = ok(client.post(f"/api/v1/returns/{first['id']}/cancel", headers=till))
    assert (cancelled["status"], cancelled["exchange"]["status"]) == ("cancelled", "released")
    assert stock(tvers, bergen, co2) == (2, 1)
    # when the second's authorisation runs out, the worker frees its CO-2 too
    clock.advance(days=31)
    assert expire_return_authorisations(tvers) == 1
    expired = ok(client.get(f"/api/v1/returns/{second['id']}", headers=admin))
    assert (expired["status"], expired["exchange"]["status"]) == ("expired", "released")
    assert stock(tvers, bergen, co2) == (2, 0)
