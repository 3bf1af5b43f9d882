"""Pure rules of customers and carts: normalisation, card-number detection, survivor, points, tiers, cart merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tvers.carts.rules import Line, merge_lines
from tvers.customers.errors import InvalidIdentity, LooksLikeCardNumber
from tvers.customers.identity_rules import IdentityType, looks_like_card_number, normalise
from tvers.customers.loyalty_rules import DEFAULT_PROGRAMME, points_for, tier_for, value_of
from tvers.customers.merge_rules import DEFAULT_POLICY, Candidate, MergePolicy, choose_survivor

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("kind", "raw", "region", "channel", "stored"), [
    (IdentityType.EMAIL, " Kari.Nordmann+Sko@EXAMPLE.no", None, None, "kari.nordmann+sko@example.no"),
    (IdentityType.PHONE, "912 34 567", "NO", None, "+4791234567"),
    (IdentityType.PHONE, "0046 70 123 45 67", "NO", None, "+46701234567"),  # dialled from Norway
    (IdentityType.PHONE, "20 12 34 56", "DK", None, "+4520123456"),
    (IdentityType.LOYALTY_CARD, "7001 0000-42", None, None, "7001000042"),
    (IdentityType.MARKETPLACE_BUYER_ID, "B-1001", None, "nordmarket-se", "nordmarket-se:B-1001"),
    (IdentityType.SOCIAL_HANDLE, "Instagram:@Kari.Nordmann", None, None, "instagram:kari.nordmann"),
    (IdentityType.PAYMENT_CARD_FINGERPRINT, "fp_4Kq9ZzX81wQ", None, None, "fp_4Kq9ZzX81wQ"),
])
def test_identities_normalise_to_one_stored_form(kind, raw, region, channel, stored):
    assert normalise(kind, raw, field="f", region=region, channel=channel) == stored


@pytest.mark.parametrize("pan", ["4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "4012888888881881"])
def test_card_numbers_are_recognised_and_refused(pan):
    assert looks_like_card_number(pan)
    with pytest.raises(LooksLikeCardNumber):
        normalise(IdentityType.PAYMENT_CARD_FINGERPRINT, pan, field="f")


def test_digits_failing_luhn_are_not_card_numbers():
    assert not looks_like_card_number("4111 1111 1111 1112")
    assert not looks_like_card_number("12345")


@pytest.mark.parametrize(("kind", "raw"), [(IdentityType.EMAIL, "kari@no"), (IdentityType.EMAIL, "a b@example.no"),
                                           (IdentityType.PHONE, "912 34 567"), (IdentityType.PHONE, "+47 1"),
                                           (IdentityType.MARKETPLACE_BUYER_ID, "B-1"), (IdentityType.DEVICE_ID, "short")])
def test_malformed_identities_are_refused(kind, raw):
    with pytest.raises(InvalidIdentity):
        normalise(kind, raw, field="f")  # no region, no channel


def test_email_is_strong_only_when_verified_on_both_sides_and_phone_never_by_default():
    assert DEFAULT_POLICY.is_strong(IdentityType.EMAIL, stored_verified=True, arriving_verified=True)
    assert not DEFAULT_POLICY.is_strong(IdentityType.EMAIL, stored_verified=False, arriving_verified=True)
    assert not DEFAULT_POLICY.is_strong(IdentityType.PHONE, stored_verified=True, arriving_verified=True)
    assert MergePolicy.parse("phone").is_strong(IdentityType.PHONE, stored_verified=False, arriving_verified=False)


def test_the_survivor_is_the_oldest_card_holder_else_the_oldest():
    old, newer_with_card = Candidate("cus_b", T0, False), Candidate("cus_a", T0 + timedelta(days=1), True)
    assert choose_survivor([old, newer_with_card]) == "cus_a"
    assert choose_survivor([old, Candidate("cus_c", T0 + timedelta(days=2), False)]) == "cus_b"
    assert choose_survivor([Candidate("cus_z", T0, False), Candidate("cus_y", T0, False)]) == "cus_y"


def test_points_and_their_value_per_currency():
    assert points_for(DEFAULT_PROGRAMME, currency="NOK", amount_minor=129_900) == 129  # 1 point per NOK 10
    assert points_for(DEFAULT_PROGRAMME, currency="DKK", amount_minor=70_000) == 100  # 1 point per DKK 7
    assert points_for(DEFAULT_PROGRAMME, currency="EUR", amount_minor=1_999) == 19  # 1 point per EUR 1
    assert points_for(DEFAULT_PROGRAMME, currency="USD", amount_minor=100_000) == 0
    assert value_of(DEFAULT_PROGRAMME, currency="NOK", points=200) == 2_000
    assert value_of(DEFAULT_PROGRAMME, currency="USD", points=1) is None


@pytest.mark.parametrize(("points", "tier", "following"), [(0, "bronze", "silver"), (1499, "bronze", "silver"),
                                                           (1500, "silver", "gold"), (5000, "gold", None)])
def test_tiers_by_points(points, tier, following):
    reached, upcoming = tier_for(DEFAULT_PROGRAMME, points=points, spend_minor={})
    assert (reached.code, upcoming.code if upcoming else None) == (tier, following)


def test_tiers_by_spend_qualify_per_currency():
    programme = DEFAULT_PROGRAMME.model_copy(update={"tier_basis": "spend"})
    assert tier_for(programme, points=0, spend_minor={"NOK": 1_500_000})[0].code == "silver"
    assert tier_for(programme, points=99_999, spend_minor={"SEK": 9_999_999})[0].code == "bronze"


def test_cart_lines_merge_by_the_larger_quantity_and_the_newer_price():
    kept = [Line("v1", 1, "web-no", 129_900, "NOK", T0), Line("v2", 3, "web-no", None, None, T0)]
    incoming = [Line("v1", 2, "app-no", 119_900, "NOK", T0 + timedelta(hours=1)), Line("v3", 1, "app-no", None, None, T0)]
    merged = {line.variant_id: line for line in merge_lines(kept, incoming)}
    assert (merged["v1"].quantity, merged["v1"].channel, merged["v1"].seen_unit_minor) == (2, "app-no", 119_900)
    assert (merged["v2"].quantity, merged["v3"].quantity) == (3, 1)
