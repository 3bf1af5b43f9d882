"""Published shapes of fulfilment: what the workflows hand in (plain dataclasses) and what clients send and read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from tvers.customers.schemas import IdentityIn
from tvers.kernel.shapes import Strict

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LineId = Annotated[str, StringConstraints(min_length=1, max_length=40)]


@dataclass(frozen=True, slots=True)
class NewTaskLine:
    order_line_id: str
    variant_id: str
    sku: str
    title: str
    quantity: int
    awaiting: int = 0  # of `quantity`, units that come to this (pickup) store by transfer


@dataclass(frozen=True, slots=True)
class NewTask:
    order_id: str
    order_number: str
    channel: str
    location_id: str
    location_code: str
    kind: str
    lines: tuple[NewTaskLine, ...]
    accept_by: datetime | None
    ready_by: datetime | None = None
    destination_location_id: str | None = None
    pickup_task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Units:
    """Units of an order line at a location: what a shipment, handover, rejection or cancellation moved."""

    order_line_id: str
    variant_id: str
    sku: str
    location_id: str
    quantity: int


class RejectReason(StrEnum):
    NOT_FOUND = "not_found"
    DAMAGED = "damaged"


# Inputs


class LineQuantityIn(Strict):
    line_id: LineId = Field(description="The order line.")
    quantity: int = Field(ge=1, le=100_000)


class PackageIn(Strict):
    weight_grams: int | None = Field(default=None, ge=1, le=1_000_000)
    tracking_number: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    reference: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None


class ShipIn(Strict):
    carrier: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    service: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    tracking_number: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    tracking_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = None
    packages: list[PackageIn] = Field(default_factory=list, max_length=50)
    lines: list[LineQuantityIn] | None = Field(
        default=None, max_length=200, description="What this shipment holds; omit to ship every open unit (partial: name lines).")


class RejectLineIn(LineQuantityIn):
    reason: RejectReason


class RejectIn(Strict):
    lines: list[RejectLineIn] = Field(min_length=1, max_length=200)
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class ArrivedIn(Strict):
    spot: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(description="Bay number or a car description.")


class HandOverIn(Strict):
    """Proof the person collecting is the customer: the pickup code, or an identity of theirs that staff checked."""

    code: Annotated[str, StringConstraints(min_length=1, max_length=12)] | None = None
    identity: IdentityIn | None = None

    @model_validator(mode="after")
    def _one_proof(self) -> HandOverIn:
        if (self.code is None) == (self.identity is None):
            raise ValueError("give the pickup code or the customer's identity (one of them)")
        return self


class NoteIn(Strict):
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


# Outputs


class TaskLineOut(BaseModel):
    order_line_id: str
    variant_id: str
    sku: str
    title: str
    quantity: int
    fulfilled: int
    rejected: int
    awaiting: int
    open: int = Field(description="Still to ship or hand over here.")


class TaskChangeOut(BaseModel):
    id: int
    from_status: str | None
    to_status: str
    actor: str
    note: str | None
    at: datetime


class TaskOut(BaseModel):
    id: str
    order_id: str
    order_number: str
    channel: str
    location_id: str
    location_code: str
    kind: str
    status: str
    destination_location_id: str | None
    pickup_task_id: str | None
    transfer_id: str | None
    arrival: dict[str, Any]
    accept_by: datetime | None
    ready_by: datetime | None
    ready_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    lines: list[TaskLineOut]
    history: list[TaskChangeOut] = Field(default_factory=list)


class PickListLineOut(BaseModel):
    sku: str
    title: str
    quantity: int
    tasks: list[str]


class ShipmentOut(BaseModel):
    id: str
    order_id: str
    task_id: str
    location_id: str
    carrier: str
    service: str | None
    tracking_number: str | None
    tracking_url: str | None
    packages: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    value_minor: int
    status: str
    shipped_at: datetime
    delivered_at: datetime | None


class DecisionOut(BaseModel):
    trigger: str
    explanation: str
    plan: dict[str, Any]
    decided_at: datetime


class AttentionOut(BaseModel):
    id: int
    order_line_id: str
    sku: str
    quantity: int
    reason: str
    status: str
    options: list[str]
    created_at: datetime
    resolved_at: datetime | None


class QueueChangeOut(BaseModel):
    """One line of a store's live queue: a task landed or moved."""

    cursor: int
    task_id: str
    order_number: str
    kind: str
    from_status: str | None
    to_status: str
    at: datetime
