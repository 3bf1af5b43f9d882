"""Property tests: the points balance is the sum of its ledger; a gift card never goes negative."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.customers import create, ident
from tvers.customers import service as customers
from tvers.customers.errors import InsufficientBalance, InsufficientPoints
from tvers.customers.money_schemas import AdjustPointsIn, GiftCardIssueIn, GiftCardRedeemIn, GiftCardRefundIn, RedeemPointsIn

FIXTURES = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
points_ops = st.lists(st.tuples(st.sampled_from(["earn", "burn", "reverse", "adjust"]), st.integers(min_value=1, max_value=5000)),
                      max_size=15)
card_ops = st.lists(st.tuples(st.sampled_from(["redeem", "refund"]), st.integers(min_value=1, max_value=40_000)), max_size=15)


@FIXTURES
@given(ops=points_ops)
def test_points_balance_is_the_sum_of_the_ledger(tvers, ops):
    customer = create(tvers, ident("device_id", f"device-{len(ops)}-{abs(hash(tuple(ops)))}"), channel=None)
    for number, (kind, amount) in enumerate(ops):
        try:
            with tvers.uow() as uow:
                _apply_points(uow, customer, kind, amount, number)
                uow.commit()
        except InsufficientPoints:
            pass
    with tvers.uow(read_only=True) as uow:
        history = customers.points_history(uow, customer)
        summary = customers.loyalty_summary(uow, customer)
        assert customers.check_points_ledgers(uow) == []
    assert summary.balance == sum(e.points for e in history) >= 0


def _apply_points(uow, customer, kind, amount, number):
    order = f"{customer}-o{number}"
    if kind == "earn":
        customers.earn_for_order(uow, order_id=order, customer_id=customer, channel=None, currency="EUR", amount_minor=amount * 100)
    elif kind == "burn":
        customers.redeem_points(uow, customer, RedeemPointsIn(points=amount, currency="EUR", reference=f"{customer}-b{number}"))
    elif kind == "reverse":
        customers.reverse_order_points(uow, order_id=f"{customer}-o{max(0, number - 1)}", reason="returned")
    else:
        customers.adjust_points(uow, customer, AdjustPointsIn(points=-amount if number % 2 else amount, reason="test"), actor="t")


@FIXTURES
@given(start=st.integers(min_value=1, max_value=100_000), ops=card_ops)
def test_a_gift_card_never_goes_negative(tvers, start, ops):
    with tvers.uow() as uow:
        card = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal(start) / 100, currency="EUR"))
        uow.commit()
    expected = start
    for number, (kind, amount) in enumerate(ops):
        try:
            with tvers.uow() as uow:
                money = Decimal(amount) / 100
                if kind == "redeem":
                    customers.redeem_gift_card(uow, GiftCardRedeemIn(code=card.code, amount=money, currency="EUR", reference=f"r{number}"))
                else:
                    customers.refund_to_gift_card(uow, card.id, GiftCardRefundIn(amount=money, currency="EUR", reference=f"f{number}"))
                uow.commit()
            expected += amount if kind == "refund" else -amount
        except InsufficientBalance:
            assert kind == "redeem" and amount > expected
    with tvers.uow(read_only=True) as uow:
        balance = Decimal(customers.get_gift_card(uow, card.id).balance.amount) * 100
        entries = sum(Decimal(e.amount.amount) * 100 for e in customers.gift_card_entries(uow, card.id))
    assert balance == entries == expected >= 0
