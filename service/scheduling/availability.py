"""When a participant can meet: office hours, weekends, holidays and personal unavailability.

A participant (a country's delegation, a person, a partner) sits in one IANA zone and works that
zone's local office hours, minus the public holidays of their country (and subdivision), minus
their own unavailable intervals (leave, blackout dates, sessions already booked). Holidays and
hours are the package's and the reference data's, with the exceptions governments announced
applied over them (`official_calendar`).

The model is a `Timeline`: over the local days covering a window, every stretch when the
participant cannot meet becomes a `Block` with a status and a reason in words. Whatever no block
covers is working time. Statuses rank by how hard they are to move, which the planner uses when
nothing fits everyone: a break is less bad than time outside office hours, which is less bad than
the person's own unavailability, which is less bad than a public holiday.

Time outside office hours is also measured (`OffHours`): how much of a session falls on an early
or late hour of a working day, on a day off, or in the local night, which is far harder to ask
of anyone than an early start or a late finish.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from itertools import accumulate, pairwise
from operator import attrgetter
from typing import NamedTuple

import pytz

from service.directory.office_hours import (
    MINUTES_PER_DAY,
    WeeklyHours,
    WorkPeriod,
    weekday_name,
)
from service.scheduling.holidays_calendar import Holiday
from service.scheduling.intervals import (
    Interval,
    Span,
    from_epoch,
    span_between,
    subtract_spans,
    to_epoch,
)
from service.scheduling.official_calendar import (
    OfficialCalendar,
    holiday_on,
    holidays_between,
    periods_on,
)


class Availability(StrEnum):
    """A participant's state; `severity` ranks how hard it is to ask them to give it up."""

    severity: int

    def __new__(cls, value: str, severity: int) -> Availability:
        # The documented Enum pattern for a per-member attribute: a plain attribute, because
        # the planner reads it for every block it weighs.
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        return member

    WORKING = "working", 0
    BREAK = "break", 1
    OFF = "off", 2  # a day off, or outside office hours
    UNAVAILABLE = "unavailable", 3
    HOLIDAY = "holiday", 4


# Misses nobody can be asked to accept, whatever the hour: the planner ranks them below any time
# outside office hours.
IMMOVABLE = frozenset({Availability.UNAVAILABLE, Availability.HOLIDAY})

# The local night: asking someone to meet then is far worse than early or late in their day.
NIGHT_START_HOUR = 22
NIGHT_END_HOUR = 6


class WorkCalendar(NamedTuple):
    """What makes a local day working or not; shared by everyone in the same office.

    A tuple, so that the per-day cache it keys hashes and compares it in C.
    """

    zone: str
    hours: WeeklyHours
    holiday_country: str | None
    holiday_subdivision: str | None
    official: OfficialCalendar | None


@dataclass(frozen=True)
class Participant:
    key: str  # e.g. "country:TH", "person:12"
    label: str  # how people call them, e.g. "Thailand"
    zone: str  # IANA zone the participant works in
    hours: WeeklyHours
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    unavailable: tuple[Interval, ...] = ()
    # The announced exceptions of the country (or subdivision); None where nobody keeps them,
    # and then nothing is flagged as unconfirmed either.
    official: OfficialCalendar | None = None

    def __post_init__(self) -> None:
        try:
            pytz.timezone(self.zone)
        except pytz.UnknownTimeZoneError:
            raise ValueError(
                f"{self.label}: {self.zone!r} is not an IANA time zone (e.g. Asia/Bangkok)."
            ) from None
        if self.holiday_subdivision and not self.holiday_country:
            raise ValueError(f"{self.label}: a holiday subdivision needs a holiday country.")

    @cached_property
    def tz(self) -> pytz.BaseTzInfo:
        return pytz.timezone(self.zone)

    @cached_property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar(
            self.zone, self.hours, self.holiday_country, self.holiday_subdivision, self.official
        )

    @property
    def title(self) -> str:
        """How problems name the participant: label and zone."""
        return f"{self.label} ({self.zone})"


@dataclass(frozen=True, slots=True)
class ParticipantStatus:
    status: Availability
    detail: str = ""  # in words, e.g. "public holiday Constitution Day"


