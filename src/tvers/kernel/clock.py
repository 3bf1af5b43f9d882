"""Time as a dependency: every "now" in Tvers comes from a Clock, always aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FixedClock", "SystemClock", "ensure_utc"]


def ensure_utc(dt: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused because their zone is a guess."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("Datetime must be timezone-aware")
    return dt.astimezone(UTC)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware and in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def advance(self, **timedelta_kwargs: float) -> datetime:
        """Move forward by `timedelta(**timedelta_kwargs)` and return the new instant."""
        self._at += timedelta(**timedelta_kwargs)
        return self._at

    def set(self, at: datetime) -> None:
        self._at = ensure_utc(at)
