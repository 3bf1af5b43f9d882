"""Fulfilment task throughput over HTTP on PostgreSQL: store staff walking tasks through the API (issue 6).

    .venv/bin/python benchmarks/fulfilment.py [--clients 1,4,16] [--tasks-per-run ...] [--workers 2] [--repeats 3] [--json FILE]

1. creates a fresh database `tvers_bench_<random>` next to --postgres-url's (default: $TVERS_BENCH_POSTGRES_URL,
   $TVERS_TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test) and migrates it;
2. loads the checkout benchmark's shop (`checkout.load_shop`: NOK price book incl. VAT, channel `web`, --products ×
   --variants-per-product SKUs at 49–998 NOK, warehouse `oslo-dc` with 10^6 units of each, shipping 79.00 free from
   1,500.00, 10 % off everything) and adds three stores that ship and offer pickup for `web` (`bergen`, `trondheim`,
   `stavanger`, 10^5 units of each SKU), every location with a daily capacity of 10^6 tasks and no opening hours
   (always open); a store-staff API key serving all four locations;
3. places orders through the API in this process (`POST /api/v1/quotes`, then `POST /api/v1/orders` paid by test card
   4242 4242 4242 4242 for the quoted total; 1–3 distinct random SKUs, 1–2 units each) and gives each its tasks with
   `tvers.workflows.fulfilment.start_tasks_now` (what the relay subscriber `fulfillment.start_tasks` does on
   `order.placed`). Orders to walk: half shipped to an Oslo address (sourced to the warehouse), a tenth each shipped to
   Trondheim and Stavanger addresses (sourced to those stores), 15 % each picked up at Trondheim and Stavanger; shuffled.
   Orders to read: --queue-open orders at `bergen` (half shipped to a Bergen address, half picked up there), never
   walked, so the store queue read sees the same ~200 open tasks in every run;
4. counts SQL statements of each step, in this process, on orders of exactly 2 lines (see below);
5. starts `tvers serve --workers N` on a free loopback port (TVERS_RELAY_IN_SERVER=false) and, for each client count,
   drives closed-loop load from a separate (spawned) process: each client is a thread with its own keep-alive httpx
   connection and its own share of the run's tasks; it walks one task at a time through its whole life, each call
   sent as soon as the previous answer is in: a ship task `accept`, `pick`, `pack`, `ship` (all open units, carrier
   and one package; the value is captured from the card and the units leave stock with their reservations), a pickup
   task `accept`, `pick`, `pack`, `ready`, `hand-over` (with the task's pickup code; captures and consumes likewise).
   `ship` and `hand-over` carry an `Idempotency-Key`, as a till or handheld would. --warmup tasks per client first
   (discarded), then the measured tasks; anything but 201 (`ship`) or 200 is an error (there must be none);
6. measures the store queue read `GET /api/v1/stores/bergen/tasks` (the default page, 100 oldest tasks, and
   `?limit=500`, all of them) in a closed loop for --queue-seconds at each of --queue-clients;
7. repeats (--repeats, default 3; client counts and queue reads interleaved) and prints the median of each figure;
   task steps/s = steps / (first send → last answer of the phase), tasks/s likewise;
8. checks every walked order: captured (sum of `payments.captured_minor`) = its total, every reservation consumed,
   status `fulfilled` (shipped) or `completed` (picked up), and every stock level's `reserved` = the sum of its active
   reservations; then stops the server and drops the database, also on failure or Ctrl-C.

Statement counts: every statement the application sends through SQLAlchemy for one whole HTTP request through the app
in process, counted by a `before_cursor_execute` listener (as in `checkout.py`); BEGIN/COMMIT/ROLLBACK are not seen,
so round trips ≈ statements + 2 × transactions (+ a pool ping for a connection idle ≥ 1 s). `ship` and `hand-over`
send 5 statements per order line, so the counted orders have 2 lines (the walked orders' mean). Five tasks of each kind
are walked this way, one call at a time: the last one's counts are printed, with this process's CPU time and the wall
time of each step (medians of the last four; the test client runs the app in this process, so CPU time is the app's
plus the test client's small share). `--count-only` sets up, counts and checks those orders; no server, no load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import random
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h
import checkout as shop_bench

CHANNEL = shop_bench.CHANNEL
CARD = shop_bench.CARD
QUEUE_STORE = "bergen"
STORES = {  # code → (city, latitude, longitude)
    "bergen": ("Bergen", 60.39, 5.32),
    "trondheim": ("Trondheim", 63.43, 10.40),
    "stavanger": ("Stavanger", 58.97, 5.73),
}
OSLO = ("Oslo", 59.91, 10.75)
# What the walked orders are: (share, delivery method, city) — ship orders go where sourcing sends them (the nearest).
WALK_MIX = ((0.50, "ship", "Oslo"), (0.10, "ship", "Trondheim"), (0.10, "ship", "Stavanger"),
            (0.15, "pickup", "trondheim"), (0.15, "pickup", "stavanger"))
STEPS = {"ship": ("accept", "pick", "pack", "ship"), "pickup": ("accept", "pick", "pack", "ready", "hand-over")}
STEP_NAMES = ("accept", "pick", "pack", "ready", "ship", "hand-over")
COUNTED = 5  # tasks of each kind walked in process to count statements and time each step
COUNTED_LINES = 2  # lines of each of those orders: the walked orders' mean (ship and hand-over cost 5 statements per line)
DEFAULT_TASKS = {1: 60, 4: 120, 16: 192}  # measured tasks per run, when --tasks-per-run is not given


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,4,16", help="concurrent clients walking tasks, comma-separated; default 1,4,16")
    parser.add_argument("--tasks-per-run", type=int, default=None,
                        help="measured tasks per run, split over the clients; default 60 (1 client), 120 (4), 192 (16),"
                        " else 12 per client")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up tasks per client and run, discarded; default 1")
    parser.add_argument("--workers", type=int, default=2, help="tvers serve worker processes; default 2")
    parser.add_argument("--repeats", type=int, default=3, help="runs per client count (medians reported); default 3")
    parser.add_argument("--queue-open", type=int, default=200, help="open tasks at the store whose queue is read; default 200")
    parser.add_argument("--queue-clients", default="1,4", help="clients reading the store queue, comma-separated; default 1,4")
    parser.add_argument("--queue-seconds", type=float, default=8.0, help="measured seconds per queue-read run; default 8")
    parser.add_argument("--products", type=int, default=20, help="products; default 20")
    parser.add_argument("--variants-per-product", type=int, default=10, help="variants per product; default 10")
    parser.add_argument("--postgres-url", default=None, help="an existing database to create the bench database next to")
    parser.add_argument("--seed", type=int, default=42, help="seed for orders and task order; default 42")
    parser.add_argument("--count-only", action="store_true", help="set up, count statements, check; no server, no load")
    parser.add_argument("--show-statements", action="store_true", help="print every statement of the counted ship and hand-over")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the server, e.g. TVERS_POOL_SIZE=20 (repeatable)")
    parser.add_argument("--json", type=Path, default=None, help="write all runs and medians to this JSON file")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in str(args.clients).split(",") if c.strip()]
    args.queue_clients = [int(c) for c in str(args.queue_clients).split(",") if c.strip()]
    if not args.clients or min(args.clients) < 1 or args.workers < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--clients, --workers and --repeats must be at least 1, --warmup at least 0")
    try:
        args.server_env = dict(item.split("=", 1) for item in args.server_env)
    except ValueError:
        parser.error("--server-env takes NAME=VALUE")
    return args


def tasks_per_run(args: argparse.Namespace, clients: int) -> int:
    wanted = args.tasks_per_run or DEFAULT_TASKS.get(clients, 12 * clients)
    return max(clients, wanted)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Task:
    id: str
    kind: str  # ship | pickup
    location: str
    order_id: str
    code: str | None  # the pickup code


@dataclass
class Setup:
    staff_key: str
    walk: list[Task]  # shuffled; each run takes the next slice
    queue_open: int  # open tasks at QUEUE_STORE
    counted_orders: list[str]
    counts: dict[str, dict[str, float]]
    mix: dict[str, int] = field(default_factory=dict)


def prepare(database_url: str, args: argparse.Namespace, walk_orders: int) -> Setup:
    """Migrate, load the shop, place and task the orders, count statements (see the module docstring)."""
    from fastapi.testclient import TestClient

    from tvers.bootstrap import build
    from tvers.db.migrate import upgrade
    from tvers.settings import Settings
    from tvers.web.app import create_app

    tvers = build(Settings(database_url=database_url), subscribers=())
    try:
        started = time.monotonic()
        upgrade(tvers.db.engine)
        shop = shop_bench.load_shop(tvers, products=args.products, variants_per_product=args.variants_per_product, seed=args.seed)
        admin_key, staff_key = add_stores(tvers, shop.skus)
        h.log(f"shop loaded in {time.monotonic() - started:.1f} s: {len(shop.skus)} variants, 1 warehouse, {len(STORES)} stores")
        rng = random.Random(args.seed)
        plan = order_mix(rng, walk_orders)
        queue_plan = [("ship", STORES[QUEUE_STORE][0]) if i % 2 else ("pickup", QUEUE_STORE) for i in range(args.queue_open)]
        admin = {"Authorization": f"Bearer {admin_key}"}
        with TestClient(create_app(tvers, run_relay=False)) as client:
            started = time.monotonic()
            walked = place_orders(tvers, client, admin, plan, shop.skus, rng, tag="walk")
            queued = place_orders(tvers, client, admin, queue_plan, shop.skus, rng, tag="queue")
            h.log(f"{len(walked) + len(queued)} orders placed and tasked in {time.monotonic() - started:.1f} s")
            counted = place_orders(tvers, client, admin, [("ship", "Oslo")] * COUNTED + [("pickup", "trondheim")] * COUNTED, shop.skus, rng,
                                   tag="count", lines_each=COUNTED_LINES)
            counts = count_statements(tvers, client, {"Authorization": f"Bearer {staff_key}"}, tasks_of(tvers, counted),
                                      show=args.show_statements)
        walk = tasks_of(tvers, walked)
        queue_tasks = tasks_of(tvers, queued)
        if any(t.location == QUEUE_STORE for t in walk) or any(t.location != QUEUE_STORE for t in queue_tasks):
            raise RuntimeError("sourcing did not place the orders where the benchmark expects: "
                               f"{Counter((t.kind, t.location) for t in walk + queue_tasks)}")
        rng.shuffle(walk)
        with tvers.db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        return Setup(staff_key=staff_key, walk=walk, queue_open=len(queue_tasks), counted_orders=counted, counts=counts,
                     mix=dict(Counter(f"{t.kind}@{t.location}" for t in walk)))
    finally:
        tvers.close()


def add_stores(tvers: Any, skus: list[str]) -> tuple[str, str]:
    """Three stores next to the checkout shop's warehouse, capacity for everything; an admin key and a store-staff key."""
    from tvers.channels import api_keys
    from tvers.channels.access import Role
    from tvers.channels.schemas import ApiKeyIn
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import (
        Address,
        Capabilities,
        ChannelPoolIn,
        LocationIn,
        LocationPatch,
        LocationType,
        PoolLocationIn,
        ReceiveIn,
        StockLineIn,
    )

    with tvers.uow() as uow:
        warehouse = inventory.get_location(uow, "oslo-dc")
        inventory.update_location(uow, "oslo-dc", LocationPatch(version=warehouse.version, daily_capacity=1_000_000))
        for code, (city, latitude, longitude) in STORES.items():
            inventory.create_location(uow, LocationIn(
                code=code, name=city, type=LocationType.STORE, address=Address(city=city), country="NO", latitude=latitude,
                longitude=longitude, time_zone="Europe/Oslo", sourcing_priority=5, daily_capacity=1_000_000, pickup_lead_minutes=0,
                capabilities=Capabilities(ships=True, offers_pickup=True, offers_curbside=False), is_active=True))
        inventory.set_channel_pool(uow, CHANNEL, ChannelPoolIn(locations=[
            PoolLocationIn(location="oslo-dc", ships_from=True, pickup=False),
            *(PoolLocationIn(location=code, ships_from=True, pickup=True) for code in STORES)]))
        admin = api_keys.create_api_key(uow, ApiKeyIn(name="fulfilment bench set-up", role=Role.ADMIN))
        staff = api_keys.create_api_key(uow, ApiKeyIn(name="fulfilment bench staff", role=Role.STORE_STAFF,
                                                      locations=["oslo-dc", *STORES]))
        uow.commit()
    for code in STORES:
        with tvers.uow() as uow:
            inventory.receive(uow, ReceiveIn(location=code, lines=[StockLineIn(sku=s, quantity=100_000) for s in skus]), actor="bench")
            uow.commit()
    return admin.key, staff.key


