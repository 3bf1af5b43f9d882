"""Property on the real ledger: random captures, refunds and provider answers never refund more than a payment captured,
the totals always equal the transactions, and a gift card gets back exactly what was refunded to it."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.customers import seed_channels
from support.payments import authorize_order, ledger_problems, make_providers, open_order
from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardIssueIn
from tvers.kernel.money import Money
from tvers.payments import service as payments
from tvers.payments.errors import NothingToCapture, NothingToRefund
from tvers.payments.schemas import GiftCardTender, TestCardTender

FIXTURES = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
steps = st.lists(st.tuples(st.sampled_from(["capture", "refund"]), st.integers(1, 40_000), st.booleans()), max_size=8)
orders = itertools.count()


@pytest.fixture
def shop(tvers):
    seed_channels(tvers)
    return tvers


@FIXTURES
@given(steps=steps)
def test_refunds_never_exceed_captures_on_the_ledger(shop, steps):
    tvers, providers, order_id = shop, make_providers(), f"ord_{next(orders)}"
    with tvers.uow() as uow:
        card = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal("100.00"), currency="NOK"))
        uow.commit()
    open_order(tvers, providers, GiftCardTender(code=card.code, amount=Decimal("100.00"), currency="NOK"),
               TestCardTender(card_number="4242424242424242", amount=Decimal("200.00"), currency="NOK"),
               total="300.00", order_id=order_id)
    authorize_order(tvers, providers, order_id)
    card_before = _card_balance(tvers, card.id)
    for kind, amount, answered in steps:
        _step(tvers, providers, order_id, kind, nok_minor(amount), answered=answered)
    with tvers.uow(read_only=True) as uow:
        paid = payments.payments_for_order(uow, order_id)
    for payment in paid:
        assert Decimal(payment.refunded.amount) <= Decimal(payment.captured.amount) <= Decimal(payment.authorized.amount)
    gift = paid[0]
    assert _card_balance(tvers, card.id) == card_before + Decimal(gift.refunded.amount)
    assert ledger_problems(tvers) == {}


def nok_minor(minor: int) -> Money:
    return Money(minor, "NOK")


def _step(tvers, providers, order_id, kind, amount, *, answered):
    decide = payments.captures_for if kind == "capture" else payments.refunds_for
    try:
        with tvers.uow() as uow:
            requests = decide(uow, order_id=order_id, amount=amount)
            uow.commit()
    except (NothingToCapture, NothingToRefund):
        return
    results = [payments.call_provider(r, providers=providers) if answered else
               payments.ProviderResult(r, payments.ResultStatus.FAILED, failure_code="refused") for r in requests]
    with tvers.uow() as uow:
        payments.record_results(uow, results)
        uow.commit()


def _card_balance(tvers, gift_card_id):
    with tvers.uow(read_only=True) as uow:
        return Decimal(customers.get_gift_card(uow, gift_card_id).balance.amount)
