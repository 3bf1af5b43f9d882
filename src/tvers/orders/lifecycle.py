"""The order state machine: every allowed transition in one table (pure, no I/O)."""

from __future__ import annotations

from enum import StrEnum

from tvers.orders.errors import IllegalTransition


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    IN_FULFILMENT = "in_fulfilment"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    FULFILLED = "fulfilled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    PAYMENT_FAILED = "payment_failed"
    ON_HOLD = "on_hold"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.CONFIRMED, S.PAYMENT_FAILED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.IN_FULFILMENT, S.PARTIALLY_FULFILLED, S.FULFILLED, S.CANCELLED, S.ON_HOLD}),
    S.IN_FULFILMENT: frozenset({S.PARTIALLY_FULFILLED, S.FULFILLED, S.CANCELLED, S.ON_HOLD}),
    S.PARTIALLY_FULFILLED: frozenset({S.FULFILLED, S.ON_HOLD}),
    S.ON_HOLD: frozenset({S.CONFIRMED, S.IN_FULFILMENT, S.PARTIALLY_FULFILLED, S.CANCELLED}),
    S.FULFILLED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.PAYMENT_FAILED: frozenset(),
}
# Lines may be cancelled or edited only while nothing of them has left a shelf.
EDITABLE = frozenset({S.CONFIRMED, S.ON_HOLD, S.IN_FULFILMENT})
FINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)


def check_transition(current: str, target: OrderStatus) -> None:
    """Raise IllegalTransition unless the table allows `current` → `target`."""
    allowed = TRANSITIONS[OrderStatus(current)]
    if target not in allowed:
        raise IllegalTransition(
            f"An order that is {current} cannot become {target.value}",
            current=current,
            target=target.value,
            allowed=sorted(status.value for status in allowed),
        )
