"""The demo's return plan: the same for a seed, rates by channel and category, reasons that fit, and believable journeys
(to a store while it is open, or by post to the country's warehouse days later), always inside the return window."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tvers.channels.schemas import ChannelType
from tvers.demo.return_plan import HandedOver, PlannedReturn, SoldLine, plan_returns, return_rate
from tvers.demo.stores import STORES, WAREHOUSES
from tvers.returns.schemas import ReasonCode

START = datetime(2026, 8, 4, 13, 45, tzinfo=UTC)
WINDOW = timedelta(days=30)
STORE_COUNTRY = {s.code: s.country for s in STORES}
WAREHOUSE_CODES = {w.code for w in WAREHOUSES}
CATEGORIES = ("apparel/jackets", "apparel/t-shirts", "footwear/hiking-boots", "equipment/tents", "accessories/socks", "food/snacks")
# (channel, type, delivery, store, country)
SOLD_ON = (("web-no", ChannelType.WEB, "ship", None, "NO"), ("web-fi", ChannelType.WEB, "ship", None, "FI"),
           ("app-se", ChannelType.APP, "pickup", "goteborg-avenyn", "SE"), ("nordmarket-se", ChannelType.MARKETPLACE, "ship", None, "SE"),
           ("pos-bergen-torget", ChannelType.POS, "carry_out", "bergen-torget", "NO"),
           ("pos-aarhus-ryesgade", ChannelType.POS, "carry_out", "aarhus-ryesgade", "DK"))


def orders(count: int = 6000, *, seed: int = 5) -> list[HandedOver]:
    rng = random.Random(seed)
    made = []
    for i in range(count):
        channel, kind, delivery, store, country = rng.choice(SOLD_ON)
        lines = tuple(SoldLine(line_id=f"ln_{i}_{n}", category=rng.choice(CATEGORIES), quantity=rng.choice((1, 1, 1, 2)))
                      for n in range(rng.randint(1, 3)))
        made.append(HandedOver(order_id=f"ord_{i}", channel=channel, channel_type=kind, delivery=delivery, store=store,
                               city=rng.choice(("Oslo", "Bergen", "Hamar")) if country == "NO" else None, country=country,
                               handed_over_at=START + timedelta(hours=i), window=WINDOW, lines=lines))
    return made


@pytest.fixture(scope="module")
def sold() -> list[HandedOver]:
    return orders()


@pytest.fixture(scope="module")
def planned(sold: list[HandedOver]) -> list[PlannedReturn]:
    return plan_returns(random.Random(9), sold)


def line_share(sold: list[HandedOver], planned: list[PlannedReturn], kind: ChannelType, group: str) -> float:
    returned = {line.line_id for r in planned for line in r.lines}
    lines = [line.line_id for o in sold if o.channel_type is kind for line in o.lines if (line.category or "").startswith(group)]
    return sum(line in returned for line in lines) / len(lines)


def test_the_same_seed_plans_the_same_returns(sold, planned):
    assert plan_returns(random.Random(9), sold) == planned
    assert plan_returns(random.Random(10), sold) != planned


def test_web_apparel_comes_back_most_and_till_sales_least(sold, planned):
    web_apparel = line_share(sold, planned, ChannelType.WEB, "apparel")
    assert 0.2 < web_apparel < 0.3
    assert 0.08 < line_share(sold, planned, ChannelType.MARKETPLACE, "apparel") < 0.18
    assert line_share(sold, planned, ChannelType.POS, "apparel") < 0.09
    assert line_share(sold, planned, ChannelType.WEB, "equipment") < 0.12
    assert line_share(sold, planned, ChannelType.WEB, "food") == 0  # final sale
    assert return_rate(ChannelType.APP, "apparel/jackets") == return_rate(ChannelType.WEB, "apparel/jackets")


def test_a_size_that_does_not_fit_is_why_clothes_and_shoes_come_back(sold, planned):
    categories = {line.line_id: line.category or "" for o in sold for line in o.lines}
    reasons = Counter(line.reason for r in planned for line in r.lines if categories[line.line_id].startswith(("apparel", "footwear")))
    assert reasons.most_common(1)[0][0] is ReasonCode.WRONG_SIZE
    tills = {o.order_id for o in sold if o.delivery == "carry_out"}
    assert all(line.reason is not ReasonCode.LATE for r in planned if r.order_id in tills for line in r.lines)


def test_some_returns_are_partial_and_some_units_damaged(planned):
    assert any(line.quantity < line.sold for r in planned for line in r.lines)  # 1 of 2 units
    assert any(r.is_partial and all(line.quantity == line.sold for line in r.lines) for r in planned)  # one line of several
    damaged = [line for r in planned for line in r.lines if line.damaged]
    assert damaged and all(0 < line.damaged <= line.quantity for line in damaged)
    assert Counter(line.reason for line in damaged).most_common(1)[0][0] is ReasonCode.DAMAGED


def test_online_returns_come_to_a_store_in_the_country_or_by_post_to_its_warehouse(sold, planned):
    by_id = {o.order_id: o for o in sold}
    web = [r for r in planned if by_id[r.order_id].channel == "web-no"]
    in_store = [r for r in web if r.is_in_store]
    assert 0.35 < len(in_store) / len(web) < 0.65
    assert all(STORE_COUNTRY[r.location] == "NO" for r in in_store)
    assert Counter(r.location for r in in_store).most_common(1)[0][0] in {"oslo-sentrum", "bergen-torget"}  # the shipping city's
    assert {r.location for r in web if not r.is_in_store} == {"dc-langhus"}
    # Finland has no store and marketplace buyers post theirs
    assert all(not r.is_in_store for r in planned if by_id[r.order_id].channel in ("web-fi", "nordmarket-se"))
    assert {r.location for r in planned if by_id[r.order_id].channel == "web-fi"} == {"dc-jonkoping"}
    # a till sale comes back to a store of its country, mostly the one it was bought in
    aarhus = [r for r in planned if by_id[r.order_id].channel == "pos-aarhus-ryesgade"]
    assert all(r.is_in_store and STORE_COUNTRY[r.location] == "DK" for r in aarhus)
    assert Counter(r.location for r in aarhus).most_common(1)[0][0] == "aarhus-ryesgade"


def test_every_return_is_asked_for_inside_its_window_and_received_after(sold, planned):
    by_id = {o.order_id: o for o in sold}
    for r in planned:
        handed_over_at = by_id[r.order_id].handed_over_at
        assert handed_over_at < r.asked_at < handed_over_at + WINDOW
        if r.is_in_store:  # at the counter, while the store is open (never on a Sunday)
            local = r.asked_at.astimezone(ZoneInfo("Europe/Oslo"))
            assert r.received_at == r.asked_at and local.weekday() != 6 and 10 <= local.hour < 20
        else:  # posted: in the warehouse two to five days later (or after, if it arrives while closed)
            assert r.location in WAREHOUSE_CODES
            assert timedelta(days=2) <= r.received_at - r.asked_at < timedelta(days=7)
    assert [r.asked_at for r in planned] == sorted(r.asked_at for r in planned)
