"""PROOF "Channel buffers and pickup-only locations change ATP exactly as specified" (table-driven).

Each row: a channel's pool of locations (ships from / pickup, capabilities, active or not)
with their stock (on hand, reserved, safety stock), the channel's buffer, and what
GET /api/v1/channels/{code}/availability must answer: ATP and the pickup locations.
ATP = Σ over active, shipping locations the channel ships from of max(0, on_hand − reserved
− safety_stock), then the share held back (rounded up), then the fixed units, never below 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from support.api import ok
from support.inventory import Place, make_stock_setup
from tvers.channels.schemas import ChannelType


@dataclass(frozen=True)
class Case:
    id: str
    places: tuple[Place, ...]
    atp: int
    pickup: tuple[str, ...] = ()
    percent: int = 0
    units: int = 0
    reserved: dict[str, int] = field(default_factory=dict)  # location → units reserved there
    counted: dict[str, int] = field(default_factory=dict)  # location → shelf count after reserving


def pickup_store(code: str, stock: int, *, ships_from: bool = False, **more: Any) -> Place:
    return Place(code, stock=stock, offers_pickup=True, ships_from=ships_from, pickup=True, **more)


CASES = [
    Case("one warehouse", (Place("wh-1", stock=7),), atp=7),
    Case("two warehouses add up", (Place("wh-1", stock=7), Place("wh-2", stock=5)), atp=12),
    Case("marketplace sees 80 % of 3: the share held back rounds up", (Place("wh-1", stock=3),), atp=2, percent=20),
    Case("20 % held back of 10", (Place("wh-1", stock=10),), atp=8, percent=20),
    Case("fixed 2 units held back of 1", (Place("wh-1", stock=1),), atp=0, units=2),
    Case("share first, then units: 50 % of 10 less 1", (Place("wh-1", stock=10),), atp=4, percent=50, units=1),
    Case("the share is of the pool, not of each location", (Place("wh-1", stock=1), Place("wh-2", stock=1), Place("wh-3", stock=1)),
         atp=2, percent=20),
    Case("everything held back", (Place("wh-1", stock=9),), atp=0, percent=100),
    Case("pickup-only store: not in ATP, listed for pickup", (Place("wh-1", stock=4), pickup_store("store-1", 6)),
         atp=4, pickup=("store-1",)),
    Case("store that ships and offers pickup counts for both", (pickup_store("store-1", 6, ships_from=True),),
         atp=6, pickup=("store-1",)),
    Case("pickup stores are listed in code order", (pickup_store("store-b", 1), pickup_store("store-a", 2)),
         atp=0, pickup=("store-a", "store-b")),
    Case("pickup store without stock is not listed", (Place("wh-1", stock=4), pickup_store("store-1", 0)), atp=4),
    Case("pickup in the pool at a location that does not offer pickup", (Place("wh-1", stock=4, pickup=True),), atp=4),
    Case("safety stock subtracted per location, never below 0", (Place("wh-1", stock=5, safety_stock=2),
                                                                 Place("wh-2", stock=1, safety_stock=3)), atp=3),
    Case("pickup store whose stock is all safety stock is not listed", (pickup_store("store-1", 2, safety_stock=2),), atp=0),
    Case("reserved units excluded", (Place("wh-1", stock=8),), atp=3, reserved={"wh-1": 5}),
    Case("pickup store with everything reserved is not listed", (pickup_store("store-1", 2, ships_from=True),), atp=0,
         reserved={"store-1": 2}),
    Case("oversold location (counted below reserved) does not eat another's stock", (Place("wh-1", stock=5), Place("wh-2", stock=4)),
         atp=4, reserved={"wh-1": 3}, counted={"wh-1": 1}),
    Case("reserved, safety stock and buffer together", (Place("wh-1", stock=12, safety_stock=1), Place("wh-2", stock=6)),
         atp=13, reserved={"wh-2": 2}, percent=10),  # (11 + 4) less 10 % held back (1.5 → 2)
    Case("inactive location excluded", (Place("wh-1", stock=5), Place("wh-2", stock=9, is_active=False)), atp=5),
    Case("inactive pickup store not listed", (pickup_store("store-1", 3, is_active=False),), atp=0),
    Case("location that cannot ship is not in ATP even if the pool ships from it", (Place("wh-1", stock=5, ships=False),), atp=0),
    Case("location outside the pool is not counted", (Place("wh-1", stock=5), Place("wh-2", stock=8, in_pool=False)), atp=5),
]


def availability(client: Any, admin: dict[str, str], channel: str, *skus: str) -> list[dict[str, Any]]:
    return ok(client.get(f"/api/v1/channels/{channel}/availability", params={"skus": ",".join(skus)}, headers=admin))


def reserve(client: Any, admin: dict[str, str], tvers: Any, sku: str, location: str, quantity: int, *, minutes: int = 30) -> Any:
    return ok(client.post("/api/v1/reservations", headers=admin, json={
        "lines": [{"sku": sku, "location": location, "quantity": quantity}], "reference_type": "cart",
        "reference_id": f"cart-{location}", "expires_at": (tvers.clock.now() + timedelta(minutes=minutes)).isoformat()}))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_channel_atp(tvers, client, admin, case):
    # given the channel's pool and stock of the row
    setup = make_stock_setup(tvers, variants=1, places=case.places, prefix="atp", held_back_percent=case.percent,
                             held_back_units=case.units,
                             channel_type=ChannelType.MARKETPLACE if case.percent or case.units else ChannelType.WEB)
    [sku] = setup.skus
    for location, quantity in case.reserved.items():
        reserve(client, admin, tvers, sku, location, quantity)
    for location, counted in case.counted.items():
        ok(client.post("/api/v1/stock/counts", headers=admin, json={"location": location, "sku": sku, "counted": counted}))
    # when the channel's availability is read, then it is exactly the row's
    assert availability(client, admin, setup.channel, sku) == [{
        "sku": sku, "variant_id": setup.variant_ids[sku], "channel": setup.channel, "available": case.atp,
        "pickup_locations": list(case.pickup)}]


def test_expired_reservation_is_not_counted_and_is_expired_by_the_read(tvers, client, admin, clock):
    # given 10 units at a pickup store the channel ships from, 4 of them reserved for 10 minutes
    setup = make_stock_setup(tvers, variants=1, places=[pickup_store("store-1", 10, ships_from=True)], prefix="exp")
    [sku] = setup.skus
    [held] = reserve(client, admin, tvers, sku, "store-1", 4, minutes=10)
    assert availability(client, admin, setup.channel, sku)[0]["available"] == 6
    # when 11 minutes pass and the channel's availability is read
    clock.advance(minutes=11)
    shown = availability(client, admin, setup.channel, sku)
    # then all 10 are available again, and the reservation is now expired
    assert (shown[0]["available"], shown[0]["pickup_locations"]) == (10, ["store-1"])
    assert ok(client.get(f"/api/v1/reservations/{held['id']}", headers=admin))["status"] == "expired"
    assert ok(client.get(f"/api/v1/stock/{sku}", headers=admin))["locations"][0]["reserved"] == 0


def test_reservation_expiring_exactly_now_is_not_counted(tvers, client, admin, clock):
    setup = make_stock_setup(tvers, variants=1, places=[Place("wh-1", stock=5)], prefix="now")
    [sku] = setup.skus
    reserve(client, admin, tvers, sku, "wh-1", 5, minutes=10)
    clock.advance(minutes=10)
    assert availability(client, admin, setup.channel, sku)[0]["available"] == 5


def test_each_sku_gets_its_own_atp_in_the_order_asked(tvers, client, admin):
    setup = make_stock_setup(tvers, variants=2, places=[Place("wh-1", stock=3)], prefix="two")
    first, second = setup.skus
    reserve(client, admin, tvers, second, "wh-1", 2)
    assert [(row["sku"], row["available"]) for row in availability(client, admin, setup.channel, second, first)] == [
        (second, 1), (first, 3)]
