"""Helpers for payment tests: a customer with a gift card, store credit and points; checkout steps; counts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from support.customers import TABLES as CUSTOMER_TABLES
from support.customers import create, ident, seed_channels
from tvers.bootstrap import Tvers
from tvers.customers import service as customers
from tvers.customers.money_schemas import AdjustPointsIn, GiftCardIssueIn, StoreCreditIn
from tvers.kernel.money import Money
from tvers.payments import service as payments
from tvers.payments.providers import Providers, build_providers
from tvers.payments.providers.test_card import TestCardProvider
from tvers.payments.schemas import PaymentOut
from tvers.settings import Settings

TABLES = (*CUSTOMER_TABLES, "payments", "payment_transactions")
APPROVE, DECLINE, ERROR, ACTION = "4242424242424242", "4000000000000002", "4000000000000119", "4000000000003220"


@dataclass(frozen=True)
class Wallet:
    """A customer and what they can pay with: a NOK 500 gift card, NOK 300 store credit, 1000 points (NOK 100)."""

    customer_id: str
    gift_card_id: str
    gift_card_code: str


def make_providers() -> Providers:
    return build_providers(Settings(payments_test_card=True, stripe_secret_key=None))


def card_provider(providers: Providers) -> TestCardProvider:
    provider = providers.external("test_card")
    assert isinstance(provider, TestCardProvider)
    return provider


def make_wallet(tvers: Tvers, *, email: str = "kari@example.no") -> Wallet:
    seed_channels(tvers)
    customer_id = create(tvers, ident("email", email, verified=True), given_name="Kari")
    with tvers.uow() as uow:
        card = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal("500.00"), currency="NOK", channel="pos-oslo"))
        customers.issue_store_credit(uow, customer_id, StoreCreditIn(amount=Decimal("300.00"), currency="NOK", reason="goodwill",
                                                                     reference="seed-credit"))
        customers.adjust_points(uow, customer_id, AdjustPointsIn(points=1000, reason="welcome"), actor="test")
        uow.commit()
    return Wallet(customer_id=customer_id, gift_card_id=card.id, gift_card_code=card.code)


def nok(amount: str) -> Money:
    return Money.of(amount, "NOK")


def open_order(tvers: Tvers, providers: Providers, *tenders: Any, order_id: str = "ord_1", total: str,
               customer_id: str | None = None, channel: str = "web-no") -> list[PaymentOut]:
    with tvers.uow() as uow:
        opened = payments.open_payments(uow, order_id=order_id, customer_id=customer_id, channel=channel, tenders=list(tenders),
                                        total=nok(total), providers=providers)
        uow.commit()
    return opened


def authorize_order(tvers: Tvers, providers: Providers, order_id: str = "ord_1") -> payments.PaymentsOutcome:
    """Steps 2 and 3: ask what to send (a transaction), send it (none open), record it (a transaction)."""
    with tvers.uow(read_only=True) as uow:
        requests = payments.external_authorizations(uow, order_id)
    results = [payments.authorize(request, providers=providers) for request in requests]
    return record(tvers, results, order_id=order_id)


def record(tvers: Tvers, results: list[payments.ProviderResult], *, order_id: str) -> payments.PaymentsOutcome:
    with tvers.uow() as uow:
        outcome = payments.record_results(uow, results) if results else payments.payments_outcome(uow, order_id)
        uow.commit()
    return outcome


def send_and_record(tvers: Tvers, providers: Providers, requests: list[payments.ProviderRequest],
                    order_id: str = "ord_1") -> payments.PaymentsOutcome:
    results = [payments.call_provider(request, providers=providers) for request in requests]
    return record(tvers, results, order_id=order_id)


def balances(tvers: Tvers, wallet: Wallet) -> tuple[str, list[str], int]:
    """Gift card balance, store credit balances, points balance."""
    with tvers.uow(read_only=True) as uow:
        card = customers.get_gift_card(uow, wallet.gift_card_id).balance.amount
        credit = [b.amount for b in customers.store_credit_of(uow, wallet.customer_id).balances]
        points = customers.loyalty_summary(uow, wallet.customer_id).balance
    return card, credit, points


def counts(tvers: Tvers) -> dict[str, int]:
    with tvers.uow(read_only=True) as uow:
        return {t: uow.session.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) or 0 for t in TABLES}


def ledger_problems(tvers: Tvers) -> dict[str, list[str]]:
    with tvers.uow(read_only=True) as uow:
        found = {"payments": payments.check_payment_ledgers(uow), "gift_cards": customers.check_gift_card_ledgers(uow),
                 "store_credit": customers.check_store_credit_ledgers(uow), "points": customers.check_points_ledgers(uow)}
    return {name: bad for name, bad in found.items() if bad}


def outbox_types(tvers: Tvers, prefix: str = "payment.") -> list[str]:
    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(text("SELECT type FROM outbox ORDER BY id")).scalars().all()
    return [t for t in rows if t.startswith(prefix)]
