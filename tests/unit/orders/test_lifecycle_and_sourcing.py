"""The order state machine table and the checkout's stand-in sourcing rule (pure)."""

from __future__ import annotations

import pytest

from tvers.inventory.service import Candidate
from tvers.orders.errors import IllegalTransition
from tvers.orders.lifecycle import FINAL, TRANSITIONS, OrderStatus, check_transition
from tvers.workflows.simple_sourcing import choose_locations

S = OrderStatus


@pytest.mark.parametrize(("current", "target"), [
    (S.PENDING_PAYMENT, S.CONFIRMED), (S.PENDING_PAYMENT, S.PAYMENT_FAILED), (S.CONFIRMED, S.ON_HOLD), (S.ON_HOLD, S.CONFIRMED),
    (S.CONFIRMED, S.CANCELLED), (S.FULFILLED, S.COMPLETED), (S.IN_FULFILMENT, S.PARTIALLY_FULFILLED),
])
def test_allowed_transitions_pass(current: OrderStatus, target: OrderStatus) -> None:
    check_transition(current.value, target)


@pytest.mark.parametrize(("current", "target"), [
    (S.PAYMENT_FAILED, S.CONFIRMED), (S.CANCELLED, S.CONFIRMED), (S.COMPLETED, S.CANCELLED), (S.FULFILLED, S.CANCELLED),
    (S.PENDING_PAYMENT, S.FULFILLED), (S.ON_HOLD, S.ON_HOLD), (S.PARTIALLY_FULFILLED, S.CANCELLED),
])
def test_illegal_transitions_raise_with_what_is_allowed(current: OrderStatus, target: OrderStatus) -> None:
    with pytest.raises(IllegalTransition) as raised:
        check_transition(current.value, target)
    assert raised.value.context["allowed"] == sorted(s.value for s in TRANSITIONS[current])


def test_every_status_has_a_row_and_final_ones_lead_nowhere() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
    assert {S.COMPLETED, S.CANCELLED, S.PAYMENT_FAILED} == FINAL


def _candidate(code: str, priority: int, **available: int) -> Candidate:
    return Candidate(location_id=f"loc-{code}", code=code, type="store", sourcing_priority=priority, offers_pickup=False,
                     offers_curbside=False, available=dict(available))


def test_whole_order_from_the_best_location_that_has_all_of_it() -> None:
    dc, store = _candidate("dc", 10, a=5, b=0), _candidate("store", 5, a=1, b=1)
    chosen = choose_locations([("a", 1), ("b", 1)], [dc, store])
    assert {variant: c.code for variant, c in chosen.items()} == {"a": "store", "b": "store"}


def test_split_per_line_when_no_location_has_everything_and_the_best_one_when_nobody_has_it() -> None:
    dc, store = _candidate("dc", 10, a=5), _candidate("store", 5, b=2)
    chosen = choose_locations([("a", 2), ("b", 2), ("c", 1)], [dc, store])
    assert {variant: c.code for variant, c in chosen.items()} == {"a": "dc", "b": "store", "c": "dc"}