def order_mix(rng: random.Random, orders: int) -> list[tuple[str, str]]:
    """`orders` (method, city or store) in WALK_MIX's proportions (largest remainder), shuffled."""
    exact = [share * orders for share, _, _ in WALK_MIX]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[: orders - sum(counts)]:
        counts[i] += 1
    made = [(method, where) for (_, method, where), n in zip(WALK_MIX, counts, strict=True) for _ in range(n)]
    rng.shuffle(made)
    return made


def delivery_body(method: str, where: str) -> dict[str, Any]:
    if method != "ship":
        return {"method": method, "location": where}
    city, latitude, longitude = next((c, la, lo) for c, la, lo in (OSLO, *STORES.values()) if c == where)
    return {"method": "ship", "address": {"name": "Kari Nordmann", "lines": ["Storgata 1"], "postal_code": "0155", "city": city,
                                          "country": "NO", "latitude": latitude, "longitude": longitude}}


def place_orders(tvers: Any, client: Any, auth: dict[str, str], plan: list[tuple[str, str]], skus: list[str], rng: random.Random,
                 *, tag: str, lines_each: int | None = None) -> list[str]:
    """Quote and place each order through the API (paid by card for the quoted total), then give it its tasks.
    Each order has `lines_each` lines, or 1–3 at random."""
    from tvers.workflows.fulfilment import start_tasks_now

    placed = []
    for n, (method, where) in enumerate(plan):
        lines = [{"sku": s, "quantity": rng.randint(1, 2)} for s in rng.sample(skus, lines_each or rng.randint(1, 3))]
        shipping = {"method": "ship", "country": "NO"} if method == "ship" else {"method": method}
        quote = _ok(client.post("/api/v1/quotes", headers=auth, json={"channel": CHANNEL, "lines": lines, "shipping": shipping}))
        body = {"channel": CHANNEL, "lines": lines, "delivery": delivery_body(method, where),
                "tenders": [{"tender": "test_card", "card_number": CARD, "amount": str(quote["grand_total"]["amount"]), "currency": "NOK"}]}
        out = _ok(client.post("/api/v1/orders", headers={**auth, "Idempotency-Key": f"bench-{tag}-{n}"}, json=body))
        if out["outcome"] != "confirmed":
            raise RuntimeError(f"order {n} ({tag}) was not confirmed: {out}")
        order_id = out["order"]["id"]
        start_tasks_now(tvers, order_id)
        placed.append(order_id)
    return placed


