"""Gift cards and store credit: shown-once codes, conditional redemption, clean refusals that change nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from support.customers import counts, create, ident, seed_channels
from tvers.customers import service as customers
from tvers.customers.errors import GiftCardExpired, InsufficientBalance, WrongCurrency
from tvers.customers.money_schemas import GiftCardIssueIn, GiftCardRedeemIn, GiftCardRefundIn, StoreCreditIn, StoreCreditRedeemIn


@pytest.fixture
def card(tvers):
    seed_channels(tvers)
    with tvers.uow() as uow:
        issued = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal("500.00"), currency="NOK", expires_on=date(2027, 12, 31),
                                                                 channel="pos-oslo"))
        uow.commit()
    return issued


def redeem(tvers, code, amount, currency="NOK", reference="r1", channel="web-no"):
    with tvers.uow() as uow:
        result = customers.redeem_gift_card(uow, GiftCardRedeemIn(code=code, amount=Decimal(amount), currency=currency,
                                                                 reference=reference, channel=channel))
        uow.commit()
    return result


def test_the_code_is_shown_once_and_stored_only_as_a_digest(tvers, card):
    with tvers.uow(read_only=True) as uow:
        stored = uow.session.execute(text("SELECT code_hash, last4 FROM gift_cards")).one()
    assert card.code.replace("-", "") not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.last4 == card.code[-4:] == card.last4


def test_redeem_in_store_and_on_the_web_then_refund(tvers, card):
    redeem(tvers, card.code, "120.00", reference="pos-1", channel="pos-oslo")
    redeem(tvers, card.code.lower(), "80.00", reference="web-1")
    redeem(tvers, card.code, "80.00", reference="web-1")  # a retry of the same tender
    with tvers.uow() as uow:
        refunded = customers.refund_to_gift_card(uow, card.id, GiftCardRefundIn(amount=Decimal("30.00"), currency="NOK", reference="ret-1"))
        entries = customers.gift_card_entries(uow, card.id)
        uow.commit()
    assert refunded.balance.amount == "330.00"
    with tvers.uow(read_only=True) as uow:
        assert customers.check_gift_card_ledgers(uow) == []
    assert [(e.kind, e.amount.amount) for e in entries] == [("issue", "500.00"), ("redeem", "-120.00"), ("redeem", "-80.00"),
                                                           ("refund", "30.00")]


@pytest.mark.parametrize(("amount", "currency", "today", "error"), [
    ("500.01", "NOK", None, InsufficientBalance),
    ("10.00", "SEK", None, WrongCurrency),
    ("10.00", "NOK", "2028-01-01", GiftCardExpired),
])
def test_refused_redemptions_change_nothing(tvers, card, clock, amount, currency, today, error):
    if today:
        clock.set(clock.now().replace(year=2028, month=1, day=1))
    before = counts(tvers)
    with pytest.raises(error):
        redeem(tvers, card.code, amount, currency=currency)
    assert counts(tvers) == before
    with tvers.uow(read_only=True) as uow:
        assert customers.get_gift_card(uow, card.id).balance.amount == "500.00"


def test_void_writes_off_the_rest(tvers, card):
    redeem(tvers, card.code, "100.00")
    with tvers.uow() as uow:
        voided = customers.void_gift_card(uow, card.id)
        total = uow.session.scalar(text("SELECT SUM(amount_minor) FROM gift_card_entries"))
        uow.commit()
    assert (voided.status, voided.balance.amount, total) == ("void", "0.00", 0)


def test_store_credit_per_currency_with_a_ledger(tvers, card):
    kari = create(tvers, ident("email", "kari@example.no"))
    with tvers.uow() as uow:
        customers.issue_store_credit(uow, kari, StoreCreditIn(amount=Decimal("200"), currency="NOK", reason="return", reference="ret-9"))
        customers.issue_store_credit(uow, kari, StoreCreditIn(amount=Decimal("50"), currency="SEK", reason="goodwill", reference="gw-1"))
        customers.redeem_store_credit(uow, kari, StoreCreditRedeemIn(amount=Decimal("150"), currency="NOK", reference="chk-1"))
        uow.commit()
    before = counts(tvers)
    with pytest.raises(InsufficientBalance), tvers.uow() as uow:
        customers.redeem_store_credit(uow, kari, StoreCreditRedeemIn(amount=Decimal("51"), currency="NOK", reference="chk-2"))
    assert counts(tvers) == before
    with tvers.uow() as uow:
        customers.restore_store_credit(uow, "chk-1")
        balances = customers.store_credit_of(uow, kari).balances
        assert customers.check_store_credit_ledgers(uow) == []
        uow.commit()
    assert [(b.amount, b.currency) for b in balances] == [("200.00", "NOK"), ("50.00", "SEK")]


def test_a_merge_moves_store_credit_and_gift_card_ownership(tvers, card):
    a, b = create(tvers, ident("email", "a@example.no")), create(tvers, ident("email", "b@example.no"))
    with tvers.uow() as uow:
        owned = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal("100"), currency="NOK", owner_id=b))
        customers.issue_store_credit(uow, b, StoreCreditIn(amount=Decimal("75"), currency="NOK", reason="return", reference="ret-1"))
        customers.merge_customers(uow, survivor_id=a, merged_id=b, reason="same person", actor="key_staff")
        uow.commit()
    with tvers.uow(read_only=True) as uow:
        view = customers.customer_view(uow, b)
    assert view.profile.id == a and [g.id for g in view.gift_cards] == [owned.id]
    assert [(m.amount, m.currency) for m in view.store_credit] == [("75.00", "NOK")]
