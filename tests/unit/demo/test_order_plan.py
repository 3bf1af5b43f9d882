"""The demo's order plan: the same for a seed, every channel, a believable week and day, tenders that fit their payers."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tvers.channels.schemas import ChannelType
from tvers.demo.customers import DemoShopper
from tvers.demo.offers import WELCOME_COUPON
from tvers.demo.order_plan import MIN_POINTS, OrderPlan, PlannedOrder, Tender, Who, card_number, plan_orders, sales_channels
from tvers.demo.stock import HISTORY_DAYS
from tvers.payments.providers.cards import brand_of, luhn_valid

GO_LIVE = datetime(2026, 8, 4, 13, 45, tzinfo=UTC)
END = GO_LIVE + timedelta(days=HISTORY_DAYS)
SATURDAY, SUNDAY = 5, 6


def shoppers(count: int = 3000, *, seed: int = 3) -> list[DemoShopper]:
    """Customers shaped like the demo's: NO/SE/DK, 45 % members with points, 90 % with an address, 85 % verified email."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        member = rng.random() < 0.45
        made.append(DemoShopper(
            customer_id=f"cus_{i}", country=rng.choice(("NO", "NO", "SE", "SE", "DK")), given_name="Kari", family_name="Nordmann",
            email=f"kari{i}@example.com", email_verified=rng.random() < 0.85, loyalty_card=f"7001{i:09d}" if member else None,
            points=rng.randint(50, 6000) if member else 0, address=("Storgata 1", "0150", "Oslo") if rng.random() < 0.9 else None,
        ))
    return made


@pytest.fixture(scope="module")
def people() -> list[DemoShopper]:
    return shoppers()


@pytest.fixture(scope="module")
def plan(people: list[DemoShopper]) -> OrderPlan:
    return plan_orders(seed=42, count=1200, go_live=GO_LIVE, shoppers=people)


def local(order: PlannedOrder) -> datetime:
    return order.at.astimezone(ZoneInfo(order.channel.time_zone))


def test_the_same_seed_plans_the_same_quarter_and_another_seed_another(people):
    # when the plan is made twice with one seed and once with another
    first, again, other = (plan_orders(seed=seed, count=300, go_live=GO_LIVE, shoppers=people) for seed in (7, 7, 8))
    # then the first two are equal, order by order, and the third differs
    assert first == again
    assert [(o.at, o.channel.code, o.shopper, o.tender) for o in other.orders] != [
        (o.at, o.channel.code, o.shopper, o.tender) for o in first.orders]


def test_the_plan_depends_on_the_day_not_the_hour_it_is_made(people):
    morning, evening = (plan_orders(seed=7, count=200, go_live=GO_LIVE.replace(hour=hour), shoppers=people) for hour in (6, 20))
    assert morning.orders == evening.orders


def test_every_channel_sells_across_the_whole_quarter_in_time_order(plan):
    orders = plan.orders
    # then there are as many orders as asked, in time order, with unique checkout keys, all inside the 90 days
    assert len(orders) == 1200
    assert [o.at for o in orders] == sorted(o.at for o in orders)
    assert len({o.key for o in orders}) == len(orders)
    assert all(GO_LIVE < o.at < END for o in orders)
    # and every channel the demo has took orders: web, app, each till, the marketplace, social and the call centre
    assert {o.channel.code for o in orders} == {c.code for c in sales_channels()}
    assert {c.type for c in sales_channels()} >= {ChannelType.WEB, ChannelType.APP, ChannelType.POS, ChannelType.MARKETPLACE,
                                                  ChannelType.SOCIAL, ChannelType.CALL_CENTER}
    # and trade runs from the first week to the last, nearly every day
    days = {(o.at - GO_LIVE).days for o in orders}
    assert min(days) < 3 and max(days) > HISTORY_DAYS - 3
    assert len(days) >= HISTORY_DAYS - 5


def test_even_a_small_plan_reaches_every_channel(people):
    small = plan_orders(seed=1, count=len(sales_channels()), go_live=GO_LIVE, shoppers=people)
    assert {o.channel.code for o in small.orders} == {c.code for c in sales_channels()}


