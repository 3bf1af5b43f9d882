"""Sourcing (pure): which location fulfils which order line, and why (docs/fulfilment.md).

The objective, in order: the whole order from one location; else the fewest shipments; then the lowest cost
(distance, per-shipment cost, location priority, a preference for warehouses or stores with surplus).
Pickup: the chosen store when it has the stock, else a transfer into it from the nearest location that has it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache

from tvers.inventory.geo import distance_km


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class WantedLine:
    """An order line to place: its quantity may be split over locations only when no one location has it all."""

    line_id: str
    variant_id: str
    quantity: int
    sku: str = ""


@dataclass(frozen=True, slots=True)
class Site:
    """A candidate location as sourcing sees it; the caller filters out locations the channel may not use."""

    location_id: str
    code: str
    name: str
    type: str  # store | warehouse | dark_store | 3pl | popup
    point: Point
    priority: int  # sourcing priority: higher is preferred
    available: Mapping[str, int]  # variant id → units the channel may promise here
    capacity_left: int  # tasks it can still take today; 0 or less: full, skipped
    opens_at: datetime | None  # now when open, else its next opening; None: closed for the planning horizon, skipped
    pickup_lead_minutes: int = 0  # from having the goods to ready for pickup


@dataclass(frozen=True, slots=True)
class Costs:
    """What a plan costs, in one abstract unit; configurable per retailer (settings)."""

    per_km: float = 0.05
    per_shipment: float = 10.0
    per_priority_point: float = 1.0  # subtracted: a higher sourcing priority makes a location cheaper
    warehouse_discount: float = 0.0  # subtracted for warehouses and dark stores: prefer them over stores
    surplus_discount: float = 0.0  # subtracted per unit a location keeps after the pick (capped per line): prefer surplus
    transfer_hours: float = 24.0  # a transfer into a pickup store takes this long, plus the driving below
    transfer_km_per_hour: float = 60.0


@dataclass(frozen=True, slots=True)
class Allocation:
    """Units of a line from one location; `transfer_to` is the pickup store when they travel there by transfer first."""

    line_id: str
    variant_id: str
    location_id: str
    code: str
    quantity: int
    transfer_to: str | None = None


@dataclass(frozen=True, slots=True)
class Shortfall:
    """Units nobody can give now: the line needs attention."""

    line_id: str
    variant_id: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    allocations: tuple[Allocation, ...]
    shortfalls: tuple[Shortfall, ...] = ()
    ready_by: datetime | None = None  # pickup: when the customer can collect everything
    explanation: str = ""
    considered: tuple[str, ...] = field(default=())  # the alternatives weighed, one sentence each

    @property
    def location_ids(self) -> tuple[str, ...]:
        """The locations used, in first-use order (one shipment or task each)."""
        return tuple(dict.fromkeys(a.location_id for a in self.allocations))


EXACT_COVER_MAX_LINES = 12  # up to this many variants the fewest-shipments search is exact; beyond it, greedy
SURPLUS_CAP = 10  # units left after the pick count towards the surplus discount up to this many per line
WAREHOUSE_TYPES = frozenset({"warehouse", "dark_store"})
SEARCH_BUDGET = 20_000  # steps of the cheapest-cover search; past it the cheapest cover found so far is kept
CONSIDERED_MAX = 5  # sentences in Plan.considered
_EPSILON = 1e-9


def source_for_shipping(
    lines: Sequence[WantedLine], sites: Sequence[Site], *, destination: Point | None, now: datetime, costs: Costs = Costs()
) -> Plan:
    """Where each line ships from: one location if any has everything, else the fewest, then the cheapest."""
    demands = _demands(lines)
    ranking = _offers(demands, sites, origin=destination, costs=costs)
    everything = (1 << len(demands)) - 1
    single = ranking.cheapest(i for i, mask in enumerate(ranking.masks) if mask == everything and ranking.eligible[i])
    cover: Callable[[], _Cover]
    if single is not None:  # the whole order from one site: the cheapest of those that have it all; no search
        chosen = [ranking.option(single)]
        cover = cache(lambda: _Cover(ranking, demands, costs, ranked=False))  # only to explain rivals that lack lines
    else:
        found = _Cover(ranking, demands, costs)
        chosen, cover = found.best(), lambda: found
    whole = _Cover.assign(chosen, demands)
    sources = [[(option, demand.quantity)] if option else [] for option, demand in zip(whole, demands, strict=True)]
    _split_the_rest(demands, sources, ranking, used=chosen)
    placed = _allocate(demands, sources, into=None)
    shortfalls = _shortfalls(demands, placed, ranking, scope="the channel ships from")
    return Plan(
        allocations=placed.allocations,
        shortfalls=shortfalls,
        explanation=_explain_shipping(lines, demands, placed, shortfalls, ranking, cover),
        considered=_considered_for_shipping(ranking, placed, demands, cover, _wanted_count(lines)),
    )


def source_for_pickup(
    lines: Sequence[WantedLine], store: Site, sites: Sequence[Site], *, now: datetime, costs: Costs = Costs()
) -> Plan:
    """What the store hands over from its own stock and what comes to it by transfer from the nearest location."""
    demands = _demands(lines)
    if store.opens_at is None:
        return _closed_store(demands, store)
    here = _offers(demands, [store], origin=store.point, costs=costs, everyone=True).option(0)
    others = [site for site in sites if site.location_id != store.location_id]
    nearest = _offers(demands, others, origin=store.point, costs=costs, partial=True, by_distance=True)
    sources = [_pickup_sources(index, demand, here, nearest) for index, demand in enumerate(demands)]
    placed = _allocate(demands, sources, into=store.location_id)
    shortfalls = _shortfalls(demands, placed, nearest, scope="that can transfer to the store")
    ready_by = _ready_by(store, store.opens_at, sources, now=now, costs=costs) if placed.allocations else None
    return Plan(
        allocations=placed.allocations,
        shortfalls=shortfalls,
        ready_by=ready_by,
        explanation=_explain_pickup(lines, store, placed, shortfalls, ready_by),
        considered=_considered_for_pickup(store, demands, sources, nearest),
    )


# --------------------------------------------------------------------------- what is wanted, what each site offers


@dataclass(frozen=True, slots=True)
class _Demand:
    """The order's lines of one variant, placed together so no site is asked for more units of a variant than it has."""

    variant_id: str
    quantity: int
    lines: tuple[tuple[int, WantedLine], ...]  # (position in the order, line)