class Block(NamedTuple):
    """A stretch of time when the participant cannot meet (a tuple: thousands are made per plan)."""

    start: int  # epoch seconds, UTC
    end: int
    status: Availability
    reason: str  # e.g. "outside office hours", or the reason given for being unavailable
    # Outside hours and breaks are explained with the asked-for local time; holidays and leave
    # explain themselves.
    shows_local_time: bool = False


block_severity = attrgetter("status.severity")  # a sort key, run in C


class OffHoursSpan(NamedTuple):
    """A stretch of one local day outside office hours (a tuple: the planner reads thousands)."""

    start: int  # epoch seconds, UTC
    end: int
    at_night: bool  # within the local night (NIGHT_START_HOUR to NIGHT_END_HOUR)
    day_off: bool  # on a weekend or public holiday, rather than early, late or in a break


class OffHours(NamedTuple):
    """How much of a session falls outside a participant's office hours, in seconds, by kind.

    The kinds do not overlap and are not equally hard to ask for: an early or late hour (or a
    break) on a working day, daytime on a weekend or public holiday, and the night. A tuple: one
    is made per participant and slot.
    """

    working_day: int = 0
    day_off: int = 0
    night: int = 0

    @property
    def total(self) -> int:
        return self.working_day + self.day_off + self.night


@dataclass(frozen=True, slots=True)
class WorkingDay:
    """A local working day: from the start of its first period to the end of its last, UTC."""

    day: date
    opens: int
    closes: int
    local_hours: WorkPeriod  # the same, in local minutes