def tasks_of(tvers: Any, order_ids: list[str]) -> list[Task]:
    """The orders' tasks, in the orders' order; each order must have exactly one (no transfers, no split)."""
    from sqlalchemy import select

    from tvers.fulfillment.models import Task as TaskRow

    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(select(TaskRow.id, TaskRow.kind, TaskRow.location_code, TaskRow.order_id, TaskRow.pickup_code)
                                   .where(TaskRow.order_id.in_(order_ids))).all()
    by_order: dict[str, list[Task]] = {}
    for task_id, kind, location, order_id, code in rows:
        by_order.setdefault(order_id, []).append(Task(task_id, kind, location, order_id, code))
    odd = {o: ts for o, ts in by_order.items() if len(ts) != 1 or ts[0].kind not in STEPS}
    if odd or len(by_order) != len(order_ids):
        raise RuntimeError(f"expected one ship or pickup task per order; {len(order_ids) - len(by_order)} orders have none, odd: "
                           f"{list(odd.items())[:3]}")
    return [by_order[o][0] for o in order_ids]


def step_request(task: Task, step: str, tag: str) -> tuple[str, dict[str, Any] | None, dict[str, str], int]:
    """(path, JSON body, extra headers, expected status) of one step of a task."""
    path = f"/api/v1/fulfillment/tasks/{task.id}/{step}"
    if step == "ship":
        return path, {"carrier": "posten", "tracking_number": f"70{task.id[-10:]}", "packages": [{"weight_grams": 1200}]}, \
            {"Idempotency-Key": f"{tag}-ship-{task.id}"}, 201
    if step == "hand-over":
        return path, {"code": task.code}, {"Idempotency-Key": f"{tag}-handover-{task.id}"}, 200
    return path, None, {}, 200


