"""When a participant can meet: office hours, weekends, holidays and personal unavailability.

A participant (a country's delegation, a person, a partner) sits in one IANA zone and works that
zone's local office hours, minus the public holidays of their country (and subdivision), minus
their own unavailable intervals (leave, blackout dates, sessions already booked).

The model is a `Timeline`: over the local days covering a window, every stretch when the
participant cannot meet becomes a `Block` with a status and a reason in words. Whatever no block
covers is working time. Statuses rank by how hard they are to move, which the planner uses when
nothing fits everyone: a break is less bad than time outside office hours, which is less bad than
the person's own unavailability, which is less bad than a public holiday.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate, pairwise

import pytz

from service.scheduling.holidays_calendar import Holiday, holiday_on, holidays_between
from service.scheduling.intervals import Interval, Span, from_epoch, subtract_spans, to_epoch
from service.scheduling.office_hours import (
    MINUTES_PER_DAY,
    WeeklyHours,
    WorkPeriod,
    weekday_name,
)


class Availability(StrEnum):
    WORKING = "working"
    BREAK = "break"
    OFF = "off"  # a day off, or outside office hours
    UNAVAILABLE = "unavailable"
    HOLIDAY = "holiday"

    @property
    def severity(self) -> int:
        """0 for working; higher is harder to ask a participant to give up."""
        return _SEVERITY[self]


_SEVERITY = {status: rank for rank, status in enumerate(Availability)}


@dataclass(frozen=True)
class Participant:
    key: str  # e.g. "country:TH", "person:12"
    label: str  # how people call them, e.g. "Thailand"
    zone: str  # IANA zone the participant works in
    hours: WeeklyHours
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    unavailable: tuple[Interval, ...] = ()

    def __post_init__(self) -> None:
        try:
            pytz.timezone(self.zone)
        except pytz.UnknownTimeZoneError:
            raise ValueError(
                f"{self.label}: {self.zone!r} is not an IANA time zone (e.g. Asia/Bangkok)."
            ) from None
        if self.holiday_subdivision and not self.holiday_country:
            raise ValueError(f"{self.label}: a holiday subdivision needs a holiday country.")

    @property
    def tz(self) -> pytz.BaseTzInfo:
        return pytz.timezone(self.zone)

    @property
    def title(self) -> str:
        """How problems name the participant: label and zone."""
        return f"{self.label} ({self.zone})"


@dataclass(frozen=True, slots=True)
class ParticipantStatus:
    status: Availability
    detail: str = ""  # in words, e.g. "public holiday Constitution Day"


@dataclass(frozen=True, slots=True)
class Block:
    """A stretch of time when the participant cannot meet."""

    start: int  # epoch seconds, UTC
    end: int
    status: Availability
    reason: str
    # Outside hours and breaks are explained with the asked-for local time; holidays and leave
    # explain themselves.
    shows_local_time: bool = False


@dataclass(frozen=True, slots=True)
class WorkingDay:
    """A local working day: from the start of its first period to the end of its last, UTC."""

    day: date
    opens: int
    closes: int


def day_off_status(participant: Participant, day: date) -> ParticipantStatus | None:
    """Why a whole local date is off for the participant (holiday, weekend), or None."""
    if participant.holiday_country:
        holiday = holiday_on(participant.holiday_country, day, participant.holiday_subdivision)
        if holiday is not None:
            return ParticipantStatus(Availability.HOLIDAY, _holiday_text(holiday))
    if not participant.hours.is_working_day(day):
        return ParticipantStatus(Availability.OFF, f"{weekday_name(day)} is a day off")
    return None


def _holiday_text(holiday: Holiday) -> str:
    estimated = " (date only estimated)" if holiday.estimated else ""
    return f"public holiday {holiday.name}{estimated}"


@lru_cache(maxsize=1 << 16)
def _local_midnight(zone: str, day: date) -> int:
    """Epoch seconds of a local midnight; cached because pytz's localize is slow (~20 us)."""
    tz = pytz.timezone(zone)
    return to_epoch(tz.localize(datetime(day.year, day.month, day.day)))


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
        while day <= last_day:
            self._add_day(day, blocks, working_days)
            day += timedelta(days=1)
        blocks.extend(
            Block(*interval.span, Availability.UNAVAILABLE, _unavailable_text(interval))
            for interval in participant.unavailable
            if interval.span[1] > window[0] and interval.span[0] < window[1]
        )
        blocks.sort(key=lambda block: block.start)
        self.blocks: tuple[Block, ...] = tuple(blocks)
        self.working_days: tuple[WorkingDay, ...] = tuple(working_days)
        self._block_starts = [block.start for block in blocks]
        # Running maximum of block ends: lets a lookup stop walking back once nothing earlier
        # can reach the asked-for time, even with long overlapping leave blocks.
        self._reach = list(accumulate((block.end for block in blocks), max))
        self._day_opens = [working_day.opens for working_day in working_days]
        self.estimated_holidays: tuple[Holiday, ...] = (
            tuple(
                holiday
                for holiday in holidays_between(
                    participant.holiday_country,
                    first_day - timedelta(days=1),
                    last_day + timedelta(days=1),
                    participant.holiday_subdivision,
                )
                if holiday.estimated
            )
            if participant.holiday_country
            else ()
        )

    def _add_day(self, day: date, blocks: list[Block], working_days: list[WorkingDay]) -> None:
        zone = self.participant.zone
        midnight = _local_midnight(zone, day)
        next_midnight = _local_midnight(zone, day + timedelta(days=1))
        off = day_off_status(self.participant, day)
        if off is not None:
            shows_time = off.status is Availability.OFF
            blocks.append(Block(midnight, next_midnight, off.status, off.detail, shows_time))
            return
        periods = self.participant.hours.periods_on(day)
        if next_midnight - midnight == MINUTES_PER_DAY * 60:
            edges = [(midnight + p.start * 60, midnight + p.end * 60) for p in periods]
        else:  # a DST change inside this day: place each edge on the local clock
            edges = [
                (self._local_epoch(day, p.start), self._local_epoch(day, p.end)) for p in periods
            ]
        opens, closes = edges[0][0], edges[-1][1]
        blocks.append(Block(midnight, opens, Availability.OFF, "outside office hours", True))
        for (before, after), ((_, break_start), (break_end, _)) in zip(
            pairwise(periods), pairwise(edges), strict=True
        ):
            if break_end > break_start:
                gap = WorkPeriod(before.end, after.start)
                blocks.append(
                    Block(break_start, break_end, Availability.BREAK, f"in the {gap} break", True)
                )
        blocks.append(Block(closes, next_midnight, Availability.OFF, "outside office hours", True))
        working_days.append(WorkingDay(day, opens, closes))

    def _local_epoch(self, day: date, minute: int) -> int:
        naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
        return to_epoch(self.participant.tz.localize(naive))

    def overlapping(self, span: Span) -> Iterator[Block]:
        """Blocks that share time with [start, end)."""
        start, end = span
        index = bisect_left(self._block_starts, end) - 1
        while index >= 0 and self._reach[index] > start:
            if self.blocks[index].end > start:
                yield self.blocks[index]
            index -= 1

    def worst_block(self, span: Span) -> Block | None:
        """The most severe block over [start, end), or None when it is all working time."""
        return max(self.overlapping(span), key=lambda block: block.status.severity, default=None)

    def working_day_of(self, span: Span) -> WorkingDay | None:
        """The working day whose opening hours contain [start, end), if any."""
        index = bisect_right(self._day_opens, span[0]) - 1
        if index >= 0 and span[1] <= self.working_days[index].closes:
            return self.working_days[index]
        return None

    def free_spans(self, window: Span) -> list[Span]:
        return subtract_spans(window, ((block.start, block.end) for block in self.blocks))

    def status_of(self, span: Span) -> ParticipantStatus:
        block = self.worst_block(span)
        if block is None:
            return ParticipantStatus(Availability.WORKING)
        return ParticipantStatus(block.status, self.explain(block, span))

    def explain(self, block: Block, span: Span) -> str:
        if not block.shows_local_time:
            return block.reason
        return f"{block.reason} ({self.local_clock(span)} local)"

    def local_clock(self, span: Span) -> str:
        """The span as local wall-clock time, e.g. "17:30-18:30" (one time for an instant)."""
        start, end = (from_epoch(edge).astimezone(self.participant.tz) for edge in span)
        if span[1] - span[0] <= 1:
            return f"{start:%H:%M}"
        return f"{start:%H:%M}-{end:%H:%M}"


def _unavailable_text(interval: Interval) -> str:
    return f"unavailable: {interval.reason}" if interval.reason else "unavailable"


def free_intervals(
    participant: Participant, window_start: datetime, window_end: datetime
) -> list[Interval]:
    """When the participant can meet within [window_start, window_end), as UTC intervals."""
    window = _window(window_start, window_end)
    return [Interval.from_span(span) for span in Timeline(participant, window).free_spans(window)]


def status_during(participant: Participant, start: datetime, end: datetime) -> ParticipantStatus:
    """The participant's worst status over [start, end), with the reason in words."""
    span = _window(start, end)
    return Timeline(participant, span).status_of(span)


def status_at(participant: Participant, instant: datetime) -> ParticipantStatus:
    """The participant's status at one instant (to the second)."""
    moment = to_epoch(instant)
    span = (moment, moment + 1)
    return Timeline(participant, span).status_of(span)


def _window(start: datetime, end: datetime) -> Span:
    span = to_epoch(start), to_epoch(end)
    if span[1] <= span[0]:
        raise ValueError(f"{end.isoformat()} must come after {start.isoformat()}.")
    return span
