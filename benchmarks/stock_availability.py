"""Availability reads over a million stock rows on PostgreSQL: per location, nearest stores, channel ATP.

    .venv/bin/python benchmarks/stock_availability.py [--calls 1000] [--repeats 3] [--postgres-url URL]

1. creates a throw-away database `tvers_bench_<random>` next to --postgres-url's (default: $TVERS_BENCH_POSTGRES_URL,
   $TVERS_TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test) and migrates it;
2. seeds through the services a price book, channel web-no, 2,000 variants (bulk_upsert_variants, 1,000 rows a call)
   and 500 stores offering pickup at random points of Norway, Sweden and Denmark; web-no's pool is all 500 (ships
   from each, pickup at each); then 2,000 × 500 = 1,000,000 stock levels by COPY (about 30 % at 0, the rest 1-40
   units, a fifth with a safety stock of 1), each non-zero level with its receipt movement in the ledger; ANALYZE;
3. in the service (this process, each call its own read-only unit of work, as a request has), --calls calls of each
   after --warmup-calls discarded ones, a random SKU (and a random point in one of the three countries) each:
     stock    — variant_stock(uow, sku): the variant at all 500 locations;
     nearest  — nearest(uow, sku, quantity=1, latitude=…, longitude=…, limit=5): the 5 nearest pickup stores with stock;
     atp      — channel_availability(uow, "web-no", [sku]): the variant's ATP on web-no and its pickup stores;
4. over HTTP: `tvers serve --workers 1` on a free loopback port against the database (TVERS_RELAY_IN_SERVER=false),
   an admin key from `tvers apikey create --role admin`, and one sequential keep-alive httpx client in a separate
   process: GET /api/v1/stock/{sku}, GET /api/v1/availability/nearest?sku=&quantity=1&lat=&lon=&limit=5, and
   GET /api/v1/channels/web-no/availability?skus={sku}; any non-200 answer is an error;
5. repeats 3 and 4 (--repeats, default 3) and prints the medians of p50 and p99 per call; drops the database,
   also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h
import stock_common as sc

OPS = ("stock", "nearest", "atp")
SERVICE_TARGET_MS, HTTP_TARGET_MS = 10.0, 25.0


def random_origin(rng: random.Random) -> tuple[float, float]:
    return sc.random_point(rng, rng.choices(("NO", "SE", "DK"), weights=(45, 35, 20))[0])


# --------------------------------------------------------------------------- seeding


def seed_data(url: str, *, variants: int, locations: int, seed: int, ledger: bool) -> list[str]:
    from tvers.bootstrap import build
    from tvers.db.migrate import upgrade
    from tvers.settings import Settings

    tvers = build(Settings(database_url=url))
    try:
        started = time.monotonic()
        upgrade(tvers.db.engine)
        ids = sc.setup_catalog(tvers, variants=variants, prefix="avail")
        places = sc.create_locations(tvers, count=locations, seed=seed, warehouses=0)
        sc.set_pool(tvers, places)
        h.log(
            f"catalog ({len(ids):,} variants), channel and {len(places)} locations in {time.monotonic() - started:.1f} s"
        )
        rng = random.Random(seed)

        def rows() -> Any:
            for variant_id in ids.values():
                for place in places:
                    on_hand = 0 if rng.random() < 0.3 else rng.randint(1, 40)
                    yield variant_id, place.id, on_hand, (1 if rng.random() < 0.2 else 0)

        loaded = sc.copy_stock(url, rows(), ledger=ledger)
        h.log(f"seeded in {time.monotonic() - started:.1f} s: {loaded:,} stock levels")
        return list(ids)
    finally:
        tvers.close()


# --------------------------------------------------------------------------- in the service


def service_pass(tvers: Any, skus: list[str], *, calls: int, warmup: int, seed: int) -> dict[str, list[float]]:
    from tvers.inventory import service as inventory

    rng = random.Random(seed)
    found: dict[str, list[float]] = {}
    for op in OPS:
        latencies = []
        for i in range(warmup + calls):
            sku = rng.choice(skus)
            lat, lon = random_origin(rng)
            t0 = time.perf_counter()
            with tvers.uow(read_only=True) as uow:
                if op == "stock":
                    result: Any = inventory.variant_stock(uow, sku)
                elif op == "nearest":
                    result = inventory.nearest(uow, sku, quantity=1, latitude=lat, longitude=lon, limit=5)
                else:
                    result = inventory.channel_availability(uow, sc.CHANNEL, [sku])
            elapsed = time.perf_counter() - t0
            if i == 0:
                check_service_answer(op, result)
            if i >= warmup:
                latencies.append(elapsed)
        found[op] = latencies
    return found


def check_service_answer(op: str, result: Any) -> None:
    if op == "stock" and not result.locations:
        raise RuntimeError(f"variant_stock gave {len(result.locations)} locations")
    if op == "nearest" and len(result) != 5:
        raise RuntimeError(f"nearest gave {len(result)} stores")
    if op == "atp" and (len(result) != 1 or result[0].available <= 0 or not result[0].pickup_locations):
        raise RuntimeError(f"channel_availability gave {result}")


# --------------------------------------------------------------------------- over HTTP


def http_path(op: str, sku: str, lat: float, lon: float) -> str:
    if op == "stock":
        return f"/api/v1/stock/{sku}"
    if op == "nearest":
        return f"/api/v1/availability/nearest?sku={sku}&quantity=1&lat={lat}&lon={lon}&limit=5"
    return f"/api/v1/channels/{sc.CHANNEL}/availability?skus={sku}"


def http_client(base_url: str, key: str, plan: dict[str, list[str]], warmup: int, results: Any) -> None:
    """One sequential keep-alive client: for each op, `warmup` discarded calls, then the rest measured."""
    try:
        import httpx

        found: dict[str, list[float]] = {}
        errors: list[str] = []
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30.0) as http:
            for op, paths in plan.items():
                latencies = []
                for i, path in enumerate(paths):
                    t0 = time.perf_counter()
                    answer = http.get(path)
                    body = answer.content
                    elapsed = time.perf_counter() - t0
                    if answer.status_code != 200:
                        errors.append(f"{path}: {answer.status_code} {body[:200]!r}")
                    elif i == 0:
                        check_http_answer(op, answer.json())
                    if i >= warmup:
                        latencies.append(elapsed)
                found[op] = latencies
        results.put(("ok", found, errors))
    except BaseException:  # reported to the parent
        results.put(("error", traceback.format_exc(), []))


def check_http_answer(op: str, body: Any) -> None:
    if op == "stock" and not body["locations"]:
        raise RuntimeError(f"GET stock gave {len(body['locations'])} locations")
    if op == "nearest" and len(body) != 5:
        raise RuntimeError(f"GET nearest gave {len(body)} stores")
    if op == "atp" and (len(body) != 1 or body[0]["available"] <= 0):
        raise RuntimeError(f"GET availability gave {body}")


def http_pass(
    base_url: str, key: str, skus: list[str], *, calls: int, warmup: int, seed: int
) -> tuple[dict[str, list[float]], list[str]]:
    import multiprocessing as mp

    rng = random.Random(seed)
    plan = {op: [http_path(op, rng.choice(skus), *random_origin(rng)) for _ in range(warmup + calls)] for op in OPS}
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    process = ctx.Process(target=http_client, args=(base_url, key, plan, warmup, results), daemon=True)
    process.start()
    try:
        status, found, errors = results.get(timeout=900)
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    if status != "ok":
        raise RuntimeError(f"HTTP client failed:\n{found}")
    return found, errors


def create_admin_key(url: str) -> str:
    env = dict(os.environ, TVERS_DATABASE_URL=url)
    done = subprocess.run(
        [*h.tvers_command(), "apikey", "create", "--role", "admin", "--name", "bench"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"tvers apikey create failed ({done.returncode}): {done.stderr}")
    return done.stdout.strip().splitlines()[-1]


# --------------------------------------------------------------------------- report


def summary(latencies: list[float]) -> dict[str, float]:
    ms = sorted(x * 1000 for x in latencies)
    return {
        "calls": len(ms),
        "p50_ms": h.percentile(ms, 50),
        "p90_ms": h.percentile(ms, 90),
        "p99_ms": h.percentile(ms, 99),
        "max_ms": ms[-1] if ms else float("nan"),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variants", type=int, default=2000, help="variants; default 2,000")
    parser.add_argument("--locations", type=int, default=500, help="stores offering pickup; default 500")
    parser.add_argument("--calls", type=int, default=1000, help="measured calls per operation and run; default 1,000")
    parser.add_argument("--warmup-calls", type=int, default=100, help="discarded calls before each; default 100")
    parser.add_argument("--repeats", type=int, default=3, help="runs; the median of each figure is reported; default 3")
    parser.add_argument(
        "--no-ledger", action="store_true", help="load stock levels without their receipt movements (faster)"
    )
    parser.add_argument("--skip-http", action="store_true", help="the service only")
    parser.add_argument(
        "--postgres-url", default=None, help="an existing database to create the bench database next to"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, default=None, help="write every run and the medians to this JSON file")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.repeats < 1:
        parser.error("--calls and --repeats must be at least 1")
    return args


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    admin_url = h.postgres_admin_url(args.postgres_url)
    env = sc.environment(admin_url)
    h.log(f"machine: {env}; load {sc.load_average()}")
    runs: list[dict[str, Any]] = []
    errors: list[str] = []
    with h.temporary_database(admin_url) as url:
        from tvers.bootstrap import build
        from tvers.settings import Settings

        h.log(f"created database {url.rsplit('/', 1)[-1]}")
        skus = seed_data(
            url, variants=args.variants, locations=args.locations, seed=args.seed, ledger=not args.no_ledger
        )
        key = "" if args.skip_http else create_admin_key(url)
        tvers = build(Settings(database_url=url))
        server_cm = contextlib.nullcontext(None) if args.skip_http else h.running_server(url, workers=1)
        try:
            with server_cm as server:
                for repeat in range(args.repeats):
                    load_before = sc.load_average()
                    service = service_pass(
                        tvers, skus, calls=args.calls, warmup=args.warmup_calls, seed=args.seed + repeat
                    )
                    run: dict[str, Any] = {
                        "repeat": repeat + 1,
                        "load_before": load_before,
                        "load_service": sc.load_average(),
                        "service": {op: summary(v) for op, v in service.items()},
                    }
                    if server is not None:
                        found, errs = http_pass(
                            server.base_url,
                            key,
                            skus,
                            calls=args.calls,
                            warmup=args.warmup_calls,
                            seed=args.seed + 100 + repeat,
                        )
                        errors += errs
                        run["http"] = {op: summary(v) for op, v in found.items()}
                        run["http_errors"] = len(errs)
                    run["load_after"] = sc.load_average()
                    runs.append(run)
                    h.log(
                        f"run {repeat + 1}/{args.repeats}: load {run['load_after']}; "
                        + "; ".join(
                            f"{where} {op} p50 {s['p50_ms']:.2f} p99 {s['p99_ms']:.2f} ms"
                            for where in ("service", "http")
                            if where in run
                            for op, s in run[where].items()
                        )
                    )
        finally:
            tvers.close()
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    print(
        f"\nStock availability over {args.variants:,} variants × {args.locations} locations = {args.variants * args.locations:,} stock "
        f"levels, PostgreSQL {env['postgres']}, Python {env['python']}, {env['cores']} cores ({env['cpu']}), {date}"
    )
    print(
        f"{args.calls} measured calls per operation and run ({args.warmup_calls} warm-up calls discarded), random SKU and point; "
        f"medians of {args.repeats} runs; HTTP: tvers serve --workers 1, one sequential keep-alive client"
    )
    print(
        f"{'where':<8} {'operation':<9} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'target p99':>11}  met?"
    )
    medians: dict[str, dict[str, dict[str, float]]] = {}
    for where, target in (("service", SERVICE_TARGET_MS), ("http", HTTP_TARGET_MS)):
        if not all(where in r for r in runs):
            continue
        medians[where] = {}
        for op in OPS:
            med = {k: h.median([r[where][op][k] for r in runs]) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")}
            medians[where][op] = med
            met = med["p99_ms"] < target
            print(
                f"{where:<8} {op:<9} {med['p50_ms']:>7.2f} {med['p90_ms']:>7.2f} {med['p99_ms']:>7.2f} {med['max_ms']:>7.1f} "
                f"{'< ' + format(target, 'g') + ' ms':>11}  {'yes' if met else 'NO'}"
            )
    print(f"load average during the runs: {', '.join(r['load_after'] for r in runs)}")
    if errors:
        print(f"ERROR: {len(errors)} HTTP calls failed, e.g. {errors[:3]}", file=sys.stderr)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "benchmark": "stock_availability",
                    "date": date,
                    "environment": env,
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "runs": runs,
                    "medians": medians,
                    "http_errors": errors[:20],
                },
                indent=1,
            )
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
