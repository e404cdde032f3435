"""A country's calendar as the secretariat knows it: announced exceptions over the package's rules.

The `holidays` package computes holidays by rule and only estimates lunar and Islamic dates, while
governments announce their real calendars late: they add days off by decision, call off or move
others, make a Saturday a working day to bridge a long weekend, publish the whole year's list each
December, and shorten the working day during Ramadan. Staff record these (`service.calendars`);
this module holds them as one plain value per country (or subdivision), `OfficialCalendar`, which
the pure planner receives with each participant. No database, no clock.

Precedence on a date, most specific first: a "not a day off after all" entry or a make-up working
day; a recorded or listed day off; for a year an official list confirmed, nothing else (the list
replaces the package); otherwise the package. Office hours: a dated hours period (Ramadan hours)
replaces the weekly hours on its dates, and a make-up working day works the hours of a usual
working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from service.directory.office_hours import WeeklyHours, WorkPeriod
from service.scheduling import holidays_calendar
from service.scheduling.holidays_calendar import Holiday


@dataclass(frozen=True, slots=True)
class DatedHours:
    """Office hours that replace the weekly ones from `first` to `last` (both included)."""

    first: date
    last: date
    hours: WeeklyHours
    name: str  # e.g. "Ramadan working hours"


@dataclass(frozen=True)
class OfficialCalendar:
    """Announced exceptions for one country (or subdivision), as the planner applies them.

    Compared and hashed by value with the hash computed once: the planner's per-day cache is
    keyed by it, and a fresh copy is built from the database for every request.
    """

    days_off: Mapping[date, str] = field(default_factory=dict)  # date -> name: decided or listed
    not_off: frozenset[date] = frozenset()  # package holidays that are worked after all
    working_days: Mapping[date, str] = field(default_factory=dict)  # make-up days, e.g. a Saturday
    hours: tuple[DatedHours, ...] = ()
    confirmed_years: frozenset[int] = frozenset()  # years an official list was imported for
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "_hash",
            hash(
                (
                    frozenset(self.days_off.items()),
                    self.not_off,
                    frozenset(self.working_days.items()),
                    self.hours,
                    self.confirmed_years,
                )
            ),
        )

    def __hash__(self) -> int:
        return self._hash

    def worked(self, day: date) -> bool:
        """Whether the date was declared a working day: not off after all, or a make-up day."""
        return day in self.not_off or day in self.working_days

    def confirms(self, year: int) -> bool:
        """Whether an official list settled the year's days off (else they are a forecast)."""
        return year in self.confirmed_years

    def hours_on(self, day: date) -> WeeklyHours | None:
        """The dated office hours in force on a date, if any (the latest-starting period wins)."""
        in_force = [period for period in self.hours if period.first <= day <= period.last]
        return max(in_force, key=lambda period: period.first).hours if in_force else None


def holiday_on(
    country: str | None,
    day: date,
    subdivision: str | None = None,
    official: OfficialCalendar | None = None,
) -> Holiday | None:
    """The day off on a local date: announced exceptions first, then the package's rules."""
    if official is not None:
        if official.worked(day):
            return None
        name = official.days_off.get(day)
        if name is not None:
            return Holiday(day, name, estimated=False)
        if official.confirms(day.year):
            return None
    return holidays_calendar.holiday_on(country, day, subdivision) if country else None


def holidays_between(
    country: str | None,
    first: date,
    last: date,
    subdivision: str | None = None,
    official: OfficialCalendar | None = None,
) -> list[Holiday]:
    """Days off from `first` to `last`, both included, in date order, exceptions applied."""
    package = (
        holidays_calendar.holidays_between(country, first, last, subdivision) if country else []
    )
    if official is None:
        return package
    kept = {
        holiday.date: holiday
        for holiday in package
        if not official.worked(holiday.date) and not official.confirms(holiday.date.year)
    }
    for day, name in official.days_off.items():
        if first <= day <= last and not official.worked(day):
            kept[day] = Holiday(day, name, estimated=False)
    return [kept[day] for day in sorted(kept)]


def periods_on(
    hours: WeeklyHours, day: date, official: OfficialCalendar | None = None
) -> tuple[WorkPeriod, ...]:
    """The working periods of a local date: dated hours over weekly ones, make-up days worked.

    A make-up working day falls on a weekend, which has no hours of its own; it is worked like
    the first working weekday of the week (Monday in most countries).
    """
    if official is None:
        return hours.periods_on(day)
    week = official.hours_on(day) or hours
    periods = week.periods_on(day)
    if not periods and day in official.working_days:
        return next((usual for usual in week.days if usual), ())
    return periods
