"""The demo's order history: the planned orders placed through the real checkout, with a clock moved through the 90 days.

Each order is sent to `place_direct_order` as its channel would send it. Web, app, social, call-centre and marketplace
orders stay `confirmed` (fulfilment comes with a later issue); carry-out sales at the tills complete at once; declined
cards leave `payment_failed` orders, and most of those shoppers try again a few minutes later with another card.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tvers.bootstrap import Tvers
from tvers.channels import service as channels
from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardIssueIn, StoreCreditIn
from tvers.db.uow import Uow
from tvers.demo.catalog_data import DemoCatalog
from tvers.demo.customers import DemoShopper
from tvers.demo.order_baskets import Shelf, load_shelf, pick_lines
from tvers.demo.order_plan import STORE_CURRENCY, OrderPlan, PlannedOrder, Tender, Who
from tvers.demo.order_tenders import GiftCard, Payment, Wallet, payment_for, spend
from tvers.demo.stock import HISTORY_DAYS
from tvers.kernel.clock import FixedClock
from tvers.kernel.errors import TversError
from tvers.kernel.money import Money
from tvers.quoting import service as quoting
from tvers.quoting.quote_schemas import QuoteIn, QuoteLineIn, ShippingAddress, ShippingChoice
from tvers.workflows.checkout import Caller, place_direct_order
from tvers.workflows.checkout_schemas import DeliveryIn, DirectOrderIn

ACTOR = "demo"
GIFT_CARD_YEARS = 3
_HANDLE = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ö": "o", "ä": "a", "é": "e", " ": "."})


@dataclass(frozen=True)
class DemoOrders:
    planned: int
    statuses: dict[str, int]  # orders made, by status
    channels: int  # channels with at least one order
    without_stock: int  # planned orders whose source had none of the wanted items
    refused: dict[str, int]  # checkouts refused before an order was made, by error code

    @property
    def placed(self) -> int:
        return sum(self.statuses.values())

    def describe(self) -> str:
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        return f"{self.placed} orders on {self.channels} channels ({statuses})"


@dataclass
class _Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    channels: set[str] = field(default_factory=set)
    refused: Counter[str] = field(default_factory=Counter)
    without_stock: int = 0


class OrderHistory:
    """Places the planned orders in time order, as the stock history asks it to catch up (`run_until`)."""

    def __init__(self, app: Tvers, *, clock: FixedClock, plan: OrderPlan, shoppers: Sequence[DemoShopper], seed: int,
                 log: Callable[[str], None]) -> None:
        self._app, self._clock, self._plan, self._shoppers, self._log = app, clock, plan, shoppers, log
        self._rng = random.Random(seed * 7919 + 11)
        self._queue: list[tuple[datetime, int, PlannedOrder, list[tuple[str, int]]]] = []
        for number, order in enumerate(plan.orders):
            heapq.heappush(self._queue, (order.at, number, order, []))
        self._count = len(plan.orders)
        self._end = plan.go_live + timedelta(days=HISTORY_DAYS)
        self._wallet = Wallet()
        self._shelves: dict[str, Shelf] = {}
        self._tally = _Tally()

    def open(self, data: DemoCatalog, popularity: dict[str, float]) -> None:
        """At go-live: gift cards sold and store credit given before it, and what each channel sells."""
        self._clock.set(self._plan.go_live)
        with self._app.uow() as uow:
            self._issue_wallets(uow)
            uow.commit()
        with self._app.uow(read_only=True) as uow:
            for code in sorted({order.channel.code for order in self._plan.orders}):
                self._shelves[code] = load_shelf(uow, channels.channel_ref(uow, code), data, popularity)

    def run_until(self, at: datetime) -> None:
        while self._queue and self._queue[0][0] < at:
            _at, number, order, lines = heapq.heappop(self._queue)
            self._place(order, number=number, lines=lines)

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
            with self._app.uow(read_only=True) as uow:
                lines = lines or pick_lines(uow, self._rng, order, self._shelves[order.channel.code])
                if not lines:
                    self._tally.without_stock += 1
                    return
                delivery = self._delivery(order)
                total = quoting.quote(uow, self._quote_in(order, lines, delivery)).grand_total
            payment = payment_for(order, total, wallet=self._wallet, number=number)
            placed = place_direct_order(self._app, self._order_in(order, lines, delivery, payment),
                                        caller=Caller(actor=ACTOR, checkout_key=order.key))
        except TversError as error:  # a demo plan the shop cannot take: say so, and go on with the quarter
            if not self._tally.refused:
                self._log(f"orders: {order.key} on {order.channel.code} was refused: {error.code}: {error.message}")
            self._tally.refused[error.code] += 1
            return
        self._record(order, lines=lines, payment=payment, status=placed.order.status)

    def _record(self, order: PlannedOrder, *, lines: list[tuple[str, int]], payment: Payment, status: str) -> None:
        self._tally.statuses[str(status)] += 1
        self._tally.channels.add(order.channel.code)
        if status != "payment_failed":
            spend(self._wallet, payment)
        elif order.retry_after is not None and order.at + order.retry_after < self._end:  # the same basket, a card that works
            retry = replace(order, key=f"{order.key}-retry", at=order.at + order.retry_after, tender=Tender.CARD, retry_after=None)
            self._count += 1
            heapq.heappush(self._queue, (retry.at, self._count, retry, lines))

    def _quote_in(self, order: PlannedOrder, lines: list[tuple[str, int]], delivery: DeliveryIn) -> QuoteIn:
        """What the checkout will quote, to know the total the tenders must add up to."""
        address = ShippingAddress.model_validate(delivery.address.model_dump(exclude={"latitude", "longitude"})) if delivery.address else None
        return QuoteIn(channel=order.channel.code, lines=[QuoteLineIn(sku=sku, quantity=q) for sku, q in lines],
                       customer_id=self._shopper(order).customer_id if order.shopper is not None else None,
                       coupon_codes=[order.coupon] if order.coupon else [],
                       shipping=ShippingChoice(method=delivery.method.value, address=address, location=delivery.location))

    def _order_in(self, order: PlannedOrder, lines: list[tuple[str, int]], delivery: DeliveryIn, payment: Payment) -> DirectOrderIn:
        return DirectOrderIn.model_validate({
            "channel": order.channel.code, "lines": [{"sku": sku, "quantity": q} for sku, q in lines], "delivery": delivery,
            "tenders": payment.tenders, "customer": self._customer(order), "contact": self._contact(order),
            "coupon_codes": [order.coupon] if order.coupon else [],
            "external_id": order.key if order.tender is Tender.MARKETPLACE else None,
        })

    def _delivery(self, order: PlannedOrder) -> DeliveryIn:
        if order.delivery != "ship":
            return DeliveryIn.model_validate({"method": order.delivery, "location": order.location})
        name, (street, postal_code, city) = self._addressee(order)
        return DeliveryIn.model_validate({"method": "ship", "address": {
            "name": name, "lines": [street], "postal_code": postal_code, "city": city, "country": order.channel.country}})

    def _addressee(self, order: PlannedOrder) -> tuple[str, tuple[str, str, str]]:
        if order.guest is not None:
            return order.guest.name, order.guest.address
        shopper = self._shopper(order)
        assert shopper.address is not None  # the plan ships only to customers with an address
        return f"{shopper.given_name} {shopper.family_name}", shopper.address

    def _customer(self, order: PlannedOrder) -> dict[str, Any] | None:
        if order.shopper is None:
            return None
        shopper = self._shopper(order)
        email = {"type": "email", "value": shopper.email, "is_verified": True}
        if order.who is Who.LOYALTY_CARD:
            return {"identities": [{"type": "loyalty_card", "value": shopper.loyalty_card}]}
        if order.who is Who.SOCIAL_HANDLE:
            handle = f"{shopper.given_name}.{shopper.family_name}{order.shopper}".lower().translate(_HANDLE)
            return {"identities": [{"type": "social_handle", "value": f"instagram:{handle}"}, email]}
        if order.who is Who.MARKETPLACE_BUYER:
            return {"identities": [{"type": "marketplace_buyer_id", "value": f"B{order.shopper:07d}"}, email]}
        return {"id": shopper.customer_id}

    def _contact(self, order: PlannedOrder) -> dict[str, str]:
        if order.guest is not None:
            return {"name": order.guest.name, "email": order.guest.email}
        if order.shopper is None:
            return {}
        shopper = self._shopper(order)
        return {"name": f"{shopper.given_name} {shopper.family_name}", "email": shopper.email}

    def _shopper(self, order: PlannedOrder) -> DemoShopper:
        assert order.shopper is not None
        return self._shoppers[order.shopper]
