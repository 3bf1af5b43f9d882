"""Shared set-up of the stock benchmarks (stock_reservations.py, stock_availability.py).

Catalog, channel and locations are made through the services, as the API would; stock levels are
loaded with COPY (the services would take minutes for a million rows), each with a `receipt`
movement of the same quantity in the ledger, so `tvers doctor`'s invariant (on_hand = Σ movements,
reserved = Σ active reservations) holds for the seeded rows too.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

CHANNEL = "web-no"
BOOK = "nok-retail"
SEED_ACTOR = "bench-seed"

# Rough boxes around the populated parts of each country: (lat min, lat max, lon min, lon max).
COUNTRY_BOXES = {
    "NO": ((58.0, 64.0, 5.2, 12.0), "Europe/Oslo"),
    "SE": ((55.4, 61.0, 12.5, 18.5), "Europe/Stockholm"),
    "DK": ((54.9, 57.6, 8.3, 12.6), "Europe/Copenhagen"),
}


@dataclass(frozen=True)
class Place:
    code: str
    id: str
    country: str
    latitude: float
    longitude: float


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg says."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def psycopg_dsn(sqlalchemy_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


def random_point(rng: random.Random, country: str) -> tuple[float, float]:
    (lat0, lat1, lon0, lon1), _zone = COUNTRY_BOXES[country]
    return round(rng.uniform(lat0, lat1), 5), round(rng.uniform(lon0, lon1), 5)


def setup_catalog(
    tvers: object, *, variants: int, prefix: str = "bench", per_product: int = 1000, extra_skus: Sequence[str] = ()
) -> dict[str, str]:
    """A price book, channel web-no, products of `per_product` variants each (bulk upsert, 1,000 rows a call);
    SKUs `{PREFIX}-{n:06d}` plus `extra_skus`. Returns SKU → variant id."""
    from sqlalchemy import select

    from tvers.catalog import service as catalog
    from tvers.catalog.models import Variant
    from tvers.catalog.schemas import PriceBookIn, ProductIn, ProductStatus, VariantRowIn
    from tvers.channels import service as channels
    from tvers.channels.schemas import ChannelIn, ChannelType

    skus = [f"{prefix.upper()}-{n:06d}" for n in range(1, variants + 1)] + list(extra_skus)
    with tvers.uow() as uow:  # type: ignore[attr-defined]
        catalog.create_price_book(uow, PriceBookIn(code=BOOK, name="Retail NOK", currency="NOK"))
        channels.create_channel(
            uow,
            ChannelIn(
                code=CHANNEL,
                name="Web shop Norway",
                type=ChannelType.WEB,
                currency="NOK",
                price_book=BOOK,
                default_locale="nb",
                country="NO",
            ),
        )
        uow.commit()
    for start in range(0, len(skus), per_product):
        chunk = skus[start : start + per_product]
        handle = f"{prefix}-product-{start // per_product + 1:04d}"
        with tvers.uow() as uow:  # type: ignore[attr-defined]
            catalog.create_product(
                uow, ProductIn(handle=handle, title=f"Bench product {handle}", status=ProductStatus.ACTIVE)
            )
            for s in range(0, len(chunk), 1000):
                catalog.bulk_upsert_variants(
                    uow, [VariantRowIn(sku=sku, product=handle) for sku in chunk[s : s + 1000]]
                )
            uow.commit()
    with tvers.uow(read_only=True) as uow:  # type: ignore[attr-defined]
        ids = dict(uow.session.execute(select(Variant.sku, Variant.id)).all())
    return {sku: ids[sku] for sku in skus}


def create_locations(tvers: object, *, count: int, seed: int, pickup: bool = True, warehouses: int = 0) -> list[Place]:
    """`count` locations through the service, spread over Norway, Sweden and Denmark (about 45/35/20 %);
    the first `warehouses` are warehouses, the rest stores offering pickup (if `pickup`)."""
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import Address, Capabilities, LocationIn, LocationType

    rng = random.Random(seed)
    places = []
    with tvers.uow() as uow:  # type: ignore[attr-defined]
        for n in range(count):
            country = rng.choices(("NO", "SE", "DK"), weights=(45, 35, 20))[0]
            lat, lon = random_point(rng, country)
            is_store = n >= warehouses
            code = f"{'st' if is_store else 'wh'}-{country.lower()}-{n:04d}"
            out = inventory.create_location(
                uow,
                LocationIn(
                    code=code,
                    name=f"{'Store' if is_store else 'Warehouse'} {n}",
                    type=LocationType.STORE if is_store else LocationType.WAREHOUSE,
                    country=country,
                    address=Address(lines=[f"Gate {n}"], postal_code=f"{1000 + n}", city=f"City {n}"),
                    latitude=lat,
                    longitude=lon,
                    time_zone=COUNTRY_BOXES[country][1],
                    capabilities=Capabilities(
                        ships=True,
                        offers_pickup=pickup and is_store,
                        offers_curbside=is_store and n % 5 == 0,
                        accepts_returns=is_store,
                    ),
                    pickup_lead_minutes=60 if is_store else 0,
                    daily_capacity=100 if is_store else 5000,
                    sourcing_priority=0 if is_store else 10,
                ),
            )
            places.append(Place(code=code, id=out.id, country=country, latitude=lat, longitude=lon))
        uow.commit()
    return places


def set_pool(tvers: object, places: Sequence[Place], *, channel: str = CHANNEL) -> None:
    """The channel ships from every location and offers pickup at every store."""
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import ChannelPoolIn, PoolLocationIn

    with tvers.uow() as uow:  # type: ignore[attr-defined]
        inventory.set_channel_pool(
            uow,
            channel,
            ChannelPoolIn(
                locations=[
                    PoolLocationIn(location=p.code, ships_from=True, pickup=p.code.startswith("st-")) for p in places
                ]
            ),
        )
        uow.commit()


def copy_stock(database_url: str, rows: Iterable[tuple[str, str, int, int]], *, ledger: bool = True) -> int:
    """COPY (variant id, location id, on hand, safety stock) rows into stock_levels, each with a receipt
    movement of `on hand` units when `ledger` (rows of 0 get none: Σ movements is 0 either way), then ANALYZE.
    Foreign keys are not checked row by row during the load (session_replication_role = replica, superuser):
    the ids come from the rows the services just created. Returns the number of rows."""
    import psycopg

    now = datetime.now(UTC)
    count = 0
    started = time.monotonic()
    with psycopg.connect(psycopg_dsn(database_url)) as connection:
        connection.execute("SET session_replication_role = replica")
        levels = connection.cursor().copy(
            "COPY stock_levels (variant_id, location_id, on_hand, reserved, safety_stock, reorder_point, reorder_quantity, updated_at)"
            " FROM STDIN"
        )
        movements = []
        with levels as copy:
            for variant_id, location_id, on_hand, safety in rows:
                copy.write_row((variant_id, location_id, on_hand, 0, safety, 0, 0, now))
                if ledger and on_hand:
                    movements.append((variant_id, location_id, on_hand))
                count += 1
        h.log(f"COPY stock_levels: {count:,} rows in {time.monotonic() - started:.1f} s")
        if movements:
            t0 = time.monotonic()
            with connection.cursor().copy(
                "COPY inventory_movements (variant_id, location_id, kind, quantity, reason, actor, reference_type, reference_id,"
                " created_at) FROM STDIN"
            ) as copy:
                for variant_id, location_id, on_hand in movements:
                    copy.write_row(
                        (
                            variant_id,
                            location_id,
                            "receipt",
                            on_hand,
                            "benchmark opening stock",
                            SEED_ACTOR,
                            "receipt",
                            "BENCH-OPENING",
                            now,
                        )
                    )
            h.log(f"COPY inventory_movements: {len(movements):,} rows in {time.monotonic() - t0:.1f} s")
        connection.execute("SET session_replication_role = DEFAULT")
        connection.commit()
        connection.autocommit = True
        t0 = time.monotonic()
        connection.execute("ANALYZE")
        h.log(f"ANALYZE in {time.monotonic() - t0:.1f} s; stock loaded in {time.monotonic() - started:.1f} s in all")
    return count


def doctor_findings(tvers: object) -> int:
    """Number of stock levels whose cached on_hand/reserved disagree with the ledger and the active reservations."""
    from tvers.inventory.service.doctor import check_stock

    with tvers.uow(read_only=True) as uow:  # type: ignore[attr-defined]
        return len(check_stock(uow).findings)


def environment(admin_url: str) -> dict[str, object]:
    import platform

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "postgres": h.postgres_version(admin_url),
        "python": platform.python_version(),
    }


def fmt_ms(value: float) -> str:
    return f"{value:.2f}" if value == value else "n/a"
