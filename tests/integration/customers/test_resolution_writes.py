"""What a resolution writes: timeline rows, events in order, and owners read with their identities (ADR 0005)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from support.customers import create, ident, resolve, seed_channels
from tvers.customers import service as customers
from tvers.customers.errors import CustomerErased, IdentityTaken
from tvers.customers.service.identities import attach_identities, normalise_claims
from tvers.db.outbox import OutboxEvent


@pytest.fixture
def channels(tvers):
    seed_channels(tvers)


def timeline(tvers, customer_id):
    with tvers.uow(read_only=True) as uow:
        return [(t.kind, t.channel, t.detail) for t in reversed(customers.timeline(uow, customer_id))]


def events(tvers):
    """Customer events in the order they were staged (type, customer, identity type)."""
    with tvers.uow(read_only=True) as uow:
        rows = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.type.startswith("customer.")).order_by(OutboxEvent.id))
        return [(row.type, row.payload.get("customer_id"), row.payload.get("identity_type")) for row in rows]


def test_a_new_profile_from_an_arrival_has_its_timeline_and_events_in_order(tvers, channels):
    result = resolve(tvers, ident("email", "ny@example.no", verified=True), ident("device_id", "device-ny-1"), channel="app-no")
    customer_id = result.customer_id
    assert (result.outcome, result.added_identities) == ("created", ["email", "device_id"])
    assert timeline(tvers, customer_id) == [("created", "app-no", {}), ("identity_added", "app-no", {"identity_type": "email"}),
                                            ("identity_added", "app-no", {"identity_type": "device_id"})]
    assert events(tvers) == [("customer.created", customer_id, None), ("customer.identity_added", customer_id, "email"),
                             ("customer.identity_added", customer_id, "device_id")]
    with tvers.uow(read_only=True) as uow:
        profile = customers.get_customer(uow, customer_id)
    assert [(i.type.value, i.value, i.is_verified, i.channel) for i in profile.identities] == [
        ("email", "ny@example.no", True, "app-no"), ("device_id", "device-ny-1", False, "app-no")]
    assert all(i.created_at == profile.created_at for i in profile.identities)


def test_an_attached_arrival_adds_only_what_is_new(tvers, channels):
    customer_id = create(tvers, ident("email", "kari@example.no", verified=True), ident("phone", "+4791234567"))
    before = len(events(tvers))
    result = resolve(tvers, ident("email", "kari@example.no", verified=True), ident("phone", "91234567"),
                     ident("device_id", "device-kari-1"))
    assert (result.outcome, result.customer_id, result.added_identities) == ("attached", customer_id, ["device_id"])
    assert timeline(tvers, customer_id)[-1] == ("identity_added", "web-no", {"identity_type": "device_id"})
    assert [kind for kind, *_ in timeline(tvers, customer_id)] == ["created", "identity_added", "identity_added", "identity_added"]
    assert events(tvers)[before:] == [("customer.identity_added", customer_id, "device_id")]
    again = resolve(tvers, ident("email", "kari@example.no", verified=True), ident("device_id", "device-kari-1"))
    assert (again.outcome, again.customer_id, again.added_identities) == ("attached", customer_id, [])
    assert len(events(tvers)) == before + 1 and len(timeline(tvers, customer_id)) == 4


def test_a_profile_made_by_staff_without_identities_still_starts_its_timeline(tvers, channels):
    customer_id = create(tvers, given_name="Kari")
    assert timeline(tvers, customer_id) == [("created", "web-no", {})]
    assert events(tvers) == [("customer.created", customer_id, None)]


def test_an_identity_still_pointing_at_a_merged_profile_resolves_to_the_survivor(tvers, channels):
    survivor = create(tvers, ident("loyalty_card", "7001000042"))
    merged = create(tvers, ident("email", "old@example.no", verified=True))
    with tvers.uow() as uow:  # a pointer left behind (as by a merge made before identities moved): only the pointer says where
        uow.session.execute(text("UPDATE customers SET status = 'merged', merged_into = :s WHERE id = :m"), {"s": survivor, "m": merged})
        uow.commit()
    result = resolve(tvers, ident("email", "old@example.no", verified=True), ident("device_id", "device-old-1"))
    assert (result.outcome, result.customer_id, result.added_identities) == ("attached", survivor, ["device_id"])


def test_an_identity_of_an_erased_profile_is_refused_with_its_field(tvers, channels):
    customer_id = create(tvers, ident("email", "gone@example.no", verified=True))
    with tvers.uow() as uow:  # erasure deletes identities; a row left behind must still not take new ones
        uow.session.execute(text("UPDATE customers SET status = 'erased' WHERE id = :c"), {"c": customer_id})
        uow.commit()
    with pytest.raises(CustomerErased) as raised:
        resolve(tvers, ident("device_id", "device-x-1"), ident("email", "gone@example.no", verified=True))
    assert [f.field for f in raised.value.fields] == ["identities.1.value"]


@pytest.mark.parametrize("checked", [True, False], ids=["seen-by-the-check", "taken-meanwhile"])
def test_an_identity_another_profile_owns_is_a_conflict_and_nothing_is_kept(tvers, channels, checked):
    other = create(tvers, ident("device_id", "device-race-1"))
    mine = create(tvers, ident("email", "race@example.no", verified=True))
    before = events(tvers)
    with pytest.raises(IdentityTaken), tvers.uow() as uow:
        claims = normalise_claims(uow, [ident("device_id", "device-race-1")], channel=None, region=None)
        # unchecked (`known={}`) is what a concurrent insert between our read and our write looks like: the unique index refuses
        attach_identities(uow, mine, claims, channel=None, known=None if checked else {})
        uow.commit()
    assert events(tvers) == before
    with tvers.uow(read_only=True) as uow:
        assert [i.value for i in customers.get_customer(uow, mine).identities] == ["race@example.no"]
        assert [i.value for i in customers.get_customer(uow, other).identities] == ["device-race-1"]
