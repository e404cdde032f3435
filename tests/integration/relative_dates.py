"""Dates for tests, relative to the clock: never a fixed calendar date that will one day be past."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytz

MONDAY, TUESDAY, WEDNESDAY, THURSDAY = range(4)


def weekday_ahead(weekday: int, days: int = 14, now: datetime | None = None) -> date:
    """The first `weekday` (0 = Monday) at least `days` days after `now` (default: now, UTC)."""
    day = (now or datetime.now(UTC)).date() + timedelta(days=days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def local_start(day: date, hour: int, zone: str, minute: int = 0) -> datetime:
    """`day` at `hour`:`minute` wall-clock time in `zone`, as an aware datetime."""
    tz = pytz.timezone(zone)
    return tz.localize(datetime(day.year, day.month, day.day, hour, minute))  # noqa: DTZ001 - wall clock


def next_offset_change(zone: str, after: datetime) -> date:
    """The first local day after `after` on which `zone`'s UTC offset differs from the day before
    (for a zone with DST, the day its clocks change)."""
    tz = pytz.timezone(zone)
    day = after.astimezone(tz).date()
    for _ in range(400):
        following = day + timedelta(days=1)
        if local_start(following, 12, zone).utcoffset() != local_start(day, 12, zone).utcoffset():
            return following
        day = following
    raise ValueError(f"{zone} does not change its offset within 400 days")
