"""Relay bookkeeping: each subscriber's cursor and the events it has handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tvers.db.base import Base, UtcDateTime


class RelayCursor(Base):
    __tablename__ = "relay_cursors"

    subscriber: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HandledEvent(Base):
    __tablename__ = "handled_events"

    subscriber: Mapped[str] = mapped_column(String(80), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime)
