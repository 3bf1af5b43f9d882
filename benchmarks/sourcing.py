"""Sourcing decision time (issue 6): one 10-line order placed over 500 candidate sites, in process, no database.

    .venv/bin/python benchmarks/sourcing.py [--decisions 2000] [--warmup 200] [--repeats 3] [--sites 500] [--seed 6]
        [--scenarios warehouses,...] [--warehouse-discount 0] [--surplus-discount 0] [--json FILE]

1. builds a network of --sites locations at random points of Norway, Sweden and Denmark (45/35/20): 6 warehouses
   (one a dark store) stocking 97 % of a 2,000-variant catalog deeply, and stores of random size stocking a share of it
   skewed to the popular end (a store of size s stocks variant i with probability 0.02 + s × 2.5 × (1 − i / 2000)³,
   at most 95 %; 15 % of what it stocks is at 0, the rest 1-12 units); stores have capacity 0-40 tasks left (5 % are
   full) and 8 % are closed for the horizon; the random stream is --seed;
2. measures these scenarios with the costs as shipped (Costs(); the two discounts, 0 by default, cost a little more
   when set: the surplus one adds a term to the pass over all sites), each --decisions calls after --warmup discarded
   ones, a new order and a random destination each (quantities 1, sometimes 2 or 3):
     warehouses    — popular variants (Zipf-like), warehouses open: usually one warehouse has the whole order;
     stores-only   — popular variants, warehouses closed (after their cut-off): one store has everything in some
                     decisions and none does in others, so both the one-site path and the exact cover run;
     long-tail     — variants drawn evenly from the catalog (1 line in 20 wants 12 units), stores only: several
                     shipments, 12-unit lines split over stores;
     dense-cover   — 40 synthetic networks of 500 sites each having each of the 10 lines in full with probability
                     35 % (many distinct sets of lines, none with all 10): the exact cover's hardest realistic case;
     pickup        — source_for_pickup: popular variants at a random open store, transfers from the other 499;
3. before each call narrows every site's availability to the order's variants, as inventory's candidates query hands
   them to the checkout (not timed), then times the call alone with perf_counter (garbage collection left on, as in a
   server; the networks are frozen out of it, as the server freezes its start-up heap), and the thread's CPU time of
   the call (thread_time: what the code costs, without the waits for a CPU that other load adds to the wall time);
   prints p50/p90/p99/max of the wall time and p50/p99 of the CPU time per scenario (medians over --repeats runs),
   the share of plans by number of locations used and the share with a shortfall. The target is p99 < 10 ms (wall)
   per decision.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h
import stock_common as sc

from tvers.fulfillment.sourcing import Costs, Plan, Point, Site, WantedLine, source_for_pickup, source_for_shipping

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CATALOG = [f"v{n:04d}" for n in range(2000)]
POPULARITY = [1 / (n + 1) ** 0.8 for n in range(len(CATALOG))]
TARGET_P99_MS = 10.0
SCENARIOS = ("warehouses", "stores-only", "long-tail", "dense-cover", "pickup")


@dataclass(frozen=True)
class Decision:
    lines: list[WantedLine]
    sites: list[Site]  # with their whole stock; the call gets them with only the order's variants, as the caller reads them
    destination: Point
    store: Site | None = None  # pickup: the store the customer collects at


def as_read(site: Site, variants: list[str]) -> Site:
    """The site as the checkout passes it: availability of the asked-for variants only (inventory's candidates query)."""
    stock = site.available
    return Site(site.location_id, site.code, site.name, site.type, site.point, site.priority,
                {v: stock[v] for v in variants if v in stock}, site.capacity_left, site.opens_at, site.pickup_lead_minutes)


def random_country(rng: random.Random) -> str:
    return rng.choices(("NO", "SE", "DK"), weights=(45, 35, 20))[0]


def build_network(rng: random.Random, *, count: int) -> list[Site]:
    sites = []
    for n in range(count):
        country = random_country(rng)
        lat, lon = sc.random_point(rng, country)
        if n < 6:
            stock = {v: rng.randint(20, 500) for v in CATALOG if rng.random() < 0.97}
            kind, priority, capacity, opens_at = ("dark_store" if n == 5 else "warehouse"), 10, 5000, NOW
        else:
            size = rng.uniform(0.1, 0.6)
            stock = {}
            for index, variant in enumerate(CATALOG):
                if rng.random() < min(0.95, 0.02 + size * 2.5 * (1 - index / len(CATALOG)) ** 3):
                    stock[variant] = 0 if rng.random() < 0.15 else rng.randint(1, 12)
            capacity = 0 if rng.random() < 0.05 else rng.randint(1, 40)
            kind, priority, opens_at = "store", rng.choice((0, 0, 0, 1, 2)), (None if rng.random() < 0.08 else NOW)
        sites.append(Site(f"loc-{n:04d}", f"{kind[:2]}-{country.lower()}-{n:04d}", f"{kind.title()} {n}", kind,
                          Point(lat, lon), priority, stock, capacity, opens_at, 60 if kind == "store" else 0))
    return sites


def close_warehouses(sites: list[Site]) -> list[Site]:
    return [Site(s.location_id, s.code, s.name, s.type, s.point, s.priority, s.available, s.capacity_left,
                 None if s.type != "store" else s.opens_at, s.pickup_lead_minutes) for s in sites]


def order(rng: random.Random, *, popular: bool, lines: int = 10) -> list[WantedLine]:
    """Popular: variants by popularity, 1-3 units. Long tail: any variant, and 1 line in 20 wants 12 units (a split)."""
    chosen: set[str] = set()
    while len(chosen) < lines:
        chosen.add(rng.choices(CATALOG, weights=POPULARITY)[0] if popular else rng.choice(CATALOG))
    quantities = rng.choices((1, 2, 3, 12), weights=(85, 10, 5, 0 if popular else 5), k=lines)
    return [WantedLine(f"line-{n}", variant, quantity, sku=variant.upper()) for n, (variant, quantity) in
            enumerate(zip(sorted(chosen), quantities, strict=True))]


def destination(rng: random.Random) -> Point:
    return Point(*sc.random_point(rng, random_country(rng)))


def dense_networks(rng: random.Random, *, count: int, sites: int) -> list[list[Site]]:
    variants = [f"d{n}" for n in range(10)]
    networks = []
    for _ in range(count):
        network = []
        for n in range(sites):
            lat, lon = sc.random_point(rng, random_country(rng))
            stock = {v: rng.randint(3, 15) for v in variants if rng.random() < 0.35}
            if len(stock) == len(variants):  # none with everything: the cover must search
                del stock[variants[0]]
            network.append(Site(f"loc-{n:04d}", f"st-{n:04d}", f"Store {n}", "store", Point(lat, lon), rng.choice((0, 0, 1)),
                                stock, rng.randint(1, 40), NOW, 60))
        networks.append(network)
    return networks


def decisions(scenario: str, rng: random.Random, network: list[Site], dense: list[list[Site]], count: int) -> Iterator[Decision]:
    """Made one at a time: a batch kept alive would make every full garbage collection walk it, inside the timings."""
    stores = close_warehouses(network) if scenario in ("stores-only", "long-tail") else network
    open_stores = [s for s in network if s.type == "store" and s.opens_at is not None]
    wanted = [WantedLine(f"line-{n}", f"d{n}", rng.choice((1, 1, 2, 3))) for n in range(10)]
    for n in range(count):
        if scenario == "warehouses":
            yield Decision(order(rng, popular=True), network, destination(rng))
        elif scenario in ("stores-only", "long-tail"):
            yield Decision(order(rng, popular=scenario == "stores-only"), stores, destination(rng))
        elif scenario == "dense-cover":
            yield Decision(wanted, dense[n % len(dense)], destination(rng))
        else:
            store = rng.choice(open_stores)
            yield Decision(order(rng, popular=True), [s for s in network if s is not store], store.point, store)


def timed_decision(decision: Decision, costs: Costs) -> tuple[float, float, Plan]:
    """One call: wall time and this thread's CPU time in ms; the sites are narrowed to the order's variants first,
    outside the timing."""
    variants = [line.variant_id for line in decision.lines]
    sites = [as_read(site, variants) for site in decision.sites]
    store = None if decision.store is None else as_read(decision.store, variants)
    cpu, started = time.thread_time(), time.perf_counter()
    if store is not None:
        plan = source_for_pickup(decision.lines, store, sites, now=NOW, costs=costs)
    else:
        plan = source_for_shipping(decision.lines, sites, destination=decision.destination, now=NOW, costs=costs)
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000, plan


def measure(stream: Iterator[Decision], *, warmup: int, costs: Costs) -> dict[str, object]:
    """Times every decision after the first `warmup`; keeps figures, not plans (see `decisions`)."""
    latencies, cpu, locations, short = [], [], Counter[int](), 0
    for n, decision in enumerate(stream):
        elapsed, used, plan = timed_decision(decision, costs)
        if n >= warmup:
            latencies.append(elapsed)
            cpu.append(used)
            locations[min(len(plan.location_ids), 4)] += 1
            short += bool(plan.shortfalls)
    return summary(latencies, cpu, locations, short)


def summary(latencies: list[float], cpu: list[float], locations: Counter[int], short: int) -> dict[str, object]:
    ms, cpu_ms = sorted(latencies), sorted(cpu)
    return {
        "decisions": len(ms),
        "p50_ms": h.percentile(ms, 50),
        "p90_ms": h.percentile(ms, 90),
        "p99_ms": h.percentile(ms, 99),
        "max_ms": ms[-1],
        "cpu_p50_ms": h.percentile(cpu_ms, 50),
        "cpu_p99_ms": h.percentile(cpu_ms, 99),
        "locations": {("4+" if k == 4 else str(k)): round(100 * v / len(ms), 1) for k, v in sorted(locations.items())},
        "shortfall_pct": round(100 * short / len(ms), 1),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=2000, help="measured decisions per scenario and run")
    parser.add_argument("--warmup", type=int, default=200, help="decisions per scenario and run before measuring")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated subset of {', '.join(SCENARIOS)}")
    parser.add_argument("--warehouse-discount", type=float, default=0.0, help="Costs.warehouse_discount (default as shipped: 0)")
    parser.add_argument("--surplus-discount", type=float, default=0.0, help="Costs.surplus_discount (default as shipped: 0)")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    costs = Costs(warehouse_discount=args.warehouse_discount, surplus_discount=args.surplus_discount)  # as shipped by default
    scenarios = [s for s in args.scenarios.split(",") if s]
    rng = random.Random(args.seed)
    started = time.monotonic()
    network = build_network(rng, count=args.sites)
    dense = dense_networks(rng, count=40, sites=args.sites) if "dense-cover" in scenarios else []
    gc.collect()
    gc.freeze()  # as tvers.web.asgi does after start-up: the networks are long-lived, full collections skip them
    h.log(f"network of {len(network)} sites built in {time.monotonic() - started:.1f} s; load {sc.load_average()}")
    runs: list[dict[str, dict[str, object]]] = []
    for repeat in range(args.repeats):
        run: dict[str, dict[str, object]] = {}
        for scenario in scenarios:  # new orders every run: the same seed stream goes on
            stream = decisions(scenario, rng, network, dense, args.warmup + args.decisions)
            run[scenario] = measure(stream, warmup=args.warmup, costs=costs)
        runs.append(run)
        h.log(f"run {repeat + 1}/{args.repeats}: load {sc.load_average()}; "
              + "; ".join(f"{name} p50 {s['p50_ms']:.2f} p99 {s['p99_ms']:.2f} ms" for name, s in run.items()))
    report(args, scenarios, runs, costs)
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "sourcing", "date": datetime.now(UTC).strftime("%Y-%m-%d"),
                                         "args": {k: str(v) for k, v in vars(args).items()}, "runs": runs}, indent=2))
    return 0