def _ok(response: Any) -> Any:
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.method} {response.request.url} answered {response.status_code}: {response.text[:500]}")
    return response.json()


# --------------------------------------------------------------------------- statement counts


def count_statements(tvers: Any, client: Any, auth: dict[str, str], tasks: list[Task], *, show: bool) -> dict[str, dict[str, float]]:
    """Each step of each task as a whole HTTP request through the app in process, one after another: statements and
    transactions of the last task of each kind; CPU time of this process and wall time per step, medians over all but
    the first task of each kind (cold caches)."""
    counts: dict[str, dict[str, float]] = {}
    shown: dict[str, list[str]] = {}
    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    seen: Counter[str] = Counter()
    for task in tasks:
        seen[task.kind] += 1
        for step in STEPS[task.kind]:
            path, body, headers, expected = step_request(task, step, "count")
            with shop_bench.counting(tvers.db.engine) as counted:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                answer = client.post(path, json=body, headers={**auth, **headers})
                used, took = time.process_time() - cpu0, time.perf_counter() - wall0
            if answer.status_code != expected:
                raise RuntimeError(f"{step} of {task.id} answered {answer.status_code}: {answer.text[:500]}")
            if seen[task.kind] > 1:
                cpu.setdefault(step, []).append(used * 1000)
                wall.setdefault(step, []).append(took * 1000)
            counts[step] = {"statements": counted.count, "transactions": counted.transactions}
            shown[step] = counted.statements
    for step, figures in counts.items():
        figures["cpu_ms"] = h.median(cpu.get(step, []))
        figures["wall_ms"] = h.median(wall.get(step, []))
    if show:
        for step in ("ship", "hand-over"):
            h.log(f"--- {step}: {counts[step]['statements']} statements in {counts[step]['transactions']} transactions")
            for i, statement in enumerate(shown[step], 1):
                h.log(f"{i:>3}  {shop_bench.first_words(statement)}")
    return counts


# --------------------------------------------------------------------------- load: walking tasks


