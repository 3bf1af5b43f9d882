"""Events the carts module publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class CartChanged(DomainEvent):
    type: ClassVar[str] = "cart.changed"
    cart_id: str
    customer_id: str | None
    channel: str


@dataclass(frozen=True)
class CartsMerged(DomainEvent):
    type: ClassVar[str] = "cart.merged"
    survivor_cart_id: str
    merged_cart_id: str
    customer_id: str
