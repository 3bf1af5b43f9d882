"""Properties of sourcing on random orders and sites: nothing oversold, every unit accounted for, only usable sites,
the fewest shipments and then the lowest cost (checked against brute force), the same plan for the same input."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from tvers.fulfillment.sourcing import Costs, Plan, Point, Site, WantedLine, source_for_pickup, source_for_shipping
from tvers.inventory.geo import distance_km

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
VARIANTS = ("a", "b", "c", "d", "e")
TYPES = ("store", "warehouse", "dark_store", "3pl", "popup")

lines_strategy = st.lists(
    st.builds(lambda n, variant, quantity: WantedLine(f"L{n}", variant, quantity), st.integers(), st.sampled_from(VARIANTS),
              st.integers(0, 5)),
    min_size=1, max_size=6,
).map(lambda lines: [WantedLine(f"L{n}", ln.variant_id, ln.quantity) for n, ln in enumerate(lines)])


@st.composite
def sites_strategy(draw: st.DrawFn, *, min_size: int = 0) -> list[Site]:
    count = draw(st.integers(min_size, 7))
    sites = []
    for n in range(count):
        stock = draw(st.dictionaries(st.sampled_from(VARIANTS), st.integers(-1, 7), max_size=len(VARIANTS)))
        sites.append(Site(
            location_id=f"loc-{n}",
            code=f"s{n:02d}",
            name=f"Site {n}",
            type=draw(st.sampled_from(TYPES)),
            point=Point(draw(st.floats(58.0, 64.0)), draw(st.floats(5.0, 18.0))),
            priority=draw(st.integers(0, 3)),
            available=stock,
            capacity_left=draw(st.integers(-1, 3)),
            opens_at=draw(st.sampled_from([NOW, None])),
        ))
    return sites


costs_strategy = st.builds(
    Costs,
    per_km=st.sampled_from([0.0, 0.05, 1.0]),
    per_shipment=st.sampled_from([0.0, 10.0]),
    per_priority_point=st.sampled_from([0.0, 1.0, 5.0]),
    warehouse_discount=st.sampled_from([0.0, 3.0]),
    surplus_discount=st.sampled_from([0.0, 0.1]),
)
destination_strategy = st.one_of(st.none(), st.builds(Point, st.floats(58.0, 64.0), st.floats(5.0, 18.0)))


def is_eligible(site: Site) -> bool:
    return site.opens_at is not None and site.capacity_left > 0


def assert_accounted_for(plan: Plan, lines: list[WantedLine], sites: list[Site]) -> None:
    """Nothing oversold at any site, and every unit wanted is either allocated or short."""
    taken = Counter((a.location_id, a.variant_id) for a in plan.allocations for _ in range(a.quantity))
    by_id = {site.location_id: site for site in sites}
    for (location_id, variant_id), units in taken.items():
        assert units <= by_id[location_id].available.get(variant_id, 0)
    for line in lines:
        allocated = sum(a.quantity for a in plan.allocations if a.line_id == line.line_id)
        missing = sum(s.quantity for s in plan.shortfalls if s.line_id == line.line_id)
        assert allocated + missing == line.quantity
    assert all(a.quantity > 0 for a in plan.allocations) and all(s.quantity > 0 for s in plan.shortfalls)


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, sites=sites_strategy(), destination=destination_strategy, costs=costs_strategy, seed=st.integers())
def test_shipping_never_oversells_accounts_for_every_unit_and_uses_only_usable_sites(
    lines: list[WantedLine], sites: list[Site], destination: Point | None, costs: Costs, seed: int
) -> None:
    plan = source_for_shipping(lines, sites, destination=destination, now=NOW, costs=costs)

    assert_accounted_for(plan, lines, sites)
    usable = {site.location_id for site in sites if is_eligible(site)}
    assert set(plan.location_ids) <= usable
    assert all(a.transfer_to is None for a in plan.allocations)
    shuffled = list(sites)
    random.Random(seed).shuffle(shuffled)
    assert source_for_shipping(lines, shuffled, destination=destination, now=NOW, costs=costs) == plan  # same input, same plan
    assert source_for_shipping(lines, with_other_variants(sites), destination=destination, now=NOW, costs=costs) == plan


def with_other_variants(sites: list[Site]) -> list[Site]:
    """The same sites also holding stock of 40 variants nobody ordered: that must change nothing."""
    extra = {f"other-{n}": n for n in range(40)}
    return [replace(site, available={**extra, **site.available}) for site in sites]


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, sites=sites_strategy(min_size=1), costs=costs_strategy, seed=st.integers())
def test_pickup_never_oversells_accounts_for_every_unit_and_transfers_only_from_usable_sites(
    lines: list[WantedLine], sites: list[Site], costs: Costs, seed: int
) -> None:
    store, others = sites[0], sites[1:]

    plan = source_for_pickup(lines, store, others, now=NOW, costs=costs)

    assert_accounted_for(plan, lines, sites)
    for allocation in plan.allocations:
        if allocation.location_id == store.location_id:
            assert allocation.transfer_to is None
        else:
            assert allocation.transfer_to == store.location_id
            assert is_eligible(next(s for s in others if s.location_id == allocation.location_id))
    if store.opens_at is None:
        assert plan.allocations == () and {s.reason for s in plan.shortfalls} <= {"store closed"}
    shuffled = list(others)
    random.Random(seed).shuffle(shuffled)
    assert source_for_pickup(lines, store, shuffled, now=NOW, costs=costs) == plan
    assert source_for_pickup(lines, store, with_other_variants(others), now=NOW, costs=costs) == plan


# --------------------------------------------------------------------------- optimality against brute force


def site_cost(site: Site, given: dict[str, int], destination: Point | None, costs: Costs) -> float:
    km = 0.0 if destination is None else distance_km(destination.latitude, destination.longitude, site.point.latitude, site.point.longitude)
    kept = sum(min(site.available.get(variant, 0) - units, 10) for variant, units in given.items())
    discount = costs.warehouse_discount if site.type in ("warehouse", "dark_store") else 0.0
    return costs.per_shipment + costs.per_km * km - costs.per_priority_point * site.priority - discount - costs.surplus_discount * kept


def brute_force(lines: list[WantedLine], sites: list[Site], destination: Point | None, costs: Costs) -> tuple[int, float] | None:
    """The fewest usable sites that give every variant whole, and the cheapest such set; None if no set does."""
    wanted = Counter()
    for line in lines:
        wanted[line.variant_id] += line.quantity
    usable = [site for site in sites if is_eligible(site)]
    for size in range(1, len(usable) + 1):
        best = None
        for group in combinations(usable, size):
            givers = {v: [s for s in group if s.available.get(v, 0) >= q] for v, q in wanted.items()}
            if any(not found for found in givers.values()) or any(not any(s in found for found in givers.values()) for s in group):
                continue
            # each variant from the site in the set that keeps most after it (only the surplus discount cares)
            given: dict[str, dict[str, int]] = {s.location_id: {} for s in group}
            for variant, found in givers.items():
                keeper = max(found, key=lambda s, v=variant: s.available.get(v, 0))
                given[keeper.location_id][variant] = wanted[variant]
            cost = sum(site_cost(s, given[s.location_id], destination, costs) for s in group)
            best = cost if best is None else min(best, cost)
        if best is not None:
            return size, best
    return None


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, sites=sites_strategy(), destination=destination_strategy,
       costs=costs_strategy.map(lambda c: Costs(c.per_km, c.per_shipment, c.per_priority_point, c.warehouse_discount)))
def test_shipping_uses_the_fewest_sites_then_the_cheapest(
    lines: list[WantedLine], sites: list[Site], destination: Point | None, costs: Costs
) -> None:
    lines = [line for line in lines if line.quantity > 0]
    best = brute_force(lines, sites, destination, costs)

    plan = source_for_shipping(lines, sites, destination=destination, now=NOW, costs=costs)

    if best is None or not lines:
        return
    size, cost = best
    assert len(plan.location_ids) == size
    used = [s for s in sites if s.location_id in plan.location_ids]
    given = {s.location_id: {a.variant_id: 0 for a in plan.allocations if a.location_id == s.location_id} for s in used}
    for allocation in plan.allocations:
        given[allocation.location_id][allocation.variant_id] += allocation.quantity
    assert abs(sum(site_cost(s, given[s.location_id], destination, costs) for s in used) - cost) < 1e-6
    if size == 1:
        assert not plan.shortfalls
