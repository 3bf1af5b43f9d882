"""Sourcing (pure): which location fulfils which order line, and why (docs/fulfilment.md).

The objective, in order: the whole order from one location; else the fewest shipments; then the lowest cost
(distance, per-shipment cost, location priority, a preference for warehouses or stores with surplus).
Pickup: the chosen store when it has the stock, else a transfer into it from the nearest location that has it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class WantedLine:
    """An order line to place: its quantity may be split over locations only when no one location has it all."""

    line_id: str
    variant_id: str
    quantity: int
    sku: str = ""


@dataclass(frozen=True, slots=True)
class Site:
    """A candidate location as sourcing sees it; the caller filters out locations the channel may not use."""

    location_id: str
    code: str
    name: str
    type: str  # store | warehouse | dark_store | 3pl | popup
    point: Point
    priority: int  # sourcing priority: higher is preferred
    available: Mapping[str, int]  # variant id → units the channel may promise here
    capacity_left: int  # tasks it can still take today; 0 or less: full, skipped
    opens_at: datetime | None  # now when open, else its next opening; None: closed for the planning horizon, skipped
    pickup_lead_minutes: int = 0  # from having the goods to ready for pickup


@dataclass(frozen=True, slots=True)
class Costs:
    """What a plan costs, in one abstract unit; configurable per retailer (settings)."""

    per_km: float = 0.05
    per_shipment: float = 10.0
    per_priority_point: float = 1.0  # subtracted: a higher sourcing priority makes a location cheaper
    warehouse_discount: float = 0.0  # subtracted for warehouses and dark stores: prefer them over stores
    surplus_discount: float = 0.0  # subtracted per unit a location keeps after the pick (capped per line): prefer surplus
    transfer_hours: float = 24.0  # a transfer into a pickup store takes this long, plus the driving below
    transfer_km_per_hour: float = 60.0


@dataclass(frozen=True, slots=True)
class Allocation:
    """Units of a line from one location; `transfer_to` is the pickup store when they travel there by transfer first."""

    line_id: str
    variant_id: str
    location_id: str
    code: str
    quantity: int
    transfer_to: str | None = None


@dataclass(frozen=True, slots=True)
class Shortfall:
    """Units nobody can give now: the line needs attention."""

    line_id: str
    variant_id: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    allocations: tuple[Allocation, ...]
    shortfalls: tuple[Shortfall, ...] = ()
    ready_by: datetime | None = None  # pickup: when the customer can collect everything
    explanation: str = ""
    considered: tuple[str, ...] = field(default=())  # the alternatives weighed, one sentence each

    @property
    def location_ids(self) -> tuple[str, ...]:
        """The locations used, in first-use order (one shipment or task each)."""
        return tuple(dict.fromkeys(a.location_id for a in self.allocations))


def source_for_shipping(
    lines: Sequence[WantedLine], sites: Sequence[Site], *, destination: Point | None, now: datetime, costs: Costs = Costs()
) -> Plan:
    raise NotImplementedError


def source_for_pickup(
    lines: Sequence[WantedLine], store: Site, sites: Sequence[Site], *, now: datetime, costs: Costs = Costs()
) -> Plan:
    raise NotImplementedError