@dataclass(slots=True, eq=False)
class _Option:
    """A site as the search sees it: what it has of each demand and what using it costs."""

    site: Site
    km: float | None  # to the destination (shipping) or the pickup store; None without a destination
    variants: tuple[str, ...]  # the demands' variants (one tuple shared by all options), to read the site's stock
    mask: int  # the demands it can give in full, one bit each
    fixed: float  # the cost of using it at all
    kept: int  # units it keeps after giving every demand in `mask`, capped per demand (the surplus discount's measure)
    standalone: float  # `fixed` less the surplus discount, were it to give every demand in `mask`
    is_eligible: bool
    rank: tuple[float, int, str, str]  # standalone cost, then higher priority, then code (then id): the order of preference

    def units(self, index: int) -> int:
        """What the site has of demand `index` (oversold counts as none)."""
        return max(self.site.available.get(self.variants[index], 0), 0)


Source = tuple[_Option, int]  # units of a demand from one option


def _demands(lines: Sequence[WantedLine]) -> list[_Demand]:
    by_variant: dict[str, list[tuple[int, WantedLine]]] = {}
    for position, line in enumerate(lines):
        if line.quantity > 0:  # nothing to place for a line of no units
            by_variant.setdefault(line.variant_id, []).append((position, line))
    return [_Demand(variant, sum(line.quantity for _, line in group), tuple(group)) for variant, group in by_variant.items()]


def _offers(
    demands: Sequence[_Demand],
    sites: Sequence[Site],
    *,
    origin: Point | None,
    costs: Costs,
    partial: bool = False,
    everyone: bool = False,
    by_distance: bool = False,
) -> _Ranking:
    """The sites that give some demand whole, eligible or not (the explanations name the ones skipped), ranked; also
    those with only some units when asked (`partial`) or when no eligible site has all of some demand (it is split),
    or every site (`everyone`)."""
    everything = (1 << len(demands)) - 1
    packed = _pack(demands, sites, with_kept=bool(costs.surplus_discount))
    eligible = _eligible(sites)
    coverable = 0
    for offer, usable in zip(packed, eligible, strict=True):
        if usable:
            coverable |= offer
    rows = zip(sites, packed, eligible, strict=True)
    if everyone:
        chosen = list(rows)
    elif partial or (coverable & everything) != everything:
        chosen = [row for row, some in zip(rows, _has_some(demands, sites), strict=True) if row[1] or some]
    else:
        chosen = [row for row in rows if row[1]]
    return _Ranking(chosen, tuple(demand.variant_id for demand in demands), origin=origin, costs=costs, by_distance=by_distance)


def _pack(demands: Sequence[_Demand], sites: Sequence[Site], *, with_kept: bool) -> list[int]:
    """Per site, what it offers in one int: bit i when it gives demand i whole and, `with_kept`, above those bits the
    units it keeps after giving them (capped per demand: the surplus discount's measure).

    The one pass over every site and demand, so it is written for speed: a list comprehension per demand over all
    sites (a Python loop per site and demand costs several times as much), the simpler one when no surplus counts.
    """
    unit = 1 << len(demands)
    gets = [site.available.get for site in sites]
    packed = [0] * len(sites)
    for bit, demand in enumerate(demands):
        variant, quantity, flag, most = demand.variant_id, demand.quantity, 1 << bit, demand.quantity + SURPLUS_CAP
        if with_kept:
            packed = [
                offer + flag + ((most if units > most else units) - quantity) * unit if (units := get(variant, 0)) >= quantity else offer
                for offer, get in zip(packed, gets, strict=True)
            ]
        else:
            packed = [offer | flag if get(variant, 0) >= quantity else offer for offer, get in zip(packed, gets, strict=True)]
    return packed


