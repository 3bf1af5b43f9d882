"""Published shapes of inventory: locations, pools, stock, reservations, transfers, availability."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from tvers.kernel.shapes import Code, Strict

Sku = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Quantity = Annotated[int, Field(ge=1, le=1_000_000, description="Units; at least 1.")]
HourRange = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")]
Weekday = Annotated[str, StringConstraints(pattern=r"^(mon|tue|wed|thu|fri|sat|sun)$")]


class LocationType(StrEnum):
    STORE = "store"
    WAREHOUSE = "warehouse"
    DARK_STORE = "dark_store"
    THIRD_PARTY = "3pl"
    POPUP = "popup"


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    SALE = "sale"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    RETURN_RESTOCK = "return_restock"
    DAMAGE = "damage"


class ReferenceType(StrEnum):
    CART = "cart"
    ORDER = "order"
    TRANSFER = "transfer"


class Address(Strict):
    lines: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(default_factory=list, max_length=4)
    postal_code: Annotated[str, StringConstraints(max_length=20)] = ""
    city: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Capabilities(Strict):
    ships: bool = True
    offers_pickup: bool = False
    offers_curbside: bool = False
    accepts_returns: bool = False


class LocationIn(Strict):
    code: Code = Field(description="The store code used in feeds and by staff.")
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    type: LocationType
    address: Address
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    time_zone: str = Field(examples=["Europe/Oslo"])
    opening_hours: dict[Weekday, list[HourRange]] = Field(default_factory=dict, examples=[{"mon": ["09:00-20:00"]}])
    capabilities: Capabilities = Field(default_factory=Capabilities)
    pickup_lead_minutes: Annotated[int, Field(ge=0, le=60 * 24 * 30)] = 60
    daily_capacity: Annotated[int, Field(ge=0, le=1_000_000)] = 100
    sourcing_priority: Annotated[int, Field(ge=0, le=1000)] = 0
    is_active: bool = True


class LocationPatch(Strict):
    version: int
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    address: Address | None = None
    opening_hours: dict[Weekday, list[HourRange]] | None = None
    capabilities: Capabilities | None = None
    pickup_lead_minutes: Annotated[int, Field(ge=0, le=60 * 24 * 30)] | None = None
    daily_capacity: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    sourcing_priority: Annotated[int, Field(ge=0, le=1000)] | None = None
    is_active: bool | None = None


class LocationOut(BaseModel):
    id: str
    code: str
    name: str
    type: LocationType
    address: Address
    country: str
    latitude: float
    longitude: float
    time_zone: str
    opening_hours: dict[str, list[str]]
    capabilities: Capabilities
    pickup_lead_minutes: int
    daily_capacity: int
    sourcing_priority: int
    is_active: bool
    version: int


class PoolLocationIn(Strict):
    location: Code
    ships_from: bool = True
    pickup: bool = False


class ChannelPoolIn(Strict):
    locations: list[PoolLocationIn] = Field(max_length=5000)
    held_back_percent: Annotated[int, Field(ge=0, le=100)] = 0
    held_back_units: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class PoolLocationOut(BaseModel):
    location: str
    ships_from: bool
    pickup: bool


class ChannelPoolOut(BaseModel):
    channel: str
    locations: list[PoolLocationOut]
    held_back_percent: int
    held_back_units: int


class StockLineIn(Strict):
    sku: Sku
    quantity: Quantity


class ReceiveIn(Strict):
    location: Code
    lines: list[StockLineIn] = Field(min_length=1, max_length=1000)
    reference: Annotated[str, StringConstraints(max_length=64)] | None = Field(default=None, description="e.g. a purchase order")


class AdjustIn(Strict):
    location: Code
    sku: Sku
    quantity: Annotated[int, Field(ge=-1_000_000, le=1_000_000, description="Signed change of on-hand; not 0.")]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CountIn(Strict):
    location: Code
    sku: Sku
    counted: Annotated[int, Field(ge=0, le=10_000_000)]
    counted_at: AwareDatetime | None = Field(default=None, description="When the shelf was counted; movements after it are kept.")


class WriteOffIn(Strict):
    location: Code
    lines: list[StockLineIn] = Field(min_length=1, max_length=1000)
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class StockSettingsIn(Strict):
    location: Code
    sku: Sku
    safety_stock: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    reorder_point: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    reorder_quantity: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


class ReserveLineIn(Strict):
    sku: Sku
    location: Code
    quantity: Quantity


class ReserveIn(Strict):
    lines: list[ReserveLineIn] = Field(min_length=1, max_length=500)
    reference_type: ReferenceType
    reference_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    expires_at: AwareDatetime
    channel: Code | None = None


class ReservationOut(BaseModel):
    id: str
    sku: str
    location: str
    quantity: int
    reference_type: str
    reference_id: str
    status: str
    expires_at: datetime


class ConsumeIn(Strict):
    quantity: Quantity | None = Field(default=None, description="Default: the whole reservation.")


class LocationStockOut(BaseModel):
    location: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    reorder_point: int
    reorder_quantity: int
    in_transit_in: int


class VariantStockOut(BaseModel):
    sku: str
    variant_id: str
    locations: list[LocationStockOut]


class ChannelAtpOut(BaseModel):
    sku: str
    variant_id: str
    channel: str
    available: int
    pickup_locations: list[str] = Field(description="Locations offering pickup on this channel that have at least one unit.")


class NearestOut(BaseModel):
    location: str
    name: str
    distance_km: float
    available: int
    offers_curbside: bool
    pickup_lead_minutes: int


class TransferIn(Strict):
    from_location: Code
    to_location: Code
    lines: list[StockLineIn] = Field(min_length=1, max_length=1000)
    reference: Annotated[str, StringConstraints(max_length=64)] | None = None


class TransferReceiveIn(Strict):
    lines: list[StockLineIn] = Field(min_length=1, max_length=1000)


class TransferLineOut(BaseModel):
    sku: str
    quantity: int
    shipped: int
    received: int
    in_transit: int


class TransferOut(BaseModel):
    id: str
    from_location: str
    to_location: str
    status: str
    reference: str | None
    lines: list[TransferLineOut]
    created_at: datetime
    shipped_at: datetime | None
    received_at: datetime | None


class SyncMode(StrEnum):
    ABSOLUTE = "absolute"
    DELTA = "delta"


class SyncRowIn(Strict):
    location: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    sku: Sku
    quantity: Annotated[int, Field(ge=-10_000_000, le=10_000_000)]


class SyncIn(Strict):
    batch_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    mode: SyncMode
    rows: list[SyncRowIn] = Field(min_length=1, max_length=10_000)


class SyncReport(BaseModel):
    batch_id: str
    mode: SyncMode
    applied: int
    unchanged: int
    unknown_skus: list[str]
    unknown_locations: list[str]
    replayed: bool = False


class MovementOut(BaseModel):
    id: int
    sku: str
    location: str
    kind: MovementKind
    quantity: int
    reason: str | None
    actor: str
    reference_type: str | None
    reference_id: str | None
    created_at: datetime


class SuggestionOut(BaseModel):
    location: str
    sku: str
    kind: str
    quantity: int
    from_location: str | None
    reason: str


class DoctorFinding(BaseModel):
    sku: str
    location: str
    field: str
    cached: int
    ledger: int


class DoctorReport(BaseModel):
    checked: int
    findings: list[DoctorFinding]

    @property
    def healthy(self) -> bool:
        return not self.findings


class StockAtOut(BaseModel):
    sku: str
    location: str
    on_hand: int
    reserved: int
    available: int


class CountOut(BaseModel):
    difference: int
    stock: StockAtOut


class ReorderPointsIn(Strict):
    days: Annotated[int, Field(ge=1, le=365)] = 28
    lead_time_days: Annotated[float, Field(gt=0, le=180)] = 3
    location: Code | None = None


class ReorderPointsOut(BaseModel):
    changed: int
