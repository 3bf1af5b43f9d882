"""Reservations per second through the inventory service on PostgreSQL, from many OS processes.

    .venv/bin/python benchmarks/stock_reservations.py [--processes 8] [--seconds 10] [--repeats 3] [--relay] [--postgres-url URL]

1. creates a throw-away database `tvers_bench_<random>` next to --postgres-url's (default: $TVERS_BENCH_POSTGRES_URL,
   $TVERS_TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test) and migrates it;
2. seeds through the services a price book, channel web-no, 20 locations (2 warehouses, 18 stores; web-no ships
   from all of them, so every reservation moves web-no's ATP: with --relay, the relay process announces it as
   `availability.changed` meanwhile, as `tvers worker` does) and 10,000 + a few
   variants (bulk_upsert_variants, 1,000 rows a call); stock levels by COPY, each with its receipt movement;
3. scenarios, each run --repeats times (the median is reported); every process builds its own Tvers on the
   database, warms up (--warmup s of real reservations), waits at a barrier, then for --seconds loops
   `with tvers.uow() as uow: reserve_stock(uow, lines=[ReserveLine(...)], ref=Ref("order", new id), ...); uow.commit()`:
     spread   — one unit of a random variant of 10,000, at one of the 1-3 locations that stock it (10^6 units each);
     hot      — one unit of one variant at one location (10^7 units): every process contends for one row;
     limited  — the hot case with 3,000 units and more demand than stock (1-3 units a reservation, then single
                units once refused, until a single unit is refused, at most 90 s): proves zero oversell —
                Σ units the processes were granted ≤ stock, = stock_levels.reserved, = Σ active reservations,
                one reservation row per success, and `doctor` finds nothing anywhere;
4. a profile pass per scenario (not in the medians): one process counts the SQL statements of each reservation with
   a SQLAlchemy `before_cursor_execute` listener and times each statement, the commit, and how long the stock
   row stays locked (from the end of its conditional UPDATE, when the lock is held, to the end of COMMIT);
5. drops the database, also on failure or Ctrl-C.

Figures: reservations/s (all processes; Σ per-process count / per-process measured time), p50/p99 latency of one
reservation (the whole unit of work: checkout, statements, commit), failures by kind, CPU per reservation (the
worker processes, the database's PostgreSQL backends, the whole machine) and the load average.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import signal
import sys
import time
import traceback
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h
import stock_common as sc

SPREAD, HOT, LIMITED = "spread", "hot", "limited"
TARGETS = {SPREAD: 2000.0, HOT: 500.0, LIMITED: None}
LOCATIONS = 20
SPREAD_STOCK = 1_000_000
HOT_STOCK = 10_000_000


# --------------------------------------------------------------------------- the worker process


@dataclass
class Task:
    worker: int
    url: str
    scenario: str
    pairs: list[tuple[str, str, str]]  # (variant id, location id, sku) to pick from
    warmup_pairs: list[tuple[str, str, str]]
    channel_id: str
    warmup: float
    seconds: float
    seed: int
    profile: bool = False


@dataclass
class Outcome:
    worker: int
    ok: int = 0
    units: int = 0
    latencies: array = field(default_factory=lambda: array("d"))
    failures: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    cpu: float = 0.0
    sold_out: bool = False
    warmup_ok: int = 0
    profile: dict[str, Any] = field(default_factory=dict)


def failure_kind(error: BaseException) -> str:
    from sqlalchemy.exc import DBAPIError

    code = getattr(error, "code", None)
    if isinstance(code, str) and code and not isinstance(error, DBAPIError):
        return code  # a Tvers error: insufficient_stock, ...
    if isinstance(error, DBAPIError) and error.orig is not None:
        return f"{type(error).__name__}/{type(error.orig).__name__}"
    return type(error).__name__


# Statement → short name, in the order reserve_stock runs them (PostgreSQL: one statement; the others are SQLite's
# line-by-line path, and a refusal's lazy expiry and second try).
LABELS = (
    ("WITH want (id, variant_id, location_id, quantity)", "RESERVE: one statement (conditional UPDATE, rows, outbox)"),
    ("FROM reservations \nWHERE reservations.variant_id IN", "lazy expiry: _release_expired_at (after a refusal)"),
    ("INSERT INTO reservations", "INSERT reservations (before the row lock)"),
    ("INSERT INTO outbox", "INSERT outbox: stock.reserved (before the row lock)"),
    ("UPDATE stock_levels SET reserved", "RESERVE: conditional UPDATE stock_levels"),
)


def label(statement: str) -> str:
    for needle, name in LABELS:
        if needle in statement:
            return name
    return " ".join(statement.split())[:80]


class Profiler:
    """SQL statements per reservation, time per statement, commit time and row-lock hold time (one process)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.statements: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self.order: list[str] = []
        self.pings = 0
        self.commits = 0
        self._t0 = 0.0
        self.lock_started: float | None = None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._commit)
        dialect, ping = engine.dialect, engine.dialect.do_ping

        def counted_ping(dbapi_connection: Any) -> bool:
            self.pings += 1
            return bool(ping(dbapi_connection))

        dialect.do_ping = counted_ping  # type: ignore[method-assign]

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        self._t0 = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        done = time.perf_counter()
        name = label(statement)
        if name not in self.statements:
            self.order.append(name)
        self.statements[name] += 1
        self.seconds[name] += done - self._t0
        locks = statement.startswith(("UPDATE stock_levels SET reserved", "WITH want (id, variant_id, location_id, quantity)"))
        if locks and self.lock_started is None:
            self.lock_started = done  # the row lock is ours from here (waiting for it is the UPDATE's own time) to COMMIT

    def _commit(self, conn: Any) -> None:
        self.commits += 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "statements": dict(self.statements),
            "seconds": dict(self.seconds),
            "order": list(self.order),
            "pings": self.pings,
            "commits": self.commits,
        }


