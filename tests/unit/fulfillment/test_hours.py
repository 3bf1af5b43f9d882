"""When a location is next open, from weekly hours in its own time zone (Europe/Oslo: UTC+1 in winter, +2 in summer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tvers.fulfillment.hours import opens_at

OSLO = "Europe/Oslo"
WEEKDAYS_9_TO_20 = {day: ["09:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
STORE_HOURS = {day: ["10:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": ["10:00-18:00"]}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(("hours", "now", "expected"), [
    pytest.param(WEEKDAYS_9_TO_20, utc(2026, 11, 23, 11, 0), utc(2026, 11, 23, 11, 0), id="open-now"),
    pytest.param(WEEKDAYS_9_TO_20, utc(2026, 11, 23, 8, 0), utc(2026, 11, 23, 8, 0), id="opening-minute-counts-as-open"),
    pytest.param(WEEKDAYS_9_TO_20, utc(2026, 11, 23, 6, 0), utc(2026, 11, 23, 8, 0), id="before-opening-today"),
    pytest.param(WEEKDAYS_9_TO_20, utc(2026, 11, 23, 19, 0), utc(2026, 11, 24, 8, 0), id="closing-minute-is-closed-next-day"),
    pytest.param(WEEKDAYS_9_TO_20, utc(2026, 11, 23, 20, 30), utc(2026, 11, 24, 8, 0), id="after-closing-next-day"),
    pytest.param(STORE_HOURS, utc(2026, 11, 28, 18, 0), utc(2026, 11, 30, 9, 0), id="closed-sunday-skipped"),
    pytest.param({"mon": ["08:00-12:00", "13:00-17:00"]}, utc(2026, 11, 23, 11, 30), utc(2026, 11, 23, 12, 0), id="lunch-break"),
    pytest.param({}, utc(2026, 11, 29, 3, 0), utc(2026, 11, 29, 3, 0), id="no-hours-always-open"),
    pytest.param({"sat": ["22:00-02:00"]}, utc(2026, 11, 29, 0, 30), utc(2026, 11, 29, 0, 30), id="past-midnight-range-open"),
    pytest.param({"mon": ["00:00-24:00"]}, utc(2026, 11, 23, 22, 59), utc(2026, 11, 23, 22, 59), id="until-24-00"),
    pytest.param({"sun": ["10:00-18:00"]}, utc(2026, 3, 28, 20, 0), utc(2026, 3, 29, 8, 0), id="dst-starts-opening-at-plus-2"),
    pytest.param({"sun": ["10:00-18:00"]}, utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 9, 0), id="dst-ends-opening-at-plus-1"),
    pytest.param({"sun": ["02:30-05:00"]}, utc(2026, 3, 28, 20, 0), utc(2026, 3, 29, 1, 30), id="opening-in-the-skipped-hour"),
    pytest.param({"mon": ["09:00-17:00"]}, utc(2026, 11, 24, 12, 0), None, id="next-opening-beyond-horizon"),
    pytest.param({"mon": [], "tue": []}, utc(2026, 11, 23, 12, 0), None, id="days-without-ranges-closed"),
])
def test_opens_at(hours: dict[str, list[str]], now: datetime, expected: datetime | None) -> None:
    assert opens_at(hours, OSLO, now) == expected


def test_horizon_is_configurable() -> None:
    saturday_evening = utc(2026, 11, 28, 18, 0)  # next opening Monday 10:00 local, 39 hours away

    assert opens_at(STORE_HOURS, OSLO, saturday_evening, horizon=timedelta(days=1)) is None
    assert opens_at(STORE_HOURS, OSLO, saturday_evening, horizon=timedelta(hours=39)) == utc(2026, 11, 30, 9, 0)


def test_answers_in_utc_and_accepts_any_aware_now() -> None:
    local_morning = datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo(OSLO))

    opening = opens_at(WEEKDAYS_9_TO_20, OSLO, local_morning)

    assert opening == utc(2026, 11, 23, 8, 0) and opening is not None and opening.tzinfo is UTC


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        opens_at(WEEKDAYS_9_TO_20, OSLO, datetime(2026, 11, 23, 12, 0))
