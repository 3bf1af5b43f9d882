"""Opening hours (pure): when a location is next open, from its weekly hours in its own time zone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the keys of `opening_hours`, Monday first as `date.weekday()`
_DAY = timedelta(days=1)


def opens_at(
    opening_hours: Mapping[str, Sequence[str]], time_zone: str, now: datetime, *, horizon: timedelta = timedelta(days=2)
) -> datetime | None:
    """`now` when open now, else the next opening (UTC) at most `horizon` ahead, else None.

    `opening_hours` maps weekdays to local ranges "HH:MM-HH:MM"; a range that ends at or before its start runs past
    midnight. No hours at all means always open; a weekday that is missing is a closed day.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not opening_hours:
        return now
    zone = ZoneInfo(time_zone)
    instant = now.astimezone(UTC)  # compare in UTC: datetimes sharing one ZoneInfo compare by wall clock
    latest = instant + horizon
    today = instant.astimezone(zone).date()
    starts: list[datetime] = []
    for offset in range(-1, horizon // _DAY + 2):  # from yesterday: its range may run past midnight into today
        day = today + offset * _DAY
        for text in opening_hours.get(WEEKDAYS[day.weekday()], ()):
            start, end = _interval(day, text, zone)
            if start <= instant < end:
                return now
            if instant < start <= latest:
                starts.append(start)
    return min(starts, default=None)


def _interval(day: date, text: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """One range of one local day as UTC instants; wall-clock arithmetic first, so a DST change shifts the UTC times."""
    opening, closing = (_clock(part) for part in text.split("-"))
    midnight = datetime(day.year, day.month, day.day)
    end = midnight + closing + (_DAY if closing <= opening else timedelta())
    return _utc(midnight + opening, zone), _utc(end, zone)


def _clock(text: str) -> timedelta:
    hours, minutes = text.strip().split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))  # "24:00" is the next midnight


def _utc(wall: datetime, zone: ZoneInfo) -> datetime:
    # A wall time skipped by a DST change maps past the gap (zoneinfo's fold=0 uses the offset before the change).
    return wall.replace(tzinfo=zone).astimezone(UTC)
