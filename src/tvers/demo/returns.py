"""The demo's returns: after the quarter is fulfilled, some completed orders come back through the real returns workflow
(`tvers.workflows.returns`), with the clock at a believable day after each was handed over, so refunds, restocks and
events are the shop's own. What comes back, why, where and when is planned in `demo/return_plan.py`.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from tvers.bootstrap import Tvers
from tvers.channels.schemas import ChannelType
from tvers.db.uow import Uow
from tvers.demo.catalog_data import DemoCatalog
from tvers.demo.order_plan import sales_channels
from tvers.demo.return_plan import PLACES, HandedOver, PlannedReturn, SoldLine, plan_returns
from tvers.kernel.clock import FixedClock
from tvers.kernel.errors import TversError
from tvers.orders import service as orders
from tvers.orders.lifecycle import OrderStatus
from tvers.orders.schemas import OrderFilter, OrderOut
from tvers.returns import service as returns
from tvers.returns.schemas import Condition, ReceivedLineIn, ReceiveIn, ReturnIn, ReturnLineIn, ReturnPolicyIn
from tvers.workflows import returns as returns_flow

# Opened food cannot be sold again: the one policy the demo stores; everything else keeps the built-in 30 days.
POLICIES = (ReturnPolicyIn(category_prefix="food", window_days=0, is_final_sale=True),)


@dataclass(frozen=True)
class DemoReturns:
    by_channel_type: dict[str, int]  # returns asked for
    units: int
    online: int  # returns of orders not sold at a till
    online_in_store: int  # of those, brought to a store
    partial_returns: int  # returns after which the customer keeps some of the order
    split_lines: int  # lines of several units of which only some came back
    damaged: int  # units written off on inspection
    awaiting: int  # posted, not yet received at the warehouse
    refused: dict[str, int]  # returns the shop refused, by error code

    @property
    def asked(self) -> int:
        return sum(self.by_channel_type.values())

    def describe(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.by_channel_type.items(), key=lambda item: (-item[1], item[0])))
        in_store = round(100 * self.online_in_store / self.online) if self.online else 0
        refused = f", {sum(self.refused.values())} refused" if self.refused else ""
        return (f"{self.asked} returns ({kinds}) of {self.units} units; {in_store} % of online orders' returns brought to a store, "
                f"{self.partial_returns} partial ({self.split_lines} lines partly), {self.damaged} units damaged on inspection, "
                f"{self.awaiting} posted and not yet in{refused}")


@dataclass
class _Tally:
    kinds: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    units: int = 0
    online: int = 0
    online_in_store: int = 0
    partial_returns: int = 0
    split_lines: int = 0
    damaged: int = 0
    awaiting: int = 0


def store_return_policies(app: Tvers) -> None:
    with app.uow() as uow:
        for policy in POLICIES:
            returns.set_policy(uow, policy)
        uow.commit()


def categories_of(data: DemoCatalog) -> dict[str, str]:
    return {variant.sku: product.category for product in data.products for variant in product.variants}


class ReturnHistory:
    """Asks for and receives the planned returns in time order, with the clock at each step's time."""

    def __init__(self, app: Tvers, *, clock: FixedClock, seed: int, end: datetime, log: Callable[[str], None]) -> None:
        self._app, self._clock, self._end, self._log = app, clock, end, log
        self._rng = random.Random(seed * 7919 + 17)
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._count = 0
        self._asked: dict[str, str] = {}  # order id → return id
        self._tally = _Tally()

    def run(self, categories: Mapping[str, str]) -> DemoReturns:
        for planned in plan_returns(self._rng, list(self._completed_orders(categories))):
            if planned.asked_at >= self._end:
                continue
            self._schedule(planned.asked_at, partial(self._ask, planned))
            if planned.received_at < self._end:
                self._schedule(planned.received_at, partial(self._receive, planned))
            else:
                self._tally.awaiting += 1
        while self._queue:
            when, _number, step = heapq.heappop(self._queue)
            self._clock.set(when)
            step()
        t = self._tally
        return DemoReturns(by_channel_type=dict(t.kinds), units=t.units, online=t.online, online_in_store=t.online_in_store,
                           partial_returns=t.partial_returns, split_lines=t.split_lines, damaged=t.damaged, awaiting=t.awaiting,
                           refused=dict(t.refused))

    def _schedule(self, at: datetime, step: Callable[[], None]) -> None:
        self._count += 1
        heapq.heappush(self._queue, (at, self._count, step))

    # --- reading the quarter ------------------------------------------------------------------------------------------

    def _completed_orders(self, categories: Mapping[str, str]) -> Iterator[HandedOver]:
        """Every completed order, oldest first (by number within an instant: ids are random)."""
        kinds = {channel.code: channel for channel in sales_channels()}
        with self._app.uow(read_only=True) as uow:
            found = [orders.get_order(uow, order_id) for order_id in _completed_ids(uow)]
            windows = {code: returns.policy_for(uow, channel=code, category=None).window_days for code in {o.channel for o in found}}
        for order in sorted(found, key=lambda o: (o.placed_at, o.number)):
            channel = kinds.get(order.channel)
            if channel is not None:  # a demo channel: the plan knows its kind
                yield _handed_over(order, channel.type, channel.country, categories, window=timedelta(days=windows[order.channel]))

    # --- steps --------------------------------------------------------------------------------------------------------

    def _ask(self, planned: PlannedReturn) -> None:
        actor = f"staff:{planned.location}" if planned.is_in_store else "customer"
        data = ReturnIn(order_id=planned.order_id, lines=[ReturnLineIn(line_id=line.line_id, quantity=line.quantity, reason=line.reason)
                                                          for line in planned.lines])
        try:
            self._asked[planned.order_id] = returns_flow.request_return(self._app, data, actor=actor, may_override=False).id
        except TversError as error:
            self._refused(planned, error)
            return
        t = self._tally
        t.kinds[str(planned.channel_type)] += 1
        t.units += sum(line.quantity for line in planned.lines)
        t.partial_returns += planned.is_partial
        t.split_lines += sum(line.quantity < line.sold for line in planned.lines)
        if planned.channel_type is not ChannelType.POS:
            t.online += 1
            t.online_in_store += planned.is_in_store

    def _receive(self, planned: PlannedReturn) -> None:
        return_id = self._asked.get(planned.order_id)
        if return_id is None:  # asking was refused
            return
        inspected = [ReceivedLineIn(line_id=line.line_id, quantity=quantity, condition=condition) for line in planned.lines
                     for quantity, condition in ((line.quantity - line.damaged, Condition.RESELLABLE), (line.damaged, Condition.DAMAGED))
                     if quantity > 0]
        data = ReceiveIn(location=planned.location, lines=inspected)
        try:
            returns_flow.receive_return(self._app, return_id, data, actor=f"staff:{planned.location}")
        except TversError as error:
            self._refused(planned, error)
            return
        self._tally.damaged += sum(line.damaged for line in planned.lines)

    def _refused(self, planned: PlannedReturn, error: TversError) -> None:
        """A planned return the shop would not take: say so once, and go on with the quarter."""
        if not self._tally.refused:
            self._log(f"returns: order {planned.order_id} on {planned.channel} was refused: {error.code}: {error.message}")
        self._tally.refused[error.code] += 1


def _completed_ids(uow: Uow) -> Iterator[str]:
    after = None
    while True:
        page = orders.list_orders(uow, OrderFilter(status=OrderStatus.COMPLETED), after=after, limit=200)
        yield from (order.id for order in page.items)
        if page.next_cursor is None:
            return
        after = page.next_cursor


def _handed_over(order: OrderOut, channel_type: ChannelType, country: str, categories: Mapping[str, str], *,
                 window: timedelta) -> HandedOver:
    shipping = order.shipping or {}
    address = shipping.get("address") or {}
    store = shipping.get("location")
    if store in PLACES:
        country = PLACES[store].country
    completed_at = max(change.at for change in order.history if change.to_status == OrderStatus.COMPLETED)
    return HandedOver(
        order_id=order.id, channel=order.channel, channel_type=channel_type, delivery=order.delivery_method,
        store=store if store in PLACES else None, city=address.get("city"), country=address.get("country", country),
        handed_over_at=completed_at, window=window,
        lines=tuple(SoldLine(line_id=line.id, category=categories.get(line.sku), quantity=line.fulfilled_quantity) for line in order.lines))
