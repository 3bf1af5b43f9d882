"""Parts that go back as store credit whatever paid them: every part of a receipt-less return, and a marketplace's part where
its policy says so. The amounts per payment are the usual ones; only what they go back as changes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tvers.returns.refund_types import (
    CapturedTender,
    GiftCardRefund,
    MarketplaceRefund,
    RefundPolicy,
    ReturnLine,
    SoldLine,
    SoldOrder,
)
from tvers.returns.refunds import refund_for
from unit.returns.test_refund_properties import any_order, carried_out, in_parts, policies, some_units

RATE = Decimal("0.25")
BOOTS = SoldLine("boots", 2, 2, amount_minor=200_000, total_minor=200_000, vat_minor=40_000, vat_rate=RATE, title="Boots")
TENDERS = (CapturedTender("pay-card", "test_card", 80_000, position=0), CapturedTender("pay-gift", "gift_card", 50_000, position=1),
           CapturedTender("pay-points", "loyalty_points", 20_000, position=2, points=2_000),
           CapturedTender("pay-cash", "cash", 30_000, position=3), CapturedTender("pay-credit", "store_credit", 20_000, position=4))
MIXED = SoldOrder("NOK", True, (BOOTS,), TENDERS)
MARKET = SoldOrder("NOK", True, (BOOTS,), (CapturedTender("pay-market", "marketplace", 200_000),))


def parts(order: SoldOrder, policy: RefundPolicy) -> list[tuple[str, str, int, int]]:
    plan = refund_for([ReturnLine("boots", 2)], order, policy)
    return [(t.payment_id, t.refund_as, t.amount_minor, t.points) for t in plan.tenders]


def test_a_receiptless_return_sends_every_part_back_as_store_credit_in_the_usual_amounts() -> None:
    usual = parts(MIXED, RefundPolicy())
    receiptless = parts(MIXED, RefundPolicy(is_store_credit_only=True, gift_card=GiftCardRefund.GIFT_CARD))
    assert [(p, a) for p, _, a, _ in receiptless] == [(p, a) for p, _, a, _ in usual]
    assert sum(a for _, _, a, _ in receiptless) == 200_000
    assert {(p, r, n) for p, r, _, n in receiptless} == {("pay-card", "store_credit", 0), ("pay-cash", "store_credit", 0),
                                                         ("pay-credit", "store_credit", 0), ("pay-gift", "store_credit", 0),
                                                         ("pay-points", "store_credit", 0)}


def test_a_receiptless_part_says_why_it_is_store_credit() -> None:
    plan = refund_for([ReturnLine("boots", 1)], MIXED, RefundPolicy(is_store_credit_only=True))
    assert plan.tenders[0].explanation.startswith("800.00 NOK paid by test_card, as store credit (a receipt-less return)")


@pytest.mark.parametrize(("marketplace", "refund_as"), [(MarketplaceRefund.MARKETPLACE, "marketplace"),
                                                        (MarketplaceRefund.STORE_CREDIT, "store_credit")])
def test_a_marketplace_part_goes_back_as_the_policy_says(marketplace: MarketplaceRefund, refund_as: str) -> None:
    assert parts(MARKET, RefundPolicy(marketplace=marketplace)) == [("pay-market", refund_as, 200_000, 0)]


def test_the_marketplace_policy_leaves_other_tenders_alone() -> None:
    assert parts(MIXED, RefundPolicy(marketplace=MarketplaceRefund.STORE_CREDIT)) == parts(MIXED, RefundPolicy())


@settings(max_examples=150, deadline=None)
@given(data=st.data(), order=any_order, policy=policies)
def test_store_credit_only_changes_what_parts_go_back_as_never_how_much(data: st.DataObject, order: SoldOrder,
                                                                         policy: RefundPolicy) -> None:
    # given any order returned in random parts, once as usual and once receipt-less
    returns = data.draw(in_parts(data.draw(some_units(order))))
    usual, _ = carried_out(order, returns, policy)
    receiptless, final = carried_out(order, returns, replace(policy, is_store_credit_only=True))
    # then each return gives each payment the same amount, all of it as store credit and no points
    for plain, credit in zip(usual, receiptless, strict=True):
        assert [(t.payment_id, t.amount_minor) for t in credit.tenders] == [(t.payment_id, t.amount_minor) for t in plain.tenders]
        assert {(t.refund_as, t.points) for t in credit.tenders} <= {("store_credit", 0)}
    # and no payment ever gives back more than it captured
    assert all(after.refunded_minor <= before.captured_minor for before, after in zip(order.tenders, final.tenders, strict=True))
