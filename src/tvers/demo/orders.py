"""The demo's order history: the planned orders placed through the real checkout, with a clock moved through the 90 days.

Each order is sent to `place_direct_order` as its channel would send it (`demo/order_checkout.py`). Carry-out sales at
the tills complete at once; every other confirmed order is handed to the fulfilment history (`demo/fulfilment.py`),
whose steps run in time order between the orders; declined cards leave `payment_failed` orders, and most of those
shoppers try again a few minutes later with another card.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from tvers.bootstrap import Tvers
from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardIssueIn, StoreCreditIn
from tvers.db.uow import Uow
from tvers.demo.catalog_data import DemoCatalog
from tvers.demo.customers import DemoShopper
from tvers.demo.fulfilment import FulfilmentHistory
from tvers.demo.order_baskets import Shelf
from tvers.demo.order_checkout import DemoCheckout, load_shelves
from tvers.demo.order_plan import STORE_CURRENCY, OrderPlan, PlannedOrder, Tender
from tvers.demo.order_tenders import GiftCard, Payment, Wallet, spend
from tvers.demo.stock import HISTORY_DAYS
from tvers.kernel.clock import FixedClock
from tvers.kernel.errors import TversError
from tvers.kernel.money import Money

GIFT_CARD_YEARS = 3


@dataclass(frozen=True)
class DemoOrders:
    planned: int
    statuses: dict[str, int]  # orders made, by their status as checkout left them
    channels: int  # channels with at least one order
    without_stock: int  # planned orders whose source had none of the wanted items
    refused: dict[str, int]  # checkouts refused before an order was made, by error code

    @property
    def placed(self) -> int:
        return sum(self.statuses.values())

    def describe(self) -> str:
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        return f"{self.placed} orders on {self.channels} channels (at checkout: {statuses})"


@dataclass
class _Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    channels: set[str] = field(default_factory=set)
    refused: Counter[str] = field(default_factory=Counter)
    without_stock: int = 0


class OrderHistory:
    """Places the planned orders in time order, as the stock history asks it to catch up (`run_until`), and lets the
    fulfilment history work on them in between."""

    def __init__(self, app: Tvers, *, clock: FixedClock, plan: OrderPlan, shoppers: Sequence[DemoShopper], seed: int,
                 log: Callable[[str], None], fulfilment: FulfilmentHistory | None = None) -> None:
        self._app, self._clock, self._plan, self._shoppers, self._log = app, clock, plan, shoppers, log
        self._fulfilment = fulfilment
        self._rng = random.Random(seed * 7919 + 11)
        self._queue: list[tuple[datetime, int, PlannedOrder, list[tuple[str, int]]]] = []
        for number, order in enumerate(plan.orders):
            heapq.heappush(self._queue, (order.at, number, order, []))
        self._count = len(plan.orders)
        self._end = plan.go_live + timedelta(days=HISTORY_DAYS)
        self._wallet = Wallet()
        self._shelves: dict[str, Shelf] = {}  # filled at go-live
        self._checkout = DemoCheckout(app, shoppers=shoppers, wallet=self._wallet, shelves=self._shelves, rng=self._rng)
        self._tally = _Tally()

    def open(self, data: DemoCatalog, popularity: dict[str, float]) -> None:
        """At go-live: gift cards sold and store credit given before it, and what each channel sells."""
        self._clock.set(self._plan.go_live)
        with self._app.uow() as uow:
            self._issue_wallets(uow)
            uow.commit()
        self._shelves.update(load_shelves(self._app, {order.channel.code for order in self._plan.orders}, data, popularity))

    def run_until(self, at: datetime) -> None:
        while self._queue and self._queue[0][0] < at:
            placed_at, number, order, lines = heapq.heappop(self._queue)
            if self._fulfilment is not None:
                self._fulfilment.run_until(placed_at)
            self._place(order, number=number, lines=lines)
        if self._fulfilment is not None:
            self._fulfilment.run_until(at)

    def finish(self) -> DemoOrders:
        self.run_until(self._end)
        tally = self._tally
        return DemoOrders(planned=len(self._plan.orders), statuses=dict(tally.statuses), channels=len(tally.channels),
                          without_stock=tally.without_stock, refused=dict(tally.refused))

    def _issue_wallets(self, uow: Uow) -> None:
        expires_on = (self._plan.go_live + timedelta(days=365 * GIFT_CARD_YEARS)).date()
        for currency, value in self._plan.wallets.gift_cards:
            issued = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal(value), currency=currency, expires_on=expires_on))
            self._wallet.gift_cards.setdefault(currency, []).append(GiftCard(issued.code, Money.of(value, currency)))
        for index, value in self._plan.wallets.store_credit:
            currency = STORE_CURRENCY[self._shoppers[index].country]
            customers.issue_store_credit(uow, self._shoppers[index].customer_id, StoreCreditIn(
                amount=Decimal(value), currency=currency, reason="goodwill for a late delivery", reference=f"demo-credit-{index}"))
            self._wallet.store_credit[index] = Money.of(value, currency)
        self._wallet.points = {i: s.points for i, s in enumerate(self._shoppers) if s.points}
        self._wallet.point_value = dict(customers.get_programme(uow).point_value_minor)

    def _place(self, order: PlannedOrder, *, number: int, lines: list[tuple[str, int]]) -> None:
        self._clock.set(order.at)
        try:
            placed = self._checkout.place(order, number=number, lines=lines)
        except TversError as error:  # a demo plan the shop cannot take: say so, and go on with the quarter
            if not self._tally.refused:
                self._log(f"orders: {order.key} on {order.channel.code} was refused: {error.code}: {error.message}")
            self._tally.refused[error.code] += 1
            return
        if placed is None:
            self._tally.without_stock += 1
            return
        self._record(order, lines=placed.lines, payment=placed.payment, status=placed.status)
        if self._fulfilment is not None and placed.status == "confirmed" and order.delivery != "carry_out":
            self._fulfilment.order_placed(placed.order_id, placed_at=order.at)

    def _record(self, order: PlannedOrder, *, lines: list[tuple[str, int]], payment: Payment, status: str) -> None:
        self._tally.statuses[str(status)] += 1
        self._tally.channels.add(order.channel.code)
        if status != "payment_failed":
            spend(self._wallet, payment)
        elif order.retry_after is not None and order.at + order.retry_after < self._end:  # the same basket, a card that works
            retry = replace(order, key=f"{order.key}-retry", at=order.at + order.retry_after, tender=Tender.CARD, retry_after=None)
            self._count += 1
            heapq.heappush(self._queue, (retry.at, self._count, retry, lines))