def worker(task: Task, barrier: Any, results: Any) -> None:
    outcome = Outcome(worker=task.worker)
    try:
        import os

        from tvers.bootstrap import build
        from tvers.inventory.errors import InsufficientStock
        from tvers.inventory.service.reservations import Ref, ReserveLine, reserve_stock
        from tvers.kernel.ids import new_id
        from tvers.settings import Settings

        tvers = build(Settings(database_url=task.url, pool_size=1))
        rng = random.Random(task.seed)
        expires = datetime.now(UTC) + timedelta(days=2)
        profiler: Profiler | None = None
        commit_seconds, reserve_seconds, hold = array("d"), array("d"), array("d")

        def reserve(pair: tuple[str, str, str], quantity: int) -> None:
            variant_id, location_id, sku = pair
            with tvers.uow() as uow:
                t0 = time.perf_counter()
                reserve_stock(
                    uow,
                    lines=[ReserveLine(variant_id, location_id, quantity, sku=sku)],
                    ref=Ref("order", new_id("ord")),
                    expires_at=expires,
                    channel_id=task.channel_id,
                )
                t1 = time.perf_counter()
                uow.commit()
                if profiler is not None:
                    t2 = time.perf_counter()
                    reserve_seconds.append(t1 - t0)
                    commit_seconds.append(t2 - t1)
                    if profiler.lock_started is not None:
                        hold.append(t2 - profiler.lock_started)
                        profiler.lock_started = None

        with tvers.uow(read_only=True) as uow:  # connect before the start line
            uow.session.connection()
        barrier.wait(timeout=300)
        deadline = time.monotonic() + task.warmup
        while time.monotonic() < deadline:
            with contextlib.suppress(InsufficientStock):
                reserve(rng.choice(task.warmup_pairs), 1)
                outcome.warmup_ok += 1
        if task.profile:
            profiler = Profiler(tvers.db.engine)  # the measured phase only
        barrier.wait(timeout=task.warmup + 300)
        cpu0 = sum(os.times()[:2])
        start = time.perf_counter()
        deadline_at = start + task.seconds
        now = start
        refused_before = False
        while now < deadline_at:
            pair = rng.choice(task.pairs)
            quantity = 1 if task.scenario != LIMITED or refused_before else rng.randint(1, 3)
            try:
                reserve(pair, quantity)
            except InsufficientStock as error:
                outcome.failures[failure_kind(error)] += 1
                if task.scenario == LIMITED:
                    if quantity == 1:
                        outcome.sold_out = True  # nothing is ever released here: the variant has nothing left
                        now = time.perf_counter()
                        break
                    refused_before = True
            except Exception as error:  # counted by kind, the loop goes on
                outcome.failures[failure_kind(error)] += 1
            else:
                done = time.perf_counter()
                outcome.latencies.append(done - now)
                outcome.ok += 1
                outcome.units += quantity
            now = time.perf_counter()
        outcome.elapsed = now - start
        outcome.cpu = sum(os.times()[:2]) - cpu0
        if profiler is not None:
            outcome.profile = {
                **profiler.snapshot(),
                "reserve_seconds": list(reserve_seconds),
                "commit_seconds": list(commit_seconds),
                "hold_seconds": list(hold),
            }
        barrier.wait(timeout=task.seconds + 300)
        tvers.close()
        results.put(("ok", outcome))
    except BaseException:  # reported to the parent, never hang it
        with contextlib.suppress(Exception):
            barrier.abort()
        results.put(("error", f"worker {task.worker}: {traceback.format_exc()}"))


