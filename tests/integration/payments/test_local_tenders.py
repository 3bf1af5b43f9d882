"""Local tenders against real gift cards, store credit and points: debited in step 1, given back once on compensation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from support.payments import (
    APPROVE,
    DECLINE,
    authorize_order,
    balances,
    counts,
    ledger_problems,
    make_providers,
    make_wallet,
    nok,
    open_order,
    outbox_types,
)
from tvers.customers.errors import InsufficientBalance, InsufficientPoints
from tvers.payments import service as payments
from tvers.payments.errors import PaymentsAlreadyOpen, PointsValueMismatch, TenderNeedsCustomer
from tvers.payments.providers import local_provider
from tvers.payments.schemas import (
    CashTender,
    GiftCardTender,
    PaymentStatus,
    PointsTender,
    StoreCreditTender,
    TestCardTender,
)

NOK = "NOK"


@pytest.fixture
def providers():
    return make_providers()


@pytest.fixture
def wallet(tvers):
    return make_wallet(tvers)


def gift(wallet, amount):
    return GiftCardTender(code=wallet.gift_card_code, amount=Decimal(amount), currency=NOK)


def test_gift_card_store_credit_and_points_are_debited_with_the_payment_as_reference(tvers, providers, wallet):
    # given 500 on the card, 300 credit, 1000 points (worth NOK 100)
    # when an order of NOK 450 is paid 200 + 150 + 100 (1000 points)
    opened = open_order(tvers, providers, gift(wallet, "200.00"), StoreCreditTender(amount=Decimal("150.00"), currency=NOK),
                        PointsTender(points=1000, amount=Decimal("100.00"), currency=NOK), total="450.00",
                        customer_id=wallet.customer_id)
    # then each tender is authorised and its balance is lower
    assert [(p.tender, p.status, p.authorized.amount) for p in opened] == [
        ("gift_card", PaymentStatus.AUTHORIZED, "200.00"), ("store_credit", PaymentStatus.AUTHORIZED, "150.00"),
        ("loyalty_points", PaymentStatus.AUTHORIZED, "100.00")]
    assert balances(tvers, wallet) == ("300.00", ["150.00"], 0)
    assert [t.idempotency_key for p in opened for t in p.transactions] == [f"{p.id}:authorize" for p in opened]
    assert outbox_types(tvers) == ["payment.authorized"] * 3
    assert ledger_problems(tvers) == {}


def test_a_debit_is_taken_once_per_reference(tvers, wallet):
    # given a gift card debit already made for a payment
    provider, tender = local_provider("gift_card"), gift(wallet, "120.00")
    for _ in range(2):  # when the same reference debits again (a retried step)
        with tvers.uow() as uow:
            provider.debit(uow, tender, amount=nok("120.00"), reference="pay_x", customer_id=None, channel="web-no")
            uow.commit()
    # then the card lost 120 once
    assert balances(tvers, wallet)[0] == "380.00"


def test_restore_gives_every_local_tender_back_once(tvers, providers, wallet):
    # given an order paid by gift card, store credit, points and a declined card
    open_order(tvers, providers, gift(wallet, "200.00"), StoreCreditTender(amount=Decimal("150.00"), currency=NOK),
               PointsTender(points=500, amount=Decimal("50.00"), currency=NOK),
               TestCardTender(card_number=DECLINE, amount=Decimal("99.00"), currency=NOK), total="499.00",
               customer_id=wallet.customer_id)
    outcome = authorize_order(tvers, providers)
    assert (outcome.is_failed, outcome.is_authorized) == (True, False)
    # when the checkout is compensated, twice (a retry of the compensation)
    for _ in range(2):
        with tvers.uow() as uow:
            payments.restore_local_tenders(uow, "ord_1")
            uow.commit()
    # then every balance is what it was, each local payment is voided once, and the ledgers agree
    assert balances(tvers, wallet) == ("500.00", ["300.00"], 1000)
    with tvers.uow(read_only=True) as uow:
        states = [(p.tender, p.status, p.voided.amount) for p in payments.payments_for_order(uow, "ord_1")]
    assert states == [("gift_card", PaymentStatus.VOIDED, "200.00"), ("store_credit", PaymentStatus.VOIDED, "150.00"),
                      ("loyalty_points", PaymentStatus.VOIDED, "50.00"), ("test_card", PaymentStatus.FAILED, "0.00")]
    assert outbox_types(tvers) == ["payment.authorized"] * 3 + ["payment.failed"] + ["payment.voided"] * 3
    assert ledger_problems(tvers) == {}


def test_cash_given_last_records_change_and_is_captured_then_handed_back(tvers, providers, wallet):
    # given NOK 250 due: 200 from the gift card and a 100 note
    opened = open_order(tvers, providers, gift(wallet, "200.00"), CashTender(amount=Decimal("100.00"), currency=NOK), total="250.00",
                        channel="pos-oslo")
    cash = opened[1]
    # then the cash pays 50, 50 is change, and it is captured at once
    assert (cash.amount.amount, cash.tendered.amount, cash.change_due.amount) == ("50.00", "100.00", "50.00")
    assert (cash.status, cash.captured.amount) == (PaymentStatus.CAPTURED, "50.00")
    # when the sale is abandoned
    with tvers.uow() as uow:
        payments.restore_local_tenders(uow, "ord_1")
        uow.commit()
    with tvers.uow(read_only=True) as uow:
        after = payments.get_payment(uow, cash.id)
    # then the cash is refunded at the till and the card is whole again
    assert (after.status, after.refunded.amount, after.transactions[-1].note) == (PaymentStatus.REFUNDED, "50.00",
                                                                                  "cash handed back at the till")
    assert balances(tvers, wallet)[0] == "500.00"
    assert ledger_problems(tvers) == {}


@pytest.mark.parametrize(("tenders", "customer", "error"), [
    (lambda w: [GiftCardTender(code=w.gift_card_code, amount=Decimal("100.00"), currency=NOK),
                StoreCreditTender(amount=Decimal("350.00"), currency=NOK)], True, InsufficientBalance),
    (lambda w: [GiftCardTender(code=w.gift_card_code, amount=Decimal("100.00"), currency=NOK),
                PointsTender(points=2000, amount=Decimal("200.00"), currency=NOK)], True, InsufficientPoints),
    (lambda w: [PointsTender(points=1000, amount=Decimal("450.00"), currency=NOK)], True, PointsValueMismatch),
    (lambda w: [GiftCardTender(code=w.gift_card_code, amount=Decimal("50.00"), currency=NOK),
                StoreCreditTender(amount=Decimal("400.00"), currency=NOK)], False, TenderNeedsCustomer),
    (lambda w: [TestCardTender(card_number=APPROVE, amount=Decimal("350.00"), currency=NOK),
                GiftCardTender(code=w.gift_card_code, amount=Decimal("500.01"), currency=NOK)], True, InsufficientBalance),
])
def test_a_tender_that_cannot_pay_changes_nothing(tvers, providers, wallet, tenders, customer, error):
    # given the wallet as it is
    before, money_before = counts(tvers), balances(tvers, wallet)
    # when step 1 meets a tender that cannot pay
    total = str(sum(t.amount for t in tenders(wallet)))
    with pytest.raises(error):
        open_order(tvers, providers, *tenders(wallet), total=total, customer_id=wallet.customer_id if customer else None)
    # then no payment, no debit, no event
    assert counts(tvers) == before
    assert balances(tvers, wallet) == money_before


def test_an_order_opens_its_payments_once(tvers, providers, wallet):
    open_order(tvers, providers, gift(wallet, "100.00"), total="100.00")
    before = counts(tvers)
    with pytest.raises(PaymentsAlreadyOpen):
        open_order(tvers, providers, gift(wallet, "100.00"), total="100.00")
    assert counts(tvers) == before
    assert balances(tvers, wallet)[0] == "400.00"
