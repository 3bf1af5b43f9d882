"""Domain events: what modules record on the unit of work and subscribers receive."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class DomainEvent:
    """Base of every event; subclasses set `type` to the wire name (`product.created`)."""

    type: ClassVar[str] = "event"

    def payload(self) -> dict[str, Any]:
        return {f.name: to_json(getattr(self, f.name)) for f in dataclasses.fields(self)}


def to_json(value: Any) -> Any:
    """Plain JSON for event payloads: money as minor units, instants as ISO 8601."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass(frozen=True)
class PublishedEvent:
    """An event as it left the outbox: what subscribers, webhooks and streams receive."""

    event_id: str
    type: str
    position: int
    occurred_at: datetime
    payload: dict[str, Any]


class SubscriberContext(Protocol):
    """What a subscriber gets: the open transaction of its delivery."""

    session: Session

    def record(self, event: DomainEvent) -> None: ...


@dataclass(frozen=True)
class Subscriber:
    """An in-process consumer of committed events, registered by a module at bootstrap.

    The handler runs in the same transaction that marks the event handled, so its
    database effects happen exactly once even though delivery is at least once.
    """

    name: str
    event_types: frozenset[str]
    handle: Callable[[SubscriberContext, PublishedEvent], None]
    # If given, the relay hands over up to a page of wanted events at once, in order, in one transaction (all of
    # them handled, or none): for subscribers whose work for many events costs little more than for one.
    handle_batch: Callable[[SubscriberContext, Sequence[PublishedEvent]], None] | None = None

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types
