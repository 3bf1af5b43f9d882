"""Identity lookup and resolution against 1,000,000 identities on PostgreSQL (issue 4).

Loads 400,000 profiles and 1,000,000 identities with COPY into a throw-away database, then measures, in the
service (inside an open transaction, no HTTP; the transaction's start is timed apart): `lookup_customer_id`
(the id) and `find_by_identity` (the whole profile) for random existing identities, and `resolve` of an
order arrival with 3 identities (verified email + phone + a new device id) including its commit. For the
resolutions it also splits the time: this thread's CPU, waiting on statements, waiting on COMMIT (WAL flush),
PostgreSQL's CPU (when its backend is visible in /proc), and counts statements per resolution.

    .venv/bin/python benchmarks/customers_identity.py [--postgres-url URL] [--lookups 3000] [--resolutions 1000]

A/B of two source trees on the same warm data: load once into a database you keep, then alternate the trees, e.g.
    createdb -h 127.0.0.1 -U postgres tvers_bench_ab
    PYTHONPATH=/tmp/baseline/src .venv/bin/python benchmarks/customers_identity.py --database-url .../tvers_bench_ab
    PYTHONPATH=src .venv/bin/python benchmarks/customers_identity.py --database-url .../tvers_bench_ab   # and again
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from _harness import cpu_by_pid, log, percentile, postgres_admin_url, postgres_version, temporary_database

CUSTOMERS = 400_000
# identities per type: emails for all, phones for 3 in 4, loyalty cards for 1 in 2, devices for 1 in 4 → 1,000,000
PHONE_EVERY, CARD_EVERY, DEVICE_EVERY = (4, 3), 2, 4


def phone(i: int) -> str:
    return f"+479{i:07d}"


def identities_of(i: int) -> list[tuple[str, str, bool]]:
    found = [("email", f"kunde{i}@bench.example", True)]
    if i % PHONE_EVERY[0] < PHONE_EVERY[1]:
        found.append(("phone", phone(i), False))
    if i % CARD_EVERY == 0:
        found.append(("loyalty_card", f"7001{i:09d}", False))
    if i % DEVICE_EVERY == 1:
        found.append(("device_id", f"bench-device-{i:012d}", False))
    return found


def load(url: str) -> int:
    """COPY the profiles and identities; returns the identity count."""
    import psycopg

    now = datetime(2026, 1, 1, tzinfo=UTC)
    count = 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        with connection.cursor() as cursor:
            with cursor.copy("COPY customers (id, status, version, created_at, updated_at, search_name) FROM STDIN") as copy:
                for i in range(CUSTOMERS):
                    copy.write_row((f"cus_bench{i:016d}", "active", 1, now, now, f"kunde {i}"))
            with cursor.copy("COPY customer_identities (id, customer_id, type, value, is_verified, created_at) FROM STDIN") as copy:
                for i in range(CUSTOMERS):
                    for number, (kind, value, verified) in enumerate(identities_of(i)):
                        copy.write_row((f"cid_bench{i:014d}{number}", f"cus_bench{i:016d}", kind, value, verified, now))
                        count += 1
            cursor.execute("ANALYZE customers")
            cursor.execute("ANALYZE customer_identities")
        connection.commit()
    return count


def measure(url: str, *, lookups: int, resolutions: int, seed: int, run: str = "") -> dict[str, float]:
    """`run` tells this run's new device ids apart from an earlier run's in a kept database."""
    from sqlalchemy import text

    from tvers.bootstrap import build
    from tvers.customers import service as customers
    from tvers.customers.identity_rules import IdentityType
    from tvers.customers.schemas import ArrivalIn, IdentityIn
    from tvers.settings import Settings

    rnd = random.Random(seed)
    tvers = build(Settings(database_url=url), subscribers=())
    lookup_ms, profile_ms, begin_ms = [], [], []
    for _ in range(lookups // 5):  # warm-up: connections, statement caches, hot index pages
        with tvers.uow(read_only=True) as uow:
            customers.lookup_customer_id(uow, IdentityType.EMAIL, f"kunde{rnd.randrange(CUSTOMERS)}@bench.example")
    for _ in range(lookups):
        i = rnd.randrange(CUSTOMERS)
        kind, value, _v = rnd.choice(identities_of(i))
        asked = value.upper() if kind == "email" else value
        with tvers.uow(read_only=True) as uow:
            started = time.perf_counter()
            uow.session.execute(text("SELECT 1"))  # the transaction's first statement: pool checkout, pre-ping, BEGIN
            begin_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            found = customers.lookup_customer_id(uow, IdentityType(kind), asked, region="NO")
            lookup_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            profile = customers.find_by_identity(uow, IdentityType(kind), asked, region="NO")
            profile_ms.append((time.perf_counter() - started) * 1000)
        assert found == f"cus_bench{i:016d}" and profile is not None and profile.id == found
    split = _Split(tvers.db.engine)
    with tvers.uow(read_only=True) as uow:
        backend = int(uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one())  # the pool's one connection
    backend_cpu0 = cpu_by_pid([backend]).get(backend)
    resolve_ms: list[float] = []
    resolve_ms_in_order: list[float] = []
    for n in range(resolutions):
        i = rnd.randrange(0, CUSTOMERS, 4)  # every 4th customer has email and phone
        arrival = ArrivalIn(kind="order", region="NO", identities=[  # type: ignore[arg-type]
            IdentityIn(type="email", value=f"Kunde{i}@bench.example", is_verified=True),  # type: ignore[arg-type]
            IdentityIn(type="phone", value=phone(i)[3:]),  # type: ignore[arg-type]
            IdentityIn(type="device_id", value=f"bench-new-device-{run}{n:08d}")])  # type: ignore[arg-type]
        with tvers.uow() as uow:
            split.start()
            started = time.perf_counter()
            result = customers.resolve(uow, arrival)
            uow.commit()
            resolve_ms.append((time.perf_counter() - started) * 1000)
            split.stop()
        resolve_ms_in_order.append(resolve_ms[-1])
        assert result.customer_id == f"cus_bench{i:016d}" and result.outcome == "attached", result
    backend_cpu1 = cpu_by_pid([backend]).get(backend)
    tvers.close()
    lookup_ms.sort()
    profile_ms.sort()
    begin_ms.sort()
    resolve_ms.sort()
    return {"transaction_start_p50_ms": percentile(begin_ms, 50), "transaction_start_p99_ms": percentile(begin_ms, 99),
            "lookup_p50_ms": percentile(lookup_ms, 50), "lookup_p99_ms": percentile(lookup_ms, 99),
            "profile_p50_ms": percentile(profile_ms, 50), "profile_p99_ms": percentile(profile_ms, 99),
            "resolve_p50_ms": percentile(resolve_ms, 50), "resolve_p99_ms": percentile(resolve_ms, 99),
            **split.figures(resolve_ms_in_order),
            # PostgreSQL CPU per resolution, when its backend is visible in /proc (same machine)
            "resolve_postgres_cpu_mean_ms": ((backend_cpu1 - backend_cpu0) * 1000 / resolutions
                                             if backend_cpu0 is not None and backend_cpu1 is not None else float("nan"))}


class _Split:
    """Where one resolution's time went: this thread's CPU (Python, and the kernel on its behalf), waiting on its
    statements (from sending one to having its result: PostgreSQL's work, the round trip, waiting for a CPU), and
    waiting on COMMIT (the WAL flush to disk with synchronous_commit on). Also statements per resolution."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.cpu_ms: list[float] = []
        self.statement_ms: list[float] = []
        self.commit_ms: list[float] = []
        self.statements: list[int] = []
        self._on = False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._commit)  # fires just before COMMIT is sent; it ends where uow.commit() returns

    def _before(self, *_: Any) -> None:
        self._sent = time.perf_counter()

    def _after(self, *_: Any) -> None:
        if self._on:
            self._statement += time.perf_counter() - self._sent
            self._count += 1

    def _commit(self, *_: Any) -> None:
        self._commit_sent = time.perf_counter()

    def start(self) -> None:
        self._on, self._statement, self._count, self._commit_sent = True, 0.0, 0, 0.0
        self._cpu = time.thread_time()

    def stop(self) -> None:
        now = time.perf_counter()
        self.cpu_ms.append((time.thread_time() - self._cpu) * 1000)
        self.statement_ms.append(self._statement * 1000)
        self.commit_ms.append((now - self._commit_sent) * 1000 if self._commit_sent else 0.0)
        self.statements.append(self._count)
        self._on = False

    def figures(self, wall_ms: list[float]) -> dict[str, float]:
        """Percentiles of each part, and the parts of the slowest 1 % (what makes the p99)."""
        found: dict[str, float] = {"resolve_statements": float(max(self.statements))}
        slowest = sorted(range(len(wall_ms)), key=wall_ms.__getitem__)[-max(1, len(wall_ms) // 100):]
        for name, values in (("wall", wall_ms), ("cpu", self.cpu_ms), ("statement_wait", self.statement_ms),
                             ("commit_wait", self.commit_ms)):
            found[f"resolve_slowest_1pct_{name}_mean_ms"] = sum(values[i] for i in slowest) / len(slowest)
        for name, values in (("cpu", self.cpu_ms), ("statement_wait", self.statement_ms), ("commit_wait", self.commit_ms)):
            ordered = sorted(values)
            found |= {f"resolve_{name}_p50_ms": percentile(ordered, 50), f"resolve_{name}_p99_ms": percentile(ordered, 99),
                      f"resolve_{name}_mean_ms": sum(values) / len(values)}
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url")
    parser.add_argument("--database-url", help="Measure in this database instead of a throw-away one: migrated and loaded "
                        "when it has no customers yet, kept afterwards (for A/B runs of two source trees on the same data).")
    parser.add_argument("--lookups", type=int, default=3000)
    parser.add_argument("--resolutions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    admin = postgres_admin_url(args.postgres_url)
    if args.database_url:
        url = postgres_admin_url(args.database_url)
        identities = _prepare(url, kept=True)
        figures = measure(url, lookups=args.lookups, resolutions=args.resolutions, seed=args.seed, run=secrets.token_hex(4))
    else:
        with temporary_database(admin, prefix="tvers_bench_identity_") as url:
            identities = _prepare(url, kept=False)
            figures = measure(url, lookups=args.lookups, resolutions=args.resolutions, seed=args.seed)
    figures |= {"identities": identities, "postgres": postgres_version(admin)}  # type: ignore[dict-item]
    print(json.dumps(figures, indent=2))


def _prepare(url: str, *, kept: bool) -> int:
    """Migrate and load the database unless a kept one is loaded already; returns the identities it holds."""
    from sqlalchemy import create_engine, text

    from tvers.db.migrate import upgrade

    engine = create_engine(url)
    try:
        if kept:
            with engine.connect() as connection:
                loaded = connection.execute(text("SELECT to_regclass('customers') IS NOT NULL")).scalar_one() and \
                    connection.execute(text("SELECT count(*) FROM customer_identities")).scalar_one()
            if loaded:
                log(f"measuring in the loaded database ({loaded:,} identities, including earlier runs' new ones)")
                return int(loaded)
        upgrade(engine)
    finally:
        engine.dispose()
    started = time.perf_counter()
    identities = load(url)
    log(f"loaded {CUSTOMERS:,} profiles and {identities:,} identities in {time.perf_counter() - started:.1f} s")
    return identities


if __name__ == "__main__":
    main()
