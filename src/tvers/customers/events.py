"""Events the customers module publishes; payloads carry ids and types, never personal values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class CustomerCreated(DomainEvent):
    type: ClassVar[str] = "customer.created"
    customer_id: str
    channel: str | None


@dataclass(frozen=True)
class CustomerUpdated(DomainEvent):
    type: ClassVar[str] = "customer.updated"
    customer_id: str
    version: int


@dataclass(frozen=True)
class IdentityAdded(DomainEvent):
    type: ClassVar[str] = "customer.identity_added"
    customer_id: str
    identity_type: str
    channel: str | None


@dataclass(frozen=True)
class CustomerMerged(DomainEvent):
    """Later modules (orders) re-point `merged_id` to `survivor_id`, or resolve through the pointer."""

    type: ClassVar[str] = "customer.merged"
    survivor_id: str
    merged_id: str
    reason: str
    actor: str


@dataclass(frozen=True)
class ConsentChanged(DomainEvent):
    type: ClassVar[str] = "customer.consent_changed"
    customer_id: str
    purpose: str
    is_granted: bool
    channel: str | None


@dataclass(frozen=True)
class CustomerErased(DomainEvent):
    type: ClassVar[str] = "customer.erased"
    customer_id: str


@dataclass(frozen=True)
class PointsChanged(DomainEvent):
    type: ClassVar[str] = "loyalty.points_changed"
    customer_id: str
    kind: str
    points: int
    reference: str | None


@dataclass(frozen=True)
class GiftCardIssued(DomainEvent):
    type: ClassVar[str] = "gift_card.issued"
    gift_card_id: str
    currency: str
    amount_minor: int


@dataclass(frozen=True)
class GiftCardChanged(DomainEvent):
    type: ClassVar[str] = "gift_card.changed"
    gift_card_id: str
    kind: str
    amount_minor: int
    reference: str | None


@dataclass(frozen=True)
class StoreCreditChanged(DomainEvent):
    type: ClassVar[str] = "store_credit.changed"
    customer_id: str
    currency: str
    kind: str
    amount_minor: int
