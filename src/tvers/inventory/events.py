"""Events the inventory module publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class LocationCreated(DomainEvent):
    type: ClassVar[str] = "location.created"
    location_id: str
    code: str


@dataclass(frozen=True)
class LocationUpdated(DomainEvent):
    type: ClassVar[str] = "location.updated"
    location_id: str
    code: str


@dataclass(frozen=True)
class StockMoved(DomainEvent):
    """On-hand stock changed: one event per command, listing its movements."""

    type: ClassVar[str] = "stock.moved"
    kind: str
    location_code: str
    lines: tuple[tuple[str, int], ...]  # (sku, signed quantity)
    reference_type: str | None
    reference_id: str | None


@dataclass(frozen=True)
class StockSettingsChanged(DomainEvent):
    """Safety stock or reorder settings of one SKU at one location changed (only the given ones are set)."""

    type: ClassVar[str] = "stock.settings_changed"
    location_code: str
    sku: str
    safety_stock: int | None = None
    reorder_point: int | None = None
    reorder_quantity: int | None = None


@dataclass(frozen=True)
class StockReserved(DomainEvent):
    type: ClassVar[str] = "stock.reserved"
    reference_type: str
    reference_id: str
    reservation_ids: tuple[str, ...]


@dataclass(frozen=True)
class ReservationsReleased(DomainEvent):
    type: ClassVar[str] = "stock.released"
    reservation_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ReservationConsumed(DomainEvent):
    type: ClassVar[str] = "stock.consumed"
    reservation_id: str
    quantity: int


@dataclass(frozen=True)
class ChannelAtpChange:
    channel_code: str
    before: int
    after: int


@dataclass(frozen=True)
class AvailabilityChanged(DomainEvent):
    """A variant's available-to-promise changed on one or more channels."""

    type: ClassVar[str] = "availability.changed"
    variant_id: str
    sku: str
    channels: tuple[ChannelAtpChange, ...]


@dataclass(frozen=True)
class TransferChanged(DomainEvent):
    type: ClassVar[str] = "transfer.changed"
    transfer_id: str
    status: str
