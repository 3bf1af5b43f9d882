"""External tenders through the three steps: authorise once per key, 3-D Secure, voids, captures and refunds on the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from support.payments import (
    ACTION,
    APPROVE,
    DECLINE,
    ERROR,
    authorize_order,
    balances,
    card_provider,
    counts,
    ledger_problems,
    make_providers,
    make_wallet,
    nok,
    open_order,
    outbox_types,
    record,
    send_and_record,
)
from tvers.payments import service as payments
from tvers.payments.errors import InvalidPaymentAmount, NothingToCapture, NothingToRefund, ResultDoesNotMatch
from tvers.payments.schemas import GiftCardTender, MarketplaceTender, PaymentStatus, TenderCode, TestCardTender

NOK = "NOK"


@pytest.fixture
def providers():
    return make_providers()


def card(number=APPROVE, amount="1000.00"):
    return TestCardTender(card_number=number, amount=Decimal(amount), currency=NOK)


def payment(tvers, order_id="ord_1", index=0):
    with tvers.uow(read_only=True) as uow:
        return payments.payments_for_order(uow, order_id)[index]


def test_a_card_is_authorised_once_however_often_step_2_is_resent(tvers, providers):
    # given an order whose card authorisation was sent but never recorded (a crash after step 2)
    open_order(tvers, providers, card(), total="1000.00")
    with tvers.uow(read_only=True) as uow:
        lost = [payments.authorize(r, providers=providers) for r in payments.external_authorizations(uow, "ord_1")]
    assert lost[0].status is payments.ResultStatus.SUCCEEDED
    # when the sweep asks again what to send, sends it and records it, twice
    first, second = authorize_order(tvers, providers), authorize_order(tvers, providers)
    # then the provider saw one authorisation (one key), the ledger holds one, and the order may be confirmed
    assert card_provider(providers).authorizations() == {f"{payment(tvers).id}:authorize"}
    assert first.is_authorized and second.is_authorized
    assert [(t.kind, t.status) for t in payment(tvers).transactions] == [("authorize", "succeeded")]
    assert outbox_types(tvers) == ["payment.authorized"]
    # and recording the lost first answer late changes nothing either
    record(tvers, lost, order_id="ord_1")
    assert payment(tvers).authorized.amount == "1000.00" and ledger_problems(tvers) == {}


@pytest.mark.parametrize(("number", "code"), [(DECLINE, "card_declined"), (ERROR, "processing_error")])
def test_a_declined_or_failed_card_fails_its_payment(tvers, providers, number, code):
    open_order(tvers, providers, card(number), total="1000.00")
    outcome = authorize_order(tvers, providers)
    failed = outcome.payments[0]
    assert (outcome.is_failed, failed.status, failed.failure_code, failed.authorized.amount) == (True, PaymentStatus.FAILED, code, "0.00")
    assert outbox_types(tvers) == ["payment.failed"]
    with tvers.uow() as uow:  # nothing is held, so nothing to void
        assert payments.voids_for(uow, "ord_1") == []


def test_3d_secure_then_authorised_after_the_customer_acts(tvers, providers):
    open_order(tvers, providers, card(ACTION), total="1000.00")
    waiting = authorize_order(tvers, providers)
    assert [p.status for p in waiting.requires_action] == [PaymentStatus.REQUIRES_ACTION]
    assert waiting.requires_action[0].action_url.startswith("https://test-card.invalid/3ds/")
    assert not waiting.is_authorized and not waiting.is_failed
    # when the customer passes 3-D Secure and the workflow asks again with the same key
    card_provider(providers).complete_action(waiting.requires_action[0].provider_reference)
    done = authorize_order(tvers, providers)
    assert done.is_authorized and done.payments[0].action_url is None
    assert len(card_provider(providers).authorizations()) == 1


def test_an_abandoned_3d_secure_is_cancelled_by_the_compensation(tvers, providers):
    open_order(tvers, providers, card(ACTION), total="1000.00")
    authorize_order(tvers, providers)
    with tvers.uow() as uow:
        voids = payments.voids_for(uow, "ord_1")
        uow.commit()
    assert [(v.operation, v.idempotency_key) for v in voids] == [("void", f"{voids[0].payment_id}:cancel")]
    outcome = send_and_record(tvers, providers, voids)
    assert (outcome.payments[0].status, outcome.payments[0].failure_code) == (PaymentStatus.FAILED, "authorization_canceled")
    assert ledger_problems(tvers) == {}


def test_a_failed_checkout_voids_the_card_and_restores_the_gift_card(tvers, providers):
    # given a gift card and an authorised card, and then the checkout fails elsewhere (stock, coupon)
    wallet = make_wallet(tvers)
    open_order(tvers, providers, GiftCardTender(code=wallet.gift_card_code, amount=Decimal("100.00"), currency=NOK),
               card(amount="900.00"), total="1000.00", customer_id=wallet.customer_id)
    authorize_order(tvers, providers)
    # when the workflow voids (decide, send, record) and restores, each twice
    for _ in range(2):
        with tvers.uow() as uow:
            voids = payments.voids_for(uow, "ord_1")
            uow.commit()
        send_and_record(tvers, providers, voids)
        with tvers.uow() as uow:
            payments.restore_local_tenders(uow, "ord_1")
            uow.commit()
    # then both payments are voided once and the card is whole
    with tvers.uow(read_only=True) as uow:
        states = [(p.tender, p.status, p.voided.amount) for p in payments.payments_for_order(uow, "ord_1")]
    assert states == [("gift_card", PaymentStatus.VOIDED, "100.00"), ("test_card", PaymentStatus.VOIDED, "900.00")]
    assert balances(tvers, wallet)[0] == "500.00"
    assert outbox_types(tvers).count("payment.voided") == 2 and ledger_problems(tvers) == {}


def test_partial_captures_then_refunds_never_beyond_what_was_captured(tvers, providers):
    # given NOK 1000 authorised on a card
    open_order(tvers, providers, card(), total="1000.00")
    authorize_order(tvers, providers)
    # when two shipments capture 300 and 200, and a return refunds 250
    for amount in ("300.00", "200.00"):
        with tvers.uow() as uow:
            requests = payments.captures_for(uow, order_id="ord_1", amount=nok(amount))
            uow.commit()
        send_and_record(tvers, providers, requests)
    with tvers.uow() as uow:
        refunds = payments.refunds_for(uow, order_id="ord_1", amount=nok("250.00"))
        uow.commit()
    send_and_record(tvers, providers, refunds)
    paid = payment(tvers)
    # then the totals follow the transactions, each with its own key
    assert (paid.status, paid.captured.amount, paid.refunded.amount) == (PaymentStatus.PARTIALLY_REFUNDED, "500.00", "250.00")
    assert [t.idempotency_key.split(":", 1)[1] for t in paid.transactions] == ["authorize", "capture:1", "capture:2", "refund:1"]
    # and refunding more than is left, or capturing more than is authorised, is refused and changes nothing
    before = counts(tvers)
    for decide, amount, error in ((payments.refunds_for, "250.01", NothingToRefund), (payments.captures_for, "500.01", NothingToCapture)):
        with pytest.raises(error), tvers.uow() as uow:
            decide(uow, order_id="ord_1", amount=nok(amount))
    assert counts(tvers) == before and ledger_problems(tvers) == {}


def test_a_refused_capture_gives_the_amount_back_to_capture_again(tvers, providers):
    open_order(tvers, providers, card(), total="1000.00")
    authorize_order(tvers, providers)
    with tvers.uow() as uow:
        [request] = payments.captures_for(uow, order_id="ord_1", amount=nok("1000.00"))
        uow.commit()
    refused = payments.ProviderResult(request, payments.ResultStatus.FAILED, failure_code="expired_authorization")
    record(tvers, [refused], order_id="ord_1")
    assert (payment(tvers).status, payment(tvers).captured.amount) == (PaymentStatus.AUTHORIZED, "0.00")
    with tvers.uow() as uow:
        again = payments.captures_for(uow, order_id="ord_1", amount=nok("1000.00"))
        uow.commit()
    assert again[0].idempotency_key.endswith(":capture:2") and ledger_problems(tvers) == {}


def test_a_marketplace_payment_is_authorised_and_captured_and_refunded_via_the_marketplace(tvers, providers):
    open_order(tvers, providers, MarketplaceTender(marketplace_order_id="NM-1001", amount=Decimal("499.00"), currency=NOK),
               total="499.00", channel="web-no")
    outcome = authorize_order(tvers, providers)
    assert (outcome.payments[0].status, outcome.payments[0].captured.amount) == (PaymentStatus.CAPTURED, "499.00")
    with tvers.uow() as uow:
        refunds = payments.refund_payment(uow, payment_id=outcome.payments[0].id, amount=nok("100.00"))
        uow.commit()
    after = send_and_record(tvers, providers, refunds).payments[0]
    assert (after.refunded.amount, after.transactions[-1].note) == ("100.00", "refund via the marketplace")
    assert outbox_types(tvers) == ["payment.authorized", "payment.captured", "payment.refunded"]


def test_a_result_for_another_transaction_is_refused(tvers, providers):
    open_order(tvers, providers, card(), total="1000.00")
    with tvers.uow(read_only=True) as uow:
        [request] = payments.external_authorizations(uow, "ord_1")
    forged = payments.ProviderResult(
        payments.AuthorizationRequest(**{**request.__dict__, "transaction_id": "ptx_01JD3V7Q0000000000000000AA"}),
        payments.ResultStatus.SUCCEEDED)
    before = counts(tvers)
    with pytest.raises(ResultDoesNotMatch):
        record(tvers, [forged], order_id="ord_1")
    assert counts(tvers) == before


def test_the_doctor_finds_a_payment_whose_totals_disagree(tvers, providers):
    open_order(tvers, providers, card(), total="1000.00")
    authorize_order(tvers, providers)
    assert ledger_problems(tvers) == {}
    with tvers.db.engine.begin() as connection:
        connection.execute(text("UPDATE payments SET captured_minor = 100"))
    assert ledger_problems(tvers) == {"payments": [payment(tvers).id]}


def test_a_card_part_refunded_as_store_credit_never_exceeds_what_was_captured(tvers, providers):
    # given NOK 1000 captured on Kari's card, 400 of it already refunded to the card
    wallet = make_wallet(tvers)
    open_order(tvers, providers, card(), total="1000.00", customer_id=wallet.customer_id)
    authorize_order(tvers, providers)
    with tvers.uow() as uow:
        requests = payments.captures_for(uow, order_id="ord_1", amount=nok("1000.00"))
        uow.commit()
    send_and_record(tvers, providers, requests)
    with tvers.uow() as uow:
        refunds = payments.refunds_for(uow, order_id="ord_1", amount=nok("400.00"))
        uow.commit()
    send_and_record(tvers, providers, refunds)
    card_id = payment(tvers).id
    # when 600 more is refunded as store credit (a receipt-less return): booked on the card, no provider asked
    with tvers.uow() as uow:
        asked = payments.refund_payment_as(uow, payment_id=card_id, amount=nok("600.00"), refund_as=TenderCode.STORE_CREDIT)
        uow.commit()
    # then the card is fully refunded in the ledger, the last part as store credit to Kari (300 she had + 600)
    paid = payment(tvers)
    assert asked == [] and (paid.status, paid.refunded.amount) == (PaymentStatus.REFUNDED, "1000.00")
    assert [(t.kind, t.status, t.note) for t in paid.transactions][-1] == ("refund", "succeeded", "refunded as store_credit")
    assert balances(tvers, wallet)[1] == ["900.00"]
    # and one øre more, or store credit for no customer, is refused and changes nothing
    before = counts(tvers), balances(tvers, wallet)
    with pytest.raises(NothingToRefund), tvers.uow() as uow:
        payments.refund_payment_as(uow, payment_id=card_id, amount=nok("0.01"), refund_as=TenderCode.STORE_CREDIT)
    with pytest.raises(InvalidPaymentAmount), tvers.uow() as uow:
        payments.refund_payment_as(uow, payment_id=card_id, amount=nok("0.01"), refund_as=TenderCode.GIFT_CARD)
    assert (counts(tvers), balances(tvers, wallet)) == before and ledger_problems(tvers) == {}