def _walk_process(base_url: str, api_key: str, shares: list[list[dict[str, Any]]], warmup: int, tag: str, barrier: Any,
                  results: Any) -> None:
    """Spawned: each client walks its warm-up tasks (discarded), then its measured tasks, one whole task at a time."""
    import os

    import httpx

    clients = len(shares)
    auth = {"Authorization": f"Bearer {api_key}"}
    steps: list[list[tuple[str, float]]] = [[] for _ in range(clients)]
    whole: list[list[tuple[str, float]]] = [[] for _ in range(clients)]
    failures: list[list[str]] = [[] for _ in range(clients)]
    starts, ends = [0.0] * clients, [0.0] * clients
    warm, measured = threading.Barrier(clients + 1), threading.Barrier(clients + 1)

    def walk(http: Any, task: Task, mine: int, keep: bool) -> None:
        t_task = time.perf_counter()
        for step in STEPS[task.kind]:
            path, body, headers, expected = step_request(task, step, tag)
            t0 = time.perf_counter()
            try:
                answer = http.post(path, json=body, headers=headers)
                status, text = answer.status_code, answer.text
            except httpx.HTTPError as error:
                status, text = 0, repr(error)
            if keep:
                steps[mine].append((step, time.perf_counter() - t0))
            if status != expected:
                failures[mine].append(f"{step} {task.id}: {status} {text[:300]}")
                return  # the rest of this task cannot follow
        if keep:
            whole[mine].append((task.kind, time.perf_counter() - t_task))

    def client(i: int) -> None:
        share = [Task(**t) for t in shares[i]]
        with httpx.Client(base_url=base_url, headers=auth, timeout=60.0) as http:
            for task in share[:warmup]:
                walk(http, task, i, keep=False)
            warm.wait(timeout=900)
            starts[i] = time.perf_counter()
            for task in share[warmup:]:
                walk(http, task, i, keep=True)
            ends[i] = time.perf_counter()
            measured.wait(timeout=900)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    try:
        for t in threads:
            t.start()
        warm.wait(timeout=900)
        barrier.wait(timeout=60)  # the parent has started its CPU meter
        cpu0 = sum(os.times()[:2])
        measured.wait(timeout=1800)
        cpu = sum(os.times()[:2]) - cpu0
        barrier.wait(timeout=60)  # the parent stops its meter
        for t in threads:
            t.join(timeout=60)
        results.put(("ok", [s for ss in steps for s in ss], [w for ws in whole for w in ws], [f for fs in failures for f in fs],
                     max(ends) - min(starts), cpu))
    except BaseException as error:  # report, never hang the parent
        with contextlib.suppress(Exception):
            barrier.abort()
        results.put(("error", repr(error), [], [], 0.0, 0.0))


@dataclass
class WalkResult:
    clients: int
    tasks: int
    steps: int
    seconds: float
    errors: int
    step_ms: dict[str, dict[str, float]]  # step (and "all", "task:ship", "task:pickup") → n, p50, p99
    client_cores: float
    load: str
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0

    @property
    def tasks_per_s(self) -> float:
        return self.tasks / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"clients": self.clients, "tasks": self.tasks, "steps": self.steps, "seconds": self.seconds, "errors": self.errors,
                "steps_per_s": self.steps_per_s, "tasks_per_s": self.tasks_per_s, "step_ms": self.step_ms,
                "client_cores": self.client_cores, "load": self.load, "cpu": self.cpu}


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"n": float(len(ordered)), "p50": h.percentile(ordered, 50) * 1000, "p99": h.percentile(ordered, 99) * 1000}


