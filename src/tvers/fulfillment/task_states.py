"""The task state machine (pure): every allowed move per kind of task in one table."""

from __future__ import annotations

from enum import StrEnum

from tvers.fulfillment.errors import IllegalTaskTransition


class TaskKind(StrEnum):
    SHIP = "ship"
    PICKUP = "pickup"
    CURBSIDE = "curbside"
    TRANSFER = "transfer"  # goods sent from here to the pickup store


class TaskStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    READY_FOR_PICKUP = "ready_for_pickup"
    CUSTOMER_ARRIVED = "customer_arrived"
    DELIVERED = "delivered"  # a shipment reached the customer; a transfer reached the pickup store
    PICKED_UP = "picked_up"
    REJECTED = "rejected"  # every unit rejected: re-sourced elsewhere
    REASSIGNED = "reassigned"  # not accepted in time: re-sourced elsewhere
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # pickup not collected in time


S = TaskStatus
_CLOSING = frozenset({S.REJECTED, S.CANCELLED})
_SHIPPING = {
    S.NEW: frozenset({S.ACCEPTED, S.REASSIGNED}) | _CLOSING,
    S.ACCEPTED: frozenset({S.PICKING}) | _CLOSING,
    S.PICKING: frozenset({S.PACKED}) | _CLOSING,
    S.PACKED: frozenset({S.SHIPPED}) | _CLOSING,
    S.SHIPPED: frozenset({S.DELIVERED}),
}
_COLLECTING = {
    S.NEW: frozenset({S.ACCEPTED, S.REASSIGNED}) | _CLOSING,
    S.ACCEPTED: frozenset({S.PICKING}) | _CLOSING,
    S.PICKING: frozenset({S.PACKED}) | _CLOSING,
    S.PACKED: frozenset({S.READY_FOR_PICKUP}) | _CLOSING,
    S.READY_FOR_PICKUP: frozenset({S.PICKED_UP, S.EXPIRED, S.CANCELLED}),
}
TRANSITIONS: dict[TaskKind, dict[TaskStatus, frozenset[TaskStatus]]] = {
    TaskKind.SHIP: _SHIPPING,
    TaskKind.TRANSFER: _SHIPPING,
    TaskKind.PICKUP: _COLLECTING,
    TaskKind.CURBSIDE: {**_COLLECTING,
                        S.READY_FOR_PICKUP: frozenset({S.CUSTOMER_ARRIVED, S.PICKED_UP, S.EXPIRED, S.CANCELLED}),
                        S.CUSTOMER_ARRIVED: frozenset({S.PICKED_UP, S.EXPIRED, S.CANCELLED})},
}
# Work a location still has to do (or may still reject): the store queue and re-sourcing look at these.
OPEN = frozenset({S.NEW, S.ACCEPTED, S.PICKING, S.PACKED})
WAITING_FOR_CUSTOMER = frozenset({S.READY_FOR_PICKUP, S.CUSTOMER_ARRIVED})


def allowed(kind: str, current: str) -> frozenset[TaskStatus]:
    return TRANSITIONS[TaskKind(kind)].get(TaskStatus(current), frozenset())


def check_task_transition(kind: str, current: str, target: TaskStatus) -> None:
    """Raise IllegalTaskTransition unless the table allows `current` → `target` for this kind of task."""
    targets = allowed(kind, current)
    if target not in targets:
        raise IllegalTaskTransition(
            f"A {kind} task that is {current} cannot become {target.value}",
            current=current, target=target.value, allowed=sorted(s.value for s in targets),
        )
