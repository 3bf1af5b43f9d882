"""Sourcing for orders: the pure sourcing module fed with what inventory and fulfilment know now (docs/fulfilment.md)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tvers.db.uow import Uow
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.hours import opens_at
from tvers.fulfillment.sourcing import Costs, Plan, Point, Site, WantedLine, source_for_pickup, source_for_shipping
from tvers.inventory import service as inventory
from tvers.kernel.errors import FieldError, InvalidInput
from tvers.settings import Settings


def sourcing_costs(settings: Settings) -> Costs:
    return Costs(per_km=settings.sourcing_cost_per_km, per_shipment=settings.sourcing_cost_per_shipment,
                 per_priority_point=settings.sourcing_cost_per_priority_point, warehouse_discount=settings.sourcing_warehouse_discount,
                 surplus_discount=settings.sourcing_surplus_discount, transfer_hours=settings.transfer_hours,
                 transfer_km_per_hour=settings.transfer_km_per_hour)


def site_of(candidate: inventory.Candidate, *, now: datetime, tasks_today: int) -> Site:
    return Site(location_id=candidate.location_id, code=candidate.code, name=candidate.name or candidate.code, type=candidate.type,
                point=Point(candidate.latitude, candidate.longitude), priority=candidate.sourcing_priority,
                available=candidate.available, capacity_left=candidate.daily_capacity - tasks_today,
                opens_at=opens_at(candidate.opening_hours, candidate.time_zone, now),
                pickup_lead_minutes=candidate.pickup_lead_minutes)


def sites_of(uow: Uow, candidates: Sequence[inventory.Candidate], *, exclude: Collection[str] = ()) -> list[Site]:
    now = uow.clock.now()
    kept = [c for c in candidates if c.location_id not in exclude]
    load = fulfillment.tasks_today(uow, [c.location_id for c in kept])
    return [site_of(c, now=now, tasks_today=load[c.location_id]) for c in kept]


def destination_of(address: dict[str, Any] | None, candidates: Sequence[inventory.Candidate]) -> Point | None:
    """Where a parcel goes: the address's coordinates if given, else a location in the same city; else unknown (distance 0)."""
    if not address:
        return None
    if address.get("latitude") is not None and address.get("longitude") is not None:
        return Point(float(address["latitude"]), float(address["longitude"]))
    city = str(address.get("city", "")).strip().casefold()
    same_city = next((c for c in candidates if c.city.strip().casefold() == city), None)
    return Point(same_city.latitude, same_city.longitude) if same_city else None


def ship_plan(uow: Uow, settings: Settings, wanted: Sequence[WantedLine], candidates: Sequence[inventory.Candidate], *,
              address: dict[str, Any] | None, exclude: Collection[str] = ()) -> Plan:
    """The shipping plan; when closed or full locations leave units unplaced, a second pass lets them ship later rather than refuse."""
    now, costs = uow.clock.now(), sourcing_costs(settings)
    sites = sites_of(uow, candidates, exclude=exclude)
    destination = destination_of(address, candidates)
    plan = source_for_shipping(wanted, sites, destination=destination, now=now, costs=costs)
    if plan.shortfalls:
        relaxed = [replace(s, capacity_left=max(s.capacity_left, 1), opens_at=s.opens_at or now) for s in sites]
        second = source_for_shipping(wanted, relaxed, destination=destination, now=now, costs=costs)
        if sum(s.quantity for s in second.shortfalls) < sum(s.quantity for s in plan.shortfalls):
            return replace(second, explanation=f"{second.explanation} (over today's capacity or outside opening hours: later)")
    return plan


def pickup_plan(uow: Uow, settings: Settings, wanted: Sequence[WantedLine], store: inventory.Candidate, *, channel_id: str,
                exclude: Collection[str] = ()) -> Plan:
    """The pickup plan: the store's own stock, and transfers into it for what it lacks (other locations loaded only then)."""
    now, costs = uow.clock.now(), sourcing_costs(settings)
    load = fulfillment.tasks_today(uow, [store.location_id])[store.location_id]
    store_site = site_of(store, now=now, tasks_today=load)
    if store.location_id in exclude:
        store_site = replace(store_site, available={})
    others: list[Site] = []
    if not all(store_site.available.get(w.variant_id, 0) >= w.quantity for w in wanted):
        candidates = inventory.shipping_candidates(uow, channel_id=channel_id, variant_ids=[w.variant_id for w in wanted])
        others = sites_of(uow, candidates, exclude={*exclude, store.location_id})
    return source_for_pickup(wanted, store_site, others, now=now, costs=costs)