def relay_worker(url: str, stop: Any, results: Any) -> None:
    """`tvers worker`'s relay loop with every module's subscribers (inventory.channel_atp announces availability)."""
    try:
        import os

        from tvers.bootstrap import build
        from tvers.settings import Settings

        tvers = build(Settings(database_url=url, pool_size=2))
        delivered = passes = 0
        cpu0 = sum(os.times()[:2])
        while not stop.is_set():
            done = tvers.relay.run_once()
            delivered, passes = delivered + done.delivered, passes + 1
            if not done.sequenced and not done.delivered:
                stop.wait(0.05)
        results.put(("relay", {"delivered": delivered, "passes": passes, "cpu_s": sum(os.times()[:2]) - cpu0}))
        tvers.close()
    except BaseException:
        results.put(("error", f"relay: {traceback.format_exc()}"))


def relay_backlog(url: str) -> dict[str, int]:
    """Events committed but not yet passed by each subscriber, at the end of the measured phase."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            total = connection.execute(text("SELECT count(*) FROM outbox")).scalar_one()
            unsequenced = connection.execute(text("SELECT count(*) FROM outbox WHERE position IS NULL")).scalar_one()
            head = connection.execute(text("SELECT coalesce(max(position), 0) FROM outbox")).scalar_one()
            cursors = dict(connection.execute(text("SELECT subscriber, position FROM relay_cursors")).all())
    finally:
        engine.dispose()
    return {"outbox": total, "unsequenced": unsequenced, **{f"behind:{k}": int(head - v) for k, v in cursors.items()}}


# --------------------------------------------------------------------------- the parent


@dataclass
class Run:
    scenario: str
    processes: int
    rate: float
    ok: int
    units: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    failures: dict[str, int]
    seconds: float
    worker_cpu_ms: float  # per reservation
    postgres_cpu_ms: float
    machine_cpu_ms: float
    load_before: str
    load_after: str
    sold_out: int = 0
    profile: dict[str, Any] = field(default_factory=dict)
    relay: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_once(
    url: str,
    database: str,
    scenario: str,
    *,
    processes: int,
    pairs: list[tuple[str, str, str]],
    warmup_pairs: list[tuple[str, str, str]],
    channel_id: str,
    warmup: float,
    seconds: float,
    seed: int,
    profile: bool = False,
    relay: bool = False,
) -> Run:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    tasks = [
        Task(
            worker=i,
            url=url,
            scenario=scenario,
            pairs=pairs,
            warmup_pairs=warmup_pairs,
            channel_id=channel_id,
            warmup=warmup,
            seconds=seconds,
            seed=seed * 1000 + i,
            profile=profile and i == 0,
        )
        for i in range(processes)
    ]
    procs = [ctx.Process(target=worker, args=(t, barrier, results), daemon=True) for t in tasks]
    stop_relay = ctx.Event()
    relay_proc = ctx.Process(target=relay_worker, args=(url, stop_relay, results), daemon=True) if relay else None
    if relay_proc is not None:
        relay_proc.start()
    for p in procs:
        p.start()
    outcomes: list[Outcome] = []
    try:
        barrier.wait(timeout=300)  # every process built and connected
        barrier.wait(timeout=warmup + 300)  # warm-up over: the measured phase starts
        load_before = sc.load_average()
        backends = h.postgres_backends(database)
        pg0, machine0, t0 = h.cpu_by_pid(backends), h.machine_busy_seconds(), time.monotonic()
        barrier.wait(timeout=seconds + 300)  # measured phase over
        backlog = relay_backlog(url) if relay_proc is not None else {}
        pg1, machine1, wall = h.cpu_by_pid(backends), h.machine_busy_seconds(), time.monotonic() - t0
        load_after = sc.load_average()
        stop_relay.set()
        relay_report: dict[str, Any] = {}
        for _ in range(len(procs) + (relay_proc is not None)):
            status, value = results.get(timeout=300)
            if status == "relay":
                relay_report = {**value, "backlog_at_end": backlog}
                continue
            if status != "ok":
                raise RuntimeError(value)
            outcomes.append(value)
    except BaseException:
        with contextlib.suppress(Exception):
            barrier.abort()
        while True:  # a worker's own report says more than the broken barrier
            try:
                status, value = results.get(timeout=5)
            except Exception:  # the queue is empty
                break
            if status != "ok":
                raise RuntimeError(value) from None
        raise
    finally:
        stop_relay.set()
        for p in [*procs, *([relay_proc] if relay_proc is not None else [])]:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
    ok = sum(o.ok for o in outcomes)
    latencies = sorted(x for o in outcomes for x in o.latencies)
    rate = sum(o.ok / o.elapsed for o in outcomes if o.elapsed > 0)
    failures: Counter[str] = Counter()
    for o in outcomes:
        failures.update(o.failures)
    pg_cpu = h._delta(pg0, pg1)
    worker_cpu = sum(o.cpu for o in outcomes)
    per = 1000 / ok if ok else float("nan")
    profile = next((o.profile for o in outcomes if o.profile), {})
    if profile:
        profile["reservations"] = next(o.ok for o in outcomes if o.profile)
        profile["failures"] = dict(next(o.failures for o in outcomes if o.profile))
    return Run(
        scenario=scenario,
        processes=processes,
        rate=rate,
        ok=ok,
        units=sum(o.units for o in outcomes),
        p50_ms=h.percentile(latencies, 50) * 1000,
        p99_ms=h.percentile(latencies, 99) * 1000,
        max_ms=(latencies[-1] * 1000 if latencies else float("nan")),
        failures=dict(failures),
        seconds=h.median([o.elapsed for o in outcomes]),
        worker_cpu_ms=worker_cpu * per,
        postgres_cpu_ms=pg_cpu * per,
        machine_cpu_ms=(machine1 - machine0) * per if wall else float("nan"),
        load_before=load_before,
        load_after=load_after,
        sold_out=sum(o.sold_out for o in outcomes),
        profile=profile,
        relay=relay_report,
    )


def seed_data(url: str, *, variants: int, repeats: int, seed: int) -> dict[str, Any]:
    from tvers.bootstrap import build
    from tvers.channels import service as channels
    from tvers.db.migrate import upgrade
    from tvers.settings import Settings

    rng = random.Random(seed)
    tvers = build(Settings(database_url=url))
    try:
        started = time.monotonic()
        upgrade(tvers.db.engine)
        limited_skus = [f"LIMITED-{n}" for n in range(1, repeats + 2)]
        ids = sc.setup_catalog(tvers, variants=variants, prefix="spread", extra_skus=["HOT-1", *limited_skus])
        places = sc.create_locations(tvers, count=LOCATIONS, seed=seed, warehouses=2)
        sc.set_pool(tvers, places)
        with tvers.uow(read_only=True) as uow:
            channel_id = channels.channel_ref(uow, sc.CHANNEL).id
        h.log(f"catalog, channel and {len(places)} locations in {time.monotonic() - started:.1f} s")
        spread: list[tuple[str, str, str]] = []
        rows: list[tuple[str, str, int, int]] = []
        for sku, variant_id in ids.items():
            if not sku.startswith("SPREAD-"):
                continue
            for place in rng.sample(places, rng.randint(1, 3)):
                spread.append((variant_id, place.id, sku))
                rows.append((variant_id, place.id, SPREAD_STOCK, 0))
        warehouse = places[0]
        hot = [(ids["HOT-1"], warehouse.id, "HOT-1")]
        rows.append((ids["HOT-1"], warehouse.id, HOT_STOCK, 0))
        limited = [[(ids[s], warehouse.id, s)] for s in limited_skus]
        rows += [(ids[s], warehouse.id, 0, 0) for s in limited_skus]  # stocked per run, just before it
        sc.copy_stock(url, rows)
        h.log(
            f"seeded in {time.monotonic() - started:.1f} s: {variants:,} spread variants over {len(spread):,} stock levels, "
            f"1 hot variant ({HOT_STOCK:,} units), {len(limited)} limited variants"
        )
        return {
            "spread": spread,
            "hot": hot,
            "limited": limited,
            "channel_id": channel_id,
            "locations": len(places),
            "levels": len(rows),
            "warehouse": warehouse.code,
        }
    finally:
        tvers.close()


def stock_limited(url: str, sku: str, location_code: str, units: int) -> None:
    """Receive `units` of `sku` through the service, just before its race."""
    from tvers.bootstrap import build
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import ReceiveIn, StockLineIn
    from tvers.settings import Settings

    tvers = build(Settings(database_url=url))
    try:
        with tvers.uow() as uow:
            inventory.receive(
                uow, ReceiveIn(location=location_code, lines=[StockLineIn(sku=sku, quantity=units)]), actor="bench"
            )
            uow.commit()
    finally:
        tvers.close()


def check_no_oversell(url: str, variant_id: str, location_id: str, stock: int, run: Run) -> dict[str, Any]:
    from sqlalchemy import func, select

    from tvers.bootstrap import build
    from tvers.inventory.models import Reservation, StockLevel
    from tvers.settings import Settings

    tvers = build(Settings(database_url=url))
    try:
        with tvers.uow(read_only=True) as uow:
            on_hand, reserved = uow.session.execute(
                select(StockLevel.on_hand, StockLevel.reserved).where(
                    StockLevel.variant_id == variant_id, StockLevel.location_id == location_id
                )
            ).one()
            active_units, active_rows = uow.session.execute(
                select(func.coalesce(func.sum(Reservation.quantity), 0), func.count()).where(
                    Reservation.variant_id == variant_id, Reservation.status == "active"
                )
            ).one()
            rows = uow.session.scalar(
                select(func.count()).select_from(Reservation).where(Reservation.variant_id == variant_id)
            )
    finally:
        tvers.close()
    found = {
        "stock": stock,
        "granted_units": run.units,
        "granted_reservations": run.ok,
        "on_hand": on_hand,
        "reserved": reserved,
        "active_units": int(active_units),
        "active_rows": active_rows,
        "reservation_rows": rows,
        "processes_sold_out": run.sold_out,
    }
    found["oversold"] = max(0, run.units - stock)
    found["ok"] = (
        run.units <= stock
        and run.units == reserved == active_units
        and run.ok == active_rows == rows
        and on_hand == stock
    )
    found["sold_out"] = run.units == stock
    return found


def profile_text(run: Run) -> str:
    p = run.profile
    if not p or not p.get("reservations"):
        return "  (no profile)"
    n = p["reservations"]
    attempts = n + sum(p.get("failures", {}).values())
    lines = [
        f"  profile of one process ({run.processes} running): {n} reservations"
        + (f", {attempts - n} refused" if attempts != n else "")
    ]
    total = 0
    for name in p["order"]:
        count, seconds = p["statements"][name], p["seconds"][name]
        total += count
        lines.append(f"    {count / attempts:5.2f} x  {seconds / count * 1000:7.3f} ms  {name}")
    reserve_ms = [x * 1000 for x in sorted(p["reserve_seconds"])]
    commit_ms = [x * 1000 for x in sorted(p["commit_seconds"])]
    hold_ms = [x * 1000 for x in sorted(p["hold_seconds"])]
    lines.append(
        f"    {total / attempts:5.2f} SQL statements per reservation (before_cursor_execute), "
        f"+ {p['pings'] / attempts:.2f} pool pre-ping (SELECT 1), + BEGIN, + {p['commits'] / attempts:.2f} COMMIT"
    )
    lines.append(
        f"    reserve_stock() p50 {h.percentile(reserve_ms, 50):.2f} ms; uow.commit() (COMMIT; events written before it) "
        f"p50 {h.percentile(commit_ms, 50):.2f} ms, p99 {h.percentile(commit_ms, 99):.2f} ms"
    )
    if hold_ms:
        lines.append(
            f"    stock row lock held (UPDATE done → COMMIT done) p50 {h.percentile(hold_ms, 50):.2f} ms, "
            f"p99 {h.percentile(hold_ms, 99):.2f} ms → at most ~{1000 / h.percentile(hold_ms, 50):.0f} reservations/s "
            f"on one row"
        )
    return "\n".join(lines)


def statements_per_reservation(run: Run) -> float:
    p = run.profile
    if not p or not p.get("reservations"):
        return float("nan")
    attempts = p["reservations"] + sum(p.get("failures", {}).values())
    return sum(p["statements"].values()) / attempts


HEADER = (
    f"{'scenario':<8} {'procs':>5} {'res/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'ok':>7}  "
    f"{'CPU ms/res: workers':>19} {'pg':>5} {'machine':>7}  {'load':<15} failures"
)


def row(r: Run) -> str:
    return (
        f"{r.scenario:<8} {r.processes:>5} {r.rate:>8.1f} {r.p50_ms:>7.2f} {r.p99_ms:>7.2f} {r.max_ms:>7.1f} {r.ok:>7}  "
        f"{r.worker_cpu_ms:>19.2f} {r.postgres_cpu_ms:>5.2f} {r.machine_cpu_ms:>7.2f}  {r.load_after:<15} "
        f"{json.dumps(r.failures, sort_keys=True) if r.failures else '-'}"
        + (
            f"\n{'':>12}relay: {r.relay['delivered']:,} events passed in {r.relay['passes']:,} passes, "
            f"{r.relay['cpu_s']:.1f} s CPU; at the end of the measured phase {json.dumps(r.relay['backlog_at_end'])}"
            if r.relay
            else ""
        )
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=8, help="worker processes; default 8")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run; default 10")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per run (discarded); default 3")
    parser.add_argument("--repeats", type=int, default=3, help="runs per scenario, the median is reported; default 3")
    parser.add_argument("--variants", type=int, default=10_000, help="variants of the spread scenario; default 10,000")
    parser.add_argument(
        "--limited-stock", type=int, default=3000, help="units of the limited scenario's variant; default 3,000"
    )
    parser.add_argument("--scenarios", default="spread,hot,limited", help="comma-separated; default spread,hot,limited")
    parser.add_argument(
        "--profile-seconds", type=float, default=5.0, help="seconds of each profile pass (0: none); default 5"
    )
    parser.add_argument(
        "--postgres-url", default=None, help="an existing database to create the bench database next to"
    )
    parser.add_argument(
        "--relay", action="store_true", help="run the outbox relay (every module's subscribers) in a process of its own meanwhile"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, default=None, help="write every run and the medians to this JSON file")
    args = parser.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if not set(args.scenarios) <= {SPREAD, HOT, LIMITED} or args.processes < 1 or args.repeats < 1:
        parser.error("bad --scenarios, --processes or --repeats")
    return args


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    admin_url = h.postgres_admin_url(args.postgres_url)
    env = sc.environment(admin_url)
    h.log(f"machine: {env}; load {sc.load_average()}")
    runs: dict[str, list[Run]] = {}
    profiles: dict[str, Run] = {}
    proofs: list[dict[str, Any]] = []
    doctor = -1
    with h.temporary_database(admin_url) as url:
        from sqlalchemy.engine import make_url

        database = str(make_url(url).database)
        h.log(f"created database {database}")
        data = seed_data(url, variants=args.variants, repeats=args.repeats, seed=args.seed)
        common = {"processes": args.processes, "channel_id": data["channel_id"], "warmup": args.warmup, "relay": args.relay}
        for scenario in args.scenarios:
            runs[scenario] = []
            for repeat in range(args.repeats):
                if scenario == LIMITED:
                    pairs = data["limited"][repeat]
                    stock_limited(url, pairs[0][2], data["warehouse"], args.limited_stock)
                    run = run_once(
                        url,
                        database,
                        scenario,
                        pairs=pairs,
                        warmup_pairs=data["spread"],
                        seconds=max(args.seconds, 90.0),
                        seed=args.seed + repeat,
                        **common,
                    )
                    proof = check_no_oversell(url, pairs[0][0], pairs[0][1], args.limited_stock, run)
                    proofs.append(proof)
                    h.log(f"  zero-oversell check: {json.dumps(proof)}")
                else:
                    pairs = data[scenario]
                    run = run_once(
                        url,
                        database,
                        scenario,
                        pairs=pairs,
                        warmup_pairs=pairs,
                        seconds=args.seconds,
                        seed=args.seed + repeat,
                        **common,
                    )
                runs[scenario].append(run)
                h.log(f"run {repeat + 1}/{args.repeats}  {HEADER}\n{'':>12}{row(run)}")
            if args.profile_seconds > 0:
                pairs = data["limited"][-1] if scenario == LIMITED else data[scenario]
                if scenario == LIMITED:
                    stock_limited(url, pairs[0][2], data["warehouse"], args.limited_stock)
                profile_run = run_once(
                    url,
                    database,
                    scenario,
                    pairs=pairs,
                    warmup_pairs=data["spread"],
                    seconds=args.profile_seconds if scenario != LIMITED else max(args.seconds, 90.0),
                    seed=args.seed + 99,
                    profile=True,
                    **common,
                )
                profiles[scenario] = profile_run
                h.log(f"profile pass [{scenario}]  {row(profile_run)}\n{profile_text(profile_run)}")
        tvers_url = url
        from tvers.bootstrap import build
        from tvers.settings import Settings

        checker = build(Settings(database_url=tvers_url))
        try:
            doctor = sc.doctor_findings(checker)
        finally:
            checker.close()
        h.log(f"doctor: {doctor} findings over {data['levels']:,} seeded levels and every reservation made")
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    print(
        f"\nStock reservations through the service, PostgreSQL {env['postgres']}, Python {env['python']}, {env['cores']} cores "
        f"({env['cpu']}), {date}"
    )
    print(
        f"{args.processes} processes, each its own Tvers; {args.warmup:g} s warm-up, {args.seconds:g} s measured "
        f"(limited: until sold out); medians of {args.repeats} runs"
    )
    print(HEADER)
    medians = {}
    for scenario, scenario_runs in runs.items():
        for r in scenario_runs:
            print("  " + row(r))
        med = {
            "rate": h.median([r.rate for r in scenario_runs]),
            "p50_ms": h.median([r.p50_ms for r in scenario_runs]),
            "p99_ms": h.median([r.p99_ms for r in scenario_runs]),
            "worker_cpu_ms": h.median([r.worker_cpu_ms for r in scenario_runs]),
            "postgres_cpu_ms": h.median([r.postgres_cpu_ms for r in scenario_runs]),
            "machine_cpu_ms": h.median([r.machine_cpu_ms for r in scenario_runs]),
            "failures": [r.failures for r in scenario_runs],
            "loads": [r.load_after for r in scenario_runs],
        }
        medians[scenario] = med
        target = TARGETS[scenario]
        verdict = "" if target is None else f"  target ≥ {target:g}/s: {'met' if med['rate'] >= target else 'NOT met'}"
        print(
            f"median {scenario:<8} {med['rate']:8.1f}/s  p50 {med['p50_ms']:.2f} ms  p99 {med['p99_ms']:.2f} ms  "
            f"CPU/res workers {med['worker_cpu_ms']:.2f} ms, pg {med['postgres_cpu_ms']:.2f} ms{verdict}"
        )
    if proofs:
        oversold = sum(p["oversold"] for p in proofs)
        print(
            f"zero oversell: {'PROVEN' if all(p['ok'] for p in proofs) and not oversold else 'FAILED'} over {len(proofs)} runs "
            f"(granted units = stock_levels.reserved = Σ active reservations; sold out exactly: "
            f"{sum(p['sold_out'] for p in proofs)}/{len(proofs)}); {json.dumps(proofs)}"
        )
    print(f"doctor findings at the end: {doctor}")
    for scenario, prun in profiles.items():
        print(
            f"profile [{scenario}]: {statements_per_reservation(prun):.2f} SQL statements per reservation\n{profile_text(prun)}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "benchmark": "stock_reservations",
                    "date": date,
                    "environment": env,
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "runs": {s: [r.as_dict() for r in rs] for s, rs in runs.items()},
                    "medians": medians,
                    "proofs": proofs,
                    "profiles": {s: r.as_dict() for s, r in profiles.items()},
                    "doctor_findings": doctor,
                },
                indent=1,
                default=str,
            )
        )
    failed = doctor != 0 or any(not p["ok"] for p in proofs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