class BlockIndex:
    """Blocks sorted by start, for quick "what overlaps this span" questions."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks: tuple[Block, ...] = tuple(sorted(blocks))  # by start, as tuples sort
        self._starts = [block.start for block in self.blocks]
        # Running maximum of block ends: lets a lookup stop walking back once nothing earlier
        # can reach the asked-for time, even past long overlapping leave blocks.
        self._reach = list(accumulate((block.end for block in self.blocks), max))

    @cached_property
    def immovable(self) -> tuple[Block, ...]:
        """The blocks in `IMMOVABLE` statuses, mildest first; worked out once, since the
        planner keeps timelines for the questions that follow."""
        return tuple(sorted((b for b in self.blocks if b.status in IMMOVABLE), key=block_severity))

    def overlapping(self, span: Span) -> Iterator[Block]:
        """Blocks that share time with [start, end)."""
        start, end = span
        index = bisect_left(self._starts, end) - 1
        while index >= 0 and self._reach[index] > start:
            if self.blocks[index].end > start:
                yield self.blocks[index]
            index -= 1

    def free_spans(self, window: Span) -> list[Span]:
        """The parts of the window no block covers."""
        return subtract_spans(window, ((block.start, block.end) for block in self.blocks))

    def worst(self, span: Span) -> Block | None:
        """The most severe block over [start, end), or None when nothing blocks it."""
        return max(self.overlapping(span), key=block_severity, default=None)


def day_off_status(calendar: WorkCalendar, day: date) -> ParticipantStatus | None:
    """Why a whole local date is off (public holiday, weekend), or None on a working day."""
    holiday = holiday_on(
        calendar.holiday_country, day, calendar.holiday_subdivision, calendar.official
    )
    if holiday is not None:
        return ParticipantStatus(Availability.HOLIDAY, _holiday_text(holiday))
    if not periods_on(calendar.hours, day, calendar.official):
        return ParticipantStatus(Availability.OFF, f"{weekday_name(day)} is a day off")
    return None


def _holiday_text(holiday: Holiday) -> str:
    # Estimated dates need no extra word: the package already names them "... (estimated)".
    return f"public holiday {holiday.name}"


def _local_epoch(zone: str, day: date, minute: int = 0) -> int:
    # A wall-clock time in `zone`, which pytz's localize needs naive.
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)  # noqa: DTZ001
    return to_epoch(pytz.timezone(zone).localize(naive))


# Day schedules are cached: participants in one office share them, and pytz's localize costs
# ~20 us a call, which would dominate planning over weeks for dozens of participants.
@lru_cache(maxsize=1 << 16)
def _day_schedule(calendar: WorkCalendar, day: date) -> tuple[tuple[Block, ...], WorkingDay | None]:
    """The blocks of one local day, and its working hours unless the day is off."""
    midnight = _local_epoch(calendar.zone, day)
    next_midnight = _local_epoch(calendar.zone, day + timedelta(days=1))
    off = day_off_status(calendar, day)
    if off is not None:
        shows_time = off.status is Availability.OFF
        return (Block(midnight, next_midnight, off.status, off.detail, shows_time),), None
    periods = periods_on(calendar.hours, day, calendar.official)
    if next_midnight - midnight == MINUTES_PER_DAY * 60:
        edges = [(midnight + p.start * 60, midnight + p.end * 60) for p in periods]
    else:  # a DST change inside this day: place each edge on the local clock
        edges = [
            (_local_epoch(calendar.zone, day, p.start), _local_epoch(calendar.zone, day, p.end))
            for p in periods
        ]
    opens, closes = edges[0][0], edges[-1][1]
    blocks = [Block(midnight, opens, Availability.OFF, "outside office hours", True)]
    for (before, after), ((_, break_start), (break_end, _)) in zip(
        pairwise(periods), pairwise(edges), strict=True
    ):
        if break_end > break_start:
            gap = WorkPeriod(before.end, after.start)
            blocks.append(
                Block(break_start, break_end, Availability.BREAK, f"in the {gap} break", True)
            )
    blocks.append(Block(closes, next_midnight, Availability.OFF, "outside office hours", True))
    local_hours = WorkPeriod(periods[0].start, periods[-1].end)
    return tuple(blocks), WorkingDay(day, opens, closes, local_hours)


class LocalDay(NamedTuple):
    """One local day of a work calendar: its bounds and its time outside office hours, in order."""

    start: int  # local midnight, epoch seconds
    end: int  # the next local midnight
    off_hours: tuple[OffHoursSpan, ...]


@lru_cache(maxsize=1 << 16)
def off_hours_on(calendar: WorkCalendar, day: date) -> LocalDay:
    """The time outside office hours on a local day, split where the night begins and ends."""
    blocks, working_day = _day_schedule(calendar, day)
    dawn = _local_epoch(calendar.zone, day, NIGHT_END_HOUR * 60)
    dusk = _local_epoch(calendar.zone, day, NIGHT_START_HOUR * 60)
    spans = []
    for block in blocks:  # a day's blocks are all time off: hours, breaks, a weekend, a holiday
        for start, end, at_night in (
            (block.start, min(block.end, dawn), True),
            (max(block.start, dawn), min(block.end, dusk), False),
            (max(block.start, dusk), block.end, True),
        ):
            if start < end:
                spans.append(OffHoursSpan(start, end, at_night, working_day is None))
    return LocalDay(blocks[0].start, blocks[-1].end, tuple(spans))


class Timeline:
    """A participant's blocks over the whole local days that cover a UTC window."""

    def __init__(self, participant: Participant, window: Span) -> None:
        self.participant = participant
        tz = participant.tz
        first_day = from_epoch(window[0]).astimezone(tz).date()
        last_day = from_epoch(max(window[0], window[1] - 1)).astimezone(tz).date()
        blocks: list[Block] = []
        working_days: list[WorkingDay] = []
        day = first_day
        midnights: list[int] = []
        while day <= last_day:
            day_blocks, working_day = _day_schedule(participant.calendar, day)
            midnights.append(day_blocks[0].start)  # each day's blocks run from its midnight
            blocks.extend(day_blocks)
            if working_day is not None:
                working_days.append(working_day)
            day += timedelta(days=1)
        blocks.extend(
            [
                Block(*interval.span, Availability.UNAVAILABLE, interval.reason)
                for interval in participant.unavailable
                if interval.span[1] > window[0] and interval.span[0] < window[1]
            ]
        )
        self.index = BlockIndex(blocks)
        self.window = window
        self.days = (first_day, last_day)
        self._midnights = midnights
        self.working_days: tuple[WorkingDay, ...] = tuple(working_days)
        self._day_opens = [working_day.opens for working_day in working_days]
        self.estimated_holidays = _estimated_holidays(participant, first_day, last_day)
        official = participant.official
        # Years whose days off are the package's forecast, which an official list may still
        # change; only known where the participant's official calendar is kept at all.
        self.unconfirmed_years: frozenset[int] = frozenset(
            year
            for year in range(first_day.year, last_day.year + 1)
            if official is not None and not official.confirms(year)
        )

    @cached_property
    def free_spans(self) -> list[Span]:
        """The parts of the window no block covers; worked out once, since the planner keeps
        timelines for the questions that follow."""
        return self.index.free_spans(self.window)

    def working_day_of(self, span: Span) -> WorkingDay | None:
        """The working day whose opening hours contain [start, end), if any."""
        index = bisect_right(self._day_opens, span[0]) - 1
        if index >= 0 and span[1] <= self.working_days[index].closes:
            return self.working_days[index]
        return None

    def off_hours(self, span: Span) -> OffHours:
        """How much of [start, end), within the timeline's window, falls outside office hours."""
        start, end = span
        working_day = day_off = night = 0
        index = max(0, bisect_right(self._midnights, start) - 1)
        day = self.days[0] + timedelta(days=index)
        while True:
            local_day = off_hours_on(self.participant.calendar, day)
            for off in local_day.off_hours:
                # Compared by hand rather than with min/max: this runs for every slot offered.
                overlap = (off.end if off.end < end else end) - (
                    off.start if off.start > start else start
                )
                if overlap <= 0:
                    continue
                if off.at_night:
                    night += overlap
                elif off.day_off:
                    day_off += overlap
                else:
                    working_day += overlap
            if local_day.end >= end:
                return OffHours(working_day, day_off, night)
            day += timedelta(days=1)

    def status_of(self, span: Span) -> ParticipantStatus:
        block = self.index.worst(span)
        if block is None:
            return ParticipantStatus(Availability.WORKING)
        clock = self.local_clock(span) if block.shows_local_time else ""
        return ParticipantStatus(block.status, describe(block, clock))

    def local_clock(self, span: Span) -> str:
        """The span as local wall-clock time, e.g. "17:30-18:30" (one time for an instant)."""
        start, end = (from_epoch(edge).astimezone(self.participant.tz) for edge in span)
        return clock_text(start) if span[1] - span[0] <= 1 else clock_text(start, end)


