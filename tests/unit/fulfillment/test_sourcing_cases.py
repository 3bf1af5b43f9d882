"""A table of sourcing decisions worked out by hand: which site gives which line, what is short, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import pi

import pytest

from tvers.fulfillment import sourcing
from tvers.fulfillment.sourcing import Costs, Plan, Point, Site, WantedLine, source_for_pickup, source_for_shipping
from tvers.inventory.geo import EARTH_RADIUS_KM

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday
OSLO = Point(59.9139, 10.7522)
KM_PER_DEGREE = EARTH_RADIUS_KM * pi / 180


def north(km: float) -> Point:
    """A point `km` due north of Oslo: along a meridian the haversine distance is exactly this."""
    return Point(OSLO.latitude + km / KM_PER_DEGREE, OSLO.longitude)


EAST, WEST = Point(OSLO.latitude, OSLO.longitude + 0.5), Point(OSLO.latitude, OSLO.longitude - 0.5)  # equally far from Oslo


def site(
    code: str,
    km: float = 0.0,
    *,
    name: str | None = None,
    at: Point | None = None,
    kind: str = "store",
    priority: int = 0,
    capacity: int = 10,
    opens_at: datetime | None = NOW,
    lead: int = 60,
    **stock: int,
) -> Site:
    point = at if at is not None else north(km)
    return Site(f"loc-{code}", code, name or code.title(), kind, point, priority, stock, capacity, opens_at, lead)


def line(line_id: str, quantity: int = 1, *, variant: str | None = None) -> WantedLine:
    """Line "A" wants variant "a" unless told otherwise; its SKU is its id, so explanations name it."""
    return WantedLine(line_id, variant or line_id.lower(), quantity, sku=line_id)


def sent(plan: Plan) -> list[tuple[str, str, int]]:
    return [(a.line_id, a.code, a.quantity) for a in plan.allocations]


def short(plan: Plan) -> list[tuple[str, int, str]]:
    return [(s.line_id, s.quantity, s.reason) for s in plan.shortfalls]


# --------------------------------------------------------------------------- shipping


@dataclass(frozen=True)
class Shipping:
    lines: list[WantedLine]
    sites: list[Site]
    sent: list[tuple[str, str, int]]  # (line, site code, units) in the plan's order
    short: list[tuple[str, int, str]] | None = None
    costs: Costs = field(default_factory=Costs)
    destination: Point | None = OSLO
    explanation: str | None = None


ABC = [line("A"), line("B"), line("C")]
AB = [line("A"), line("B")]

SHIPPING = [
    pytest.param(Shipping(
        ABC,
        [site("osl", 5, name="Oslo Sentrum", a=1, b=1), site("maj", 6, name="Majorstuen", c=1),
         site("lhs", 300, name="Langhus distribution centre", kind="warehouse", a=5, b=5, c=5)],
        [("A", "lhs", 1), ("B", "lhs", 1), ("C", "lhs", 1)],
        explanation="Langhus distribution centre: all 3 lines, 300 km; Oslo Sentrum would need 2 shipments",
    ), id="one-site-for-everything-beats-nearer-sites"),
    pytest.param(Shipping(
        [line(x) for x in "ABCDEF"],
        [site("x", 5, name="X", a=1, b=1, c=1, d=1), site("y", 50, name="Y", a=1, b=1, e=1), site("z", 60, name="Z", c=1, d=1, f=1)],
        [("A", "y", 1), ("B", "y", 1), ("C", "z", 1), ("D", "z", 1), ("E", "y", 1), ("F", "z", 1)],
        explanation="2 shipments: Y (lines A, B, E, 50 km), Z (lines C, D, F, 60 km); no single location has all 6 lines",
    ), id="fewest-shipments-exact-cover-beats-greedy"),
    pytest.param(Shipping(
        AB, [site("far", 20, a=1, b=1), site("near", 10, a=1, b=1)], [("A", "near", 1), ("B", "near", 1)],
        explanation="Near: both lines, 10 km; Far (20 km) also has both lines but is farther (20 km against 10 km)",
    ), id="distance-decides-between-sites-with-everything"),
    pytest.param(Shipping(
        AB, [site("low", at=WEST, priority=1, a=1, b=1), site("high", at=EAST, priority=5, a=1, b=1)],
        [("A", "high", 1), ("B", "high", 1)], costs=Costs(per_priority_point=0.0),
        explanation="High: both lines, 28 km; Low (28 km) also has both lines but costs the same and has a lower priority",
    ), id="priority-breaks-a-cost-tie"),
    pytest.param(Shipping(
        AB, [site("b-store", at=WEST, a=1, b=1), site("a-store", at=EAST, a=1, b=1)], [("A", "a-store", 1), ("B", "a-store", 1)],
    ), id="code-breaks-a-cost-and-priority-tie"),
    pytest.param(Shipping(
        AB, [site("near", 10, capacity=0, a=1, b=1), site("far", 20, a=1, b=1)], [("A", "far", 1), ("B", "far", 1)],
        explanation="Far: both lines, 20 km; Near (10 km) has both lines but has no capacity left today",
    ), id="site-without-capacity-is-skipped"),
    pytest.param(Shipping(
        AB, [site("near", 10, opens_at=None, a=1, b=1), site("far", 20, a=1, b=1)], [("A", "far", 1), ("B", "far", 1)],
        explanation="Far: both lines, 20 km; Near (10 km) has both lines but is closed for the planning horizon",
    ), id="closed-site-is-skipped"),
    pytest.param(Shipping(
        AB, [site("near", 10, opens_at=NOW + timedelta(hours=20), a=1, b=1), site("far", 20, a=1, b=1)],
        [("A", "near", 1), ("B", "near", 1)],
    ), id="site-opening-later-is-still-used"),
    pytest.param(Shipping(
        [line("A", 5)], [site("q", 20, a=4), site("p", 10, a=3)], [("A", "p", 3), ("A", "q", 2)],
        explanation="2 shipments: P (3 of 5 units of line A, 10 km), Q (2 of 5 units of line A, 20 km); no single location has all of it",
    ), id="line-nobody-has-in-full-is-split-cheapest-first"),
    pytest.param(Shipping(
        [line("A", 5), line("B")], [site("p", 10, a=3), site("q", 20, a=4, b=1)], [("A", "q", 4), ("A", "p", 1), ("B", "q", 1)],
    ), id="split-goes-first-to-a-site-already-shipping"),
    pytest.param(Shipping(
        [line("A"), line("B"), line("C", 2)], [site("s", 10, a=1, b=1)], [("A", "s", 1), ("B", "s", 1)],
        short=[("C", 2, "no location the channel ships from has it")],
        explanation="S: lines A, B, 10 km; line C short by 2: no location the channel ships from has it",
    ), id="shortfall-and-the-rest-still-ships"),
    pytest.param(Shipping(
        [line("A", 5)], [site("p", 10, a=2), site("q", 5, opens_at=None, a=9)], [("A", "p", 2)],
        short=[("A", 3, "not enough stock at the locations the channel ships from (closed or full locations have 9)")],
    ), id="partial-shortfall-names-stock-at-closed-sites"),
    pytest.param(Shipping(
        AB, [site("store", 10, a=1, b=1), site("wh", 100, kind="warehouse", a=1, b=1)], [("A", "store", 1), ("B", "store", 1)],
    ), id="without-warehouse-discount-the-nearer-store-wins"),
    pytest.param(Shipping(
        AB, [site("store", 10, a=1, b=1), site("wh", 100, kind="warehouse", a=1, b=1)], [("A", "wh", 1), ("B", "wh", 1)],
        costs=Costs(warehouse_discount=10.0),
        explanation="Wh: both lines, 100 km; Store (10 km) also has both lines but is not a warehouse or dark store",
    ), id="warehouse-discount-makes-a-farther-warehouse-win"),
    pytest.param(Shipping(
        AB, [site("near", 10, a=1, b=1), site("far", 40, a=11, b=11)], [("A", "near", 1), ("B", "near", 1)],
    ), id="without-surplus-discount-the-nearer-site-wins"),
    pytest.param(Shipping(
        AB, [site("near", 10, a=1, b=1), site("far", 40, a=11, b=11)], [("A", "far", 1), ("B", "far", 1)],
        costs=Costs(surplus_discount=0.2),
        explanation="Far: both lines, 40 km; Near (10 km) also has both lines but would keep less stock after the pick",
    ), id="surplus-discount-makes-a-site-with-stock-to-spare-win"),
    pytest.param(Shipping(
        AB, [site("near", 10, a=1, b=1), site("far", 500, priority=3, a=1, b=1)], [("A", "far", 1), ("B", "far", 1)], destination=None,
        explanation="Far: both lines; Near also has both lines but has a lower priority (0 against 3)",
    ), id="without-destination-priority-decides"),
    pytest.param(Shipping(
        [line("A1", 2, variant="x"), line("A2", 2, variant="x")], [site("p", 10, x=3), site("q", 20, x=4)],
        [("A1", "q", 2), ("A2", "q", 2)],
    ), id="lines-of-one-variant-never-ask-a-site-for-more-than-it-has"),
    pytest.param(Shipping(
        [line(x) for x in "ABCDEFGHIJKLMN"],
        [site("w", 30, **{x: 1 for x in "abcdefg"}), site("v", 40, **{x: 1 for x in "hijklmn"}),
         *(site(f"s{x}", 5, **{x: 1}) for x in "abcdefghijklmn")],
        [(x, "w", 1) for x in "ABCDEFG"] + [(x, "v", 1) for x in "HIJKLMN"],
    ), id="more-than-12-variants-greedy-cover"),
]


@pytest.mark.parametrize("case", SHIPPING)
def test_shipping(case: Shipping) -> None:
    plan = source_for_shipping(case.lines, case.sites, destination=case.destination, now=NOW, costs=case.costs)

    assert sent(plan) == case.sent
    assert short(plan) == (case.short or [])
    if case.explanation is not None:
        assert plan.explanation == case.explanation


def test_shipping_explains_what_it_passed_over() -> None:
    lines = ABC
    sites = [site("osl", 5, name="Oslo Sentrum", a=1, b=1), site("shut", 1, name="Shut", opens_at=None, a=1, b=1, c=1),
             site("lhs", 300, name="Langhus distribution centre", kind="warehouse", a=5, b=5, c=5)]

    plan = source_for_shipping(lines, sites, destination=OSLO, now=NOW)

    assert plan.explanation == (
        "Langhus distribution centre: all 3 lines, 300 km; Shut (1 km) has all 3 lines but is closed for the planning horizon"
    )
    assert plan.considered == (
        "Shut (1 km) has all 3 lines but is closed for the planning horizon",
        "Oslo Sentrum (5 km) has only lines A, B, so would need 2 shipments",
    )


def test_shipping_keeps_the_fewest_shipments_when_the_cost_search_runs_out_of_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sourcing, "SEARCH_BUDGET", 0)
    lines = [line(x) for x in "ABCDEF"]
    sites = [site("x", 5, a=1, b=1, c=1, d=1), site("y", 50, a=1, b=1, e=1), site("z", 60, c=1, d=1, f=1)]

    plan = source_for_shipping(lines, sites, destination=OSLO, now=NOW)

    assert sorted(plan.location_ids) == ["loc-y", "loc-z"]


def test_nothing_wanted_gives_an_empty_plan() -> None:
    plan = source_for_shipping([line("A", 0)], [site("s", a=1)], destination=OSLO, now=NOW)

    assert (plan.allocations, plan.shortfalls) == ((), ())


# --------------------------------------------------------------------------- pickup


@dataclass(frozen=True)
class Pickup:
    lines: list[WantedLine]
    store: Site
    sites: list[Site]
    sent: list[tuple[str, str, int]]  # (line, site code, units); units from another site travel to the store
    ready_by: datetime | None
    short: list[tuple[str, int, str]] | None = None
    explanation: str | None = None


BERGEN = "Bergen Torget"
LANGHUS = "Langhus distribution centre"

PICKUP = [
    pytest.param(Pickup(
        AB, site("bgo", name=BERGEN, opens_at=NOW + timedelta(hours=2), lead=60, a=1, b=1), [site("lhs", 30, a=9, b=9)],
        [("A", "bgo", 1), ("B", "bgo", 1)], ready_by=NOW + timedelta(hours=3),
        explanation="Bergen Torget has both lines, ready by 2026-11-23 15:00 UTC",
    ), id="store-has-everything-ready-at-opening-plus-lead"),
    pytest.param(Pickup(
        AB, site("bgo", lead=30, a=1, b=1), [], [("A", "bgo", 1), ("B", "bgo", 1)], ready_by=NOW + timedelta(minutes=30),
    ), id="store-open-now-ready-after-the-lead"),
    pytest.param(Pickup(
        [line("A"), line("B"), line("C", 2)], site("bgo", name=BERGEN, a=1, b=1, c=1),
        [site("shut", 10, opens_at=None, c=5), site("little", 20, c=1), site("lhs", 305, name=LANGHUS, kind="warehouse", c=10)],
        [("A", "bgo", 1), ("B", "bgo", 1), ("C", "lhs", 2)],
        ready_by=datetime(2026, 11, 24, 18, 5, tzinfo=UTC),  # 24 h + 305 km at 60 km/h, then the store's hour
        explanation="Bergen Torget has 2 of 3 lines; line C comes by transfer from Langhus distribution centre (305 km), "
                    "ready by 2026-11-24 18:05 UTC",
    ), id="missing-line-comes-whole-from-the-nearest-site-that-has-it-all"),
    pytest.param(Pickup(
        [line("C")], site("bgo"), [site("far", 100, c=1), site("near", 50, c=1)], [("C", "near", 1)],
        ready_by=datetime(2026, 11, 24, 13, 50, tzinfo=UTC),
    ), id="nearest-of-two-sites-with-the-line"),
    pytest.param(Pickup(
        [line("C")], site("bgo"), [site("b-low", at=EAST, priority=1, c=1), site("a-high", at=WEST, priority=2, c=1),
                                   site("c-high", at=WEST, priority=2, c=1)],
        [("C", "a-high", 1)], ready_by=datetime(2026, 11, 24, 13, 28, tzinfo=UTC),
    ), id="transfer-distance-tie-priority-then-code"),
    pytest.param(Pickup(
        [line("C", 3)], site("bgo", c=1), [site("q", 20, c=1), site("p", 10, c=1), site("none", 5)],
        [("C", "bgo", 1), ("C", "p", 1), ("C", "q", 1)], ready_by=datetime(2026, 11, 24, 13, 20, tzinfo=UTC),
    ), id="nobody-has-the-line-in-full-store-first-then-nearest"),
    pytest.param(Pickup(
        [line("A"), line("D")], site("bgo", name=BERGEN, a=1), [site("lhs", 30, a=5)], [("A", "bgo", 1)],
        ready_by=NOW + timedelta(hours=1), short=[("D", 1, "no location that can transfer to the store has it")],
        explanation="Bergen Torget has 1 of 2 lines, ready by 2026-11-23 13:00 UTC; "
                    "line D short by 1: no location that can transfer to the store has it",
    ), id="shortfall-at-pickup"),
    pytest.param(Pickup(
        [line("A"), line("B", 2)], site("bgo", name=BERGEN, opens_at=None, a=1, b=2), [site("lhs", 30, a=5, b=5)], [],
        ready_by=None, short=[("A", 1, "store closed"), ("B", 2, "store closed")],
        explanation="Bergen Torget is closed for the planning horizon: nothing can be picked up there",
    ), id="closed-store-every-line-short"),
]


@pytest.mark.parametrize("case", PICKUP)
def test_pickup(case: Pickup) -> None:
    plan = source_for_pickup(case.lines, case.store, case.sites, now=NOW)

    assert sent(plan) == case.sent
    assert all((a.transfer_to is None) == (a.location_id == case.store.location_id) for a in plan.allocations)
    assert all(a.transfer_to in (None, case.store.location_id) for a in plan.allocations)
    assert plan.ready_by == case.ready_by
    assert short(plan) == (case.short or [])
    if case.explanation is not None:
        assert plan.explanation == case.explanation


def test_pickup_explains_the_nearer_sites_passed_over() -> None:
    store = site("bgo", name=BERGEN, a=1, c=1)
    sites = [site("shut", 10, name="Shut", opens_at=None, c=5), site("little", 20, name="Little", c=1),
             site("lhs", 305, name=LANGHUS, c=10)]

    plan = source_for_pickup([line("A"), line("C", 2)], store, sites, now=NOW)

    assert plan.considered == (
        "Bergen Torget has only 1 of 2 units of line C, so it comes whole from Langhus distribution centre",
        "Shut (10 km) has line C but is closed for the planning horizon",
        "Little (20 km) has only 1 of 2 units of line C",
    )


def test_pickup_store_listed_among_the_sites_is_not_its_own_transfer_source() -> None:
    store = site("bgo", c=1)

    plan = source_for_pickup([line("C", 2)], store, [store, site("p", 10, c=2)], now=NOW)

    assert sent(plan) == [("C", "p", 2)]
