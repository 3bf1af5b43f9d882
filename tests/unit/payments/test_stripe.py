"""Stripe over HTTP, stubbed with respx in Stripe's documented shapes: what we send, and what each answer means."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from tvers.kernel.money import Money
from tvers.payments import service as payments
from tvers.payments.providers.base import ProviderRequest, ResultStatus
from tvers.payments.providers.stripe import StripeProvider
from tvers.payments.schemas import StripeTender, TenderCode, TransactionKind
from tvers.settings import Settings

BASE = "https://stripe.test"
PI = "pi_3MtwBwLkdIwHu7ix28a3tqPa"


@pytest.fixture
def stripe():
    with respx.mock(base_url=BASE, assert_all_called=True) as mock:
        yield mock


@pytest.fixture
def providers():
    return payments.build_providers(Settings(stripe_secret_key="sk_test_4eC39HqLyjWDarjtT1zdp7dc", stripe_api_base=BASE,
                                             stripe_return_url="https://shop.example/return"))


def request(operation=TransactionKind.AUTHORIZE, *, reference=None, amount=129900, key="pay_1:authorize"):
    return ProviderRequest(order_id="ord_1", payment_id="pay_1", transaction_id="ptx_1", tender=TenderCode.STRIPE, operation=operation,
                           amount=Money(amount, "NOK"), idempotency_key=key, provider_reference=reference, card_token="pm_card_visa")


def intent(status, **extra):
    return {"id": PI, "object": "payment_intent", "amount": 129900, "amount_capturable": 129900 if status == "requires_capture" else 0,
            "amount_received": 0, "capture_method": "manual", "currency": "nok", "status": status, "latest_charge": "ch_3Mtw",
            "next_action": None, "last_payment_error": None,
            "payment_method": {"id": "pm_card_visa", "object": "payment_method", "type": "card",
                               "card": {"brand": "visa", "last4": "4242", "fingerprint": "Xt5EWLLDS7FJjR1c", "exp_month": 8,
                                        "exp_year": 2030}}, **extra}


def form(call):
    return {k: v if len(v) > 1 else v[0] for k, v in parse_qs(call.request.content.decode()).items()}


def test_authorize_creates_a_confirmed_manual_capture_payment_intent(stripe, providers):
    route = stripe.post("/v1/payment_intents").respond(200, json=intent("requires_capture"))
    result = payments.authorize(request(), providers=providers)
    sent = route.calls.last.request
    assert sent.headers["Authorization"] == "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"
    assert sent.headers["Idempotency-Key"] == "pay_1:authorize"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form(route.calls.last) == {
        "amount": "129900", "currency": "nok", "payment_method": "pm_card_visa", "payment_method_types[]": "card",
        "capture_method": "manual", "confirm": "true", "expand[]": "payment_method", "metadata[order_id]": "ord_1",
        "metadata[payment_id]": "pay_1", "return_url": "https://shop.example/return"}
    assert (result.status, result.provider_reference) == (ResultStatus.SUCCEEDED, PI)
    assert (result.card.brand, result.card.last4, result.card.fingerprint) == ("visa", "4242", "Xt5EWLLDS7FJjR1c")


def test_a_card_decline_is_a_declined_result(stripe, providers):
    stripe.post("/v1/payment_intents").respond(402, json={"error": {
        "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds.",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined", "payment_intent": intent("requires_payment_method")}})
    result = payments.authorize(request(), providers=providers)
    assert (result.status, result.failure_code, result.provider_reference) == (ResultStatus.DECLINED, "insufficient_funds", PI)
    assert result.failure_message == "Your card has insufficient funds."


@pytest.mark.parametrize(("status_code", "error", "expected"), [
    (402, {"type": "card_error", "code": "processing_error", "message": "An error occurred while processing your card."},
     ResultStatus.FAILED),
    (400, {"type": "invalid_request_error", "code": "parameter_missing", "param": "amount", "message": "Missing required param"},
     ResultStatus.FAILED),
    (400, {"type": "idempotency_error", "message": "Keys for idempotent requests can only be used with the same parameters"},
     ResultStatus.FAILED),
    (401, {"type": "invalid_request_error", "message": "Invalid API Key provided"}, ResultStatus.FAILED),
    (409, {"type": "invalid_request_error", "code": "lock_timeout", "message": "another request is using this key"},
     ResultStatus.UNKNOWN),
    (429, {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests"}, ResultStatus.UNKNOWN),
    (500, {"type": "api_error", "message": "Something went wrong on Stripe's end."}, ResultStatus.UNKNOWN),
])
def test_stripe_errors_by_their_documented_type(stripe, providers, status_code, error, expected):
    stripe.post("/v1/payment_intents").respond(status_code, json={"error": error})
    assert payments.authorize(request(), providers=providers).status is expected


def test_no_answer_is_unknown_so_the_sweep_resends_the_same_key(stripe, providers):
    stripe.post("/v1/payment_intents").mock(side_effect=httpx.ConnectTimeout("timed out"))
    result = payments.authorize(request(), providers=providers)
    assert (result.status, result.failure_code) == (ResultStatus.UNKNOWN, "network_error")


def test_3d_secure_then_the_status_is_queried_by_id(stripe, providers):
    stripe.post("/v1/payment_intents").respond(200, json=intent("requires_action", next_action={
        "type": "redirect_to_url", "redirect_to_url": {"url": "https://hooks.stripe.com/3d_secure_2/hosted?x=1",
                                                       "return_url": "https://shop.example/return"}}))
    waiting = payments.authorize(request(), providers=providers)
    assert (waiting.status, waiting.action_url) == (ResultStatus.REQUIRES_ACTION, "https://hooks.stripe.com/3d_secure_2/hosted?x=1")
    query = stripe.get(f"/v1/payment_intents/{PI}").respond(200, json=intent("requires_capture"))
    done = payments.authorize(request(reference=PI), providers=providers)
    assert done.status is ResultStatus.SUCCEEDED
    assert query.calls.last.request.url.params.get_list("expand[]") == ["payment_method"]


def test_a_failed_3d_secure_is_declined(stripe, providers):
    stripe.get(f"/v1/payment_intents/{PI}").respond(200, json=intent("requires_payment_method", last_payment_error={
        "type": "card_error", "code": "payment_intent_authentication_failure", "message": "authentication failed"}))
    result = payments.authorize(request(reference=PI), providers=providers)
    assert (result.status, result.failure_code) == (ResultStatus.DECLINED, "payment_intent_authentication_failure")


def test_capture_sends_amount_to_capture_and_releases_the_rest(stripe, providers):
    route = stripe.post(f"/v1/payment_intents/{PI}/capture").respond(200, json=intent("succeeded", amount_received=50000))
    result = payments.capture(request(TransactionKind.CAPTURE, reference=PI, amount=50000, key="pay_1:capture:1"), providers=providers)
    assert form(route.calls.last) == {"amount_to_capture": "50000"}
    assert route.calls.last.request.headers["Idempotency-Key"] == "pay_1:capture:1"
    assert (result.status, result.releases_rest) == (ResultStatus.SUCCEEDED, True)


def test_void_cancels_the_payment_intent(stripe, providers):
    route = stripe.post(f"/v1/payment_intents/{PI}/cancel").respond(200, json=intent("canceled", cancellation_reason=None))
    result = payments.void(request(TransactionKind.VOID, reference=PI, key="pay_1:void"), providers=providers)
    assert result.status is ResultStatus.SUCCEEDED and route.calls.last.request.headers["Idempotency-Key"] == "pay_1:void"


@pytest.mark.parametrize(("status", "expected"), [("succeeded", ResultStatus.SUCCEEDED), ("pending", ResultStatus.SUCCEEDED),
                                                  ("failed", ResultStatus.FAILED)])
def test_refund_posts_to_refunds_with_the_payment_intent_and_amount(stripe, providers, status, expected):
    route = stripe.post("/v1/refunds").respond(200, json={
        "id": "re_1Nispe2eZvKYlo2Cd31jOCgZ", "object": "refund", "amount": 25000, "currency": "nok", "payment_intent": PI,
        "status": status, "failure_reason": "expired_or_canceled_card" if status == "failed" else None})
    result = payments.refund(request(TransactionKind.REFUND, reference=PI, amount=25000, key="pay_1:refund:1"), providers=providers)
    assert form(route.calls.last) == {"payment_intent": PI, "amount": "25000", "metadata[payment_id]": "pay_1"}
    assert (result.status, result.provider_reference) == (expected, "re_1Nispe2eZvKYlo2Cd31jOCgZ")


def test_prepare_keeps_the_payment_method_id_only():
    provider = StripeProvider(secret_key="sk_test_x", api_base=BASE)
    prepared = provider.prepare(StripeTender(payment_method="pm_card_visa", amount=Decimal("10.00"), currency="NOK"))
    assert (prepared.card.token, prepared.card.fingerprint) == ("pm_card_visa", None)
    provider.close()


def test_an_operation_is_sent_only_as_itself(providers):
    with pytest.raises(ValueError):
        payments.capture(request(TransactionKind.AUTHORIZE), providers=providers)
