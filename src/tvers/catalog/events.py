"""Events the catalog publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class ProductCreated(DomainEvent):
    type: ClassVar[str] = "product.created"
    product_id: str
    handle: str


@dataclass(frozen=True)
class ProductUpdated(DomainEvent):
    type: ClassVar[str] = "product.updated"
    product_id: str
    version: int


@dataclass(frozen=True)
class ProductArchived(DomainEvent):
    type: ClassVar[str] = "product.archived"
    product_id: str


@dataclass(frozen=True)
class VariantsChanged(DomainEvent):
    type: ClassVar[str] = "variants.changed"
    product_ids: tuple[str, ...]
    skus: tuple[str, ...]


@dataclass(frozen=True)
class PricesChanged(DomainEvent):
    type: ClassVar[str] = "prices.changed"
    price_book: str
    skus: tuple[str, ...]


@dataclass(frozen=True)
class ListingChanged(DomainEvent):
    type: ClassVar[str] = "listing.changed"
    channel_id: str
    product_ids: tuple[str, ...]
    is_published: bool


@dataclass(frozen=True)
class ReviewAdded(DomainEvent):
    type: ClassVar[str] = "review.added"
    review_id: str
    product_id: str
    rating: int
