"""PROOF "No oversell, ever": OS processes reserve the same hot variants at the same moment.

Six spawned processes, started together by a barrier, each try ten reservations of 1–3
units (some over both variants, lines in random order), then drain each variant one unit
at a time until refused. A refused single unit proves the variant had nothing left, and
nothing is released during the race, so exactly the stock is reserved: never more
(oversell), never less (a lost update). Through the service and through real HTTP servers,
on SQLite (a shared file) and PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from support.api import make_key
from support.inventory import (
    Place,
    RaceTask,
    StockSetup,
    active_reserved,
    doctor_findings,
    levels,
    make_stock_setup,
    race_http,
    race_service,
)
from support.server import free_port, running_server
from tvers.bootstrap import Tvers
from tvers.channels.access import Role
from tvers.db.outbox import OutboxEvent
from tvers.inventory.models import Reservation

pytestmark = pytest.mark.slow

PROCESSES = 6
STOCK = 25
HOT = "wh-hot"


def later_than_every_clock(tvers: Tvers) -> datetime:
    """An expiry in the future both for the tests' fixed clock and for a server on the system clock."""
    return max(tvers.clock.now(), datetime.now(UTC)) + timedelta(days=1)


def hot_stock(tvers: Tvers) -> StockSetup:
    # given two variants with 25 units each at one location, and nothing else anywhere
    return make_stock_setup(tvers, variants=2, places=[Place(HOT, stock=STOCK)], prefix="hot")


def tasks(tvers: Tvers, setup: StockSetup, *, url: str, admin_key: str = "") -> list[RaceTask]:
    return [RaceTask(worker=n, url=url, skus=setup.skus, variant_ids=tuple(setup.variant_ids[s] for s in setup.skus),
                     location_id=setup.locations[HOT], location_code=HOT, expires_at=later_than_every_clock(tvers),
                     now=tvers.clock.now(), admin_key=admin_key, seed=int(os.environ.get("TVERS_RACE_SEED", "7")))
            for n in range(PROCESSES)]


def race(target: Callable[..., None], work: list[RaceTask]) -> list[dict[str, Any]]:
    """Run `target` in one spawned process per task, all released at once; every process's outcome."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(work))
    results = context.Queue()
    processes = [context.Process(target=target, args=(task, barrier, results), daemon=True) for task in work]
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=240) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
    return outcomes


def assert_no_oversell(tvers: Tvers, setup: StockSetup, outcomes: list[dict[str, Any]]) -> None:
    # every process finished without any error other than a refusal
    assert [e for o in outcomes for e in o["errors"]] == []
    assert sorted(o["worker"] for o in outcomes) == list(range(PROCESSES))
    successes = dict(success for o in outcomes for success in o["successes"])  # reference id → [(sku, quantity)]
    claimed: Counter[str] = Counter()
    for lines in successes.values():
        for sku, quantity in lines:
            claimed[sku] += quantity
    # the race was real: some attempts were refused
    assert sum(o["refusals"] for o in outcomes) >= PROCESSES
    # then exactly the stock was reserved: never more, and nothing lost
    assert claimed == {sku: STOCK for sku in setup.skus}
    location = setup.locations[HOT]
    pairs = {(setup.variant_ids[s], location) for s in setup.skus}
    assert {k: v for k, v in levels(tvers).items() if k in pairs} == {p: (STOCK, STOCK) for p in pairs}
    assert active_reserved(tvers) == {p: STOCK for p in pairs}
    # and every success is accounted for by exactly its reservations, and each by one event; refusals left nothing
    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(select(Reservation.reference_id, Reservation.variant_id, Reservation.quantity, Reservation.status)).all()
        reserved_events = uow.session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "stock.reserved"))
    skus = {v: s for s, v in setup.variant_ids.items()}
    held: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        held.setdefault(row.reference_id, []).append((skus[row.variant_id], row.quantity))
    assert {ref: sorted(lines) for ref, lines in held.items()} == {ref: sorted(map(tuple, lines)) for ref, lines in successes.items()}
    assert {r.status for r in rows} == {"active"}
    assert reserved_events == len(successes)
    assert doctor_findings(tvers) == []


def test_processes_reserving_through_the_service_never_oversell(tvers, database_url):
    setup = hot_stock(tvers)
    # when six processes reserve at once through the service, each with its own Tvers
    outcomes = race(race_service, tasks(tvers, setup, url=database_url))
    # then nothing is oversold and every success and refusal is accounted for
    assert_no_oversell(tvers, setup, outcomes)


@contextmanager
def served(tvers: Tvers, database_url: str) -> Iterator[str]:
    """The app over real HTTP: `tvers serve --workers 2` on PostgreSQL; on SQLite a server in this process."""
    if tvers.db.dialect == "sqlite":
        with running_server(tvers) as base:
            yield base
        return
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVERS_")}
    env["TVERS_DATABASE_URL"] = database_url
    server = subprocess.Popen([sys.executable, "-m", "tvers", "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the group this test started: the server and its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        assert server.stderr is not None
        server.stderr.close()


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            assert server.stderr is not None
            raise AssertionError(f"tvers serve exited with {server.returncode}: {server.stderr.read().decode()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("tvers serve did not come up in 90 s")


def test_processes_reserving_over_http_never_oversell(tvers, database_url):
    setup = hot_stock(tvers)
    key = make_key(tvers, Role.ADMIN)
    # when six processes POST /api/v1/reservations at once to a real server
    with served(tvers, database_url) as base:
        outcomes = race(race_http, tasks(tvers, setup, url=base, admin_key=key))
    # then every answer was a 201 or a 409 insufficient_stock, and nothing is oversold
    assert_no_oversell(tvers, setup, outcomes)