def _has_some(demands: Sequence[_Demand], sites: Sequence[Site]) -> list[bool]:
    """Per site, whether it has any unit of any demand (for splits and pickup, which may take part of a line)."""
    gets = [site.available.get for site in sites]
    some = [False] * len(sites)
    for demand in demands:
        variant = demand.variant_id
        some = [found or get(variant, 0) > 0 for found, get in zip(some, gets, strict=True)]
    return some


def _eligible(sites: Sequence[Site]) -> list[bool]:
    """Per site, whether a plan may use it: open within the horizon and with capacity left today."""
    return [site.opens_at is not None and site.capacity_left > 0 for site in sites]


class _Ranking:
    """Sites in order of preference, by rank (cost, then higher priority, then code) or by distance (then the same).

    A decision looks closely at few sites (the cheapest per set of demands, a handful of rivals), so distances and
    costs are worked out only when asked for (for all at once, in list comprehensions, when the whole order is), and
    an option object only on first use. Sites are referred to by index; `order` lists them in order of preference.
    """

    def __init__(
        self,
        chosen: Sequence[tuple[Site, int, bool]],
        variants: tuple[str, ...],
        *,
        origin: Point | None,
        costs: Costs,
        by_distance: bool,
    ) -> None:
        """`chosen`: the sites with what they offer packed (see _pack) and whether they are eligible."""
        self.sites = [site for site, _, _ in chosen]
        self.variants, self.costs, self._origin, self._by_distance = variants, costs, origin, by_distance
        everything, shift = (1 << len(variants)) - 1, len(variants)
        self.masks = [offer & everything for _, offer, _ in chosen]
        self.eligible = [usable for _, _, usable in chosen]
        self._kept = [offer >> shift for _, offer, _ in chosen]
        self.kms: list[float | None] = [None] * len(chosen)
        self._fixed = [0.0] * len(chosen)
        self._standalone = [0.0] * len(chosen)
        self._costed = [False] * len(chosen)
        self._order: list[int] | None = None
        self._made: dict[int, _Option] = {}

    @property
    def order(self) -> list[int]:
        """Every site's index, in order of preference (works out every distance and cost)."""
        if self._order is None:
            self._cost_all()
            keys = [km or 0.0 for km in self.kms] if self._by_distance else self._standalone
            self._order = sorted(range(len(self.sites)), key=keys.__getitem__)
            if len(set(keys)) < len(keys):  # equal keys (rare): higher priority, then code, first
                self._order.sort(key=lambda i: (keys[i], *self._tie(i)))
        return self._order

    def rank(self, index: int) -> tuple[float, int, str, str]:
        self._cost(index)
        return (self._standalone[index], *self._tie(index))

    def _tie(self, index: int) -> tuple[int, str, str]:
        site = self.sites[index]
        return -site.priority, site.code, site.location_id

    def _cost(self, index: int) -> None:
        if self._costed[index]:
            return
        site, costs, origin = self.sites[index], self.costs, self._origin
        km = None if origin is None else distance_km(origin.latitude, origin.longitude, site.point.latitude, site.point.longitude)
        fixed = costs.per_shipment + costs.per_km * (km or 0.0) - costs.per_priority_point * site.priority
        if site.type in WAREHOUSE_TYPES:
            fixed -= costs.warehouse_discount
        self.kms[index], self._fixed[index] = km, fixed
        self._standalone[index] = fixed - costs.surplus_discount * self._kept[index]
        self._costed[index] = True

    def _cost_all(self) -> None:
        costs, origin = self.costs, self._origin
        if origin is not None:
            latitude, longitude = origin.latitude, origin.longitude
            self.kms = [distance_km(latitude, longitude, site.point.latitude, site.point.longitude) for site in self.sites]
        per_shipment, per_km, per_point, warehouse = costs.per_shipment, costs.per_km, costs.per_priority_point, costs.warehouse_discount
        self._fixed = [
            per_shipment + per_km * (km or 0.0) - per_point * site.priority - (warehouse if site.type in WAREHOUSE_TYPES else 0.0)
            for site, km in zip(self.sites, self.kms, strict=True)
        ]
        surplus = costs.surplus_discount
        self._standalone = [fixed - surplus * kept for fixed, kept in zip(self._fixed, self._kept, strict=True)]
        self._costed = [True] * len(self.sites)

    def cheapest(self, indices: Iterable[int]) -> int | None:
        """The best-ranked of these sites (working out the cost of these only)."""
        return min(indices, key=self.rank, default=None)

    def closest(self, indices: Iterable[int], limit: int) -> list[int]:
        """Up to `limit` of these sites, most demands given whole first, then by rank (costing only the groups used)."""
        indices = list(indices)
        counts = [self.masks[index].bit_count() for index in indices]
        if not counts:
            return []
        least = heapq.nlargest(limit, counts)[-1]  # only sites with at least this many can be among them
        close = [(-count, self.rank(index), index) for index, count in zip(indices, counts, strict=True) if count >= least]
        return [index for _, _, index in sorted(close)[:limit]]

    def option(self, index: int) -> _Option:
        made = self._made.get(index)
        if made is None:
            rank, site = self.rank(index), self.sites[index]
            made = _Option(site, self.kms[index], self.variants, self.masks[index], self._fixed[index], self._kept[index],
                           rank[0], self.eligible[index], rank)
            self._made[index] = made
        return made

    def units(self, index: int, demand: int) -> int:
        """What site `index` has of demand `demand`, without making its option (oversold counts as none)."""
        return max(self.sites[index].available.get(self.variants[demand], 0), 0)


