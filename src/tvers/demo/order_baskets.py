"""What a planned demo order buys: lines drawn by popularity from what its channel sells and its source has in stock now."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from tvers.catalog import service as catalog
from tvers.catalog.schemas import SaleVariant
from tvers.channels.schemas import ChannelRef
from tvers.db.uow import Uow
from tvers.demo.catalog_data import DemoCatalog
from tvers.demo.offers import JACKETS, SOCKS
from tvers.demo.order_plan import Basket, PlannedOrder
from tvers.inventory import service as inventory

DRAWS_PER_LINE = 5  # candidates looked up per wanted line, so one out of stock rarely empties the basket
LINE_COUNTS = ((1, 0.55), (2, 0.28), (3, 0.12), (4, 0.05))
CONSUMABLES = "food/"  # bought a few at a time
BASICS = frozenset({"apparel/t-shirts", "apparel/base-layers", "accessories/socks"})  # now and then bought two at a time
TWO_OF_A_BASIC = 0.2


@dataclass(frozen=True)
class _Pool:
    skus: tuple[str, ...]
    weights: tuple[float, ...]  # cumulative popularity

    def draw(self, rng: random.Random, n: int) -> list[str]:
        return [self.skus[bisect(self.weights, rng.random() * self.weights[-1])] for _ in range(n)]


@dataclass(frozen=True)
class Shelf:
    """What one channel sells: variant ids, categories and popularity pools (everything, socks, jackets, big-ticket items)."""

    channel: ChannelRef
    variants: dict[str, str]  # SKU → variant id
    categories: dict[str, str]
    everything: _Pool
    socks: _Pool
    jackets: _Pool
    big_ticket: _Pool


def load_shelf(uow: Uow, channel: ChannelRef, data: DemoCatalog, popularity: dict[str, float]) -> Shelf:
    """The SKUs the channel can sell (active, listed, priced), weighted by how well their product sells."""
    weight = {v.sku: popularity[p.handle] for p in data.products for v in p.variants}
    found = catalog.sale_variants(uow, channel_id=channel.id, price_book_id=channel.price_book_id, skus=sorted(weight),
                                  locale=channel.default_locale)
    sellable = [v for sku, v in sorted(found.items()) if v.is_for_sale and v.is_listed and v.unit_minor is not None]
    prices = sorted(v.unit_minor or 0 for v in sellable)
    dear = prices[len(prices) * 3 // 4] if prices else 0

    def pool(variants: Sequence[SaleVariant]) -> _Pool:
        return _Pool(tuple(v.sku for v in variants), tuple(accumulate(weight[v.sku] for v in variants)))

    return Shelf(
        channel=channel, variants={v.sku: v.variant_id for v in sellable}, categories={v.sku: v.category or "" for v in sellable},
        everything=pool(sellable), socks=pool([v for v in sellable if v.category == SOCKS]),
        jackets=pool([v for v in sellable if v.category == JACKETS]),
        big_ticket=pool([v for v in sellable if (v.unit_minor or 0) >= dear]),
    )


def pick_lines(uow: Uow, rng: random.Random, order: PlannedOrder, shelf: Shelf) -> list[tuple[str, int]]:
    """(SKU, quantity) lines the order's source can give now; empty when nothing wanted is in stock."""
    drawn = [[(sku, quantity or _quantity(rng, shelf, sku)) for sku in pool.draw(rng, DRAWS_PER_LINE)]
             for pool, quantity in _slots(rng, order.basket, shelf)]
    wanted = sorted({shelf.variants[sku] for candidates in drawn for sku, _ in candidates})
    can_give = _stock(uow, order, shelf, wanted)
    lines: dict[str, int] = {}
    for candidates in drawn:
        chosen = next(((sku, q) for sku, q in candidates if sku not in lines and can_give(shelf.variants[sku], q)), None)
        if chosen is not None:
            lines[chosen[0]] = chosen[1]
    return list(lines.items())


def _stock(uow: Uow, order: PlannedOrder, shelf: Shelf, variant_ids: list[str]) -> Callable[[str, int], bool]:
    """Whether the order's source can give a quantity of a variant: its store, or any location the channel ships from."""
    if not variant_ids:
        return lambda _variant_id, _quantity: False
    if order.location is not None:
        store = inventory.location_candidate(uow, code=order.location, variant_ids=variant_ids)
        return store.can_give
    candidates = inventory.shipping_candidates(uow, channel_id=shelf.channel.id, variant_ids=variant_ids)
    return lambda variant_id, quantity: any(c.can_give(variant_id, quantity) for c in candidates)


def _slots(rng: random.Random, basket: Basket, shelf: Shelf) -> list[tuple[_Pool, int]]:
    """Which pool each line is drawn from, with its quantity (0: by category)."""
    if not shelf.everything.skus:
        return []
    socks, jackets = shelf.socks if shelf.socks.skus else shelf.everything, shelf.jackets if shelf.jackets.skus else shelf.everything
    if basket is Basket.SOCKS:
        return [(socks, 3)] if rng.random() < 0.5 else [(socks, 1)] * 3
    if basket is Basket.JACKET:
        return [(jackets, 1)] + [(shelf.everything, 0)] * rng.randint(0, 1)
    if basket is Basket.LARGE:
        return [(shelf.big_ticket, 1)] + [(shelf.everything, 0)] * rng.randint(2, 4)
    return [(shelf.everything, 0)] * _line_count(rng)


def _line_count(rng: random.Random) -> int:
    roll, floor = rng.random(), 0.0
    for count, share in LINE_COUNTS:
        floor += share
        if roll < floor:
            return count
    return LINE_COUNTS[-1][0]


def _quantity(rng: random.Random, shelf: Shelf, sku: str) -> int:
    category = shelf.categories[sku]
    if category.startswith(CONSUMABLES):
        return rng.randint(1, 4)
    return 2 if category in BASICS and rng.random() < TWO_OF_A_BASIC else 1
