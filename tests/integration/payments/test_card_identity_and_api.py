"""A card's fingerprint becomes the customer's identity; GET /payments/{id} shows a payment without card data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from support.api import bearer, make_key, ok, problem
from support.customers import create, ident
from support.payments import APPROVE, authorize_order, make_providers, make_wallet, open_order
from tvers.channels.access import Role
from tvers.customers import service as customers
from tvers.customers.identity_rules import IdentityType
from tvers.payments.providers.cards import fingerprint_of
from tvers.payments.schemas import TestCardTender

FINGERPRINT = IdentityType.PAYMENT_CARD_FINGERPRINT


@pytest.fixture
def providers():
    return make_providers()


def card_payment(tvers, providers, customer_id, *, order_id="ord_1", number=APPROVE):
    open_order(tvers, providers, TestCardTender(card_number=number, amount=Decimal("10.00"), currency="NOK"), total="10.00",
               customer_id=customer_id, order_id=order_id)
    return authorize_order(tvers, providers, order_id)


def owner_of(tvers, number=APPROVE):
    fingerprint = fingerprint_of(number, key=tvers.settings.payments_fingerprint_key)
    with tvers.uow(read_only=True) as uow:
        return customers.lookup_customer_id(uow, FINGERPRINT, fingerprint)


def test_an_authorised_card_becomes_the_customers_identity(tvers, providers):
    wallet = make_wallet(tvers)
    outcome = card_payment(tvers, providers, wallet.customer_id)
    assert outcome.is_authorized
    assert owner_of(tvers) == wallet.customer_id
    # and the card number is nowhere: only brand, last four and a keyed fingerprint
    assert (outcome.payments[0].card.brand, outcome.payments[0].card.last4) == ("visa", "4242")
    assert APPROVE not in outcome.payments[0].model_dump_json()


def test_a_card_another_customer_holds_is_left_alone_and_the_payment_goes_through(tvers, providers):
    # given Kari's card already on her profile
    wallet = make_wallet(tvers)
    card_payment(tvers, providers, wallet.customer_id)
    ola = create(tvers, ident("email", "ola@example.no"), given_name="Ola")
    # when Ola pays with the same card
    outcome = card_payment(tvers, providers, ola, order_id="ord_2")
    # then his payment is authorised, the identity stays Kari's, and no profile was merged
    assert outcome.is_authorized
    assert owner_of(tvers) == wallet.customer_id
    with tvers.uow(read_only=True) as uow:
        assert customers.get_customer(uow, ola).status == "active"


def test_a_declined_card_attaches_nothing(tvers, providers):
    wallet = make_wallet(tvers)
    card_payment(tvers, providers, wallet.customer_id, number="4000000000000002")
    assert owner_of(tvers, "4000000000000002") is None


def test_get_payment_with_its_transactions(tvers, client, admin, providers):
    wallet = make_wallet(tvers)
    paid = card_payment(tvers, providers, wallet.customer_id).payments[0]
    body = ok(client.get(f"/api/v1/payments/{paid.id}", headers=admin))
    assert (body["tender"], body["status"], body["authorized"], body["card"]) == (
        "test_card", "authorized", {"amount": "10.00", "currency": "NOK"}, {"brand": "visa", "last4": "4242"})
    assert [(t["kind"], t["status"], t["idempotency_key"]) for t in body["transactions"]] == [
        ("authorize", "succeeded", f"{paid.id}:authorize")]
    assert "card_token" not in body and "fingerprint" not in str(body)


def test_another_channels_integration_cannot_see_the_payment(tvers, client, providers):
    wallet = make_wallet(tvers)
    paid = card_payment(tvers, providers, wallet.customer_id).payments[0]
    own, other = (bearer(make_key(tvers, Role.INTEGRATION, channel=c)) for c in ("web-no", "app-no"))
    assert ok(client.get(f"/api/v1/payments/{paid.id}", headers=own))["id"] == paid.id
    problem(client.get(f"/api/v1/payments/{paid.id}", headers=other), 404, "payment_not_found")
