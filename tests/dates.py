"""Dates for tests, found relative to a clock: the suite must pass on any day it is run.

Tests that go through a "now" check (booking, series horizons, feed windows, token use) never
name a calendar date; they ask these helpers for one, e.g.

    start = working_start(clock, ["TH", "SG"])    # 07:00Z on the first day >= 2 days ahead
                                                  # when both work (all 11 do at 07:00Z)
    later = working_start(clock, ["TH"], hour=3, after=start.date())
    saturday = working_start(clock, ["BN"], hour=2, weekday=SATURDAY)
    kedah = member("MY", subdivision="02")         # a delegation with its own calendar
    finland = partner("FI", "Europe/Helsinki")     # a partner added through the API
    holiday = next_holiday(clock, "TH")           # .date, .name: next Thai holiday on a weekday
    friday = first_day(clock, lambda day: day.weekday() == FRIDAY)
    book(..., start=iso(start))                   # "2026-12-03T07:00:00Z"; at(day, 7) -> datetime

A test that needs time to pass moves the application's clock: `clock.advance(timedelta(...))`
or `clock.move_to(moment)` (forward only).

Whether a country works at a time is decided by the same office hours (the reference data) and
holiday calendar as in the product, so a date found here is one the service accepts; the unit
tests of `service.scheduling` check those against known facts of particular years.

`MovableClock` is what the `clock` fixture gives the application: the system's time (moved
ahead under VDO_TEST_CLOCK_SHIFT_DAYS) plus an offset a test can move on without waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from service.clock import Clock
from service.directory.office_hours import WeeklyHours
from service.directory.reference import MEMBERS_BY_CODE
from service.directory.service import PARTNER_DEFAULT_HOURS
from service.scheduling.availability import Availability, Participant, status_during
from service.scheduling.holidays_calendar import Holiday, holidays_between

# How far ahead the first candidate day is: past any "is it in the past" check, with room for a
# test to move a session a day earlier.
LEAD = timedelta(days=2)
# How far the helpers look before giving up (no real calendar has a longer run of days off).
SEARCH_DAYS = 120
HOUR = timedelta(hours=1)
ALL_MEMBERS = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
WEEKDAYS = (MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY)


@dataclass
class MovableClock:
    """The system clock plus an offset that a test moves on, e.g. to let a series' horizon
    pass or a session age out of the feeds."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def move_to(self, moment: datetime) -> None:
        """Jump forward to `moment` (the clock keeps ticking from there)."""
        delta = moment - self.now()
        assert delta >= timedelta(0), "the clock only moves forward"
        self.advance(delta)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """`day` at hour:minute UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def iso(moment: datetime) -> str:
    """As the API takes and gives it: 2026-12-03T07:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def member(code: str, subdivision: str | None = None) -> Participant:
    """A member state's delegation at its capital (or in a subdivision), as the service sees it."""
    state = MEMBERS_BY_CODE[code]
    hours = state.subdivision_hours.get(subdivision or "") or state.office_hours
    return Participant(
        key=f"country:{code}",
        label=state.name,
        zone=state.capital_zone,
        hours=WeeklyHours.from_json(hours),
        holiday_country=code,
        holiday_subdivision=subdivision,
    )


def partner(code: str, zone: str) -> Participant:
    """A partner country added through the API (default office hours, its own holidays)."""
    return Participant(
        key=f"country:{code}",
        label=code,
        zone=zone,
        hours=WeeklyHours.from_json(PARTNER_DEFAULT_HOURS),
        holiday_country=code,
    )


Who = str | Participant


def _participants(who: Sequence[Who]) -> list[Participant]:
    return [member(w) if isinstance(w, str) else w for w in who]


def works(who: Sequence[Who], start: datetime, duration: timedelta = HOUR) -> bool:
    """Whether everyone works (no break, holiday or day off) throughout [start, start+duration)."""
    return all(
        status_during(p, start, start + duration).status == Availability.WORKING
        for p in _participants(who)
    )


def days_from(first: date) -> Iterator[date]:
    """`first` and the SEARCH_DAYS days after it."""
    return (first + timedelta(days=n) for n in range(SEARCH_DAYS))


def first_day(clock: Clock, accept: Callable[[date], bool], *, after: date | None = None) -> date:
    """The first UTC date at least LEAD ahead (and after `after`) that `accept` takes."""
    earliest = (clock.now() + LEAD).date()
    if after is not None:
        earliest = max(earliest, after + timedelta(days=1))
    for day in days_from(earliest):
        if accept(day):
            return day
    raise AssertionError(f"no suitable day within {SEARCH_DAYS} days of {earliest}")


def working_start(
    clock: Clock,
    who: Sequence[Who],
    *,
    hour: int = 7,
    minute: int = 0,
    weekday: int | None = None,
    after: date | None = None,
    duration: timedelta = HOUR,
) -> datetime:
    """The first start at hour:minute UTC, at least LEAD ahead (and after the date `after`, on
    `weekday` if given) when everyone in `who` works for `duration`.

    07:00 UTC is the one hour all eleven capitals share (14:00 in Bangkok)."""
    day = first_day(
        clock,
        lambda day: (
            (weekday is None or day.weekday() == weekday)
            and works(who, at(day, hour, minute), duration)
        ),
        after=after,
    )
    return at(day, hour, minute)


def next_holiday(clock: Clock, code: str, *, weekdays: Sequence[int] = WEEKDAYS) -> Holiday:
    """The country's next public holiday at least LEAD ahead falling on one of `weekdays`."""
    earliest = (clock.now() + LEAD).date()
    for holiday in holidays_between(code, earliest, earliest + timedelta(days=2 * 366)):
        if holiday.date.weekday() in weekdays:
            return holiday
    raise AssertionError(f"{code} has no holiday on {weekdays} in two years from {earliest}")
