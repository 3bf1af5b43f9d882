"""Carts follow the customer through merges; the view tells what happened where."""

from __future__ import annotations

import pytest

from support.customers import create, ident, resolve, seed_channels
from tvers.carts import service as carts
from tvers.carts.errors import InvalidCartLine
from tvers.carts.schemas import CartIn, CartLineIn
from tvers.customers import service as customers
from tvers.customers.schemas import ConsentIn


@pytest.fixture
def channels(tvers):
    seed_channels(tvers, with_products=True)


def fill(tvers, customer_id, channel, lines):
    with tvers.uow() as uow:
        cart = carts.open_cart(uow, CartIn(channel=channel, customer_id=customer_id))
        for sku, quantity in lines:
            carts.set_line(uow, cart.id, CartLineIn(sku=sku, quantity=quantity))
        uow.commit()
    return cart.id


def test_a_merge_joins_the_open_carts_and_the_view_tells_the_story(tvers, channels, clock):
    # given a store profile with a card and an app profile, each with an open cart
    store = create(tvers, ident("loyalty_card", "7001000042"), channel="pos-oslo", given_name="Kari")
    clock.advance(hours=1)
    app = create(tvers, ident("email", "kari@example.no", verified=True), channel="app-no")
    store_cart = fill(tvers, store, "pos-oslo", [("TT-RED-M", 1)])
    fill(tvers, app, "app-no", [("TT-RED-M", 2), ("TT-BLU-M", 1)])
    with tvers.uow() as uow:
        customers.record_consent(uow, app, ConsentIn(purpose="email_marketing", is_granted=True, channel="app-no", wording_version="v1"))
        customers.earn_for_order(uow, order_id="o1", customer_id=store, channel="pos-oslo", currency="NOK", amount_minor=50_000)
        uow.commit()
    # when a web order carries the card and the verified email
    clock.advance(hours=1)
    result = resolve(tvers, ident("loyalty_card", "7001000042"), ident("email", "kari@example.no", verified=True))
    # then one open cart remains, with the larger quantity per variant
    assert result.customer_id == store
    with tvers.uow(read_only=True) as uow:
        view = customers.customer_view(uow, app)
    open_carts = [c for c in view.carts if c.status == "open"]
    assert [c.id for c in open_carts] == [store_cart]
    assert sorted((ln.sku, ln.quantity, ln.channel) for ln in open_carts[0].lines) == [("TT-BLU-M", 1, "app-no"),
                                                                                     ("TT-RED-M", 2, "app-no")]
    # and the consent moved, the timeline shows where things happened, orders/returns wait for their issues
    assert {c.purpose.value: c.is_granted for c in view.consents}["email_marketing"] is True
    story = [(t.kind, t.channel) for t in reversed(view.timeline)]
    assert story[0] == ("created", "pos-oslo")
    assert ("created", "app-no") in story and ("merged", None) in story and ("points_earn", "pos-oslo") in story
    assert ("consent_granted", "app-no") in story
    assert view.profile.resolved_from == app and view.orders == [] and view.returns == []


def test_lines_need_a_variant_for_sale(tvers, channels):
    kari = create(tvers, ident("email", "kari@example.no"))
    with pytest.raises(InvalidCartLine) as raised, tvers.uow() as uow:
        cart = carts.open_cart(uow, CartIn(channel="web-no", customer_id=kari))
        carts.set_line(uow, cart.id, CartLineIn(sku="NO-SUCH-SKU", quantity=1))
    assert [f.field for f in raised.value.fields] == ["sku"]


def test_one_open_cart_per_customer_across_channels(tvers, channels):
    kari = create(tvers, ident("email", "kari@example.no"))
    assert fill(tvers, kari, "web-no", [("TT-RED-M", 1)]) == fill(tvers, kari, "app-no", [("TT-RED-L", 1)])
