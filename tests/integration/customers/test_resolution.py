"""Identity resolution: attach, create, merge on strong evidence, never on weak; pointers and the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from support.customers import counts, create, ident, resolve, seed_channels
from tvers.customers import service as customers
from tvers.customers.errors import CustomerErased, IdentityTaken, InvalidIdentity, InvalidMerge, LooksLikeCardNumber
from tvers.customers.identity_rules import IdentityType
from tvers.customers.merge_rules import MergePolicy
from tvers.customers.schemas import ArrivalIn, CustomerIn


@pytest.fixture
def channels(tvers):
    seed_channels(tvers)


def test_identities_are_normalised_and_found_by_any_of_them(tvers, channels):
    # given a profile made on the Norwegian web shop with a mixed-case email and a local phone number
    customer_id = create(tvers, ident("email", " Kari.Nordmann+sko@Example.NO ", verified=True), ident("phone", "912 34 567"),
                         given_name="Kari", family_name="Nordmann")
    # when it is looked up by the normalised forms
    with tvers.uow(read_only=True) as uow:
        by_email = customers.find_by_identity(uow, IdentityType.EMAIL, "KARI.NORDMANN+SKO@example.no")
        by_phone = customers.find_by_identity(uow, IdentityType.PHONE, "+47 91234567")
        profile = customers.get_customer(uow, customer_id)
    # then both find it, and what is stored is case-folded email (dots, plus kept) and E.164 from the channel's country
    assert by_email is not None and by_phone is not None
    assert by_email.id == by_phone.id == customer_id
    assert sorted((i.type.value, i.value) for i in profile.identities) == [
        ("email", "kari.nordmann+sko@example.no"), ("phone", "+4791234567")]


def test_phone_region_can_be_given_explicitly(tvers, channels):
    with tvers.uow() as uow:
        created = customers.create_customer(uow, CustomerIn(region="SE", identities=[ident("phone", "070-123 45 67")]))
        uow.commit()
    assert created.identities[0].value == "+46701234567"


def test_marketplace_buyer_ids_are_scoped_by_channel(tvers, channels):
    result = resolve(tvers, ident("marketplace_buyer_id", "B-1001"), channel="nordmarket-se")
    with tvers.uow(read_only=True) as uow:
        profile = customers.get_customer(uow, result.customer_id or "")
    assert profile.identities[0].value == "nordmarket-se:B-1001"


@pytest.mark.parametrize(("kind", "value", "code"), [
    ("email", "kari.example.no", "invalid_identity"),
    ("phone", "12", "invalid_identity"),
    ("payment_card_fingerprint", "4111 1111 1111 1111", "looks_like_card_number"),
    ("loyalty_card", "x!", "invalid_identity"),
])
def test_bad_identities_are_refused_and_nothing_is_written(tvers, channels, kind, value, code):
    before = counts(tvers)
    with pytest.raises((InvalidIdentity, LooksLikeCardNumber)) as raised:
        create(tvers, ident(kind, value))
    assert raised.value.code == code
    assert [f.field for f in raised.value.fields] == ["identities.0.value"]
    assert counts(tvers) == before


def test_an_identity_owned_by_another_profile_is_refused_on_create(tvers, channels):
    create(tvers, ident("email", "kari@example.no"))
    before = counts(tvers)
    with pytest.raises(IdentityTaken) as raised:
        create(tvers, ident("phone", "+4791234567"), ident("email", "KARI@example.no"))
    assert [f.field for f in raised.value.fields] == ["identities.1.value"]
    assert counts(tvers) == before


def test_an_arrival_with_new_identities_creates_then_attaches(tvers, channels):
    # given an app sign-up with a verified email
    first = resolve(tvers, ident("email", "ola@example.no", verified=True), kind="sign_up", channel="app-no",
                    profile={"given_name": "Ola"})
    # when a web order arrives with the same verified email and a new device id
    second = resolve(tvers, ident("email", "ola@example.no", verified=True), ident("device_id", "device-abc-123"))
    # then the first created a profile, the second attached to it and added the device
    assert (first.outcome, second.outcome) == ("created", "attached")
    assert second.customer_id == first.customer_id
    assert second.added_identities == ["device_id"]


def test_two_profiles_sharing_a_strong_identity_are_merged_with_pointer_and_audit(tvers, channels, clock):
    # given a store profile with a loyalty card, and (later) a web profile with a verified email
    store = create(tvers, ident("loyalty_card", "7001 0000 42"), channel="pos-oslo", given_name="Kari")
    clock.advance(days=3)
    web = create(tvers, ident("email", "kari@example.no", verified=True), family_name="Nordmann")
    # when an order arrives carrying both
    result = resolve(tvers, ident("loyalty_card", "7001000042"), ident("email", "kari@example.no", verified=True))
    # then the web profile merged into the store profile (oldest with a loyalty card)
    assert (result.outcome, result.customer_id, result.merged_ids) == ("merged", store, [web])
    with tvers.uow(read_only=True) as uow:
        survivor = customers.get_customer(uow, web)
        merges = customers.list_merges(uow, store)
    assert survivor.id == store and survivor.resolved_from == web
    assert (survivor.given_name, survivor.family_name) == ("Kari", "Nordmann")
    assert sorted(i.type.value for i in survivor.identities) == ["email", "loyalty_card"]
    assert merges[0].actor == "automatic" and {e["type"] for e in merges[0].evidence} == {"email", "loyalty_card"}
    with tvers.uow(read_only=True) as uow:
        assert uow.session.execute(text("SELECT type FROM outbox WHERE type = 'customer.merged'")).scalars().all() == ["customer.merged"]


def test_a_weak_match_never_merges_and_attaches_nothing_new(tvers, channels):
    # given a family phone on mum's profile
    mum = create(tvers, ident("phone", "+4791234567"), ident("email", "mum@example.no", verified=True))
    # when the son orders with the same phone and his own email
    result = resolve(tvers, ident("phone", "+4791234567"), ident("email", "son@example.no", verified=True))
    # then he gets a profile of his own, flagged as a possible duplicate, and mum's profile gained nothing
    assert result.outcome == "created" and result.customer_id != mum and result.possible_duplicates == [mum]
    with tvers.uow(read_only=True) as uow:
        assert sorted(i.type.value for i in customers.get_customer(uow, mum).identities) == ["email", "phone"]


def test_unverified_email_is_weak_by_default(tvers, channels):
    one = create(tvers, ident("email", "per@example.no"))
    result = resolve(tvers, ident("email", "per@example.no"))
    assert (result.outcome, result.customer_id) == ("attached", one)
    other = create(tvers, ident("device_id", "device-per-2"))
    mixed = resolve(tvers, ident("email", "per@example.no"), ident("device_id", "device-per-2"))
    assert (mixed.outcome, mixed.customer_id, mixed.possible_duplicates) == ("ambiguous", None, sorted([one, other]))


def test_the_policy_is_configurable(tvers, channels):
    mum = create(tvers, ident("phone", "+4791234567"))
    son = create(tvers, ident("device_id", "device-son-1"))
    with tvers.uow() as uow:
        arrival = ArrivalIn(kind="event", identities=[ident("phone", "+4791234567"), ident("device_id", "device-son-1")])  # type: ignore[arg-type]
        result = customers.resolve(uow, arrival, policy=MergePolicy.parse("phone,device_id"))
        uow.commit()
    assert result.outcome == "merged" and result.customer_id == mum and result.merged_ids == [son]


def test_staff_merge_refuses_itself_and_erased_profiles_and_changes_nothing(tvers, channels):
    one, two = create(tvers, ident("email", "a@example.no")), create(tvers, ident("email", "b@example.no"))
    with tvers.uow() as uow:
        customers.erase_customer(uow, two, actor="key_test")
        uow.commit()
    before = counts(tvers)
    for merged, error in ((one, InvalidMerge), (two, CustomerErased)):
        with pytest.raises(error), tvers.uow() as uow:
            customers.merge_customers(uow, survivor_id=one, merged_id=merged, reason="same person", actor="key_test")
    assert counts(tvers) == before


def test_merges_chain_through_pointers(tvers, channels, clock):
    a = create(tvers, ident("email", "a@example.no"))
    b = create(tvers, ident("email", "b@example.no"))
    c = create(tvers, ident("email", "c@example.no"))
    for survivor, merged in ((b, a), (c, b)):
        with tvers.uow() as uow:
            customers.merge_customers(uow, survivor_id=survivor, merged_id=merged, reason="staff", actor="key_x")
            uow.commit()
    with tvers.uow(read_only=True) as uow:
        assert customers.get_customer(uow, a).id == c
        assert customers.lookup_customer_id(uow, IdentityType.EMAIL, "A@example.no") == c
        assert customers.lookup_customer_id(uow, IdentityType.EMAIL, "nobody@example.no") is None
        assert len(customers.get_customer(uow, c).identities) == 3