def clock_text(start: datetime, end: datetime | None = None) -> str:
    """Local wall-clock time of an instant ("17:30") or a span ("17:30-18:30")."""
    # Formatted by hand: strftime is slow enough to show when a plan explains hundreds of slots.
    text = f"{start.hour:02d}:{start.minute:02d}"
    return text if end is None else f"{text}-{end.hour:02d}:{end.minute:02d}"


def describe(block: Block, local_clock: str) -> str:
    """A block in words; `local_clock` is the asked-for time, shown for hours and breaks."""
    if block.status is Availability.UNAVAILABLE:
        return f"unavailable: {block.reason}" if block.reason else "unavailable"
    if block.shows_local_time:
        return f"{block.reason} ({local_clock} local)"
    return block.reason


def _estimated_holidays(participant: Participant, first: date, last: date) -> tuple[Holiday, ...]:
    """Estimated holidays on the given local days and the day either side (they may move)."""
    if not participant.holiday_country:
        return ()
    return tuple(
        holiday
        for holiday in holidays_between(
            participant.holiday_country,
            first - timedelta(days=1),
            last + timedelta(days=1),
            participant.holiday_subdivision,
            participant.official,
        )
        if holiday.estimated
    )


def free_intervals(
    participant: Participant, window_start: datetime, window_end: datetime
) -> list[Interval]:
    """When the participant can meet within [window_start, window_end), as UTC intervals."""
    window = span_between(window_start, window_end)
    return [Interval.from_span(span) for span in Timeline(participant, window).free_spans]


def status_during(participant: Participant, start: datetime, end: datetime) -> ParticipantStatus:
    """The participant's worst status over [start, end), with the reason in words."""
    span = span_between(start, end)
    return Timeline(participant, span).status_of(span)


def status_at(participant: Participant, instant: datetime) -> ParticipantStatus:
    """The participant's status at one instant (to the second)."""
    moment = to_epoch(instant)
    span = (moment, moment + 1)
    return Timeline(participant, span).status_of(span)
