"""Events the channels module publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tvers.kernel.events import DomainEvent


@dataclass(frozen=True)
class ChannelCreated(DomainEvent):
    type: ClassVar[str] = "channel.created"
    channel_id: str
    code: str
    channel_type: str = ""


@dataclass(frozen=True)
class ChannelUpdated(DomainEvent):
    type: ClassVar[str] = "channel.updated"
    channel_id: str
    code: str