def _surplus(option: _Option, bit: int, demands: Sequence[_Demand]) -> int:
    return min(option.units(bit) - demands[bit].quantity, SURPLUS_CAP)


@lru_cache(maxsize=1 << 13)
def _bits(mask: int) -> tuple[int, ...]:
    return tuple(bit for bit in range(mask.bit_length()) if mask >> bit & 1)


def _low(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def _members(bitset: int) -> Iterator[int]:
    """The set bits of `bitset`, lowest first."""
    while bitset:
        low = bitset & -bitset
        yield low.bit_length() - 1
        bitset ^= low


def _rank(option: _Option) -> tuple[float, int, str, str]:
    return option.rank


# --------------------------------------------------------------------------- the fewest shipments, then the cheapest


class _Cover:
    """The fewest eligible sites that give, whole, every demand some eligible site has in full; then the cheapest such.

    Options are first reduced to one per set of demands (the cheapest), none whose set a no dearer option's set
    contains. Up to EXACT_COVER_MAX_LINES demands the number of sites is exact (iterative deepening), and so is the
    cost of the set chosen among sets of that size (a bounded branch and bound) as long as there is no surplus
    discount: with one, the reduction compares options on the surplus over all they could give. Beyond that size,
    greedy (most demands first). Sets of options are bitsets over `kept` (bit j: kept[j], in rank order), so "the
    cheapest site that gives all of these" is a few ANDs.
    """

    def __init__(self, ranking: _Ranking, demands: Sequence[_Demand], costs: Costs, *, ranked: bool = True) -> None:
        """`ranked=False`: sites in any order, for counting shipments only (no costs worked out)."""
        self.demands, self.costs = demands, costs
        self.is_exact = len(demands) <= EXACT_COVER_MAX_LINES
        self.kept: list[_Option] = []
        self._having = [0] * len(demands)  # per demand: the kept options that give it whole
        seen: set[int] = set()
        masks = ranking.masks
        for index in ranking.order if ranked else range(len(masks)):  # in rank order: the first per set of demands is the cheapest
            mask = masks[index]
            if not mask or mask in seen or not ranking.eligible[index]:
                continue
            seen.add(mask)
            if self._supersets(mask):
                continue  # an option ranked before it gives these demands and more
            for bit in _bits(mask):
                self._having[bit] |= 1 << len(self.kept)
            self.kept.append(ranking.option(index))
        self._by_bit = [[self.kept[i] for i in _members(having)] for having in self._having]
        self.full = sum(1 << bit for bit, having in enumerate(self._having) if having)
        self._memo: dict[tuple[int, int], list[_Option] | None] = {}  # (demands, at most this many sites) → some such sites

    def _scarcest(self, needed: int) -> int:
        """The demand in `needed` the fewest kept options give whole: branching on it keeps the search narrow."""
        return min(_bits(needed), key=lambda bit: len(self._by_bit[bit]))

    def _supersets(self, needed: int) -> int:
        """The kept options that give every demand in `needed` whole."""
        found = (1 << len(self.kept)) - 1
        for bit in _bits(needed):
            found &= self._having[bit]
        return found

    def best(self) -> list[_Option]:
        """The sites to use, in rank order: one if one can give everything, else the fewest, then the cheapest."""
        fewest = self.fewest(self.full)
        if len(fewest) > 1 and self.is_exact:
            fewest = self._cheapest(fewest)
        return sorted(fewest, key=_rank)

    def fewest(self, needed: int) -> list[_Option]:
        """Some set of the fewest kept options that together give every demand in `needed` (a subset of `full`)."""
        if not needed:
            return []
        if not self.is_exact:
            return self._greedy(needed)
        most = max(option.mask.bit_count() for option in self.kept)
        for count in range(max(1, -(-needed.bit_count() // most)), len(self.demands) + 1):
            found = self._within(needed, count)
            if found is not None:
                return found
        raise AssertionError("needed lies outside what the eligible sites can give")

    def _within(self, needed: int, count: int) -> list[_Option] | None:
        if count == 1:
            givers = self._supersets(needed)
            return [self.kept[_low(givers)]] if givers else None
        if (needed, count) in self._memo:
            return self._memo[needed, count]
        answer = None
        for option in self._by_bit[self._scarcest(needed)]:  # some site must give it
            rest = needed & ~option.mask
            found = self._within(rest, count - 1) if rest else []
            if found is not None:
                answer = [option, *found]
                break
        self._memo[needed, count] = answer
        return answer

    def _cheapest(self, witness: list[_Option]) -> list[_Option]:
        """The cheapest set of len(witness) kept options that gives `full`; branch and bound from the witness's cost."""
        cheapest = [0.0]  # cheapest[r]: no r options cost less together (kept is in rank order)
        for option in self.kept[: len(witness)]:
            cheapest.append(cheapest[-1] + option.standalone)
        best, best_key = witness, self._key(witness)
        steps = 0

        def search(needed: int, left: int, picked: list[_Option], spent: float) -> None:
            nonlocal best, best_key, steps
            steps += 1
            if steps > SEARCH_BUDGET:
                return
            if left == 1:  # the last site must give all that is left: only those that do, cheapest first
                for index in _members(self._supersets(needed)):
                    option = self.kept[index]
                    if spent + option.standalone > best_key[0] + _EPSILON:
                        break
                    if (key := self._key([*picked, option])) < best_key:
                        best, best_key = [*picked, option], key
                return
            for option in self._by_bit[self._scarcest(needed)]:  # in rank order: the bound only rises along the list
                if spent + option.standalone + cheapest[left - 1] > best_key[0] + _EPSILON:
                    break
                rest = needed & ~option.mask
                if rest and self._within(rest, left - 1) is not None:  # what is left can still be given (memoised)
                    search(rest, left - 1, [*picked, option], spent + option.standalone)

        search(self.full, len(witness), [], 0.0)
        return best

    def _key(self, picked: Sequence[_Option]) -> tuple[float, int, tuple[str, ...]]:
        """Cost, then higher priority, then codes: the order plans of the same size are compared in."""
        return round(self.cost(picked), 9), -sum(option.site.priority for option in picked), tuple(sorted(o.site.code for o in picked))

    def cost(self, picked: Sequence[_Option]) -> float:
        """What using these sites costs, each demand they can give whole counted at the one that keeps most after it."""
        total = sum(option.fixed for option in picked)
        if self.costs.surplus_discount:
            kept = sum(option.kept for option in picked)
            seen = shared = 0
            for option in picked:
                shared |= seen & option.mask
                seen |= option.mask
            for bit in _bits(shared):  # a demand two sites could give counts once, at the one keeping most
                surpluses = [_surplus(option, bit, self.demands) for option in picked if option.mask >> bit & 1]
                kept -= sum(surpluses) - max(surpluses)
            total -= self.costs.surplus_discount * kept
        return total

    def _greedy(self, needed: int) -> list[_Option]:
        chosen: list[_Option] = []
        left = needed
        while left:
            best, gain = self.kept[0], -1
            for option in self.kept:  # the first of the most demands given, in rank order
                if (option.mask & left).bit_count() > gain:
                    best, gain = option, (option.mask & left).bit_count()
            chosen.append(best)
            left &= ~best.mask
        for option in sorted(chosen, key=_rank, reverse=True):  # then drop the dearest the others make redundant
            others = 0
            for other in chosen:
                others |= other.mask if other is not option else 0
            if others & needed == needed:
                chosen.remove(option)
        return chosen

    @staticmethod
    def assign(chosen: Sequence[_Option], demands: Sequence[_Demand]) -> list[_Option | None]:
        """Per demand, the chosen site that gives it whole (the one keeping most after it); None when none can."""
        whole: list[_Option | None] = []
        for bit in range(len(demands)):
            givers = [option for option in chosen if option.mask >> bit & 1]
            whole.append(max(givers, key=lambda option: _surplus(option, bit, demands)) if givers else None)
        return whole


def _split_the_rest(demands: Sequence[_Demand], sources: list[list[Source]], ranking: _Ranking, *, used: Sequence[_Option]) -> None:
    """A demand no eligible site has in full is split: over sites already shipping first, then the cheapest."""
    shipping = {option.site.location_id for option in used}
    for index, demand in enumerate(demands):
        if sources[index]:
            continue
        givers = sorted(
            (ranking.option(i) for i in ranking.order if ranking.units(i, index) > 0 and ranking.eligible[i]),
            key=lambda o: (o.site.location_id not in shipping, o.fixed, -o.site.priority, o.site.code, o.site.location_id),
        )
        left = demand.quantity
        for option in givers:
            take = min(option.units(index), left)
            sources[index].append((option, take))
            shipping.add(option.site.location_id)
            left -= take
            if not left:
                break


# --------------------------------------------------------------------------- pickup


def _pickup_sources(index: int, demand: _Demand, here: _Option, nearest: _Ranking) -> list[Source]:
    """The store's own units if it has them all; else the whole demand from the nearest site that has it; else a split.

    `nearest`: the other sites, ranked by distance.
    """
    if here.units(index) >= demand.quantity:
        return [(here, demand.quantity)]
    flag = 1 << index
    whole = next((i for i in nearest.order if nearest.masks[i] & flag and nearest.eligible[i]), None)
    if whole is not None:
        return [(nearest.option(whole), demand.quantity)]
    givers = [nearest.option(i) for i in nearest.order if nearest.units(i, index) > 0 and nearest.eligible[i]]
    sources, left = [], demand.quantity
    for option in (here, *givers):  # the store's own units first: they need no transfer
        take = min(option.units(index), left)
        if take:
            sources.append((option, take))
            left -= take
        if not left:
            break
    return sources


def _ready_by(store: Site, opens_at: datetime, sources: Sequence[Sequence[Source]], *, now: datetime, costs: Costs) -> datetime:
    """When the last transfer is in (to the minute) and prepared; never before the store could have its own units ready."""
    lead = timedelta(minutes=store.pickup_lead_minutes)
    ready = max(now, opens_at) + lead
    for pieces in sources:
        for option, _ in pieces:
            if option.site.location_id != store.location_id:
                hours = costs.transfer_hours + (option.km or 0.0) / costs.transfer_km_per_hour
                ready = max(ready, _whole_minute(now + timedelta(hours=hours)) + lead)
    return ready


def _whole_minute(at: datetime) -> datetime:
    """Rounded up: an arrival worked out from kilometres is no more precise than that."""
    floor = at.replace(second=0, microsecond=0)
    return floor if floor == at else floor + timedelta(minutes=1)


def _closed_store(demands: Sequence[_Demand], store: Site) -> Plan:
    wanted = sorted((pair for demand in demands for pair in demand.lines), key=lambda pair: pair[0])
    shortfalls = tuple(Shortfall(line.line_id, line.variant_id, line.quantity, "store closed") for _, line in wanted)
    return Plan((), shortfalls, explanation=f"{store.name} is closed for the planning horizon: nothing can be picked up there")


# --------------------------------------------------------------------------- from sources to the plan's rows


@dataclass(slots=True)
class _Placed:
    allocations: tuple[Allocation, ...]  # in line order
    gives: dict[str, tuple[_Option, list[tuple[WantedLine, int]]]]  # per location, in first-use order: what it gives
    missing: list[tuple[int, WantedLine, int]]  # (demand, line, units nobody gives), in line order


def _allocate(demands: Sequence[_Demand], sources: Sequence[Sequence[Source]], *, into: str | None) -> _Placed:
    """Each demand's units to its lines in order; units from a site other than `into` (the pickup store) travel there."""
    per_line: list[tuple[int, int, WantedLine, list[Source]]] = []
    for index, (demand, pieces) in enumerate(zip(demands, sources, strict=True)):
        queue = list(pieces)
        for position, line in demand.lines:
            left, taken = line.quantity, []
            while left and queue:
                option, units = queue[0]
                take = min(units, left)
                taken.append((option, take))
                left -= take
                queue[0] = (option, units - take)
                if units == take:
                    queue.pop(0)
            per_line.append((position, index, line, taken))
    per_line.sort(key=lambda row: row[0])
    placed = _Placed((), {}, [])
    allocations = []
    for _, index, line, taken in per_line:
        for option, take in taken:
            site = option.site
            transfer_to = into if into is not None and site.location_id != into else None
            allocations.append(Allocation(line.line_id, line.variant_id, site.location_id, site.code, take, transfer_to))
            placed.gives.setdefault(site.location_id, (option, []))[1].append((line, take))
        if (short := line.quantity - sum(take for _, take in taken)) > 0:
            placed.missing.append((index, line, short))
    placed.allocations = tuple(allocations)
    return placed


def _shortfalls(demands: Sequence[_Demand], placed: _Placed, ranking: _Ranking, *, scope: str) -> tuple[Shortfall, ...]:
    return tuple(
        Shortfall(line.line_id, line.variant_id, units, _shortfall_reason(index, demands, placed, ranking, scope=scope))
        for index, line, units in placed.missing
    )


def _shortfall_reason(index: int, demands: Sequence[_Demand], placed: _Placed, ranking: _Ranking, *, scope: str) -> str:
    missing = sum(units for demand_index, _, units in placed.missing if demand_index == index)
    reason = f"no location {scope} has it" if missing == demands[index].quantity else f"not enough stock at the locations {scope}"
    elsewhere = sum(ranking.units(i, index) for i in range(len(ranking.sites)) if not ranking.eligible[i])
    return f"{reason} (closed or full locations have {elsewhere})" if elsewhere else reason


# --------------------------------------------------------------------------- explanations


def _label(line: WantedLine) -> str:
    return line.sku or line.line_id


def _lines(labels: Sequence[str]) -> str:
    return f"line {labels[0]}" if len(labels) == 1 else "lines " + ", ".join(labels)


def _all(count: int) -> str:
    return {1: "all of it", 2: "both lines"}.get(count, f"all {count} lines")


def _what(pieces: Sequence[tuple[WantedLine, int]]) -> str:
    """'lines A, B, 2 of 5 units of line C'."""
    whole = [_label(line) for line, units in pieces if units == line.quantity]
    parts = [f"{units} of {line.quantity} units of line {_label(line)}" for line, units in pieces if units != line.quantity]
    return ", ".join(([_lines(whole)] if whole else []) + parts)


def _demand_lines(option: _Option, demands: Sequence[_Demand]) -> str:
    if option.mask == (1 << len(demands)) - 1:
        return _all(sum(len(demand.lines) for demand in demands))
    return _lines([_label(line) for bit in _bits(option.mask) for _, line in demands[bit].lines])


def _where(option: _Option) -> str:
    return option.site.name if option.km is None else f"{option.site.name} ({round(option.km)} km)"


def _why_skipped(option: _Option) -> str:
    return "is closed for the planning horizon" if option.site.opens_at is None else "has no capacity left today"


def _wanted_count(lines: Sequence[WantedLine]) -> int:
    return sum(1 for line in lines if line.quantity > 0)


def _shortfall_texts(shortfalls: Sequence[Shortfall], lines: Sequence[WantedLine]) -> list[str]:
    labels = {line.line_id: _label(line) for line in lines}
    return [f"{_lines([labels[s.line_id]])} short by {s.quantity}: {s.reason}" for s in shortfalls]


def _explain_shipping(
    lines: Sequence[WantedLine],
    demands: Sequence[_Demand],
    placed: _Placed,
    shortfalls: Sequence[Shortfall],
    ranking: _Ranking,
    cover: Callable[[], _Cover],
) -> str:
    count = _wanted_count(lines)
    if not count:
        return "Nothing to source: no line wants any units"
    gives = list(placed.gives.values())
    if not gives:
        head = [f"No location the channel ships from can give any of {_all(count)}"]
    elif len(gives) == 1:
        option, pieces = gives[0]
        has_all = not shortfalls
        what = _all(count) if has_all and count > 1 else _what(pieces)
        head = [", ".join([f"{option.site.name}: {what}", *_km(option)])]
        if has_all:
            head.append(_best_alternative(option, ranking, cover, count))
    else:
        parts = [f"{option.site.name} ({', '.join([_what(pieces), *_km(option)])})" for option, pieces in gives]
        head = [f"{len(gives)} shipments: " + ", ".join(parts), _no_single_site(ranking, (1 << len(demands)) - 1, count)]
    return "; ".join(head + _shortfall_texts(shortfalls, lines))


def _km(option: _Option) -> list[str]:
    return [] if option.km is None else [f"{round(option.km)} km"]


def _no_single_site(ranking: _Ranking, everything: int, count: int) -> str:
    skipped = ranking.cheapest(i for i, mask in enumerate(ranking.masks) if mask == everything and not ranking.eligible[i])
    if skipped is not None:
        option = ranking.option(skipped)
        return f"{_where(option)} has {_all(count)} but {_why_skipped(option)}"
    return f"no single location has {_all(count)}"


def _best_alternative(chosen: _Option, ranking: _Ranking, cover: Callable[[], _Cover], count: int) -> str:
    """The closed or full site that would have won; else the other eligible site with the most lines in full (the
    cheapest of those), which came closest."""
    masks, eligible = ranking.masks, ranking.eligible
    skipped = ranking.cheapest(i for i, mask in enumerate(masks) if mask == chosen.mask and not eligible[i])
    if skipped is not None and ranking.rank(skipped) < chosen.rank:
        rival = ranking.option(skipped)
        return f"{_where(rival)} has {_all(count)} but {_why_skipped(rival)}"
    rivals = [i for i, mask in enumerate(masks) if mask and eligible[i] and ranking.sites[i] is not chosen.site]
    if not rivals:
        return "no other location has any line in full"
    option = ranking.option(ranking.closest(rivals, 1)[0])
    if option.mask == chosen.mask:
        return f"{_where(option)} also has {_all(count)} but {_costlier(option, chosen, ranking.costs)}"
    return f"{option.site.name} {_lacking(option, cover(), used=1)}"


def _lacking(option: _Option, cover: _Cover, *, used: int) -> str:
    """What using a site that lacks some lines would take: the fewest shipments of any plan that includes it."""
    shipments = 1 + len(cover.fewest(cover.full & ~option.mask))
    return f"would need {shipments} shipments" + (" too, at a higher cost" if shipments <= used else "")


def _costlier(option: _Option, chosen: _Option, costs: Costs) -> str:
    """The biggest part of the cost by which `option` loses to `chosen`."""
    reasons = [
        (costs.per_km * ((option.km or 0.0) - (chosen.km or 0.0)), f"is farther ({' against '.join(_km(option) + _km(chosen))})"),
        (costs.per_priority_point * (chosen.site.priority - option.site.priority),
         f"has a lower priority ({option.site.priority} against {chosen.site.priority})"),
        (_warehouse_discount(chosen, costs) - _warehouse_discount(option, costs), "is not a warehouse or dark store"),
        (costs.surplus_discount * (chosen.kept - option.kept), "would keep less stock after the pick"),
    ]
    amount, reason = max(reasons, key=lambda pair: pair[0])
    if amount > _EPSILON:
        return reason
    if option.site.priority < chosen.site.priority:
        return "costs the same and has a lower priority"
    return "costs the same and comes after it by code"


def _warehouse_discount(option: _Option, costs: Costs) -> float:
    return costs.warehouse_discount if option.site.type in WAREHOUSE_TYPES else 0.0


def _considered_for_shipping(
    ranking: _Ranking, placed: _Placed, demands: Sequence[_Demand], cover: Callable[[], _Cover], count: int
) -> tuple[str, ...]:
    """Up to five sites not used that have a line in full, those that came closest first (most lines in full, then
    cheapest), each with why it was not used."""
    gives = list(placed.gives.values())
    chosen = gives[0][0] if len(gives) == 1 else None
    unused = [i for i, mask in enumerate(ranking.masks) if mask and ranking.sites[i].location_id not in placed.gives]
    rivals = [ranking.option(i) for i in ranking.closest(unused, CONSIDERED_MAX)]
    return tuple(_considered_one(option, chosen, demands, ranking.costs, cover, count, used=len(gives)) for option in rivals)


def _considered_one(
    option: _Option, chosen: _Option | None, demands: Sequence[_Demand], costs: Costs, cover: Callable[[], _Cover], count: int, *, used: int
) -> str:
    if not option.is_eligible:
        return f"{_where(option)} has {_demand_lines(option, demands)} but {_why_skipped(option)}"
    if chosen is not None and option.mask == chosen.mask:
        return f"{_where(option)} also has {_all(count)} but {_costlier(option, chosen, costs)}"
    return f"{_where(option)} has only {_demand_lines(option, demands)}, so {_lacking(option, cover(), used=used)}"


def _explain_pickup(
    lines: Sequence[WantedLine], store: Site, placed: _Placed, shortfalls: Sequence[Shortfall], ready_by: datetime | None
) -> str:
    count = _wanted_count(lines)
    if not count:
        return "Nothing to source: no line wants any units"
    here = placed.gives.get(store.location_id, (None, []))[1]
    transfers = [(option, pieces) for location_id, (option, pieces) in placed.gives.items() if location_id != store.location_id]
    clauses = [_store_has(store, here, count)]
    if transfers:
        clauses.append(", ".join(_transfer_text(option, pieces, first=n == 0) for n, (option, pieces) in enumerate(transfers)))
    if ready_by is not None:
        clauses[-1] += f", ready by {ready_by.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return "; ".join(clauses + _shortfall_texts(shortfalls, lines))


def _store_has(store: Site, here: Sequence[tuple[WantedLine, int]], count: int) -> str:
    whole = sum(1 for line, units in here if units == line.quantity)
    parts = [f"{units} of {line.quantity} units of line {_label(line)}" for line, units in here if units != line.quantity]
    if whole == count:
        return f"{store.name} has {_all(count)}"
    if not here:
        return f"{store.name} has none of the {count} lines" if count > 1 else f"{store.name} does not have it"
    return f"{store.name} has " + " and ".join(([f"{whole} of {count} lines"] if whole else []) + parts)


def _transfer_text(option: _Option, pieces: Sequence[tuple[WantedLine, int]], *, first: bool) -> str:
    what = _what(pieces)
    if not first:
        return f"{what} from {_where(option)}"
    verb = "comes" if len(pieces) == 1 and pieces[0][1] == pieces[0][0].quantity else "come"
    return f"{what} {verb} by transfer from {_where(option)}"


def _considered_for_pickup(
    store: Site, demands: Sequence[_Demand], sources: Sequence[Sequence[Source]], nearest: _Ranking
) -> tuple[str, ...]:
    """Nearer sites passed over for a line that came by transfer (closed, full or short), and the store's own part."""
    notes: list[str] = []
    for index, (demand, pieces) in enumerate(zip(demands, sources, strict=True)):
        far = max((option.km or 0.0 for option, _ in pieces if option.site.location_id != store.location_id), default=None)
        if far is None:
            continue
        what = _lines([_label(line) for _, line in demand.lines])
        used = {option.site.location_id for option, _ in pieces}
        if len(pieces) == 1 and 0 < (own := _own(store, demand)) < demand.quantity:
            source = pieces[0][0].site.name
            notes.append(f"{store.name} has only {own} of {demand.quantity} units of {what}, so it comes whole from {source}")
        for i in nearest.order:
            if (nearest.kms[i] or 0.0) >= far or len(notes) >= CONSIDERED_MAX:
                break
            if not nearest.units(i, index) or nearest.sites[i].location_id in used:
                continue
            option = nearest.option(i)
            if not option.is_eligible:
                notes.append(f"{_where(option)} has {what} but {_why_skipped(option)}")
            else:
                notes.append(f"{_where(option)} has only {option.units(index)} of {demand.quantity} units of {what}")
    return tuple(notes[:CONSIDERED_MAX])


def _own(store: Site, demand: _Demand) -> int:
    return max(store.available.get(demand.variant_id, 0), 0)
