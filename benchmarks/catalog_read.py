"""Catalog read throughput over HTTP on PostgreSQL: GET one channel product, N concurrent clients.

    .venv/bin/python benchmarks/catalog_read.py [--clients 16] [--seconds 20] [--workers 2] [--postgres-url URL]

1. creates a fresh database `tvers_bench_<random>` next to --postgres-url's (default: $TVERS_BENCH_POSTGRES_URL,
   $TVERS_TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test), migrates it and loads the
   demo retailer (seed 42: 240 products, 2,560 variants, 9 channels); collects the ids web-no shows, and the
   demo's admin key;
2. starts `tvers serve --workers N` on a free loopback port (TVERS_RELAY_IN_SERVER=false), waits for /healthz;
3. drives closed-loop load from a separate process: each of the clients holds one keep-alive connection and
   loops `GET /api/v1/channels/web-no/products/{random id}` with the admin key; a warm-up (3 s) is discarded,
   then the measured run; non-200 answers and transport errors are errors (there must be none). The load
   generator is wrk when installed (`apt-get install wrk`), else Python + httpx (threads in spawned processes);
4. repeats the measurement (3 times) and prints the median of each figure;
5. stops the server and drops the database, also on failure or Ctrl-C.

--workers and --clients take comma-separated lists (e.g. `--workers 1,2 --clients 8,16`) to measure a grid
against one database; the server restarts for each worker count. `--json FILE` writes every run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="16", help="concurrent clients (comma-separated list allowed); default 16")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per run; default 20")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="warm-up seconds before each run, discarded; default 3"
    )
    parser.add_argument(
        "--workers", default="2", help="server worker processes (comma-separated list allowed); default 2"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="measured runs per setting; the median is reported; default 3"
    )
    parser.add_argument(
        "--postgres-url", default=None, help="an existing database to create the bench database next to"
    )
    parser.add_argument("--channel", default="web-no", help="channel whose products are read; default web-no")
    parser.add_argument("--seed", type=int, default=42, help="demo seed and request-order seed; default 42")
    parser.add_argument(
        "--load",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or Python + httpx",
    )
    parser.add_argument(
        "--python-mode",
        choices=("threads", "async"),
        default="threads",
        help="Python load: sync httpx clients in threads, or httpx.AsyncClient tasks; default threads",
    )
    parser.add_argument(
        "--load-procs", type=int, default=1, help="Python load: processes to spread the clients over; default 1"
    )
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads; default 2")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the server, e.g. TVERS_POOL_SIZE=20 (repeatable)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write all runs and medians to this JSON file")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in str(args.clients).split(",") if c.strip()]
    args.workers = [int(w) for w in str(args.workers).split(",") if w.strip()]
    if not args.clients or min(args.clients) < 1 or not args.workers or min(args.workers) < 1 or args.repeats < 1:
        parser.error("--clients, --workers and --repeats must be at least 1")
    try:
        args.server_env = dict(item.split("=", 1) for item in args.server_env)
    except ValueError:
        parser.error("--server-env takes NAME=VALUE")
    if args.load == "wrk" and not h.wrk_available():
        parser.error("--load wrk: wrk is not installed")
    return args


def prepare(database_url: str, *, seed: int, channel: str) -> tuple[list[str], str]:
    """Migrate, load the demo and return (ids of the products the channel shows, admin key)."""
    from tvers.bootstrap import build
    from tvers.catalog import service as catalog
    from tvers.catalog.schemas import ChannelContext
    from tvers.channels import service as channels
    from tvers.db.migrate import upgrade
    from tvers.demo.build import build_demo
    from tvers.settings import Settings

    tvers = build(Settings(database_url=database_url))
    try:
        started = time.monotonic()
        upgrade(tvers.db.engine)
        summary = build_demo(tvers, seed=seed, log=h.log)
        h.log(f"demo loaded in {time.monotonic() - started:.1f} s: {summary.describe()}")
        ids: list[str] = []
        with tvers.uow(read_only=True) as uow:
            ref = channels.channel_ref(uow, channel)
            context = ChannelContext(
                channel_id=ref.id,
                price_book_id=ref.price_book_id,
                currency=ref.currency,
                country=ref.country,
                default_locale=ref.default_locale,
            )
            after = None
            while True:
                page = catalog.channel_products(uow, context, locale=None, q=None, limit=200, after=after)
                ids.extend(p.id for p in page.items)
                if not page.next_cursor:
                    break
                after = page.next_cursor
        if not ids:
            raise RuntimeError(f"channel {channel} shows no products")
        return ids, summary.admin_key
    finally:
        tvers.close()


def environment(admin_url: str) -> dict[str, object]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_gib, 1),
        "postgres": h.postgres_version(admin_url),
        "python": platform.python_version(),
        "wrk": h.wrk_available(),
    }


def measure(
    args: argparse.Namespace, server: h.Server, meter: h.CpuMeter, paths: list[str], key: str, clients: int, repeat: int
) -> h.RunResult:
    seed = args.seed + repeat
    use_wrk = args.load == "wrk" or (args.load == "auto" and h.wrk_available())
    if use_wrk:
        if args.warmup > 0:
            h.wrk_run(
                server.base_url,
                paths,
                key,
                clients=clients,
                seconds=args.warmup,
                seed=seed + 7919,
                threads=args.wrk_threads,
            )
        result = h.wrk_run(
            server.base_url,
            paths,
            key,
            clients=clients,
            seconds=args.seconds,
            seed=seed,
            threads=args.wrk_threads,
            on_start=meter.start,
            on_stop=meter.stop,
        )
    else:
        result = h.python_run(
            server.base_url,
            paths,
            key,
            clients=clients,
            seconds=args.seconds,
            warmup=args.warmup,
            seed=seed,
            mode=args.python_mode,
            processes=args.load_procs,
            on_start=meter.start,
            on_stop=meter.stop,
        )
    if result.rps and "server_cores" in result.cpu:
        result.cpu["server_ms_per_request"] = result.cpu["server_cores"] / result.rps * 1000
        result.cpu["postgres_ms_per_request"] = result.cpu["postgres_cores"] / result.rps * 1000
    return result


def check_one(server: h.Server, path: str, key: str) -> None:
    import httpx

    answer = httpx.get(server.base_url + path, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    if answer.status_code != 200 or "variants" not in answer.json():
        raise RuntimeError(f"GET {path} answered {answer.status_code}: {answer.text[:500]}")


def other(r: h.RunResult) -> float:
    """Machine CPU not used by this benchmark: other work on the shared machine, and the kernel."""
    c = r.cpu
    if "machine_cores" not in c:
        return float("nan")
    return max(0.0, c["machine_cores"] - r.client_cores - c.get("server_cores", 0.0) - c.get("postgres_cores", 0.0))


def detail(r: h.RunResult) -> str:
    c = r.cpu
    text = f"{r.requests} requests in {r.seconds:.1f} s, max {r.max_ms:.1f} ms"
    if "busiest_worker_cores" in c:
        text += (
            f"; worker CPU busiest {c['busiest_worker_cores']:.2f} / idlest {c['idlest_worker_cores']:.2f} cores;"
            f" {int(c['postgres_backends'])} PostgreSQL backends seen"
        )
        if c["idlest_worker_cores"] < 0.25 * c["busiest_worker_cores"]:
            text += (
                " (WARNING: one worker got (almost) no connections:"
                " keep-alive connections stick to the worker that accepted them)"
            )
    return text


def row(workers: int, clients: int, r: h.RunResult) -> str:
    cpu, nan = r.cpu, float("nan")
    return (
        f"{workers:>7} {clients:>7} {r.rps:>9.1f} {r.p50_ms:>8.2f} {r.p90_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>6}"
        f" {r.client_cores:>7.2f} {cpu.get('server_cores', nan):>7.2f} {cpu.get('postgres_cores', nan):>7.2f}"
        f" {cpu.get('machine_cores', nan):>7.2f} {other(r):>7.2f}"
        f" {cpu.get('server_ms_per_request', nan):>7.1f} {cpu.get('postgres_ms_per_request', nan):>7.1f}"
    )


HEADER = (
    f"{'workers':>7} {'clients':>7} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'errors':>6}"
    f" {'client':>7} {'server':>7} {'pg':>7} {'machine':>7} {'other':>7} {'srv ms':>7} {'pg ms':>7}"
)
LEGEND = (
    "client/server/pg/machine/other: CPU cores busy (load generator, tvers serve, the bench database's PostgreSQL"
    " backends, whole machine, the rest of the machine); srv ms / pg ms: CPU time per request"
)


def median_record(workers: int, clients: int, m: h.RunResult) -> dict[str, object]:
    figures = ("p50_ms", "p90_ms", "p99_ms", "max_ms", "errors", "client_cores")
    return {"workers": workers, "clients": clients, "rps": m.rps, **{k: getattr(m, k) for k in figures}, **m.cpu}


def median_of(runs: list[h.RunResult]) -> h.RunResult:
    cpu_keys = sorted({k for r in runs for k in r.cpu})
    rps = h.median([r.rps for r in runs])
    return h.RunResult(
        requests=round(rps * 1000),
        seconds=1000.0,
        errors=int(h.median([r.errors for r in runs])),
        p50_ms=h.median([r.p50_ms for r in runs]),
        p90_ms=h.median([r.p90_ms for r in runs]),
        p99_ms=h.median([r.p99_ms for r in runs]),
        max_ms=h.median([r.max_ms for r in runs]),
        client_cores=h.median([r.client_cores for r in runs]),
        load=runs[0].load,
        cpu={k: h.median([r.cpu[k] for r in runs if k in r.cpu]) for k in cpu_keys},
    )


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM should clean up like Ctrl-C does: stop the server, drop the database.
    signal.signal(signal.SIGTERM, _interrupt)
    admin_url = h.postgres_admin_url(args.postgres_url)
    env = environment(admin_url)
    h.log(f"machine: {env}")
    results: list[dict[str, object]] = []
    summary: list[tuple[int, int, h.RunResult, list[h.RunResult]]] = []
    errors_total = 0
    with h.temporary_database(admin_url) as database_url:
        from sqlalchemy.engine import make_url

        database = str(make_url(database_url).database)
        h.log(f"created database {database}")
        ids, key = prepare(database_url, seed=args.seed, channel=args.channel)
        paths = [f"/api/v1/channels/{args.channel}/products/{pid}" for pid in ids]
        h.log(f"{len(ids)} products shown on {args.channel}")
        for workers in args.workers:
            with h.running_server(database_url, workers=workers, extra_env=args.server_env) as server:
                h.log(f"tvers serve --workers {workers} up at {server.base_url}")
                check_one(server, paths[0], key)
                meter = h.CpuMeter(server, database)
                for clients in args.clients:
                    runs = []
                    for repeat in range(args.repeats):
                        result = measure(args, server, meter, paths, key, clients, repeat)
                        runs.append(result)
                        errors_total += result.errors
                        h.log(
                            f"run {repeat + 1}/{args.repeats} [{result.load}]  {HEADER}"
                            f"\n{'':>22}  {row(workers, clients, result)}\n{'':>24}{detail(result)}"
                        )
                        results.append(
                            {"workers": workers, "clients": clients, "repeat": repeat + 1, **result.as_dict()}
                        )
                    summary.append((workers, clients, median_of(runs), runs))
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    print(
        f"\nCatalog read over HTTP: GET /api/v1/channels/{args.channel}/products/{{id}} ({len(ids)} ids), PostgreSQL "
        f"{env['postgres']}, Python {env['python']}, {env['cores']} cores, {date}"
    )
    if args.server_env:
        print(f"server environment: {' '.join(f'{k}={v}' for k, v in args.server_env.items())}")
    print(
        f"load: {summary[0][2].load}, closed loop, keep-alive, {args.warmup:g} s warm-up"
        f" + {args.seconds:g} s measured; medians of {args.repeats} run(s)"
    )
    print(LEGEND)
    print(HEADER)
    for workers, clients, med, _runs in summary:
        print(row(workers, clients, med))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "benchmark": "catalog_read",
                    "date": date,
                    "environment": env,
                    "channel": args.channel,
                    "ids": len(ids),
                    "server_env": args.server_env,
                    "seconds": args.seconds,
                    "warmup": args.warmup,
                    "repeats": args.repeats,
                    "runs": results,
                    "medians": [median_record(w, c, m) for w, c, m, _ in summary],
                },
                indent=2,
            )
        )
    if errors_total:
        print(f"ERROR: {errors_total} requests failed (non-200 or transport errors)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
