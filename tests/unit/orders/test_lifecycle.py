"""The order state machine table and the checkout's stand-in sourcing rule (pure)."""

from __future__ import annotations

import pytest

from tvers.orders.errors import IllegalTransition
from tvers.orders.lifecycle import FINAL, TRANSITIONS, OrderStatus, check_transition

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
