"""Tender checks before anything is written: they add up, one currency, change only from cash given last."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tvers.kernel.money import Money
from tvers.payments import service as payments
from tvers.payments.errors import (
    ChangeOnlyFromCash,
    InvalidCardNumber,
    InvalidPaymentAmount,
    TenderCurrencyMismatch,
    TendersDoNotAddUp,
    UnknownTender,
)
from tvers.payments.rules import idempotency_key
from tvers.payments.schemas import (
    CashTender,
    GiftCardTender,
    PointsTender,
    StoreCreditTender,
    StripeTender,
    TestCardTender,
    TransactionKind,
)
from tvers.settings import Settings

PROVIDERS = payments.build_providers(Settings(stripe_secret_key=None))
TOTAL = Money.of("500.00", "NOK")


def gift(amount, currency="NOK"):
    return GiftCardTender(code="ABCD-EFGH-JKLM-NPQR", amount=Decimal(amount), currency=currency)


def cash(amount):
    return CashTender(amount=Decimal(amount), currency="NOK")


def card(amount, number="4242424242424242"):
    return TestCardTender(card_number=number, amount=Decimal(amount), currency="NOK")


def applied(tenders):
    return [(a.amount.minor, a.tendered and a.tendered.minor, a.change and a.change.minor)
            for a in payments.check_tenders(tenders, total=TOTAL, providers=PROVIDERS)]


def test_tenders_that_add_up_exactly():
    tenders = [gift("100.00"), StoreCreditTender(amount=Decimal("50.00"), currency="NOK"),
               PointsTender(points=500, amount=Decimal("50.00"), currency="NOK"), card("300.00")]
    assert applied(tenders) == [(10000, None, None), (5000, None, None), (5000, None, None), (30000, None, None)]


def test_cash_given_last_leaves_change():
    assert applied([gift("320.00"), cash("200.00")]) == [(32000, None, None), (18000, 20000, 2000)]


@pytest.mark.parametrize(("tenders", "error"), [
    ([], TendersDoNotAddUp),
    ([gift("100.00"), card("399.99")], TendersDoNotAddUp),
    ([gift("100.00"), card("400.01")], ChangeOnlyFromCash),
    ([cash("200.00"), gift("320.00")], ChangeOnlyFromCash),  # cash first: change from the gift card would be cash out
    ([gift("500.00"), cash("50.00")], TendersDoNotAddUp),  # the cash pays nothing
    ([gift("500.00", currency="SEK")], TenderCurrencyMismatch),
    ([gift("0.00"), card("500.00")], InvalidPaymentAmount),
    ([gift("100.001"), card("400.00")], InvalidPaymentAmount),
    ([card("500.00", number="4242424242424241")], InvalidCardNumber),
    ([StripeTender(payment_method="pm_card_visa", amount=Decimal("500.00"), currency="NOK")], UnknownTender),  # no key set
])
def test_tenders_that_do_not_pay_the_total_are_refused(tenders, error):
    with pytest.raises(error):
        payments.check_tenders(tenders, total=TOTAL, providers=PROVIDERS)


def test_the_failing_tender_is_named():
    with pytest.raises(TenderCurrencyMismatch) as refused:
        payments.check_tenders([card("100.00"), gift("400.00", currency="SEK")], total=TOTAL, providers=PROVIDERS)
    assert [f.field for f in refused.value.fields] == ["tenders.1.currency"]


def test_idempotency_keys_are_derived_from_the_payment_and_operation():
    assert idempotency_key("pay_1", TransactionKind.AUTHORIZE) == "pay_1:authorize"
    assert idempotency_key("pay_1", TransactionKind.CAPTURE, 2) == "pay_1:capture:2"
