"""Shared inventory set-up through the services: a price book, a channel, a product with variants, locations, a pool.

Also the small readers tests use to compare the database with what they expect, and the
worker functions concurrency tests start in spawned processes (they must be importable
by module name, which test modules are not under `--import-mode=importlib`).
"""

from __future__ import annotations

import random
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

# Tvers is imported inside the functions: a spawned race worker imports this module, and on a busy
# machine six processes importing the whole of Tvers cost more than the race they run.
if TYPE_CHECKING:
    from tvers.bootstrap import Tvers
    from tvers.channels.schemas import ChannelType


@dataclass(frozen=True)
class Place:
    """A location to create and how the channel's pool uses it; `stock` is received there for every variant."""

    code: str
    stock: int = 0
    ships: bool = True
    offers_pickup: bool = False
    is_active: bool = True
    in_pool: bool = True
    ships_from: bool = True
    pickup: bool = False
    safety_stock: int = 0


@dataclass(frozen=True)
class StockSetup:
    channel: str
    channel_id: str
    price_book: str
    product_id: str
    skus: tuple[str, ...]
    variant_ids: dict[str, str]  # sku → variant id
    locations: dict[str, str]  # code → location id
    variant_versions: dict[str, int] = field(default_factory=dict)  # sku → version, for PATCH /variants/{id}


def make_stock_setup(tvers: Tvers, *, variants: int = 2, places: Sequence[Place] = (Place("wh-1"),), prefix: str = "inv",
                     channel_type: ChannelType | None = None, held_back_percent: int = 0, held_back_units: int = 0,
                     actor: str = "test") -> StockSetup:
    """Everything a stock test needs, in one committed transaction; SKUs are `{PREFIX}-1` … `{PREFIX}-N`."""
    from tvers.catalog import service as catalog
    from tvers.catalog.schemas import PriceBookIn, ProductIn, ProductStatus, VariantIn
    from tvers.channels import service as channels
    from tvers.channels.schemas import ChannelIn, ChannelType
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
        StockSettingsIn,
    )

    skus = tuple(f"{prefix.upper()}-{i}" for i in range(1, variants + 1))
    book, channel = f"{prefix}-book", f"{prefix}-web"
    with tvers.uow() as uow:
        catalog.create_price_book(uow, PriceBookIn(code=book, name="NOK", currency="NOK"))
        created = channels.create_channel(uow, ChannelIn(code=channel, name="Channel", type=channel_type or ChannelType.WEB, currency="NOK",
                                                         price_book=book, default_locale="nb", country="NO"))
        product = catalog.create_product(uow, ProductIn(handle=f"{prefix}-product", title="Stocked product", status=ProductStatus.ACTIVE,
                                                        variants=[VariantIn(sku=s) for s in skus]))
        locations = {}
        for i, place in enumerate(places):
            made = inventory.create_location(uow, LocationIn(
                code=place.code, name=place.code.title(), type=LocationType.STORE if place.offers_pickup else LocationType.WAREHOUSE,
                address=Address(city="Oslo"), country="NO", latitude=59.9 + i / 100, longitude=10.7, time_zone="Europe/Oslo",
                capabilities=Capabilities(ships=place.ships, offers_pickup=place.offers_pickup), is_active=True))
            locations[place.code] = made.id
        inventory.set_channel_pool(uow, channel, ChannelPoolIn(
            locations=[PoolLocationIn(location=p.code, ships_from=p.ships_from, pickup=p.pickup) for p in places if p.in_pool],
            held_back_percent=held_back_percent, held_back_units=held_back_units))
        for place in places:
            if place.stock:
                inventory.receive(uow, ReceiveIn(location=place.code, lines=[StockLineIn(sku=s, quantity=place.stock) for s in skus]),
                                  actor=actor)
            if place.safety_stock:
                for sku in skus:
                    inventory.set_stock_settings(uow, StockSettingsIn(location=place.code, sku=sku, safety_stock=place.safety_stock))
        uow.commit()
    _deactivate(tvers, [p.code for p in places if not p.is_active])
    return StockSetup(channel=channel, channel_id=created.id, price_book=book, product_id=product.id, skus=skus,
                      variant_ids={v.sku: v.id for v in product.variants}, locations=locations,
                      variant_versions={v.sku: v.version for v in product.variants})


def _deactivate(tvers: Tvers, codes: Iterable[str]) -> None:
    """Locations are deactivated after their stock arrived: an inactive location may still hold stock."""
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import LocationPatch

    with tvers.uow() as uow:
        for code in codes:
            inventory.update_location(uow, code, LocationPatch(version=inventory.get_location(uow, code).version, is_active=False))
        uow.commit()


# Readers: what the database holds, for comparison with what a test expects.

def levels(tvers: Tvers) -> dict[tuple[str, str], tuple[int, int]]:
    """(variant id, location id) → (on_hand, reserved), for every stock level row."""
    from sqlalchemy import select

    from tvers.inventory.models import StockLevel

    with tvers.uow(read_only=True) as uow:
        return {(v, loc): (on_hand, reserved) for v, loc, on_hand, reserved in uow.session.execute(
            select(StockLevel.variant_id, StockLevel.location_id, StockLevel.on_hand, StockLevel.reserved))}


def active_reserved(tvers: Tvers) -> dict[tuple[str, str], int]:
    from sqlalchemy import func, select

    from tvers.inventory.models import Reservation

    with tvers.uow(read_only=True) as uow:
        return {(v, loc): int(q) for v, loc, q in uow.session.execute(
            select(Reservation.variant_id, Reservation.location_id, func.sum(Reservation.quantity))
            .where(Reservation.status == "active").group_by(Reservation.variant_id, Reservation.location_id))}


