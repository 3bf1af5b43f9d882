"""Stock flows through the services: reservations, counts, transfers, events, nearest stores, replenishment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tvers.catalog import service as catalog
from tvers.catalog.schemas import PriceBookIn, ProductIn, VariantIn
from tvers.channels import service as channels
from tvers.channels.schemas import ChannelIn
from tvers.db.outbox import OutboxEvent
from tvers.integrations.relay import Relay
from tvers.inventory import service as inventory
from tvers.inventory import subscribers as inventory_subscribers
from tvers.inventory.errors import InsufficientStock
from tvers.inventory.schemas import (
    Address,
    Capabilities,
    ChannelPoolIn,
    CountIn,
    LocationIn,
    PoolLocationIn,
    ReceiveIn,
    StockLineIn,
    StockSettingsIn,
    TransferIn,
    TransferReceiveIn,
    WriteOffIn,
)

PLACES = {"oslo": (59.9127, 10.7461, "store"), "bergen": (60.3930, 5.3242, "store"), "dc": (59.7646, 10.8339, "warehouse")}


@pytest.fixture
def world(tvers):
    """Two stores and a warehouse; web-no ships from the warehouse and Oslo, offers pickup in both stores."""
    with tvers.uow() as uow:
        catalog.create_price_book(uow, PriceBookIn(code="nok", name="NOK", currency="NOK"))
        channels.create_channel(uow, ChannelIn(code="web-no", name="Web", type="web", currency="NOK", price_book="nok",
                                               default_locale="nb", country="NO"))
        catalog.create_product(uow, ProductIn(handle="tent", title="Tent", variants=[VariantIn(sku="TENT"), VariantIn(sku="MAT")]))
        for code, (lat, lon, kind) in PLACES.items():
            inventory.create_location(uow, LocationIn(
                code=code, name=code.title(), type=kind, address=Address(city=code.title()), country="NO", latitude=lat,
                longitude=lon, time_zone="Europe/Oslo", capabilities=Capabilities(offers_pickup=kind == "store")))
        inventory.set_channel_pool(uow, "web-no", ChannelPoolIn(locations=[
            PoolLocationIn(location="dc"), PoolLocationIn(location="oslo", pickup=True),
            PoolLocationIn(location="bergen", ships_from=False, pickup=True)]))
        for code, quantity in (("dc", 10), ("oslo", 3), ("bergen", 5)):
            inventory.receive(uow, ReceiveIn(location=code, lines=[StockLineIn(sku="TENT", quantity=quantity)]), actor="test")
        uow.commit()
    announce(tvers)  # the relay has caught up: web-no's ATP of TENT (13) is announced
    return tvers


def announce(tvers):
    """Run the relay with the inventory subscribers until it is idle: `availability.changed` is recorded by them."""
    relay = Relay(tvers.db, tvers.clock, inventory_subscribers.subscribers())
    while relay.run_once().delivered:
        pass


def inventory_write_off(location, quantity, sku="TENT"):
    return WriteOffIn(location=location, lines=[StockLineIn(sku=sku, quantity=quantity)], reason="damaged")


def ids(uow, sku, location):
    variant = catalog.resolve_skus(uow, [sku])[sku]
    return variant.id, inventory.get_location(uow, location).id


def reserve(tvers, location, quantity, *, sku="TENT", minutes=15, ref="order-1"):
    with tvers.uow() as uow:
        variant_id, location_id = ids(uow, sku, location)
        reservation = inventory.reserve_stock(uow, lines=[inventory.ReserveLine(variant_id, location_id, quantity, sku=sku)],
                                              ref=inventory.Ref("order", ref), expires_at=tvers.clock.now() + timedelta(minutes=minutes))
        uow.commit()
    return reservation[0]


def stock(tvers, location, sku="TENT"):
    with tvers.uow(read_only=True) as uow:
        return inventory.stock_at(uow, location, [sku])[0]


def atp(tvers, sku="TENT"):
    with tvers.uow(read_only=True) as uow:
        return inventory.channel_availability(uow, "web-no", [sku])[0]


def events_of(tvers, kind):
    announce(tvers)
    with tvers.uow(read_only=True) as uow:
        return [e.payload for e in uow.session.scalars(select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.id))]


def test_channel_atp_counts_ship_from_locations_only(world):
    view = atp(world)
    assert view.available == 13  # dc 10 + oslo 3; Bergen only offers pickup
    assert view.pickup_locations == ["bergen", "oslo"]


def test_reservation_is_all_or_nothing(world):
    with pytest.raises(InsufficientStock) as refused, world.uow() as uow:
        tent, oslo = ids(uow, "TENT", "oslo")
        _, dc = ids(uow, "TENT", "dc")
        inventory.reserve_stock(uow, lines=[inventory.ReserveLine(tent, dc, 2), inventory.ReserveLine(tent, oslo, 4, sku="TENT")],
                                ref=inventory.Ref("order", "o-9"), expires_at=world.clock.now() + timedelta(minutes=5))
    assert (stock(world, "dc").reserved, stock(world, "oslo").reserved) == (0, 0)
    assert refused.value.context["available_elsewhere"] == [{"location": "bergen", "available": 5}, {"location": "dc", "available": 10}]


def test_consume_drops_on_hand_and_reserved_together(world):
    reservation = reserve(world, "oslo", 2)
    with world.uow() as uow:
        inventory.consume_reservation(uow, reservation, quantity=1)
        uow.commit()
    assert (stock(world, "oslo").on_hand, stock(world, "oslo").reserved) == (2, 1)
    with world.uow() as uow:
        inventory.consume_reservation(uow, reservation)
        uow.commit()
    assert (stock(world, "oslo").on_hand, stock(world, "oslo").reserved) == (1, 0)


def test_release_is_idempotent(world):
    reservation = reserve(world, "oslo", 2)
    for _ in range(2):
        with world.uow() as uow:
            inventory.release_reservations(uow, [reservation])
            uow.commit()
    assert stock(world, "oslo").reserved == 0


def test_expired_reservations_are_released_lazily_when_reserving(world, clock):
    reserve(world, "oslo", 3, minutes=10)
    clock.advance(minutes=11)
    reserve(world, "oslo", 3, ref="order-2")  # would fail if the expired hold still counted
    assert stock(world, "oslo").reserved == 3


def test_expired_holds_are_released_by_a_reservation_only_when_it_needs_their_units(world, clock):
    # given Oslo's 3 units, 1 of them under a hold that has run out
    reserve(world, "oslo", 1, minutes=10, ref="order-old")
    clock.advance(minutes=11)
    # when a reservation fits without that unit, the hold is left to the reads and the worker's sweep
    reserve(world, "oslo", 2, ref="order-2")
    assert (stock(world, "oslo").reserved, held_status(world, "order-old")) == (3, "active")
    # and when the next one needs the unit, the expired hold is released first and the reservation granted
    reserve(world, "oslo", 1, ref="order-3")
    assert (stock(world, "oslo").reserved, held_status(world, "order-old")) == (3, "expired")
    assert events_of(world, "stock.released")[-1]["reason"] == "expired"


def held_status(tvers, ref):
    with tvers.uow(read_only=True) as uow:
        [held] = inventory.reservations_for(uow, inventory.Ref("order", ref))
        return held.status


def test_worker_sweep_releases_expired_reservations(world, clock):
    reserve(world, "dc", 4, minutes=10)
    clock.advance(minutes=11)
    with world.uow() as uow:
        assert inventory.release_expired(uow) == 1
        uow.commit()
    assert stock(world, "dc").reserved == 0
    assert events_of(world, "stock.released")[-1]["reason"] == "expired"


def test_count_keeps_reservations_and_later_movements(world, clock):
    # given 3 in Oslo, 2 of them reserved for an order not yet picked
    reserve(world, "oslo", 2)
    counted_at = clock.now()
    clock.advance(minutes=5)
    with world.uow() as uow:  # a unit arrives after the shelf was counted, before the count is keyed in
        inventory.receive(uow, ReceiveIn(location="oslo", lines=[StockLineIn(sku="TENT", quantity=1)]), actor="test")
        uow.commit()
    # when staff key in that they counted 2 (one unit was missing)
    with world.uow() as uow:
        difference = inventory.count(uow, CountIn(location="oslo", sku="TENT", counted=2, counted_at=counted_at), actor="staff")
        uow.commit()
    # then on hand is the count plus what arrived since, and the reservation is untouched
    assert difference == -1
    assert (stock(world, "oslo").on_hand, stock(world, "oslo").reserved) == (3, 2)


def test_transfer_reserves_ships_and_receives_in_parts(world):
    with world.uow() as uow:
        transfer = inventory.create_transfer(uow, TransferIn(from_location="dc", to_location="bergen",
                                                             lines=[StockLineIn(sku="TENT", quantity=4)]), actor="test")
        uow.commit()
    assert stock(world, "dc").reserved == 4
    with world.uow() as uow:
        inventory.ship_transfer(uow, transfer.id, actor="test")
        partial = inventory.receive_transfer(uow, transfer.id, TransferReceiveIn(lines=[StockLineIn(sku="TENT", quantity=3)]),
                                             actor="test")
        uow.commit()
    assert partial.status == "partially_received" and partial.lines[0].in_transit == 1
    assert (stock(world, "dc").on_hand, stock(world, "dc").reserved, stock(world, "bergen").on_hand) == (6, 0, 8)
    with world.uow(read_only=True) as uow:
        bergen = next(x for x in inventory.variant_stock(uow, "TENT").locations if x.location == "bergen")
    assert bergen.in_transit_in == 1


def test_availability_changed_events_carry_before_and_after(world):
    reserve(world, "oslo", 2)
    last = events_of(world, "availability.changed")[-1]
    assert last["sku"] == "TENT"
    assert last["channels"] == [{"channel_code": "web-no", "before": 13, "after": 11}]


def test_each_announcement_starts_where_the_last_one_ended(world, clock):
    # given TENT's ATP on web-no announced as 13
    first = len(events_of(world, "availability.changed"))
    # when a reservation is made, released, stock is written off, safety stock set, and a reservation expires
    held = reserve(world, "dc", 4)
    announce(world)
    with world.uow() as uow:
        inventory.release_reservations(uow, [held])
        uow.commit()
    announce(world)
    with world.uow() as uow:
        inventory.write_off(uow, inventory_write_off("oslo", 1), actor="test")
        uow.commit()
    announce(world)
    with world.uow() as uow:
        inventory.set_stock_settings(uow, StockSettingsIn(location="dc", sku="TENT", safety_stock=2))
        uow.commit()
    announce(world)
    reserve(world, "dc", 1, minutes=5)
    announce(world)
    clock.advance(minutes=6)
    with world.uow() as uow:
        inventory.release_expired(uow)
        uow.commit()
    # then each event's before is the previous one's after, and the last is today's ATP
    changes = [e["channels"] for e in events_of(world, "availability.changed")[first:]]
    assert [(c[0]["before"], c[0]["after"]) for c in changes] == [(13, 9), (9, 13), (13, 12), (12, 10), (10, 9), (9, 10)]
    assert atp(world).available == 10


def test_changes_committed_before_the_subscriber_looks_are_announced_once(world):
    first = len(events_of(world, "availability.changed"))
    reserve(world, "dc", 1, ref="order-a")
    reserve(world, "dc", 2, ref="order-b")
    assert [e["channels"] for e in events_of(world, "availability.changed")[first:]] == [
        [{"channel_code": "web-no", "before": 13, "after": 10}]]
    assert len(events_of(world, "availability.changed")) == first + 1  # delivered again: nothing new


def test_refused_reservation_holds_nothing_even_if_the_caller_commits(world):
    with world.uow() as uow:
        tent = ids(uow, "TENT", "dc")
        oslo = ids(uow, "TENT", "oslo")
        with pytest.raises(InsufficientStock):
            inventory.reserve_stock(uow, lines=[inventory.ReserveLine(*tent, 2), inventory.ReserveLine(*oslo, 4)],
                                    ref=inventory.Ref("order", "o-x"), expires_at=world.clock.now() + timedelta(minutes=5))
        uow.commit()
    assert (stock(world, "dc").reserved, stock(world, "oslo").reserved) == (0, 0)
    with world.uow(read_only=True) as uow:
        assert inventory.reservations_for(uow, inventory.Ref("order", "o-x")) == []
    assert [e for e in events_of(world, "stock.reserved") if e["reference_id"] == "o-x"] == []


def test_events_recorded_before_a_reservation_keep_their_order(world):
    with world.uow() as uow:
        variant_id, location_id = ids(uow, "TENT", "dc")
        inventory.receive(uow, ReceiveIn(location="dc", lines=[StockLineIn(sku="TENT", quantity=1)]), actor="test")
        inventory.reserve_stock(uow, lines=[inventory.ReserveLine(variant_id, location_id, 1)], ref=inventory.Ref("order", "o-y"),
                                expires_at=world.clock.now() + timedelta(minutes=5))
        inventory.release_reference(uow, inventory.Ref("order", "o-y"))
        uow.commit()
    with world.uow(read_only=True) as uow:
        kinds = list(uow.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id.desc()).limit(3)))
    assert kinds[::-1] == ["stock.moved", "stock.reserved", "stock.released"]


def test_stock_at_a_location_outside_every_pool_raises_no_event(world):
    with world.uow() as uow:
        inventory.create_location(uow, LocationIn(code="popup", name="Pop-up", type="popup", address=Address(city="Oslo"),
                                                  country="NO", latitude=59.9, longitude=10.7, time_zone="Europe/Oslo"))
        uow.commit()
    before = len(events_of(world, "availability.changed"))
    with world.uow() as uow:
        inventory.receive(uow, ReceiveIn(location="popup", lines=[StockLineIn(sku="TENT", quantity=1)]), actor="test")
        uow.commit()
    assert len(events_of(world, "availability.changed")) == before


def test_nearest_pickup_locations_with_enough_stock(world):
    with world.uow(read_only=True) as uow:
        near_bergen = inventory.nearest(uow, "TENT", quantity=4, latitude=60.39, longitude=5.32)
        from_oslo = inventory.nearest(uow, "TENT", quantity=1, near_location="oslo", channel_code="web-no")
    assert [(n.location, n.distance_km) for n in near_bergen] == [("bergen", 0.4)]  # 333 m N, 233 m E; the DC offers no pickup
    assert [n.location for n in from_oslo] == ["oslo", "bergen"]
    assert from_oslo[1].distance_km == pytest.approx(305, abs=3)


def test_replenishment_suggests_a_transfer_from_the_warehouse(world):
    with world.uow() as uow:
        inventory.set_stock_settings(uow, StockSettingsIn(location="oslo", sku="TENT", reorder_point=4, reorder_quantity=5))
        uow.commit()
    with world.uow(read_only=True) as uow:
        found = inventory.suggestions(uow)
    assert [(s.location, s.kind, s.from_location, s.quantity) for s in found] == [("oslo", "transfer", "dc", 5)]


def test_doctor_finds_a_level_that_disagrees_with_its_ledger(world):
    from sqlalchemy import text

    with world.db.engine.begin() as connection:  # corrupt the cache behind the ledger's back
        connection.execute(text("UPDATE stock_levels SET on_hand = on_hand + 1 WHERE on_hand = 3"))
    with world.uow(read_only=True) as uow:
        report = inventory.check_stock(uow)
    assert [(f.location, f.field, f.cached, f.ledger) for f in report.findings] == [("oslo", "on_hand", 4, 3)]