def walk_once(server: h.Server, meter: h.CpuMeter, api_key: str, tasks: list[Task], *, clients: int, warmup: int,
              tag: str) -> WalkResult:
    """One run: `tasks` (the first warmup × clients of them warm-up) dealt round-robin to `clients` clients."""
    shares: list[list[dict[str, Any]]] = [[] for _ in range(clients)]
    warm, rest = tasks[: warmup * clients], tasks[warmup * clients :]
    for n, task in enumerate(warm):
        shares[n % clients].append(task.__dict__)
    for n, task in enumerate(rest):
        shares[n % clients].append(task.__dict__)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    process = ctx.Process(target=_walk_process, daemon=True, args=(server.base_url, api_key, shares, warmup, tag, barrier, results))
    process.start()
    load: list[str] = []
    try:
        barrier.wait(timeout=900)
        meter.start()
        load.append(_loadavg())
        barrier.wait(timeout=1800)
        cpu = meter.stop()
        load.append(_loadavg())
        outcome = results.get(timeout=120)
    finally:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()
    if outcome[0] != "ok":
        raise RuntimeError(f"load process failed: {outcome[1]}")
    _, step_times, whole, failures, elapsed, client_cpu = outcome
    by_step: dict[str, list[float]] = {}
    for step, seconds in step_times:
        by_step.setdefault(step, []).append(seconds)
    step_ms = {name: _summary(values) for name, values in by_step.items()}
    step_ms["all"] = _summary([s for _, s in step_times])
    for kind in STEPS:
        step_ms[f"task:{kind}"] = _summary([s for k, s in whole if k == kind])
    result = WalkResult(clients=clients, tasks=len(whole), steps=len(step_times), seconds=elapsed, errors=len(failures), step_ms=step_ms,
                        client_cores=client_cpu / elapsed if elapsed else 0.0, load=" → ".join(load), cpu=cpu)
    if result.steps_per_s and "server_cores" in cpu:
        cpu["server_ms_per_step"] = cpu["server_cores"] / result.steps_per_s * 1000
        cpu["postgres_ms_per_step"] = cpu["postgres_cores"] / result.steps_per_s * 1000
    if failures:
        h.log(f"{len(failures)} failed steps, e.g. {failures[:3]}")
    return result


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def median_walk(runs: list[WalkResult]) -> WalkResult:
    names = sorted({k for r in runs for k in r.step_ms})
    cpu_keys = sorted({k for r in runs for k in r.cpu})
    steps_per_s = h.median([r.steps_per_s for r in runs])
    tasks_per_s = h.median([r.tasks_per_s for r in runs])
    steps = round(h.median([r.steps for r in runs]))
    result = WalkResult(
        clients=runs[0].clients, tasks=round(h.median([r.tasks for r in runs])), steps=steps,
        seconds=steps / steps_per_s if steps_per_s else 0.0, errors=sum(r.errors for r in runs),
        step_ms={n: {k: h.median([r.step_ms[n][k] for r in runs if n in r.step_ms]) for k in ("n", "p50", "p99")} for n in names},
        client_cores=h.median([r.client_cores for r in runs]), load=", ".join(r.load for r in runs),
        cpu={k: h.median([r.cpu[k] for r in runs if k in r.cpu]) for k in cpu_keys})
    result.cpu["tasks_per_s"] = tasks_per_s  # the median of the runs' own figure (not steps/s ÷ steps per task)
    return result


# --------------------------------------------------------------------------- correctness


