"""`availability.changed` comes from the relay subscriber `inventory.channel_atp`, which keeps the last announced ATP.

Migration 0007 fills that table with the ATP of the day and starts the subscriber at the outbox's head, so an
upgraded shop neither announces every variant again nor replays old events.
"""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import select

from support.inventory import Place, make_stock_setup
from tvers.db.migrate import alembic_config, upgrade
from tvers.db.outbox import OutboxEvent
from tvers.integrations.models import RelayCursor
from tvers.integrations.relay import Relay
from tvers.inventory import service as inventory
from tvers.inventory import subscribers
from tvers.inventory.models import ChannelAtp


def announced(tvers):
    with tvers.uow(read_only=True) as uow:
        return {(r.channel_id, r.variant_id): r.atp for r in uow.session.scalars(select(ChannelAtp))}


def reserve(tvers, setup, sku, location, quantity):
    with tvers.uow() as uow:
        ids = inventory.reserve_stock(uow, lines=[inventory.ReserveLine(setup.variant_ids[sku], setup.locations[location], quantity)],
                                      ref=inventory.Ref("cart", f"cart-{sku}"), expires_at=tvers.clock.now() + timedelta(hours=1))
        uow.commit()
    return ids


def test_upgrade_fills_the_table_with_todays_atp_and_starts_the_subscriber_at_the_head(tvers):
    # given stock, reservations, safety stock and a buffer, in a shop still at revision 0006
    places = (Place("wh-1", stock=10, safety_stock=1), Place("wh-2", stock=7),
              Place("store", stock=5, ships_from=False, pickup=True, offers_pickup=True), Place("closed", stock=9, is_active=False))
    setup = make_stock_setup(tvers, variants=3, prefix="mig", held_back_percent=20, held_back_units=1, places=places)
    first, second, third = setup.skus
    reserve(tvers, setup, first, "wh-2", 7)
    reserve(tvers, setup, second, "wh-1", 2)
    tvers.relay.run_once()  # sequence the events
    command.downgrade(alembic_config(tvers.db.engine), "0006")
    try:
        # when it is upgraded
        upgrade(tvers.db.engine)
    finally:
        upgrade(tvers.db.engine)
    # then the table holds each variant's ATP on the channel as the service computes it (0 is no row)
    with tvers.uow(read_only=True) as uow:
        head = uow.session.scalar(select(OutboxEvent.position).order_by(OutboxEvent.position.desc()).limit(1))
        cursor = uow.session.get(RelayCursor, subscribers.ATP_SUBSCRIBER)
        start = cursor.position if cursor is not None else None
        today = inventory.atp_table(uow, list(setup.variant_ids.values()), channel_ids=[setup.channel_id])[setup.channel_id]
    assert today == {setup.variant_ids[first]: 6, setup.variant_ids[second]: 10, setup.variant_ids[third]: 11}
    assert announced(tvers) == {(setup.channel_id, v): a for v, a in today.items() if a}
    # and the subscriber starts after the events already in the outbox: nothing is announced again
    assert start == head
    relay = Relay(tvers.db, tvers.clock, subscribers.subscribers())
    assert relay.run_once().delivered == 0


def test_the_subscriber_announces_each_change_once_even_when_delivered_twice(tvers):
    setup = make_stock_setup(tvers, variants=1, prefix="dup", places=(Place("wh-1", stock=5),))
    [sku] = setup.skus
    relay = Relay(tvers.db, tvers.clock, subscribers.subscribers())
    while relay.run_once().delivered:
        pass
    reserve(tvers, setup, sku, "wh-1", 2)
    with tvers.uow() as uow:  # a second delivery of the same kind of event changes nothing more
        assert inventory.announce_atp_changes(uow, [setup.variant_ids[sku]]) == 1
        assert inventory.announce_atp_changes(uow, [setup.variant_ids[sku]]) == 0
        uow.commit()
    relay.run_once()
    with tvers.uow(read_only=True) as uow:
        events = [e.payload for e in uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "availability.changed").order_by(OutboxEvent.id))]
    assert [e["channels"] for e in events] == [[{"channel_code": "dup-web", "before": 0, "after": 5}],
                                               [{"channel_code": "dup-web", "before": 5, "after": 3}]]
    assert announced(tvers) == {(setup.channel_id, setup.variant_ids[sku]): 3}