def checkout_store(uow: Uow, *, method: str, code: str, channel_id: str, variant_ids: Collection[str]) -> inventory.Candidate:
    """The pickup, curbside or till store named at checkout: it must offer that to this channel."""
    store = inventory.location_candidate(uow, code=code, variant_ids=variant_ids, field_name="delivery.location", channel_id=channel_id)
    offered = {"pickup": store.offers_pickup and store.channel_pickup, "curbside": store.offers_curbside and store.channel_pickup}
    if not offered.get(method, True):
        message = f"{store.code} does not offer {method} for this channel"
        raise InvalidInput(message, code="delivery_not_offered", fields=[FieldError("delivery.location", message, "not_offered")])
    return store


def plan_snapshot(plan: Plan, *, trigger: str) -> dict[str, Any]:
    """The decision as the order and the decision log keep it."""
    return {
        "trigger": trigger,
        "explanation": plan.explanation,
        "ready_by": plan.ready_by.isoformat() if plan.ready_by else None,
        "allocations": [{"line_id": a.line_id, "variant_id": a.variant_id, "location_id": a.location_id, "code": a.code,
                         "quantity": a.quantity, "transfer_to": a.transfer_to} for a in plan.allocations],
        "shortfalls": [{"line_id": s.line_id, "variant_id": s.variant_id, "quantity": s.quantity, "reason": s.reason}
                       for s in plan.shortfalls],
        "considered": list(plan.considered),
    }


@dataclass(frozen=True)
class Sourced:
    """What checkout reserves and records: reservations per (variant, location), each line's first location, the plan."""

    reserve: tuple[tuple[str, str, int], ...]  # (variant id, location id, units)
    line_location: dict[str, str]
    snapshot: dict[str, Any]
    pickup_location_id: str | None = None
    till_location_id: str | None = None


def merged(parts: Sequence[Sourced]) -> Sourced:
    """One order's lines sourced per way they are delivered (shipped, collected, carried out), as one."""
    if len(parts) == 1:
        return parts[0]
    snapshot: dict[str, Any] = {"trigger": parts[0].snapshot["trigger"],
                                "explanation": "; ".join(p.snapshot["explanation"] for p in parts if p.snapshot["explanation"]),
                                "ready_by": next((p.snapshot["ready_by"] for p in parts if p.snapshot["ready_by"]), None)}
    for key in ("allocations", "shortfalls", "considered"):
        snapshot[key] = [item for p in parts for item in p.snapshot[key]]
    return Sourced(reserve=tuple(r for p in parts for r in p.reserve),
                   line_location={k: v for p in parts for k, v in p.line_location.items()},
                   snapshot=snapshot, pickup_location_id=next((p.pickup_location_id for p in parts if p.pickup_location_id), None),
                   till_location_id=next((p.till_location_id for p in parts if p.till_location_id), None))


def sourced_from(plan: Plan, wanted: Sequence[WantedLine], *, fallback_location_id: str, pickup_location_id: str | None = None,
                 till_location_id: str | None = None, trigger: str = "checkout") -> Sourced:
    """Reservations for a plan; units nobody can give are asked of the fallback location, whose refusal names where else they are."""
    held: dict[tuple[str, str], int] = {}
    first: dict[str, str] = {}
    for allocation in plan.allocations:
        key = (allocation.variant_id, allocation.location_id)
        held[key] = held.get(key, 0) + allocation.quantity
        first.setdefault(allocation.variant_id, allocation.location_id)
    for shortfall in plan.shortfalls:
        key = (shortfall.variant_id, fallback_location_id)
        held[key] = held.get(key, 0) + shortfall.quantity
        first.setdefault(shortfall.variant_id, fallback_location_id)
    for line in wanted:
        first.setdefault(line.variant_id, fallback_location_id)
    return Sourced(reserve=tuple((v, loc, q) for (v, loc), q in held.items()), line_location=first,
                   snapshot=plan_snapshot(plan, trigger=trigger), pickup_location_id=pickup_location_id, till_location_id=till_location_id)