def test_stores_are_busiest_on_saturdays_and_sell_only_in_opening_hours(plan):
    till = [local(o) for o in plan.orders if o.channel.type is ChannelType.POS]
    by_weekday = Counter(at.weekday() for at in till)
    # then nothing is sold on Sundays, when the stores are closed, and Saturday beats every weekday
    assert by_weekday[SUNDAY] == 0
    assert by_weekday[SATURDAY] > max(by_weekday[day] for day in range(5))
    # and every sale is inside opening hours: 10–20 on weekdays, 10–18 on Saturdays
    assert all(10 <= at.hour < (18 if at.weekday() == SATURDAY else 20) for at in till)


def test_the_web_shops_are_busiest_in_the_evening(plan):
    hours = Counter(local(o).hour for o in plan.orders if o.channel.type is ChannelType.WEB)
    evening, working_day = sum(hours[h] for h in range(18, 23)), sum(hours[h] for h in range(8, 13))
    assert evening > 1.5 * working_day
    assert sum(hours[h] for h in range(1, 6)) < evening / 10  # few at night


def test_tenders_fit_who_pays(plan, people):
    orders = plan.orders
    credit = {index for index, _ in plan.wallets.store_credit}
    # then every kind of payment occurs, splits included
    assert set(Counter(o.tender for o in orders)) == set(Tender)
    for order in orders:
        shopper = people[order.shopper] if order.shopper is not None else None
        # the marketplace collects its own orders, and only those
        assert (order.tender is Tender.MARKETPLACE) == (order.channel.type is ChannelType.MARKETPLACE)
        # cash and store credit at the till only; store credit by those who hold it, points by members who have them
        if order.tender in (Tender.CASH, Tender.STORE_CREDIT_AND_CASH):
            assert order.channel.type is ChannelType.POS
        if order.tender is Tender.STORE_CREDIT_AND_CASH:
            assert order.shopper in credit
        if order.tender is Tender.POINTS_AND_CARD:
            assert shopper is not None and shopper.loyalty_card is not None and shopper.points >= MIN_POINTS
        if order.who is Who.LOYALTY_CARD:
            assert shopper is not None and shopper.loyalty_card is not None
        if order.retry_after is not None:
            assert order.tender is Tender.DECLINED_CARD


def test_who_buys_where_and_how_it_leaves(plan, people):
    for order in plan.orders:
        shopper = people[order.shopper] if order.shopper is not None else None
        # shoppers buy in their own country; guests carry no customer
        assert shopper is None or shopper.country == order.channel.country
        assert (order.who is Who.GUEST) == (shopper is None)
        # tills hand the goods over at once, in their own store; what is shipped goes to an address
        if order.channel.type is ChannelType.POS:
            assert (order.delivery, order.location) == ("carry_out", order.channel.store)
        elif order.delivery == "ship":
            assert order.guest is not None or (shopper is not None and shopper.address is not None)
        else:
            assert order.delivery in ("pickup", "curbside") and order.location is not None
    kinds = Counter(o.who for o in plan.orders)
    assert set(kinds) == set(Who)
    assert 0.2 < kinds[Who.GUEST] / len(plan.orders) < 0.5
    # and the welcome coupon is used once per customer, online, by signed-in customers
    welcomed = [o.shopper for o in plan.orders if o.coupon == WELCOME_COUPON]
    assert welcomed and len(welcomed) == len(set(welcomed))
    assert all(o.who is Who.ACCOUNT and o.channel.type in (ChannelType.WEB, ChannelType.APP)
               for o in plan.orders if o.coupon is not None)


def test_card_numbers_pass_luhn_and_tell_brands_apart():
    numbers = [card_number(holder, brand=brand) for holder in (0, 7, 4999, 10_000_123) for brand in ("visa", "mastercard")]
    assert all(luhn_valid(n) and len(n) == 16 for n in numbers)
    assert {brand_of(n) for n in numbers} == {"visa", "mastercard"}
    assert len(set(numbers)) == len(numbers)
