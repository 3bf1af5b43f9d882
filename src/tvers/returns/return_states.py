"""The return state machine (pure): every allowed move in one table, and the groups of states other rules read."""

from __future__ import annotations

from tvers.returns.errors import IllegalReturnTransition
from tvers.returns.schemas import ReturnStatus

S = ReturnStatus
TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    S.REQUESTED: frozenset({S.RECEIVED, S.CANCELLED, S.EXPIRED}),
    S.EXPIRED: frozenset({S.RECEIVED}),  # only with staff's override and a reason
    S.RECEIVED: frozenset({S.REFUNDED, S.REFUND_PENDING}),  # in the receipt's own transaction
    S.REFUND_PENDING: frozenset({S.REFUNDED, S.REFUND_FAILED}),
    S.REFUND_FAILED: frozenset({S.REFUND_PENDING, S.REFUNDED}),  # retried through the provider, or paid as store credit
    S.REFUNDED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Goods that may still come in (an expired one only with an override).
RECEIVABLE = frozenset({S.REQUESTED, S.EXPIRED})
# Returns whose units are given up: they count for nothing, so the units may be returned again.
RELEASED = frozenset({S.CANCELLED, S.EXPIRED})
# Returns whose refund was decided (whatever the providers said since): later returns of the order count their plans.
REFUND_DECIDED = frozenset({S.REFUNDED, S.REFUND_PENDING, S.REFUND_FAILED})
# Returns whose goods are on a location's books: the units that may be sent back to a warehouse.
RECEIVED_GOODS = REFUND_DECIDED | {S.RECEIVED}


def check_move(current: ReturnStatus, to: ReturnStatus, *, return_id: str) -> None:
    if to not in TRANSITIONS[current]:
        raise IllegalReturnTransition(f"return {return_id} is {current.value}; it cannot become {to.value}",
                                      return_status=current.value, wanted=to.value)