def count_rows(tvers: Tvers, model: Any) -> int:
    from sqlalchemy import func, select

    with tvers.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def counts(tvers: Tvers) -> dict[str, int]:
    """Rows of everything a refused stock command might have written."""
    from tvers.db.outbox import OutboxEvent
    from tvers.inventory.models import Movement, Reservation, StockLevel

    return {"movements": count_rows(tvers, Movement), "reservations": count_rows(tvers, Reservation),
            "outbox": count_rows(tvers, OutboxEvent), "levels": count_rows(tvers, StockLevel)}


def doctor_findings(tvers: Tvers) -> list[Any]:
    from tvers.inventory import service as inventory

    with tvers.uow(read_only=True) as uow:
        return list(inventory.check_stock(uow).findings)


# Workers for spawned processes (tests/concurrency). Each returns a plain dict through a queue.

@dataclass(frozen=True)
class RaceTask:
    worker: int
    url: str  # a database URL (service) or a server's base URL (HTTP)
    skus: tuple[str, ...]
    variant_ids: tuple[str, ...]
    location_id: str
    location_code: str
    expires_at: datetime
    now: datetime
    attempts: int = 10
    admin_key: str = ""
    seed: int = 0


def race_plan(task: RaceTask) -> list[list[tuple[int, int]]]:
    """Each attempt: lines of (variant index, quantity); some over both variants, in random order.

    A success is reported as (reference id, [(sku, quantity), …]); the reference is `w{worker}-{attempt}`.
    """
    rng = random.Random(task.seed * 1000 + task.worker)
    plan = []
    for _ in range(task.attempts):
        chosen = [0] if len(task.skus) == 1 or rng.random() < 0.6 else rng.sample(range(len(task.skus)), k=len(task.skus))
        plan.append([(i, rng.randint(1, 3)) for i in chosen])
    return plan


def race_service(task: RaceTask, barrier: Any, results: Any) -> None:
    """Reserve through the service in a process of its own; then drain every variant one unit at a time."""
    outcome: dict[str, Any] = {"worker": task.worker, "successes": [], "refusals": 0, "errors": []}
    try:
        from sqlalchemy import select

        from tvers.bootstrap import build
        from tvers.inventory.errors import InsufficientStock
        from tvers.inventory.service import Ref, ReserveLine, reserve_stock
        from tvers.kernel.clock import FixedClock
        from tvers.settings import Settings

        tvers = build(Settings(database_url=task.url), clock=FixedClock(task.now), subscribers=())
        with tvers.uow(read_only=True) as uow:  # connect before the race, not in it
            uow.session.execute(select(1))

        def attempt(number: int, lines: list[tuple[int, int]]) -> bool:
            try:
                with tvers.uow() as uow:
                    reserve_stock(uow, lines=[ReserveLine(task.variant_ids[i], task.location_id, q, sku=task.skus[i]) for i, q in lines],
                                  ref=Ref("cart", f"w{task.worker}-{number}"), expires_at=task.expires_at)
                    uow.commit()
            except InsufficientStock:
                outcome["refusals"] += 1
                return False
            outcome["successes"].append((f"w{task.worker}-{number}", [(task.skus[i], q) for i, q in lines]))
            return True

        barrier.wait(timeout=120)
        _run_race(task, attempt, outcome)
        tvers.close()
    except BaseException:
        outcome["errors"].append(traceback.format_exc())
    results.put(outcome)


def race_http(task: RaceTask, barrier: Any, results: Any) -> None:
    """Reserve through POST /api/v1/reservations in a process of its own; then drain as `race_service` does."""
    outcome: dict[str, Any] = {"worker": task.worker, "successes": [], "refusals": 0, "errors": []}
    try:
        import httpx

        client = httpx.Client(base_url=task.url, headers={"Authorization": f"Bearer {task.admin_key}"}, timeout=60)
        client.get("/healthz")  # connect before the race, not in it

        def attempt(number: int, lines: list[tuple[int, int]]) -> bool:
            response = client.post("/api/v1/reservations", json={
                "lines": [{"sku": task.skus[i], "location": task.location_code, "quantity": q} for i, q in lines],
                "reference_type": "cart", "reference_id": f"w{task.worker}-{number}", "expires_at": task.expires_at.isoformat()})
            if response.status_code == 201:
                body = response.json()
                assert sorted((r["sku"], r["quantity"], r["status"]) for r in body) == sorted(
                    (task.skus[i], q, "active") for i, q in lines), body
                outcome["successes"].append((f"w{task.worker}-{number}", [(task.skus[i], q) for i, q in lines]))
                return True
            is_problem = response.headers.get("content-type", "").startswith("application/problem+json")
            if response.status_code == 409 and is_problem and response.json().get("code") == "insufficient_stock":
                outcome["refusals"] += 1
                return False
            raise AssertionError(f"unexpected answer {response.status_code}: {response.text}")

        barrier.wait(timeout=120)
        _run_race(task, attempt, outcome)
        client.close()
    except BaseException:
        outcome["errors"].append(traceback.format_exc())
    results.put(outcome)


def _run_race(task: RaceTask, attempt: Any, outcome: dict[str, Any]) -> None:
    number = 0
    for lines in race_plan(task):
        number += 1
        attempt(number, lines)
    # Drain: a refused single unit proves the variant had nothing left, and nothing is ever given back here.
    for i in range(len(task.skus)):
        while True:
            number += 1
            if not attempt(number, [(i, 1)]):
                break