def report(args: argparse.Namespace, scenarios: list[str], runs: list[dict[str, dict[str, object]]], costs: Costs) -> None:
    print(f"\nSourcing decisions: 10-line orders over {args.sites} sites, in process; Python {platform.python_version()}, "
          f"load {sc.load_average()}; {args.decisions} measured decisions per scenario and run "
          f"({args.warmup} warm-up), medians of {args.repeats} runs; {costs}")
    print(f"{'scenario':<12} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}  {'target p99':>10}  met?  "
          f"{'CPU p50 / p99 ms':>16}  {'locations used (% of plans: 1 / 2 / 3 / 4+)':<44} shortfall")
    figures = ("p50_ms", "p90_ms", "p99_ms", "max_ms", "cpu_p50_ms", "cpu_p99_ms")
    for scenario in scenarios:
        med = {k: statistics.median(float(r[scenario][k]) for r in runs) for k in figures}  # type: ignore[arg-type]
        shares = runs[-1][scenario]["locations"]
        spread = " / ".join(f"{shares.get(k, 0.0):.0f}" for k in ("1", "2", "3", "4+"))  # type: ignore[attr-defined]
        met = "yes" if med["p99_ms"] < TARGET_P99_MS else "NO"
        cpu = f"{med['cpu_p50_ms']:.2f} / {med['cpu_p99_ms']:.2f}"
        print(f"{scenario:<12} {med['p50_ms']:>7.2f} {med['p90_ms']:>7.2f} {med['p99_ms']:>7.2f} {med['max_ms']:>7.2f}  "
              f"{'< 10 ms':>10}  {met:<4}  {cpu:>16}  {spread:<44} {runs[-1][scenario]['shortfall_pct']}%")
    print("p99 per run: " + "; ".join(f"{s} " + ", ".join(f"{float(r[s]['p99_ms']):.2f}" for r in runs) for s in scenarios))  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
