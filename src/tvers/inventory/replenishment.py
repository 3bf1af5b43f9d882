"""Replenishment rules, pure: when to reorder, how much, and from where."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LevelView:
    location_code: str
    location_type: str
    available: int
    reorder_point: int
    reorder_quantity: int
    sourcing_priority: int = 0


@dataclass(frozen=True)
class Suggestion:
    location_code: str
    kind: str  # "transfer" or "purchase"
    quantity: int
    from_location_code: str | None
    reason: str


def reorder_point(*, units_sold: int, days: int, lead_time_days: float, safety_stock: int) -> int:
    """Expected demand over the lead time plus the safety stock, rounded up."""
    if days <= 0:
        raise ValueError("days must be positive")
    return math.ceil(units_sold / days * lead_time_days) + safety_stock


def suggest(needy: LevelView, others: Sequence[LevelView]) -> Suggestion | None:
    """A transfer from a location with surplus (warehouses first), else a purchase."""
    if needy.reorder_point <= 0 or needy.available > needy.reorder_point:
        return None
    wanted = max(needy.reorder_quantity, needy.reorder_point - needy.available + 1)
    donors = sorted(
        (o for o in others if o.location_code != needy.location_code and _surplus(o) >= wanted),
        key=lambda o: (o.location_type != "warehouse", -o.sourcing_priority, -_surplus(o), o.location_code),
    )
    if donors:
        donor = donors[0]
        return Suggestion(
            needy.location_code,
            "transfer",
            wanted,
            donor.location_code,
            f"available {needy.available} ≤ reorder point {needy.reorder_point}; {donor.location_code} has {_surplus(donor)} spare",
        )
    return Suggestion(
        needy.location_code,
        "purchase",
        max(wanted, needy.reorder_quantity),
        None,
        f"available {needy.available} ≤ reorder point {needy.reorder_point}; no location has {wanted} spare",
    )


def _surplus(level: LevelView) -> int:
    """What a location can give without falling to its own reorder point."""
    return max(0, level.available - level.reorder_point)
