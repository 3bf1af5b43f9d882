"""One planned demo order through the real checkout: its basket from what its source has now, its tenders, the call itself.

Shared by the order history (a clock moved through the quarter) and the traffic simulator (the system clock).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tvers.bootstrap import Tvers
from tvers.channels import service as channels
from tvers.demo.catalog_data import DemoCatalog
from tvers.demo.customers import DemoShopper
from tvers.demo.order_baskets import Shelf, load_shelf, pick_lines
from tvers.demo.order_plan import PlannedOrder, Tender, Who
from tvers.demo.order_tenders import Payment, Wallet, payment_for
from tvers.quoting import service as quoting
from tvers.quoting.quote_schemas import QuoteIn, QuoteLineIn, ShippingAddress, ShippingChoice
from tvers.workflows.checkout import Caller, place_direct_order
from tvers.workflows.checkout_schemas import DeliveryIn, DirectOrderIn

ACTOR = "demo"
_HANDLE = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ö": "o", "ä": "a", "é": "e", " ": "."})


@dataclass(frozen=True)
class Placed:
    order_id: str
    number: str
    status: str
    lines: list[tuple[str, int]]
    payment: Payment


def load_shelves(app: Tvers, codes: Iterable[str], data: DemoCatalog, popularity: dict[str, float]) -> dict[str, Shelf]:
    """What each channel sells, weighted by popularity."""
    with app.uow(read_only=True) as uow:
        return {code: load_shelf(uow, channels.channel_ref(uow, code), data, popularity) for code in sorted(set(codes))}


class DemoCheckout:
    """Sends planned orders to `place_direct_order` as their channel would; raises the checkout's TversError when refused."""

    def __init__(self, app: Tvers, *, shoppers: Sequence[DemoShopper], wallet: Wallet, shelves: dict[str, Shelf],
                 rng: random.Random) -> None:
        self._app, self._shoppers, self._wallet, self._shelves, self._rng = app, shoppers, wallet, shelves, rng

    def place(self, order: PlannedOrder, *, number: int, lines: list[tuple[str, int]]) -> Placed | None:
        """The order placed at the app's clock; None when its source had none of what it wanted."""
        with self._app.uow(read_only=True) as uow:
            lines = lines or pick_lines(uow, self._rng, order, self._shelves[order.channel.code])
            if not lines:
                return None
            delivery = self._delivery(order)
            total = quoting.quote(uow, self._quote_in(order, lines, delivery)).grand_total
        payment = payment_for(order, total, wallet=self._wallet, number=number)
        placed = place_direct_order(self._app, self._order_in(order, lines, delivery, payment),
                                    caller=Caller(actor=ACTOR, checkout_key=order.key))
        return Placed(order_id=placed.order.id, number=placed.order.number, status=str(placed.order.status), lines=lines, payment=payment)

    def _quote_in(self, order: PlannedOrder, lines: list[tuple[str, int]], delivery: DeliveryIn) -> QuoteIn:
        """What the checkout will quote, to know the total the tenders must add up to."""
        address = None
        if delivery.address is not None:  # the quote takes no coordinates
            address = ShippingAddress.model_validate(delivery.address.model_dump(exclude={"latitude", "longitude"}))
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
