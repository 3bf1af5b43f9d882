"""Plans the demo's returns from a seed: which handed-over units come back, why, in what state, where and when.

Pure: no database. `demo/returns.py` reads the quarter's completed orders, hands them here in a fixed order, and sends
each planned return through the real returns workflow. Online shoppers bring many returns to a store (a web order
returned in a Swedish store is refunded to its card like one sent by post); the rest go by post to a warehouse.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tvers.channels.schemas import ChannelType
from tvers.demo.stores import STORE_HOURS, STORES, WAREHOUSE_HOURS, WAREHOUSES, DemoLocation
from tvers.fulfillment.hours import opens_at
from tvers.returns.schemas import ReasonCode

R = ReasonCode
# Share of handed-over order lines that come back, by how the order was sold and the category's first segment.
# Assumptions for the demo, not measured figures: chosen inside the ranges commonly quoted for online fashion and
# outdoor retail (online apparel and shoes around a quarter, other online goods below a tenth, marketplaces around a
# tenth, tills a few percent). Food is final sale (demo/returns.py stores that policy), so it never comes back.
RETURN_RATES = {
    "online": {"apparel": 0.25, "footwear": 0.20, "accessories": 0.09, "equipment": 0.08},
    "marketplace": {"apparel": 0.13, "footwear": 0.12, "accessories": 0.10, "equipment": 0.10},
    "phone": {"apparel": 0.15, "footwear": 0.14, "accessories": 0.06, "equipment": 0.06},
    "till": {"apparel": 0.06, "footwear": 0.05, "accessories": 0.03, "equipment": 0.03},
}
# Why a line comes back, by category: a size that does not fit dominates clothes and shoes.
REASONS = {
    "apparel": ((R.WRONG_SIZE, 55), (R.CHANGED_MIND, 18), (R.NOT_AS_DESCRIBED, 14), (R.DAMAGED, 5), (R.LATE, 3), (R.OTHER, 5)),
    "footwear": ((R.WRONG_SIZE, 60), (R.CHANGED_MIND, 12), (R.NOT_AS_DESCRIBED, 14), (R.DAMAGED, 7), (R.LATE, 2), (R.OTHER, 5)),
    "accessories": ((R.CHANGED_MIND, 35), (R.WRONG_SIZE, 20), (R.NOT_AS_DESCRIBED, 20), (R.DAMAGED, 12), (R.LATE, 3), (R.OTHER, 10)),
    "equipment": ((R.CHANGED_MIND, 35), (R.NOT_AS_DESCRIBED, 28), (R.DAMAGED, 22), (R.LATE, 5), (R.OTHER, 10)),
}
PARTIAL_SHARE = 0.6  # of returned lines of several units (a pack of socks, food): only some units come back
DAMAGED_AS_SAID = 0.8  # of units said to be damaged: staff agree on inspection
DAMAGED_ANYWAY = 0.03  # of other units: worn, stained or without tags on inspection
IN_STORE_SHARE = 0.5  # of returns of parcels, where the country has stores: brought to a store rather than posted
COLLECTED_TO_STORE_SHARE = 0.9  # of click-and-collect returns: brought to a store (till sales always are)
SAME_STORE_SHARE = 0.85  # of returns brought to a store after a till sale or a collection: the store it was bought or collected at
HOME_CITY_SHARE = 0.8  # of parcels brought to a store: the store in the shipping city, if there is one
RETURN_WAREHOUSE = {"NO": "dc-langhus"}  # posted returns go to the country's warehouse; the rest to Jönköping
POSTAL_DAYS = (2.0, 5.0)
PLACES = {place.code: place for place in STORES + WAREHOUSES}
LATEST_DAY = 26  # days after the goods were handed over; inside the default 30-day window even after a closed Sunday


@dataclass(frozen=True)
class SoldLine:
    line_id: str
    category: str | None
    quantity: int  # handed over


@dataclass(frozen=True)
class HandedOver:
    """A completed order as the plan needs it."""

    order_id: str
    channel: str
    channel_type: ChannelType
    delivery: str  # ship | pickup | curbside | carry_out
    store: str | None  # the till's or the pickup store
    city: str | None  # shipped to
    country: str
    handed_over_at: datetime
    window: timedelta
    lines: tuple[SoldLine, ...]


@dataclass(frozen=True)
class PlannedLine:
    line_id: str
    quantity: int
    sold: int  # handed over: more than `quantity` for a partial return
    reason: ReasonCode
    damaged: int  # of `quantity`, found damaged on inspection


@dataclass(frozen=True)
class PlannedReturn:
    order_id: str
    channel: str
    channel_type: ChannelType
    asked_at: datetime
    received_at: datetime
    location: str
    is_in_store: bool
    is_partial: bool  # the customer keeps some of what was handed over: other lines, or some units of a line
    lines: tuple[PlannedLine, ...]


def plan_returns(rng: random.Random, orders: Sequence[HandedOver]) -> list[PlannedReturn]:
    """The returns of `orders` (read in the given order), those asked for inside their window, by when they are asked for."""
    planned = []
    for order in orders:
        lines = [line for sold in order.lines if (line := _returned_line(rng, order, sold)) is not None]
        if not lines:
            continue
        found = _journey(rng, order, tuple(lines))
        if found.asked_at < order.handed_over_at + order.window:
            planned.append(found)
    return sorted(planned, key=lambda r: r.asked_at)


def return_rate(channel_type: ChannelType, category: str | None) -> float:
    kind = {ChannelType.POS: "till", ChannelType.MARKETPLACE: "marketplace", ChannelType.CALL_CENTER: "phone"}.get(channel_type, "online")
    return RETURN_RATES[kind].get(_group(category), 0.0)


def _group(category: str | None) -> str:
    return (category or "").split("/")[0]


def _returned_line(rng: random.Random, order: HandedOver, sold: SoldLine) -> PlannedLine | None:
    if sold.quantity < 1 or rng.random() >= return_rate(order.channel_type, sold.category):
        return None
    quantity = sold.quantity
    if quantity > 1 and rng.random() < PARTIAL_SHARE:
        quantity = rng.randint(1, quantity - 1)
    reasons = [(reason, weight) for reason, weight in REASONS[_group(sold.category)]
               if not (reason is R.LATE and order.delivery == "carry_out")]  # nothing is late at the till
    reason = rng.choices([r for r, _ in reasons], weights=[w for _, w in reasons])[0]
    chance = DAMAGED_AS_SAID if reason is R.DAMAGED else DAMAGED_ANYWAY
    damaged = sum(rng.random() < chance for _ in range(quantity))
    return PlannedLine(line_id=sold.line_id, quantity=quantity, sold=sold.quantity, reason=reason, damaged=damaged)


def _journey(rng: random.Random, order: HandedOver, lines: tuple[PlannedLine, ...]) -> PlannedReturn:
    """Brought to a store (asked for and received at the counter at once), or posted to a warehouse days after asking."""
    is_partial = len(lines) < sum(sold.quantity > 0 for sold in order.lines) or any(line.quantity < line.sold for line in lines)
    store = _store(rng, order)
    if store is not None:
        at = _store_visit(rng, order.handed_over_at, store)
        return PlannedReturn(order.order_id, order.channel, order.channel_type, asked_at=at, received_at=at, location=store.code,
                             is_in_store=True, is_partial=is_partial, lines=lines)
    asked_at = order.handed_over_at + timedelta(days=rng.triangular(0.2, LATEST_DAY, 3))
    warehouse = PLACES[RETURN_WAREHOUSE.get(order.country, "dc-jonkoping")]
    arrives = asked_at + timedelta(days=rng.uniform(*POSTAL_DAYS))
    received_at = opens_at(WAREHOUSE_HOURS, warehouse.time_zone, arrives) or arrives
    return PlannedReturn(order.order_id, order.channel, order.channel_type, asked_at=asked_at, received_at=received_at,
                         location=warehouse.code, is_in_store=False, is_partial=is_partial, lines=lines)


def _store(rng: random.Random, order: HandedOver) -> DemoLocation | None:
    """Where a shopper brings the goods, or None when they post them (marketplace buyers always post)."""
    in_country = [s for s in STORES if s.country == order.country]
    if order.store is not None and (order.delivery == "carry_out" or rng.random() < COLLECTED_TO_STORE_SHARE):
        return PLACES[order.store] if rng.random() < SAME_STORE_SHARE or not in_country else rng.choice(in_country)
    if order.channel_type is ChannelType.MARKETPLACE or not in_country or rng.random() >= IN_STORE_SHARE:
        return None
    home = [s for s in in_country if s.city == order.city]
    return home[0] if home and rng.random() < HOME_CITY_SHARE else rng.choice(in_country)


def _store_visit(rng: random.Random, handed_over_at: datetime, store: DemoLocation) -> datetime:
    """A day or more after the goods were handed over, most within the first week, at a time the store is open."""
    zone = ZoneInfo(store.time_zone)
    day = handed_over_at.astimezone(zone).date() + timedelta(days=round(rng.triangular(1, LATEST_DAY, 4)))
    local = datetime.combine(day, time(10), tzinfo=zone) + timedelta(minutes=rng.randrange(0, 8 * 60))
    visit = opens_at(STORE_HOURS, store.time_zone, local) or local  # closed on Sundays: the Monday morning
    return visit.astimezone(UTC)