def verify(database_url: str, order_ids: list[str]) -> dict[str, int]:
    """Every walked order: captured = total, reservations all consumed, status fulfilled/completed; reserved = active holds."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            money = connection.execute(text(
                "SELECT o.id, o.status, o.delivery_method, o.total_minor,"
                " (SELECT coalesce(sum(p.captured_minor), 0) FROM payments p WHERE p.order_id = o.id) AS captured"
                " FROM orders o WHERE o.id IN :ids").bindparams(bindparam("ids", expanding=True)), {"ids": order_ids}).all()
            holds = connection.execute(text(
                "SELECT reference_id, status, count(*) FROM reservations WHERE reference_type = 'order' AND reference_id IN :ids"
                " GROUP BY reference_id, status").bindparams(bindparam("ids", expanding=True)), {"ids": order_ids}).all()
            drift = connection.execute(text(
                "SELECT count(*) FROM stock_levels s WHERE s.reserved <> coalesce((SELECT sum(r.quantity) FROM reservations r"
                " WHERE r.variant_id = s.variant_id AND r.location_id = s.location_id AND r.status = 'active'), 0)")).scalar_one()
    finally:
        engine.dispose()
    expected_status = {"ship": "fulfilled", "pickup": "completed"}
    consumed = Counter(ref for ref, status, _ in holds if status == "consumed")
    not_consumed = {ref for ref, status, _ in holds if status != "consumed"}
    return {
        "orders": len(order_ids),
        "found": len(money),
        "captured_equals_total": sum(1 for _, _, _, total, captured in money if total == captured),
        "captured_minor": sum(int(captured) for *_, captured in money),
        "total_minor": sum(int(total) for _, _, _, total, _ in money),
        "status_as_expected": sum(1 for _, status, method, _, _ in money if expected_status.get(method) == status),
        "reservations_consumed": sum(consumed.values()),
        "orders_all_consumed": sum(1 for ref in consumed if ref not in not_consumed),
        "orders_with_unconsumed": len(not_consumed),
        "stock_levels_reserved_drift": int(drift),
    }


# --------------------------------------------------------------------------- report


WALK_HEADER = (f"{'clients':>7} {'tasks':>5} {'steps':>5} {'tasks/s':>7} {'steps/s':>7} {'step p50':>8} {'step p99':>8}"
               f" {'task p50':>8} {'errors':>6} {'client':>6} {'server':>6} {'pg':>6} {'other':>6} {'srv ms':>6} {'pg ms':>6}  load avg")
LEGEND = ("client/server/pg/other: cores busy (load generator, tvers serve, the bench database's PostgreSQL backends, the rest of"
          " the machine); srv ms / pg ms: CPU time per step; task p50: one whole task (4 or 5 calls); load avg: 1 minute, start → end")


def other(r: WalkResult | h.RunResult) -> float:
    c = r.cpu
    if "machine_cores" not in c:
        return float("nan")
    return max(0.0, c["machine_cores"] - r.client_cores - c.get("server_cores", 0.0) - c.get("postgres_cores", 0.0))


def walk_row(r: WalkResult) -> str:
    c, nan = r.cpu, float("nan")
    tasks_per_s = c.get("tasks_per_s", r.tasks_per_s)
    task_p50 = h.median([r.step_ms[f"task:{k}"]["p50"] for k in STEPS if f"task:{k}" in r.step_ms])
    return (f"{r.clients:>7} {r.tasks:>5} {r.steps:>5} {tasks_per_s:>7.1f} {r.steps_per_s:>7.1f} {r.step_ms['all']['p50']:>8.1f}"
            f" {r.step_ms['all']['p99']:>8.1f} {task_p50:>8.1f} {r.errors:>6} {r.client_cores:>6.2f} {c.get('server_cores', nan):>6.2f}"
            f" {c.get('postgres_cores', nan):>6.2f} {other(r):>6.2f} {c.get('server_ms_per_step', nan):>6.1f}"
            f" {c.get('postgres_ms_per_step', nan):>6.1f}  {r.load}")


def step_table(results: dict[int, WalkResult]) -> list[str]:
    names = [*STEP_NAMES, "task:ship", "task:pickup"]
    lines = [f"{'clients':>7} " + " ".join(f"{n:>17}" for n in names), f"{'':>7} " + " ".join(f"{'p50 / p99 ms':>17}" for _ in names)]
    for clients, r in results.items():
        cells = [f"{r.step_ms[n]['p50']:>7.1f} / {r.step_ms[n]['p99']:>7.1f}" if n in r.step_ms else f"{'-':>17}" for n in names]
        lines.append(f"{clients:>7} " + " ".join(cells))
    return lines


QUEUE_HEADER = f"{'page':>9} {'clients':>7} {'reads':>6} {'reads/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'server':>6} {'pg':>6}"


def queue_row(page: str, clients: int, r: h.RunResult) -> str:
    nan = float("nan")
    return (f"{page:>9} {clients:>7} {r.requests:>6} {r.rps:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>6}"
            f" {r.cpu.get('server_cores', nan):>6.2f} {r.cpu.get('postgres_cores', nan):>6.2f}")


def median_run(runs: list[h.RunResult]) -> h.RunResult:
    keys = sorted({k for r in runs for k in r.cpu})
    rps = h.median([r.rps for r in runs])
    requests = round(h.median([r.requests for r in runs]))
    return h.RunResult(requests=requests, seconds=requests / rps if rps else 0.0, errors=sum(r.errors for r in runs),
                       p50_ms=h.median([r.p50_ms for r in runs]), p90_ms=h.median([r.p90_ms for r in runs]),
                       p99_ms=h.median([r.p99_ms for r in runs]), max_ms=h.median([r.max_ms for r in runs]),
                       client_cores=h.median([r.client_cores for r in runs]), load=", ".join(r.load for r in runs),
                       cpu={k: h.median([r.cpu[k] for r in runs if k in r.cpu]) for k in keys})


QUEUE_PAGES = {"default": f"/api/v1/stores/{QUEUE_STORE}/tasks", "limit=500": f"/api/v1/stores/{QUEUE_STORE}/tasks?limit=500"}


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def measure(args: argparse.Namespace, database_url: str, database: str, setup: Setup, per_run: dict[int, int],
            walks: dict[int, list[WalkResult]], reads: dict[tuple[str, int], list[h.RunResult]], records: list[dict[str, object]],
            walked: list[str]) -> dict[str, int]:
    """Start the server; for each repeat walk tasks at each client count, then read the store queue. Returns the queue's page sizes."""
    import httpx

    with h.running_server(database_url, workers=args.workers, extra_env=args.server_env) as server:
        h.log(f"tvers serve --workers {args.workers} at {server.base_url}")
        auth = {"Authorization": f"Bearer {setup.staff_key}"}
        sizes = {page: len(_ok(httpx.get(server.base_url + path, headers=auth, timeout=60))) for page, path in QUEUE_PAGES.items()}
        meter = h.CpuMeter(server, database)
        taken = 0
        for repeat in range(args.repeats):
            for clients in args.clients:
                tasks = setup.walk[taken : taken + per_run[clients]]
                taken += per_run[clients]
                result = walk_once(server, meter, setup.staff_key, tasks, clients=clients, warmup=args.warmup, tag=f"r{repeat}c{clients}")
                walked.extend(t.order_id for t in tasks)
                walks[clients].append(result)
                records.append({"kind": "walk", "repeat": repeat + 1, **result.as_dict()})
                h.log(f"run {repeat + 1}/{args.repeats}\n{WALK_HEADER}\n{walk_row(result)}\n" + "\n".join(step_table({clients: result})))
            for page, path in QUEUE_PAGES.items():
                for clients in args.queue_clients:
                    read = h.python_run(server.base_url, [path], setup.staff_key, clients=clients, seconds=args.queue_seconds,
                                        warmup=1.0, seed=args.seed + repeat, on_start=meter.start, on_stop=meter.stop)
                    reads[(page, clients)].append(read)
                    records.append({"kind": "queue", "page": page, "clients": clients, "repeat": repeat + 1, **read.as_dict()})
                    h.log(f"run {repeat + 1}/{args.repeats} queue\n{QUEUE_HEADER}\n{queue_row(page, clients, read)}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    admin_url = h.postgres_admin_url(args.postgres_url)
    h.log(f"PostgreSQL {h.postgres_version(admin_url)}; load average {Path('/proc/loadavg').read_text().strip()}")
    per_run = {c: tasks_per_run(args, c) + args.warmup * c for c in args.clients}
    walk_orders = 0 if args.count_only else args.repeats * sum(per_run.values())
    walks: dict[int, list[WalkResult]] = {c: [] for c in args.clients}
    reads: dict[tuple[str, int], list[h.RunResult]] = {(p, c): [] for p in QUEUE_PAGES for c in args.queue_clients}
    records: list[dict[str, object]] = []
    walked: list[str] = []
    with h.temporary_database(admin_url) as database_url:
        from sqlalchemy.engine import make_url

        database = str(make_url(database_url).database)
        h.log(f"created database {database}; placing {walk_orders} orders to walk and {args.queue_open} to read")
        setup = prepare(database_url, args, walk_orders)
        h.log(f"tasks to walk: {setup.mix}; open at {QUEUE_STORE}: {setup.queue_open}; statements: {setup.counts}")
        walked.extend(setup.counted_orders)
        queue_sizes: dict[str, int] = {}
        if not args.count_only:
            queue_sizes = measure(args, database_url, database, setup, per_run, walks, reads, records, walked)
        checked = verify(database_url, walked)
    errors = sum(r.errors for rs in walks.values() for r in rs) + sum(r.errors for rs in reads.values() for r in rs)
    medians = {c: median_walk(rs) for c, rs in walks.items() if rs}
    print("\nFulfilment tasks over HTTP: store staff walk ship tasks (accept, pick, pack, ship) and pickup tasks (accept, pick,"
          " pack, ready, hand-over); " + ("count only" if args.count_only else
                                           f"tvers serve --workers {args.workers}; medians of {args.repeats} run(s)"))
    print(f"tasks walked: {setup.mix} (all runs)")
    print("per step, whole HTTP request in process, serial: " + "; ".join(
        f"{step} {c['statements']:.0f} statements in {c['transactions']:.0f} tx, {c['cpu_ms']:.1f} ms CPU, {c['wall_ms']:.1f} ms wall"
        for step, c in setup.counts.items()))
    if medians:
        print(LEGEND)
        print(WALK_HEADER)
        for r in medians.values():
            print(walk_row(r))
        print("latency per step type (medians of the runs' p50 and p99):")
        for line in step_table(medians):
            print(line)
        print(f"store queue GET /api/v1/stores/{QUEUE_STORE}/tasks, {setup.queue_open} open tasks there; the default page answers"
              f" {queue_sizes.get('default')} tasks, limit=500 answers {queue_sizes.get('limit=500')}:")
        print(QUEUE_HEADER)
        for (page, clients), rs in reads.items():
            if rs:
                print(queue_row(page, clients, median_run(rs)))
    good = (checked["found"] == checked["orders"] == checked["captured_equals_total"] == checked["status_as_expected"]
            == checked["orders_all_consumed"] and checked["orders_with_unconsumed"] == 0 and checked["stock_levels_reserved_drift"] == 0)
    print(f"correctness ({'OK' if good else 'FAILED'}): {checked['orders']} walked orders; captured = total for"
          f" {checked['captured_equals_total']} ({checked['captured_minor'] / 100:.2f} of {checked['total_minor'] / 100:.2f} NOK);"
          f" status fulfilled/completed for {checked['status_as_expected']}; every reservation consumed for"
          f" {checked['orders_all_consumed']} ({checked['reservations_consumed']} reservations, {checked['orders_with_unconsumed']}"
          f" orders with others); stock levels whose reserved ≠ their active reservations: {checked['stock_levels_reserved_drift']}")
    if args.json:
        args.json.write_text(json.dumps({
            "benchmark": "fulfilment", "workers": args.workers, "server_env": args.server_env, "mix": setup.mix,
            "queue_open": setup.queue_open, "queue_sizes": queue_sizes, "counts": setup.counts, "verify": checked, "runs": records,
            "medians": [r.as_dict() for r in medians.values()],
            "queue_medians": [{"page": p, "clients": c, **median_run(rs).as_dict()} for (p, c), rs in reads.items() if rs]}, indent=2))
    if errors:
        print(f"ERROR: {errors} failed requests", file=sys.stderr)
    if not good:
        print("ERROR: the walked orders' money or stock does not add up", file=sys.stderr)
    return 0 if good and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
