"""Published shapes of notifications: their kinds and states, what a sender gets, what the API shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class Kind(StrEnum):
    READY_FOR_PICKUP = "ready_for_pickup"
    SHIPPED = "shipped"
    DELAYED = "delayed"
    NEW_PICKUP_ORDER = "new_pickup_order"
    CUSTOMER_ARRIVED = "customer_arrived"


class Audience(StrEnum):
    CUSTOMER = "customer"
    STORE = "store"


class Medium(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Status(StrEnum):
    QUEUED = "queued"  # waiting for the sender job (again, after a failed attempt)
    SENDING = "sending"  # claimed by a sender job; sent again if that job dies before it records the outcome
    SENT = "sent"
    SKIPPED = "skipped"  # decided not to send; `reason` says why
    FAILED = "failed"  # gave up after the last attempt, or on a permanent refusal; `reason` says why


@dataclass(frozen=True, slots=True)
class OutgoingNotification:
    """One message as a sender gets it; the id is stable across attempts, so receivers can drop a repeat."""

    id: str
    kind: Kind
    audience: Audience
    medium: Medium
    recipient: str
    subject: str
    body: str
    order_id: str


class NotificationOut(BaseModel):
    id: str
    event_id: str
    kind: Kind
    audience: Audience
    order_id: str
    customer_id: str | None
    location_id: str | None
    recipient: str
    medium: Medium
    subject: str
    body: str
    status: Status
    reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
