"""The test card provider's table: each number's answer, the same key always the same answer, and no number kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tvers.kernel.money import Money
from tvers.payments.errors import InvalidCardNumber
from tvers.payments.providers.base import ProviderRequest, ResultStatus
from tvers.payments.providers.test_card import TestCardProvider, reference_for
from tvers.payments.schemas import TenderCode, TestCardTender, TransactionKind


def provider():
    return TestCardProvider(fingerprint_key="k1")


def request(token, *, key="pay_1:authorize", operation=TransactionKind.AUTHORIZE):
    return ProviderRequest(order_id="ord_1", payment_id="pay_1", transaction_id="ptx_1", tender=TenderCode.TEST_CARD,
                           operation=operation, amount=Money(10000, "NOK"), idempotency_key=key, card_token=token)


def authorize(number, *, tests=None, key="pay_1:authorize"):
    tests = tests or provider()
    prepared = tests.prepare(TestCardTender(card_number=number, amount=Decimal("100.00"), currency="NOK"))
    return tests.authorize(request(prepared.card.token, key=key))


@pytest.mark.parametrize(("number", "status", "code"), [
    ("4242 4242 4242 4242", ResultStatus.SUCCEEDED, None),
    ("5555-5555-5555-4444", ResultStatus.SUCCEEDED, None),
    ("4000000000000002", ResultStatus.DECLINED, "card_declined"),
    ("4000000000009995", ResultStatus.DECLINED, "insufficient_funds"),
    ("4000000000000119", ResultStatus.FAILED, "processing_error"),
    ("4000000000003220", ResultStatus.REQUIRES_ACTION, None),
    ("4000000000005126", ResultStatus.SUCCEEDED, None),  # approved; its refunds are declined
    ("4111111111111111", ResultStatus.SUCCEEDED, None),  # any other valid number
])
def test_each_card_number_answers_as_the_table_says(number, status, code):
    result = authorize(number)
    assert (result.status, result.failure_code) == (status, code)


def test_the_same_key_gives_the_same_authorisation_and_is_logged():
    tests = provider()
    first, again = (authorize("4242424242424242", tests=tests) for _ in range(2))
    other = authorize("4242424242424242", tests=tests, key="pay_2:authorize")
    assert first == again and first.provider_reference == reference_for("pay_1:authorize") != other.provider_reference
    assert tests.authorizations() == {"pay_1:authorize", "pay_2:authorize"}
    assert len(tests.calls) == 3


def test_3d_secure_is_approved_once_the_action_is_completed():
    tests = provider()
    waiting = authorize("4000000000003220", tests=tests)
    tests.complete_action(waiting.provider_reference)
    assert authorize("4000000000003220", tests=tests).status is ResultStatus.SUCCEEDED


def test_only_a_token_brand_last_four_and_keyed_fingerprint_are_kept():
    prepared = provider().prepare(TestCardTender(card_number="4242424242424242", amount=Decimal(1), currency="NOK"))
    card = prepared.card
    assert (card.brand, card.last4) == ("visa", "4242")
    assert "4242424242424242" not in f"{card.token}{card.fingerprint}"
    other_key = TestCardProvider(fingerprint_key="k2").prepare(TestCardTender(card_number="4242424242424242", amount=Decimal(1),
                                                                                currency="NOK"))
    assert other_key.card.fingerprint != card.fingerprint  # keyed: not a plain hash anyone can recompute


@pytest.mark.parametrize("number", ["4242424242424241", "1234", "4242 4242 4242 424x"])
def test_a_number_that_is_not_a_card_is_refused(number):
    with pytest.raises((InvalidCardNumber, ValueError)):
        provider().prepare(TestCardTender(card_number=number, amount=Decimal(1), currency="NOK"))


@pytest.mark.parametrize("operation", [TransactionKind.CAPTURE, TransactionKind.VOID, TransactionKind.REFUND])
def test_capture_void_and_refund_succeed(operation):
    tests = provider()
    call = {TransactionKind.CAPTURE: tests.capture, TransactionKind.VOID: tests.void, TransactionKind.REFUND: tests.refund}[operation]
    assert call(request("tct_approved_x", key=f"pay_1:{operation.value}:1", operation=operation)).status is ResultStatus.SUCCEEDED


@pytest.mark.parametrize(("number", "status", "code"), [
    ("4000000000005126", ResultStatus.DECLINED, "expired_or_canceled_card"),
    ("4242424242424242", ResultStatus.SUCCEEDED, None),
])
def test_refunds_succeed_but_to_the_closed_card(number, status, code):
    tests = provider()
    token = tests.prepare(TestCardTender(card_number=number, amount=Decimal("100.00"), currency="NOK")).card.token
    first, again = (tests.refund(request(token, key="pay_1:refund:1", operation=TransactionKind.REFUND)) for _ in range(2))
    assert (first.status, first.failure_code) == (status, code)
    assert first == again
