"""Loads the demo's locations, store POS channels, channel stock pools, stock and 90 days of movements."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from tvers.bootstrap import Tvers
from tvers.channels import service as channels
from tvers.channels.schemas import ChannelIn, ChannelType
from tvers.db.uow import Uow
from tvers.demo.catalog_data import DemoCatalog
from tvers.demo.stores import STORE_HOURS, STORES, WAREHOUSE_HOURS, WAREHOUSES, DemoLocation, pos_code
from tvers.inventory import service as inventory
from tvers.inventory.schemas import (
    Address,
    Capabilities,
    ChannelPoolIn,
    LocationIn,
    LocationType,
    MovementKind,
    PoolLocationIn,
    StockLineIn,
    StockSettingsIn,
    TransferIn,
    TransferReceiveIn,
)
from tvers.kernel.clock import FixedClock

BOOKS = {"NOK": "nok-retail", "SEK": "sek-retail", "DKK": "dkk-retail"}
DEMO_ACTOR = "demo"
HISTORY_DAYS = 90


__all__ = ["HISTORY_DAYS", "load_locations", "load_stock", "pos_code", "product_popularity"]


def load_locations(tvers: Tvers) -> None:
    with tvers.uow() as uow:
        for place in WAREHOUSES + STORES:
            inventory.create_location(uow, _location_in(place))
        for store in STORES:
            channels.create_channel(
                uow,
                ChannelIn(
                    code=pos_code(store),
                    name=f"POS {store.name}",
                    type=ChannelType.POS,
                    currency=store.currency,
                    price_book=BOOKS[store.currency],
                    default_locale=store.locale,
                    country=store.country,
                ),
            )
        for channel, pool in _pools().items():
            inventory.set_channel_pool(uow, channel, pool)
        uow.commit()


def _location_in(place: DemoLocation) -> LocationIn:
    is_store = place.type == "store"
    return LocationIn(
        code=place.code,
        name=place.name,
        type=LocationType(place.type),
        country=place.country,
        address=Address(lines=[place.street], postal_code=place.postal_code, city=place.city),
        latitude=place.latitude,
        longitude=place.longitude,
        time_zone=place.time_zone,
        opening_hours=STORE_HOURS if is_store else WAREHOUSE_HOURS,
        capabilities=Capabilities(
            ships=True,
            offers_pickup=is_store,
            offers_curbside=is_store and place.code.endswith(("sentrum", "avenyn", "ryesgade")),
            accepts_returns=True,  # stores at the counter, warehouses by post
        ),
        pickup_lead_minutes=60 if is_store else 0,
        daily_capacity=40 if is_store else 2000,
        sourcing_priority=0 if is_store else 10,
    )


def _pools() -> dict[str, ChannelPoolIn]:
    stores = {c: [s.code for s in STORES if s.country == c] for c in ("NO", "SE", "DK")}

    def pool(warehouse: str, country: str | None, *, percent: int = 0, units: int = 0) -> ChannelPoolIn:
        links = [PoolLocationIn(location=warehouse, ships_from=True, pickup=False)]
        links += [PoolLocationIn(location=s, ships_from=True, pickup=True) for s in stores.get(country or "", [])]
        return ChannelPoolIn(locations=links, held_back_percent=percent, held_back_units=units)

    pools = {
        "web-no": pool("dc-langhus", "NO"),
        "app-no": pool("dc-langhus", "NO"),
        "callcenter-no": pool("dc-langhus", "NO"),
        "social-no": pool("dc-langhus", None, units=2),
        "web-se": pool("dc-jonkoping", "SE"),
        "app-se": pool("dc-jonkoping", "SE"),
        "web-dk": pool("dc-jonkoping", "DK"),
        "web-fi": pool("dc-jonkoping", None),
        # The marketplace sees 80 %: a late sync there must not sell what the shop already sold.
        "nordmarket-se": pool("dc-jonkoping", None, percent=20),
    }
    for store in STORES:  # a till sells what is in its own store
        pools[pos_code(store)] = ChannelPoolIn(locations=[PoolLocationIn(location=store.code, ships_from=True, pickup=True)])
    return pools


def product_popularity(data: DemoCatalog, *, seed: int) -> dict[str, float]:
    """Product handle → how well it sells (0.2 to 1.6): the same draw the stock history makes, for the order history."""
    return _popularity(_stock_rng(seed), data)


def _stock_rng(seed: int) -> random.Random:
    return random.Random(seed * 7919 + 1)


def _popularity(rng: random.Random, data: DemoCatalog) -> dict[str, float]:
    return {p.handle: rng.uniform(0.2, 1.6) for p in data.products}


def load_stock(tvers: Tvers, data: DemoCatalog, *, seed: int, log: Callable[[str], None], start: datetime | None = None,
               catch_up: Callable[[datetime], None] = lambda _at: None, history: bool = True) -> int:
    """Opening stock at `start` (default 90 days ago), then (with `history`) daily store sales, transfers and write-offs.

    `catch_up(at)` runs before each day's stock work at `at`, so what else happened until then (the order history) lands
    in the ledger in time order.
    """
    rng = _stock_rng(seed)
    popularity = _popularity(rng, data)
    skus = [(v.sku, popularity[p.handle]) for p in data.products for v in p.variants]
    start = start or tvers.clock.now() - timedelta(days=HISTORY_DAYS)
    with _uow_at(tvers, start) as uow:
        for place in WAREHOUSES + STORES:
            lines = [StockLineIn(sku=sku, quantity=q) for sku, pop in skus if (q := _opening(rng, place, pop)) > 0]
            inventory.move_stock(
                uow,
                location_code=place.code,
                lines=lines,
                kind=MovementKind.RECEIPT,
                sign=1,
                actor=DEMO_ACTOR,
                reference_type="receipt",
                reference_id=f"PO-{place.code.upper()}-OPENING",
            )
        uow.commit()
    moved = _history(tvers, rng, skus, start=start, catch_up=catch_up) if history else 0
    _settings(tvers, rng, skus)
    log(
        f"stock: {len(WAREHOUSES)} warehouses, {len(STORES)} stores, {len(skus) * (len(STORES) + len(WAREHOUSES))} levels, "
        f"{moved} history movements"
    )
    return moved


def _opening(rng: random.Random, place: DemoLocation, popularity: float) -> int:
    if place.type == "warehouse":
        return 0 if rng.random() < 0.03 else round(popularity * rng.uniform(20, 120))
    return 0 if rng.random() < 0.12 + 0.1 * (1.6 - popularity) else round(popularity * rng.uniform(1, 9))


def _history(tvers: Tvers, rng: random.Random, skus: list[tuple[str, float]], *, start: datetime,
             catch_up: Callable[[datetime], None]) -> int:
    moved = 0
    for day in range(1, HISTORY_DAYS):
        at = start + timedelta(days=day, hours=rng.randint(9, 18))
        catch_up(at)
        with _uow_at(tvers, at) as uow:
            for store in STORES:
                moved += _sell(uow, rng, store, skus)
            if day % 14 == 0:
                moved += _restock_store(uow, rng, skus, day)
            if day % 9 == 0:
                store = rng.choice(STORES)
                sku = rng.choice(skus)[0]
                level = inventory.stock_at(uow, store.code, [sku])[0]
                if level.on_hand > level.reserved:
                    inventory.move_stock(
                        uow,
                        location_code=store.code,
                        lines=[StockLineIn(sku=sku, quantity=1)],
                        kind=MovementKind.DAMAGE,
                        sign=-1,
                        actor=DEMO_ACTOR,
                        reason="damaged in store",
                    )
                    moved += 1
            uow.commit()
    return moved


def _sell(uow: Uow, rng: random.Random, store: DemoLocation, skus: list[tuple[str, float]]) -> int:
    wanted = {sku for sku, pop in rng.sample(skus, 12) if rng.random() < pop / 1.6}
    if not wanted:
        return 0
    lines = [StockLineIn(sku=s.sku, quantity=1) for s in inventory.stock_at(uow, store.code, sorted(wanted)) if s.available > 0]
    if lines:
        inventory.move_stock(
            uow,
            location_code=store.code,
            lines=lines,
            kind=MovementKind.SALE,
            sign=-1,
            actor=DEMO_ACTOR,
            channel_id=channels.channel_ref(uow, pos_code(store)).id,
            reference_type="pos_sale",
            reference_id=f"{store.code}-{rng.randrange(10**6):06d}",
        )
    return len(lines)


def _restock_store(uow: Uow, rng: random.Random, skus: list[tuple[str, float]], day: int) -> int:
    store = rng.choice(STORES)
    source = WAREHOUSES[0] if store.country == "NO" else WAREHOUSES[1]
    candidates = [sku for sku, _ in rng.sample(skus, 8)]
    lines = [
        StockLineIn(sku=s.sku, quantity=min(3, s.available)) for s in inventory.stock_at(uow, source.code, candidates) if s.available >= 1
    ]
    if not lines:
        return 0
    transfer = inventory.create_transfer(
        uow, TransferIn(from_location=source.code, to_location=store.code, lines=lines, reference=f"REPL-{day:03d}"), actor=DEMO_ACTOR
    )
    inventory.ship_transfer(uow, transfer.id, actor=DEMO_ACTOR)
    if day < HISTORY_DAYS - 10:  # recent transfers are still on the road
        inventory.receive_transfer(uow, transfer.id, TransferReceiveIn(lines=lines), actor=DEMO_ACTOR)
    return 2 * len(lines)


def _settings(tvers: Tvers, rng: random.Random, skus: list[tuple[str, float]]) -> None:
    """Reorder points on the bestsellers in stores; a little safety stock in warehouses."""
    bestsellers = sorted(skus, key=lambda s: -s[1])[:150]
    with tvers.uow() as uow:
        for sku, _ in bestsellers:
            for store in rng.sample(STORES, 4):
                inventory.set_stock_settings(uow, StockSettingsIn(location=store.code, sku=sku, reorder_point=2, reorder_quantity=6))
            for warehouse in WAREHOUSES:
                inventory.set_stock_settings(
                    uow, StockSettingsIn(location=warehouse.code, sku=sku, safety_stock=2, reorder_point=15, reorder_quantity=60)
                )
        uow.commit()


def _uow_at(tvers: Tvers, at: datetime) -> Uow:
    """A unit of work whose clock stands at a past instant, to write believable history."""
    return Uow(tvers.db, FixedClock(at))
