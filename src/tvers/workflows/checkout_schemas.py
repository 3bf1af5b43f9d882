"""What a channel sends to check out (a cart or a direct order) and what it gets back."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from tvers.catalog.schemas import Sku
from tvers.customers.schemas import IdentityIn
from tvers.kernel.shapes import Code, CountryCode, Strict
from tvers.orders.schemas import OrderOut
from tvers.payments.schemas import PaymentOut, TenderIn
from tvers.pricing.cart import MAX_LINE_QUANTITY

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class DeliveryMethod(StrEnum):
    SHIP = "ship"
    PICKUP = "pickup"
    CURBSIDE = "curbside"
    CARRY_OUT = "carry_out"


class ShippingAddressIn(Strict):
    name: Text
    lines: list[Text] = Field(min_length=1, max_length=4)
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    city: Text
    country: CountryCode
    latitude: float | None = Field(default=None, ge=-90, le=90, description="Where it goes, if known: sourcing prefers near locations.")
    longitude: float | None = Field(default=None, ge=-180, le=180)


class DeliveryIn(Strict):
    method: DeliveryMethod
    address: ShippingAddressIn | None = Field(default=None, description="Required to ship.")
    location: Code | None = Field(default=None, description="The pickup store, or the till's store for a carry-out sale.")

    @model_validator(mode="after")
    def _complete(self) -> DeliveryIn:
        if self.method is DeliveryMethod.SHIP and self.address is None:
            raise ValueError("shipping needs an address")
        if self.method is not DeliveryMethod.SHIP and self.location is None:
            raise ValueError(f"{self.method.value} needs a location")
        return self


class CustomerRefIn(Strict):
    """Who is buying: a known profile, or identities the resolver attaches the order to (made if new)."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    identities: list[IdentityIn] = Field(default_factory=list, max_length=10)


class ContactIn(Strict):
    name: Text | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(min_length=3, max_length=32)] | None = None


class OrderLineIn(Strict):
    sku: Sku
    quantity: int = Field(ge=1, le=MAX_LINE_QUANTITY)


class LineDeliveryIn(Strict):
    sku: Sku
    delivery: DeliveryIn


class CheckoutBase(Strict):
    channel: Code | None = Field(default=None, description="Defaults to the calling integration's channel.")
    customer: CustomerRefIn | None = None
    coupon_codes: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=5)
    delivery: DeliveryIn = Field(description="How the lines reach the customer, unless `line_deliveries` says otherwise for a line.")
    line_deliveries: list[LineDeliveryIn] = Field(
        default_factory=list, max_length=200,
        description="Lines delivered another way than `delivery`: one item carried out at the till and another shipped home, "
                    "or one shipped and one collected. One shipping address, one pickup store and one till per order.")
    tenders: list[TenderIn] = Field(min_length=1, max_length=6)
    contact: ContactIn = Field(default_factory=ContactIn)

    @model_validator(mode="after")
    def _one_place_per_way(self) -> CheckoutBase:
        skus = [d.sku for d in self.line_deliveries]
        if len(set(skus)) != len(skus):
            raise ValueError("line_deliveries: each SKU once")
        ways = [self.delivery, *(d.delivery for d in self.line_deliveries)]
        if len({d.address.model_dump_json() for d in ways if d.method is DeliveryMethod.SHIP and d.address}) > 1:
            raise ValueError("one shipping address per order")
        if len({d.location for d in ways if d.method in (DeliveryMethod.PICKUP, DeliveryMethod.CURBSIDE)}) > 1:
            raise ValueError("one pickup store per order")
        if len({d.location for d in ways if d.method is DeliveryMethod.CARRY_OUT}) > 1:
            raise ValueError("one till store per order")
        return self

    def delivery_of(self, sku: str) -> DeliveryIn:
        return next((d.delivery for d in self.line_deliveries if d.sku == sku), self.delivery)

    def carries_out(self) -> bool:
        return any(d.method is DeliveryMethod.CARRY_OUT for d in (self.delivery, *(d.delivery for d in self.line_deliveries)))


class CartCheckoutIn(CheckoutBase):
    """Check out a stored cart; the till may check out the cart a customer built in the app."""

    cart_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class DirectOrderIn(CheckoutBase):
    """An order without a cart: a POS carry-out sale, a call-centre order, a marketplace import (by its external id)."""

    lines: list[OrderLineIn] = Field(min_length=1, max_length=200)
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> DirectOrderIn:
        skus = [line.sku for line in self.lines]
        if len(set(skus)) != len(skus):
            raise ValueError("each SKU once: put the whole quantity on one line")
        return self


class CheckoutOut(BaseModel):
    outcome: str = Field(description="confirmed | payment_failed | requires_action | pending")
    order: OrderOut
    payments: list[PaymentOut]
    next_action: dict[str, Any] | None = Field(default=None, description="What the shopper must do (e.g. 3-D Secure) to finish.")
