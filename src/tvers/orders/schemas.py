"""Published shapes of orders: what the checkout hands in (plain dataclasses) and what clients read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tvers.catalog.schemas import MoneyOut
from tvers.orders.lifecycle import OrderStatus


@dataclass(frozen=True, slots=True)
class NewOrderLine:
    """A priced, sourced line; amounts are minor units of the order's currency."""

    variant_id: str
    product_id: str
    sku: str
    title: str
    category: str | None
    tax_class: str
    quantity: int
    unit_price_minor: int
    amount_minor: int
    discount_minor: int
    net_minor: int
    vat_minor: int
    vat_rate: str
    total_minor: int
    discounts: list[dict[str, Any]]
    location_id: str | None
    delivery_method: str


@dataclass(frozen=True, slots=True)
class OrderTotals:
    subtotal_minor: int
    discount_minor: int
    shipping_minor: int
    net_minor: int
    vat_minor: int
    total_minor: int


@dataclass(frozen=True, slots=True)
class NewOrder:
    """Everything the checkout decided, handed to `create_order` in step 1."""

    channel: str
    channel_type: str
    source: str  # cart | direct | marketplace
    currency: str
    prices_include_vat: bool
    tax_country: str
    delivery_method: str
    totals: OrderTotals
    lines: tuple[NewOrderLine, ...]
    placed_by: str
    checkout_deadline_at: datetime
    customer_id: str | None = None
    cart_id: str | None = None
    external_id: str | None = None
    checkout_key: str | None = None
    pickup_location_id: str | None = None
    location_id: str | None = None
    shipping: dict[str, Any] = field(default_factory=dict)
    pricing: dict[str, Any] = field(default_factory=dict)
    sourcing: dict[str, Any] = field(default_factory=dict)
    coupon_codes: tuple[str, ...] = ()
    contact: dict[str, Any] = field(default_factory=dict)


class LineDiscountOut(BaseModel):
    promotion_id: str
    name: str
    amount: MoneyOut
    coupon: str | None = None


class OrderLineOut(BaseModel):
    id: str
    line_no: int
    sku: str
    title: str
    variant_id: str
    product_id: str
    quantity: int
    cancelled_quantity: int
    fulfilled_quantity: int
    open_quantity: int = Field(description="Neither cancelled nor fulfilled: what can still be cancelled or edited.")
    unit_price: MoneyOut
    amount: MoneyOut
    discount: MoneyOut
    discounts: list[dict[str, Any]]
    net: MoneyOut
    vat: MoneyOut
    vat_rate: str
    total: MoneyOut
    location_id: str | None
    delivery_method: str


class StatusChangeOut(BaseModel):
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    at: datetime


class OrderSummaryOut(BaseModel):
    id: str
    number: str
    channel: str
    status: OrderStatus
    customer_id: str | None
    total: MoneyOut
    delivery_method: str
    placed_at: datetime


class OrderOut(OrderSummaryOut):
    source: str
    currency: str
    prices_include_vat: bool
    tax_country: str
    cart_id: str | None
    external_id: str | None
    location_id: str | None
    pickup_location_id: str | None
    subtotal: MoneyOut
    discount_total: MoneyOut
    shipping_total: MoneyOut
    net_total: MoneyOut
    vat_total: MoneyOut
    shipping: dict[str, Any]
    pricing: dict[str, Any] = Field(description="Promotions applied and not applied with their reasons; the VAT summary.")
    coupon_codes: list[str]
    sourcing: dict[str, Any] = Field(default_factory=dict, description="Where checkout reserved each line, and why.")
    contact: dict[str, Any]
    version: int
    lines: list[OrderLineOut]
    history: list[StatusChangeOut]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderFilter:
    channel: str | None = None
    status: OrderStatus | None = None
    customer_id: str | None = None
    location_id: str | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class LineCancellation:
    line_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class CancelledLine:
    line_id: str
    variant_id: str
    location_id: str | None
    quantity: int
    total_minor: int  # the part of the line total cancelled (what the customer no longer pays)


@dataclass(frozen=True, slots=True)
class CancellationResult:
    order_id: str
    lines: tuple[CancelledLine, ...]
    is_whole_order: bool
    currency: str

    @property
    def total_minor(self) -> int:
        return sum(line.total_minor for line in self.lines)
