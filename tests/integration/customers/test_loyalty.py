"""Loyalty: points earned on order.completed from any channel (once per order), burnt as a tender, tiers over a window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from support.customers import counts, create, ident, seed_channels
from tvers.bootstrap import build, module_subscribers
from tvers.customers import service as customers
from tvers.customers.errors import InsufficientPoints, WrongCurrency
from tvers.customers.money_schemas import AdjustPointsIn, RedeemPointsIn
from tvers.kernel.events import DomainEvent
from tvers.settings import Settings


@dataclass(frozen=True)
class OrderCompleted(DomainEvent):
    """What the orders module will publish; recorded here by hand."""

    type: ClassVar[str] = "order.completed"
    order_id: str
    customer_id: str
    channel: str
    currency: str
    amount_minor: int
    completed_at: str


@pytest.fixture
def kari(tvers):
    seed_channels(tvers)
    return create(tvers, ident("loyalty_card", "7001000042"), given_name="Kari")


@pytest.fixture
def relay_tvers(tvers, clock):
    """The same database with the modules' real subscribers, as `tvers worker` runs them."""
    app = build(Settings(database_url=tvers.settings.database_url), clock=clock, subscribers=module_subscribers())
    yield app
    app.close()


def complete_order(tvers, order_id, customer_id, channel, currency, amount_minor):
    with tvers.uow() as uow:
        uow.record(OrderCompleted(order_id=order_id, customer_id=customer_id, channel=channel, currency=currency,
                                  amount_minor=amount_minor, completed_at=uow.clock.now().isoformat()))
        uow.commit()


def summary(tvers, customer_id):
    with tvers.uow(read_only=True) as uow:
        return customers.loyalty_summary(uow, customer_id)


def test_store_and_web_purchases_earn_into_one_account_once_per_order(relay_tvers, kari):
    # given a store purchase of NOK 1 299 and a Swedish web purchase of SEK 2 050, the store event delivered twice
    complete_order(relay_tvers, "ord_store_1", kari, "pos-oslo", "NOK", 129_900)
    complete_order(relay_tvers, "ord_store_1", kari, "pos-oslo", "NOK", 129_900)
    complete_order(relay_tvers, "ord_web_1", kari, "web-se", "SEK", 205_000)
    # when the relay runs
    relay_tvers.relay.run_once()
    relay_tvers.relay.run_once()
    # then 129 + 205 points landed in the same account, the repeated order only once
    assert summary(relay_tvers, kari).balance == 129 + 205
    with relay_tvers.uow(read_only=True) as uow:
        assert [(e.kind, e.channel) for e in customers.points_history(uow, kari)] == [("earn", "pos-oslo"), ("earn", "web-se")]
        assert customers.check_points_ledgers(uow) == []


def test_points_redeem_as_a_tender_and_restore_once(tvers, kari):
    with tvers.uow() as uow:
        customers.earn_for_order(uow, order_id="o1", customer_id=kari, channel="web-no", currency="NOK", amount_minor=500_000)
        first = customers.redeem_points(uow, kari, RedeemPointsIn(points=200, currency="NOK", reference="chk_1"))
        again = customers.redeem_points(uow, kari, RedeemPointsIn(points=200, currency="NOK", reference="chk_1"))
        customers.restore_points(uow, "chk_1")
        customers.restore_points(uow, "chk_1")
        uow.commit()
    assert first == again and first.value.amount == "20.00" and first.value.currency == "NOK"
    assert summary(tvers, kari).balance == 500


def test_a_negative_adjustment_below_zero_is_refused_and_nothing_changes(tvers, kari):
    with tvers.uow() as uow:
        customers.adjust_points(uow, kari, AdjustPointsIn(points=100, reason="goodwill"), actor="key_admin")
        uow.commit()
    before = counts(tvers)
    with pytest.raises(InsufficientPoints) as raised, tvers.uow() as uow:
        customers.adjust_points(uow, kari, AdjustPointsIn(points=-101, reason="correction"), actor="key_admin")
    assert [f.field for f in raised.value.fields] == ["points"]
    assert counts(tvers) == before and summary(tvers, kari).balance == 100


def test_points_cannot_be_spent_in_an_unknown_currency(tvers, kari):
    with pytest.raises(WrongCurrency), tvers.uow() as uow:
        customers.redeem_points(uow, kari, RedeemPointsIn(points=1, currency="USD", reference="chk_2"))


def test_tiers_follow_points_earned_in_the_rolling_window(tvers, kari, clock):
    with tvers.uow() as uow:
        customers.earn_for_order(uow, order_id="o-old", customer_id=kari, channel="web-no", currency="NOK", amount_minor=6_000_000)
        uow.commit()
    assert summary(tvers, kari).tier.code == "gold"
    with tvers.uow(read_only=True) as uow:
        assert customers.tier_benefits(uow, kari).free_shipping is True
    clock.advance(days=366)
    with tvers.uow() as uow:
        customers.earn_for_order(uow, order_id="o-new", customer_id=kari, channel="web-no", currency="NOK", amount_minor=2_000_000)
        uow.commit()
    later = summary(tvers, kari)
    assert (later.tier.code, later.qualifying_points, later.balance, later.next_tier) == ("silver", 2000, 8000, "gold")


def test_reversing_an_order_takes_its_points_back_once(tvers, kari):
    with tvers.uow() as uow:
        customers.earn_for_order(uow, order_id="o1", customer_id=kari, channel="web-no", currency="NOK", amount_minor=100_000)
        assert customers.reverse_order_points(uow, order_id="o1", reason="returned") == 100
        assert customers.reverse_order_points(uow, order_id="o1", reason="returned") == 0
        uow.commit()
    assert summary(tvers, kari).balance == 0


def test_a_merge_moves_points_and_keeps_tier_history(tvers, kari, clock):
    other = create(tvers, ident("email", "kari@example.no"))
    with tvers.uow() as uow:
        customers.earn_for_order(uow, order_id="o1", customer_id=other, channel="web-no", currency="NOK", amount_minor=2_000_000)
        customers.merge_customers(uow, survivor_id=kari, merged_id=other, reason="same person", actor="key_staff")
        # an old order event naming the merged profile earns for the survivor, still once
        customers.earn_for_order(uow, order_id="o2", customer_id=other, channel="web-no", currency="NOK", amount_minor=100_000)
        customers.earn_for_order(uow, order_id="o1", customer_id=other, channel="web-no", currency="NOK", amount_minor=2_000_000)
        uow.commit()
    result = summary(tvers, kari)
    assert (result.balance, result.qualifying_points, result.tier.code) == (2100, 2100, "silver")
    assert summary(tvers, other).customer_id == kari
    with tvers.uow(read_only=True) as uow:
        assert customers.check_points_ledgers(uow) == []


def test_expired_points_leave_the_balance_but_not_below_zero(tvers, kari):
    with tvers.uow() as uow:
        customers.earn_for_order(uow, order_id="o1", customer_id=kari, channel="web-no", currency="NOK", amount_minor=30_000)
        assert customers.expire_points(uow, kari, points=20, reason="expired after 24 months") == 10
        assert customers.expire_points(uow, kari, points=50, reason="expired after 24 months") == 0
        uow.commit()
    with tvers.uow(read_only=True) as uow:
        assert [e.kind.value for e in customers.points_history(uow, kari)] == ["earn", "expire", "expire"]
        assert customers.check_points_ledgers(uow) == []
