"""A week of office hours: working periods in local wall-clock time per weekday.

The stored JSON form (see `service.directory.reference`) maps a weekday key ("mon".."sun") to a
list of `["HH:MM", "HH:MM"]` working periods. Gaps between the periods of a day are breaks; a day
without periods is a day off (the government weekend). Times are local to whoever works them; this
module knows nothing about zones or dates beyond picking the weekday of a local date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import NamedTuple

from service.directory.reference import WEEKDAYS, OfficeHoursJSON

MINUTES_PER_DAY = 24 * 60
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HH_MM = re.compile(r"(\d{2}):(\d{2})")


def weekday_name(day: date) -> str:
    return _WEEKDAY_NAMES[day.weekday()]


def format_minute(minute: int) -> str:
    """Minutes since local midnight as "HH:MM" (1440 is written "24:00", the end of the day)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _parse_minute(text: object, day_name: str) -> int:
    match = _HH_MM.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"Office hours for {day_name}: {text!r} is not a time of day in HH:MM form "
            "(for example 08:30)."
        )
    hours, minutes = int(match[1]), int(match[2])
    minute = hours * 60 + minutes
    if minutes > 59 or minute > MINUTES_PER_DAY:
        raise ValueError(
            f"Office hours for {day_name}: {text!r} is not a time of day "
            "(hours run 00-23, minutes 00-59; 24:00 may end the last period)."
        )
    return minute


class WorkPeriod(NamedTuple):
    """A stretch of work within one local day, in minutes since local midnight (end exclusive).

    A tuple so that comparing two weeks (a cache lookup per participant and day) runs in C.
    """

    start: int
    end: int

    def __str__(self) -> str:
        return f"{format_minute(self.start)}-{format_minute(self.end)}"


@dataclass(frozen=True)
class WeeklyHours:
    """Working periods per weekday, Monday first (the index of `date.weekday()`)."""

    days: tuple[tuple[WorkPeriod, ...], ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.days) != len(WEEKDAYS):
            raise ValueError(f"A week has {len(WEEKDAYS)} days, not {len(self.days)}.")
        for day_name, periods in zip(_WEEKDAY_NAMES, self.days, strict=True):
            _check_periods(day_name, periods)
        # Hashed once: office hours key the per-day caches, looked up for every participant-day.
        object.__setattr__(self, "_hash", hash(self.days))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def from_json(cls, week: Mapping[str, Sequence[Sequence[str]]]) -> WeeklyHours:
        """Parse the stored form; a weekday left out is a day off."""
        if not isinstance(week, Mapping):
            raise ValueError("Office hours must map weekday keys (mon..sun) to lists of periods.")
        unknown = sorted(set(week) - set(WEEKDAYS))
        if unknown:
            raise ValueError(
                f"Office hours name unknown weekday key(s) {', '.join(map(repr, unknown))}; "
                f"use {', '.join(WEEKDAYS)}."
            )
        days = []
        for key, day_name in zip(WEEKDAYS, _WEEKDAY_NAMES, strict=True):
            periods = week.get(key, [])
            if isinstance(periods, str) or not isinstance(periods, Sequence):
                raise ValueError(
                    f"Office hours for {day_name} must be a list of [start, end] periods."
                )
            days.append(tuple(_parse_period(period, day_name) for period in periods))
        return cls(tuple(days))

    def to_json(self) -> OfficeHoursJSON:
        return {
            key: [[format_minute(p.start), format_minute(p.end)] for p in periods]
            for key, periods in zip(WEEKDAYS, self.days, strict=True)
        }

    def periods_on(self, day: date) -> tuple[WorkPeriod, ...]:
        """The working periods of a local date (empty on a day off)."""
        return self.days[day.weekday()]

    def breaks_on(self, day: date) -> tuple[WorkPeriod, ...]:
        """The gaps between the working periods of a local date."""
        periods = self.periods_on(day)
        return tuple(
            WorkPeriod(before.end, after.start)
            for before, after in pairwise(periods)
            if after.start > before.end
        )

    def is_working_day(self, day: date) -> bool:
        return bool(self.periods_on(day))


def _parse_period(period: object, day_name: str) -> WorkPeriod:
    if isinstance(period, str) or not isinstance(period, Sequence) or len(period) != 2:
        raise ValueError(
            f"Office hours for {day_name}: each period must be a pair [start, end] such as "
            f'["08:30", "12:00"], not {period!r}.'
        )
    return WorkPeriod(_parse_minute(period[0], day_name), _parse_minute(period[1], day_name))


def _check_periods(day_name: str, periods: tuple[WorkPeriod, ...]) -> None:
    for period in periods:
        if period.end <= period.start:
            raise ValueError(
                f"Office hours for {day_name}: the period {period} ends before it starts."
            )
        if period.start >= MINUTES_PER_DAY:
            raise ValueError(f"Office hours for {day_name}: a period cannot start at 24:00.")
    for before, after in pairwise(periods):
        if after.start < before.end:
            problem = "overlap" if after.start >= before.start else "are not in time order"
            raise ValueError(
                f"Office hours for {day_name}: the periods {before} and {after} {problem}; "
                "list each day's periods from morning to evening without overlap."
            )
