"""Checkout throughput over HTTP on PostgreSQL: `POST /api/v1/checkout` of a 3-line cart (issue 5).

    .venv/bin/python benchmarks/checkout.py [--clients 1,4,16] [--orders-per-client ...] [--workers 2] [--repeats 3]

1. creates a fresh database `tvers_bench_<random>` next to --postgres-url's (default: $TVERS_BENCH_POSTGRES_URL,
   $TVERS_TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test) and migrates it;
2. loads a priced shop through the services: one NOK price book (prices include VAT), one web channel (`web`, NO),
   --products products of --variants-per-product variants each (2,000 variants by default, 49.00–998.00 NOK, standard
   VAT 25 %), listed on the channel; one warehouse that ships for the channel with 10^6 units of every variant; a
   Norwegian shipping rate (79.00, free from 1,500.00); one automatic promotion stored with `tvers.quoting.service`
   (10 % off the whole cart, no coupon); an integration API key bound to the channel;
3. counts SQL statements (see below) of one checkout in this process, with the same data;
4. starts `tvers serve --workers N` on a free loopback port (TVERS_RELAY_IN_SERVER=false) and, for each client
   count, drives closed-loop load from a separate (spawned) process: every client is a thread with its own
   keep-alive httpx connection. Set-up, not timed: each client makes its carts through the API (`POST /carts`, three
   `POST /carts/{id}/lines` with random distinct SKUs and quantities 1–2, `GET /carts/{id}/quote` for the amount the
   card must pay). Then a barrier, a short warm-up of real checkouts (discarded) and the measured phase: each client
   sends `POST /api/v1/checkout` (`Idempotency-Key`, test card 4242 4242 4242 4242 for the quoted amount, shipping
   to Oslo) for its next cart as soon as the previous answer is in, --orders-per-client times. Only the checkout
   call is timed. Anything but `201` with `outcome = confirmed` is an error (there must be none);
5. repeats each measurement (--repeats, default 3), interleaving the client counts (1, 4, 16, 1, 4, 16, ...), and
   prints the median of each figure; orders/s = orders / (first send → last answer of the phase);
6. stops the server and drops the database, also on failure or Ctrl-C.

--baseline-src DIR (a src/ directory of another version, e.g. `git archive main src | tar -x -C /tmp/base`) measures
that version too: a second `tvers serve` with PYTHONPATH=DIR on the same database, its statements counted by a
subprocess with the same PYTHONPATH, and every run alternated with this version's (A/B, B/A, ...).

Statement counts: every statement the application sends through SQLAlchemy, counted by a `before_cursor_execute`
listener (an executemany counts once). Transactions are counted by the engine's `begin` event; each costs a `BEGIN`
(sent by psycopg before the first statement) and a `COMMIT` or `ROLLBACK`, which `before_cursor_execute` does not see,
so round trips ≈ statements + 2 × transactions (+ a pool ping `SELECT 1` for a connection idle ≥ 1 s, not counted).
Two figures: "checkout" = the workflow call `checkout_cart` alone (what issue 5 limits to 25), and "request" = the
whole HTTP request through the app in process (authentication, idempotency claim and completion included).
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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

CHANNEL = "web"
CARD = "4242424242424242"
SHIP_TO = {
    "method": "ship",
    "address": {"name": "Kari Nordmann", "lines": ["Storgata 1"], "postal_code": "0155", "city": "Oslo", "country": "NO"},
}
DEFAULT_ORDERS = {1: 150, 4: 75, 16: 40}  # per client and run, when --orders-per-client is not given


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="1,4,16", help="concurrent clients, comma-separated; default 1,4,16")
    parser.add_argument(
        "--orders-per-client",
        type=int,
        default=None,
        help="measured checkouts per client and run; default 150 (1 client), 75 (4), 40 (16), else 600 / clients",
    )
    parser.add_argument("--warmup", type=int, default=3, help="warm-up checkouts per client and run, discarded; default 3")
    parser.add_argument("--workers", type=int, default=2, help="tvers serve worker processes; default 2")
    parser.add_argument("--repeats", type=int, default=3, help="runs per client count (medians reported); default 3")
    parser.add_argument("--products", type=int, default=100, help="products; default 100")
    parser.add_argument("--variants-per-product", type=int, default=20, help="variants per product; default 20")
    parser.add_argument("--postgres-url", default=None, help="an existing database to create the bench database next to")
    parser.add_argument("--seed", type=int, default=42, help="seed for SKUs and quantities; default 42")
    parser.add_argument("--count-only", action="store_true", help="set up and count statements; no server, no load")
    parser.add_argument("--show-statements", action="store_true", help="print every statement of the counted checkout")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the server, e.g. TVERS_POOL_SIZE=20 (repeatable)",
    )
    parser.add_argument(
        "--baseline-src",
        type=Path,
        default=None,
        help="also measure the tvers package in this src/ directory (e.g. `git archive main src | tar -x -C /tmp/base`, then"
        " /tmp/base/src): a second server with PYTHONPATH set to it, on the same database, runs alternating A/B, B/A, ...",
    )
    parser.add_argument("--json", type=Path, default=None, help="write all runs and medians to this JSON file")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in str(args.clients).split(",") if c.strip()]
    if not args.clients or min(args.clients) < 1 or args.workers < 1 or args.repeats < 1:
        parser.error("--clients, --workers and --repeats must be at least 1")
    try:
        args.server_env = dict(item.split("=", 1) for item in args.server_env)
    except ValueError:
        parser.error("--server-env takes NAME=VALUE")
    return args


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Shop:
    skus: list[str]
    api_key: str


def prepare(database_url: str, *, products: int, variants_per_product: int, seed: int) -> Shop:
    """Migrate and load the shop through the services (see the module docstring)."""
    from tvers.bootstrap import build
    from tvers.db.migrate import upgrade
    from tvers.settings import Settings

    tvers = build(Settings(database_url=database_url), subscribers=())
    try:
        started = time.monotonic()
        upgrade(tvers.db.engine)
        shop = load_shop(tvers, products=products, variants_per_product=variants_per_product, seed=seed)
        with tvers.db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        h.log(f"shop loaded in {time.monotonic() - started:.1f} s: {len(shop.skus)} variants")
        return shop
    finally:
        tvers.close()


def load_shop(tvers: Any, *, products: int, variants_per_product: int, seed: int) -> Shop:
    from tvers.catalog import service as catalog
    from tvers.catalog.schemas import PriceBookIn, PriceRowIn, ProductIn, ProductStatus, VariantIn
    from tvers.channels import api_keys
    from tvers.channels import service as channels
    from tvers.channels.access import Role
    from tvers.channels.schemas import ApiKeyIn, ChannelIn, ChannelType
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import (
        Address,
        Capabilities,
        ChannelPoolIn,
        LocationIn,
        LocationType,
        PoolLocationIn,
        ReceiveIn,
        StockLineIn,
    )
    from tvers.quoting import service as quoting
    from tvers.quoting.schemas import PercentOffIn, PromotionIn, ShippingRateIn, ValueBandIn

    rng = random.Random(seed)
    skus: list[str] = []
    with tvers.uow() as uow:
        catalog.create_price_book(uow, PriceBookIn(code="nok", name="NOK", currency="NOK", prices_include_vat=True))
        channel = channels.create_channel(
            uow,
            ChannelIn(code=CHANNEL, name="Web", type=ChannelType.WEB, currency="NOK", price_book="nok",
                      default_locale="nb", country="NO"),
        )
        inventory.create_location(uow, LocationIn(
            code="oslo-dc", name="Oslo DC", type=LocationType.WAREHOUSE, address=Address(city="Oslo"), country="NO",
            latitude=59.9, longitude=10.7, time_zone="Europe/Oslo", sourcing_priority=10,
            capabilities=Capabilities(ships=True, offers_pickup=False, offers_curbside=False), is_active=True))
        inventory.set_channel_pool(uow, CHANNEL, ChannelPoolIn(locations=[
            PoolLocationIn(location="oslo-dc", ships_from=True, pickup=False)]))
        quoting.create_shipping_rate(uow, ShippingRateIn(
            country="NO", currency="NOK", value_bands=[ValueBandIn(min_value=Decimal(0), price=Decimal("79.00"))],
            free_from=Decimal("1500.00")))
        quoting.create_promotion(uow, PromotionIn(
            name="Ten off everything", benefit=PercentOffIn(kind="percent_off", percent=Decimal(10))))
        key = api_keys.create_api_key(uow, ApiKeyIn(name="checkout bench", role=Role.INTEGRATION, channel=CHANNEL))
        uow.commit()
    for p in range(products):
        codes = [f"BX-{p:04d}-{v:02d}" for v in range(variants_per_product)]
        with tvers.uow() as uow:
            product = catalog.create_product(uow, ProductIn(
                handle=f"bench-product-{p:04d}", title=f"Turjakke {p}", status=ProductStatus.ACTIVE,
                category="apparel/jackets", variants=[VariantIn(sku=s) for s in codes]))
            catalog.bulk_upsert_prices(uow, "nok", [
                PriceRowIn(sku=s, amount=Decimal(rng.randrange(49, 999)) + Decimal("0.00")) for s in codes])
            catalog.publish_many(uow, channel_id=channel.id, product_ids=[product.id], is_published=True)
            inventory.receive(uow, ReceiveIn(location="oslo-dc", lines=[
                StockLineIn(sku=s, quantity=1_000_000) for s in codes]), actor="bench")
            uow.commit()
        skus.extend(codes)
    return Shop(skus=skus, api_key=key.key)


# --------------------------------------------------------------------------- statement counts


@dataclass
class Counted:
    statements: list[str]
    transactions: int

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def counting(engine: Any) -> Iterator[Counted]:
    from sqlalchemy import event

    seen = Counted([], 0)

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN; psycopg's is never seen here
            seen.statements.append(statement)

    def on_begin(_conn: Any) -> None:
        seen.transactions += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "begin", on_begin)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "begin", on_begin)


def first_words(statement: str) -> str:
    words = " ".join(statement.split())
    return words[:140]


def count_statements(database_url: str, shop: Shop, *, seed: int, show: bool) -> dict[str, int]:
    """One cart checkout counted twice: the workflow call alone, and a whole HTTP request through the app."""
    from fastapi.testclient import TestClient

    from tvers.bootstrap import build
    from tvers.channels import api_keys
    from tvers.settings import Settings
    from tvers.web.app import create_app
    from tvers.workflows import checkout
    from tvers.workflows.checkout_schemas import CartCheckoutIn

    tvers = build(Settings(database_url=database_url), subscribers=())
    rng = random.Random(seed + 1)
    auth = {"Authorization": f"Bearer {shop.api_key}"}
    try:
        with TestClient(create_app(tvers, run_relay=False)) as client:
            figures: dict[str, int] = {}
            for round_ in range(3):  # the last round counts: caches and prepared statements warm
                body = make_checkout_body(client, auth, rng.sample(shop.skus, 3), rng)
                with tvers.uow(read_only=True) as uow:
                    principal = api_keys.authenticate(uow, shop.api_key)
                caller = checkout.Caller(actor=principal.key_id, checkout_key=f"count-{seed}-{round_}-a",
                                         channel=principal.channel_code)
                with counting(tvers.db.engine) as in_workflow:
                    out = checkout.checkout_cart(tvers, CartCheckoutIn.model_validate(body), caller=caller)
                assert out.outcome == "confirmed", out.outcome
                body = make_checkout_body(client, auth, rng.sample(shop.skus, 3), rng)
                with counting(tvers.db.engine) as in_request:
                    answer = client.post("/api/v1/checkout", json=body,
                                         headers={**auth, "Idempotency-Key": f"count-{seed}-{round_}-b"})
                assert answer.status_code == 201 and answer.json()["outcome"] == "confirmed", answer.text
            figures = {
                "checkout_statements": in_workflow.count,
                "checkout_transactions": in_workflow.transactions,
                "request_statements": in_request.count,
                "request_transactions": in_request.transactions,
            }
            if show:
                for name, counted in (("checkout_cart", in_workflow), ("HTTP request", in_request)):
                    h.log(f"--- {name}: {counted.count} statements in {counted.transactions} transactions")
                    for i, statement in enumerate(counted.statements, 1):
                        h.log(f"{i:>3}  {first_words(statement)}")
            return figures
    finally:
        tvers.close()


def make_checkout_body(http: Any, auth: dict[str, str], skus: list[str], rng: random.Random) -> dict[str, Any]:
    """A cart with three lines made through the API, and the checkout body that pays its quoted total."""
    cart = _ok(http.post("/api/v1/carts", headers=auth,
                         json={"channel": CHANNEL, "anonymous_token": f"bench-{rng.getrandbits(64):016x}"}))
    for sku in skus:
        _ok(http.post(f"/api/v1/carts/{cart['id']}/lines", headers=auth,
                      json={"sku": sku, "quantity": rng.randint(1, 2)}))
    quote = _ok(http.get(f"/api/v1/carts/{cart['id']}/quote", headers=auth,
                         params={"channel": CHANNEL, "shipping": "ship", "country": "NO"}))
    amount = quote["grand_total"]["amount"]
    return {"channel": CHANNEL, "cart_id": cart["id"], "delivery": SHIP_TO,
            "tenders": [{"tender": "test_card", "card_number": CARD, "amount": amount, "currency": "NOK"}]}


def _ok(response: Any) -> Any:
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.method} {response.request.url} answered {response.status_code}: "
                           f"{response.text[:500]}")
    return response.json()


# --------------------------------------------------------------------------- load


def _load_process(base_url: str, api_key: str, skus: list[str], clients: int, warmup: int, orders: int, seed: int, tag: str,
                  barrier: Any, results: Any) -> None:
    """Spawned: make every client's carts (not timed), warm up, then run the timed checkouts."""
    import os

    import httpx

    auth = {"Authorization": f"Bearer {api_key}"}
    bodies: list[list[dict[str, Any]]] = [[] for _ in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[list[str]] = [[] for _ in range(clients)]
    starts, ends = [0.0] * clients, [0.0] * clients
    made, warm, measured = (threading.Barrier(clients + 1) for _ in range(3))

    def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        with httpx.Client(base_url=base_url, headers=auth, timeout=60.0) as http:
            try:
                for _ in range(warmup + orders):
                    bodies[i].append(make_checkout_body(http, {}, rng.sample(skus, 3), rng))
            except Exception as error:  # reported, never a hang
                failures[i].append(f"cart set-up: {error!r}")
                bodies[i].clear()
            made.wait(timeout=900)
            for n, body in enumerate(bodies[i][:warmup]):
                send(http, body, f"{tag}-warm-{seed}-{i}-{n}", failures[i])
            warm.wait(timeout=900)
            starts[i] = time.perf_counter()
            for n, body in enumerate(bodies[i][warmup:]):
                t0 = time.perf_counter()
                send(http, body, f"{tag}-run-{seed}-{i}-{n}", failures[i])
                latencies[i].append(time.perf_counter() - t0)
            ends[i] = time.perf_counter()
            measured.wait(timeout=900)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    try:
        for t in threads:
            t.start()
        made.wait(timeout=900)
        barrier.wait(timeout=900)  # carts made: the parent notes the database size
        warm.wait(timeout=900)
        barrier.wait(timeout=60)  # the parent has started its CPU meter (a moment after the clients: see below)
        cpu0 = sum(os.times()[:2])
        measured.wait(timeout=900)
        cpu = sum(os.times()[:2]) - cpu0
        barrier.wait(timeout=60)  # the parent stops its meter
        for t in threads:
            t.join(timeout=60)
        elapsed = max(ends) - min(starts)
        results.put(("ok", [x for xs in latencies for x in xs], [f for fs in failures for f in fs], elapsed, cpu))
    except BaseException as error:  # report, never hang the parent
        with contextlib.suppress(Exception):
            barrier.abort()
        results.put(("error", repr(error), [], 0.0, 0.0))


def send(http: Any, body: dict[str, Any], key: str, failures: list[str]) -> None:
    import httpx

    try:
        answer = http.post("/api/v1/checkout", json=body, headers={"Idempotency-Key": key})
    except httpx.HTTPError as error:
        failures.append(f"transport: {error!r}")
        return
    if answer.status_code != 201 or answer.json().get("outcome") != "confirmed":
        failures.append(f"{answer.status_code}: {answer.text[:300]}")


def run_once(server: h.Server, meter: h.CpuMeter, shop: Shop, *, clients: int, warmup: int, orders: int,
             seed: int, tag: str = "this") -> h.RunResult:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    process = ctx.Process(target=_load_process, daemon=True, args=(
        server.base_url, shop.api_key, shop.skus, clients, warmup, orders, seed, tag, barrier, results))
    process.start()
    cpu: dict[str, float] = {}
    load: list[str] = []
    try:
        barrier.wait(timeout=900)
        barrier.wait(timeout=900)
        meter.start()
        load.append(_loadavg())
        barrier.wait(timeout=900)
        cpu = meter.stop()
        load.append(_loadavg())
        outcome = results.get(timeout=120)
    finally:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()
    if outcome[0] != "ok":
        raise RuntimeError(f"load process failed: {outcome[1]}")
    _, latencies, failures, elapsed, client_cpu = outcome
    latencies.sort()
    result = h.RunResult(
        requests=len(latencies), seconds=elapsed, errors=len(failures),
        p50_ms=h.percentile(latencies, 50) * 1000, p90_ms=h.percentile(latencies, 90) * 1000,
        p99_ms=h.percentile(latencies, 99) * 1000, max_ms=latencies[-1] * 1000 if latencies else float("nan"),
        client_cores=client_cpu / elapsed if elapsed else 0.0, load=" → ".join(load), cpu=cpu)
    if result.rps and "server_cores" in cpu:
        cpu["server_ms_per_order"] = cpu["server_cores"] / result.rps * 1000
        cpu["postgres_ms_per_order"] = cpu["postgres_cores"] / result.rps * 1000
    if failures:
        h.log(f"{len(failures)} failed checkouts, e.g. {failures[:3]}")
    return result


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# --------------------------------------------------------------------------- report


def other(r: h.RunResult) -> float:
    c = r.cpu
    if "machine_cores" not in c:
        return float("nan")
    return max(0.0, c["machine_cores"] - r.client_cores - c.get("server_cores", 0.0) - c.get("postgres_cores", 0.0))


HEADER = (f"{'clients':>7} {'orders':>6} {'orders/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'errors':>6}"
          f" {'client':>6} {'server':>6} {'pg':>6} {'other':>6} {'srv ms':>7} {'pg ms':>6}  load avg (1 min)")
LEGEND = ("client/server/pg/other: cores busy (load generator, tvers serve, the bench database's PostgreSQL backends,"
          " the rest of the machine); srv ms / pg ms: CPU time per order; load avg: 1-minute figure at start → end")


def row(clients: int, r: h.RunResult) -> str:
    c, nan = r.cpu, float("nan")
    return (f"{clients:>7} {r.requests:>6} {r.rps:>9.1f} {r.p50_ms:>8.1f} {r.p90_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>6}"
            f" {r.client_cores:>6.2f} {c.get('server_cores', nan):>6.2f} {c.get('postgres_cores', nan):>6.2f}"
            f" {other(r):>6.2f} {c.get('server_ms_per_order', nan):>7.1f} {c.get('postgres_ms_per_order', nan):>6.1f}"
            f"  {r.load}")


def median_of(runs: list[h.RunResult]) -> h.RunResult:
    keys = sorted({k for r in runs for k in r.cpu})
    rps = h.median([r.rps for r in runs])
    return h.RunResult(
        requests=round(h.median([r.requests for r in runs])), seconds=h.median([r.requests for r in runs]) / rps if rps else 0,
        errors=sum(r.errors for r in runs), p50_ms=h.median([r.p50_ms for r in runs]),
        p90_ms=h.median([r.p90_ms for r in runs]), p99_ms=h.median([r.p99_ms for r in runs]),
        max_ms=h.median([r.max_ms for r in runs]), client_cores=h.median([r.client_cores for r in runs]),
        load=", ".join(r.load for r in runs), cpu={k: h.median([r.cpu[k] for r in runs if k in r.cpu]) for k in keys})


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def count_with(src: Path, database_url: str, shop: Shop, *, seed: int) -> dict[str, int]:
    """`count_statements` run by the tvers package under `src` (a subprocess with PYTHONPATH=src), same database."""
    import os
    import subprocess

    code = ("import json, os, sys; sys.path.insert(0, os.environ['BENCH_DIR']); import checkout as b; "
            "shop = b.Shop(skus=json.loads(os.environ['BENCH_SKUS']), api_key=os.environ['BENCH_KEY']); "
            "print('COUNTS ' + json.dumps(b.count_statements(os.environ['BENCH_DB'], shop, seed=int(os.environ['BENCH_SEED']),"
            " show=False)))")
    env = dict(os.environ, PYTHONPATH=str(src), BENCH_DIR=str(Path(__file__).resolve().parent), BENCH_DB=database_url,
               BENCH_SKUS=json.dumps(shop.skus[:300]), BENCH_KEY=shop.api_key, BENCH_SEED=str(seed))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("COUNTS ")), None)
    if line is None:
        raise RuntimeError(f"counting with {src} failed:\n{done.stderr[-3000:]}")
    counts: dict[str, int] = json.loads(line.removeprefix("COUNTS "))
    return counts


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    admin_url = h.postgres_admin_url(args.postgres_url)
    h.log(f"PostgreSQL {h.postgres_version(admin_url)}; load average {Path('/proc/loadavg').read_text().strip()}")
    labels = ["this", "baseline"] if args.baseline_src else ["this"]
    runs: dict[tuple[str, int], list[h.RunResult]] = {(label, c): [] for label in labels for c in args.clients}
    records: list[dict[str, object]] = []
    counts: dict[str, dict[str, int]] = {}
    with h.temporary_database(admin_url) as database_url:
        from sqlalchemy.engine import make_url

        database = str(make_url(database_url).database)
        h.log(f"created database {database}")
        shop = prepare(database_url, products=args.products, variants_per_product=args.variants_per_product, seed=args.seed)
        counts["this"] = count_statements(database_url, shop, seed=args.seed, show=args.show_statements)
        if args.baseline_src:
            counts["baseline"] = count_with(args.baseline_src, database_url, shop, seed=args.seed + 7)
        h.log(f"statements: {counts}")
        if not args.count_only:
            baseline_env = {**args.server_env, "PYTHONPATH": str(args.baseline_src)} if args.baseline_src else None
            with contextlib.ExitStack() as stack:
                servers = {"this": stack.enter_context(h.running_server(database_url, workers=args.workers,
                                                                        extra_env=args.server_env))}
                if baseline_env is not None:
                    servers["baseline"] = stack.enter_context(h.running_server(database_url, workers=args.workers,
                                                                               extra_env=baseline_env))
                h.log(" ".join(f"{label}: tvers serve --workers {args.workers} at {s.base_url}" for label, s in servers.items()))
                meters = {label: h.CpuMeter(s, database) for label, s in servers.items()}
                for repeat in range(args.repeats):
                    for clients in args.clients:
                        orders = args.orders_per_client or DEFAULT_ORDERS.get(clients, max(10, 600 // clients))
                        for label in labels if repeat % 2 == 0 else labels[::-1]:  # A/B, B/A, A/B, ...
                            result = run_once(servers[label], meters[label], shop, clients=clients, warmup=args.warmup,
                                              orders=orders, seed=args.seed * 100 + repeat * 10 + clients, tag=label)
                            runs[(label, clients)].append(result)
                            records.append({"code": label, "clients": clients, "repeat": repeat + 1, **result.as_dict()})
                            h.log(f"run {repeat + 1}/{args.repeats} [{label}]\n{HEADER}\n{row(clients, result)}")
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    print(f"\nCheckout over HTTP: POST /api/v1/checkout, 3-line cart, 1 promotion, VAT, test card; {date}")
    for label, counted in counts.items():
        print(f"statements per order ({label}): checkout_cart {counted['checkout_statements']} in"
              f" {counted['checkout_transactions']} transactions; whole HTTP request {counted['request_statements']} in"
              f" {counted['request_transactions']}")
    errors = 0
    if not args.count_only:
        print(f"tvers serve --workers {args.workers}; closed loop, keep-alive, httpx threads in a spawned process;"
              f" medians of {args.repeats} run(s), client counts (and A/B) interleaved")
        print(LEGEND)
        for label in labels:
            print(f"[{label}{': ' + str(args.baseline_src) if label == 'baseline' else ''}]")
            print(HEADER)
            for clients in args.clients:
                print(row(clients, median_of(runs[(label, clients)])))
                errors += sum(r.errors for r in runs[(label, clients)])
        if args.baseline_src:
            print("ratio this / baseline (medians): " + "; ".join(
                f"{c} clients: orders/s ×{median_of(runs[('this', c)]).rps / median_of(runs[('baseline', c)]).rps:.2f},"
                f" p99 ×{median_of(runs[('this', c)]).p99_ms / median_of(runs[('baseline', c)]).p99_ms:.2f}"
                for c in args.clients))
    if args.json:
        args.json.write_text(json.dumps({
            "benchmark": "checkout", "date": date, "counts": counts, "workers": args.workers,
            "server_env": args.server_env, "baseline_src": str(args.baseline_src) if args.baseline_src else None,
            "runs": records,
            "medians": [{"code": label, "clients": c, **median_of(rs).as_dict()} for (label, c), rs in runs.items() if rs]},
            indent=2))
    if errors:
        print(f"ERROR: {errors} checkouts failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
