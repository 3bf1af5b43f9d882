"""Stripe through the ledger (Stripe's HTTP stubbed with respx): the fingerprint it returns becomes an identity,
a partial capture releases the rest, and a capture lost in a crash is re-sent with its key and booked once."""

from __future__ import annotations

from decimal import Decimal

import pytest
import respx

from support.payments import ledger_problems, make_wallet, nok, open_order, record, send_and_record
from tvers.customers import service as customers
from tvers.customers.identity_rules import IdentityType
from tvers.payments import service as payments
from tvers.payments.schemas import PaymentStatus, StripeTender
from tvers.settings import Settings

BASE = "https://stripe.test"
PI = "pi_3MtwBwLkdIwHu7ix28a3tqPa"


def intent(status, **extra):
    return {"id": PI, "object": "payment_intent", "amount": 100000, "currency": "nok", "status": status, "capture_method": "manual",
            "payment_method": {"id": "pm_1Nx", "object": "payment_method", "type": "card",
                               "card": {"brand": "mastercard", "last4": "4444", "fingerprint": "Xt5EWLLDS7FJjR1c"}}, **extra}


@pytest.fixture
def providers():
    return payments.build_providers(Settings(stripe_secret_key="sk_test_x", stripe_api_base=BASE))


@pytest.fixture
def stripe():
    with respx.mock(base_url=BASE) as mock:
        yield mock


@pytest.fixture
def authorized(tvers, providers, stripe):
    wallet = make_wallet(tvers)
    open_order(tvers, providers, StripeTender(payment_method="pm_1Nx", amount=Decimal("1000.00"), currency="NOK"), total="1000.00",
               customer_id=wallet.customer_id)
    stripe.post("/v1/payment_intents").respond(200, json=intent("requires_capture"))
    with tvers.uow(read_only=True) as uow:
        requests = payments.external_authorizations(uow, "ord_1")
    send_and_record(tvers, providers, requests)
    return wallet


def test_stripe_card_details_and_fingerprint_are_kept(tvers, authorized):
    with tvers.uow(read_only=True) as uow:
        paid = payments.payments_for_order(uow, "ord_1")[0]
        owner = customers.lookup_customer_id(uow, IdentityType.PAYMENT_CARD_FINGERPRINT, "Xt5EWLLDS7FJjR1c")
    assert (paid.status, paid.provider_reference, paid.card.brand, paid.card.last4) == (PaymentStatus.AUTHORIZED, PI, "mastercard", "4444")
    assert owner == authorized.customer_id


def test_a_partial_capture_releases_the_rest(tvers, providers, stripe, authorized):
    stripe.post(f"/v1/payment_intents/{PI}/capture").respond(200, json=intent("succeeded", amount_received=60000))
    with tvers.uow() as uow:
        requests = payments.captures_for(uow, order_id="ord_1", amount=nok("600.00"))
        uow.commit()
    paid = send_and_record(tvers, providers, requests).payments[0]
    assert (paid.status, paid.captured.amount, paid.voided.amount) == (PaymentStatus.CAPTURED, "600.00", "400.00")
    assert paid.transactions[-1].note == "released by the provider on partial capture"
    assert ledger_problems(tvers) == {}


def test_a_capture_lost_in_a_crash_is_resent_with_its_key_and_booked_once(tvers, providers, stripe, authorized):
    route = stripe.post(f"/v1/payment_intents/{PI}/capture").respond(200, json=intent("succeeded", amount_received=100000))
    with tvers.uow() as uow:
        [decided] = payments.captures_for(uow, order_id="ord_1", amount=nok("1000.00"))
        uow.commit()
    payments.capture(decided, providers=providers)  # Stripe captured; the process died before recording
    # when the sweep finds the pending capture and sends it again
    with tvers.uow(read_only=True) as uow:
        [again] = payments.pending_requests(uow, "ord_1")
    assert again == decided
    outcome = send_and_record(tvers, providers, [again])
    record(tvers, [payments.capture(again, providers=providers)], order_id="ord_1")  # and once more, late
    # then Stripe saw one key, and the ledger one capture
    assert {call.request.headers["Idempotency-Key"] for call in route.calls} == {decided.idempotency_key}
    assert (outcome.payments[0].captured.amount, len(outcome.payments[0].transactions)) == ("1000.00", 2)
    assert ledger_problems(tvers) == {}
