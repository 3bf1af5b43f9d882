"""Pure inventory rules: ATP with buffers, distances, replenishment."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tvers.inventory.atp import Buffer, channel_atp, location_available
from tvers.inventory.geo import distance_km
from tvers.inventory.replenishment import LevelView, reorder_point, suggest


@pytest.mark.parametrize(("availables", "buffer", "expected"), [
    ([10, 5], Buffer(), 15),
    ([3], Buffer(held_back_percent=20), 2),  # 80 % of 3 is 2.4: the buffer errs towards not overselling
    ([10], Buffer(held_back_percent=20), 8),
    ([1], Buffer(held_back_units=2), 0),
    ([10], Buffer(held_back_percent=50, held_back_units=1), 4),
    ([-3, 4], Buffer(), 4),  # an oversold location does not eat another's stock
    ([], Buffer(), 0),
    ([7], Buffer(held_back_percent=100), 0),
])
def test_channel_atp(availables, buffer, expected):
    assert channel_atp(availables, buffer=buffer) == expected


@given(st.lists(st.integers(-50, 500), max_size=20), st.integers(0, 100), st.integers(0, 50))
def test_channel_atp_never_negative_and_never_above_the_pool(availables, percent, units):
    atp = channel_atp(availables, buffer=Buffer(percent, units))
    assert 0 <= atp <= sum(max(0, a) for a in availables)


@pytest.mark.parametrize(("on_hand", "reserved", "safety", "expected"), [(10, 3, 2, 5), (2, 3, 0, 0), (5, 0, 5, 0), (0, 0, 0, 0)])
def test_location_available(on_hand, reserved, safety, expected):
    assert location_available(on_hand=on_hand, reserved=reserved, safety_stock=safety) == expected


def test_distance_between_oslo_and_bergen():
    # Oslo Sentrum to Bergen Torget: about 305 km as the crow flies
    assert distance_km(59.9127, 10.7461, 60.3930, 5.3242) == pytest.approx(305, abs=3)
    assert distance_km(59.9, 10.7, 59.9, 10.7) == 0


def test_reorder_point_from_velocity():
    # 28 sold in 28 days, 3 days lead time, safety 2 → 3 + 2
    assert reorder_point(units_sold=28, days=28, lead_time_days=3, safety_stock=2) == 5
    assert reorder_point(units_sold=1, days=28, lead_time_days=3, safety_stock=0) == 1  # rounds up


def level(code, kind, available, point=0, quantity=0, priority=0):
    return LevelView(code, kind, available, point, quantity, priority)


def test_suggests_a_transfer_from_a_warehouse_first():
    needy = level("oslo", "store", 1, point=2, quantity=6)
    others = [needy, level("bergen", "store", 40), level("dc", "warehouse", 30, point=15)]
    suggestion = suggest(needy, others)
    assert suggestion is not None
    assert (suggestion.kind, suggestion.from_location_code, suggestion.quantity) == ("transfer", "dc", 6)


def test_suggests_a_purchase_when_nobody_has_surplus():
    needy = level("oslo", "store", 0, point=2, quantity=6)
    suggestion = suggest(needy, [needy, level("dc", "warehouse", 10, point=8)])
    assert suggestion is not None and (suggestion.kind, suggestion.quantity, suggestion.from_location_code) == ("purchase", 6, None)


def test_no_suggestion_above_the_reorder_point_or_without_one():
    assert suggest(level("oslo", "store", 3, point=2, quantity=6), []) is None
    assert suggest(level("oslo", "store", 0), []) is None
