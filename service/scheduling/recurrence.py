"""Recurring sessions: a small RFC 5545 rule, expanded on the organiser's wall clock.

A rule is WEEKLY (on given weekdays) or MONTHLY (on the n-th given weekday, or on the first
start's day of the month), every `interval` weeks or months, ending after `count` occurrences or
on `until`, or open-ended (then the caller's horizon ends the expansion). Occurrences keep the
first start's local time in the organiser's zone: a 14:00 Asia/Bangkok series stays 14:00 in
Bangkok, and so moves by an hour in Helsinki or New York when they change to or from DST.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice
from typing import Any

import pytz
from dateutil import rrule
from dateutil.relativedelta import relativedelta

from service.scheduling.availability import Participant, day_off_status
from service.scheduling.intervals import to_epoch

MAX_COUNT = 520  # ten years of weekly sessions
# A series must end within this many years of its first start (open-ended ones are stored as
# time passes); one typo such as `until` 9999-12-31 must not reach every calendar.
MAX_SERIES_YEARS = 10
MAX_INTERVAL = 52  # every 52 weeks, or every 52 months
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINALS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    -1: "last",
    -2: "second-to-last",
    -3: "third-to-last",
    -4: "fourth-to-last",
}


class Frequency(StrEnum):
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


@dataclass(frozen=True)
class RecurrenceRule:
    freq: Frequency
    interval: int = 1
    byweekday: tuple[str, ...] = ()  # "MO".."SU"; WEEKLY without them: the first start's weekday
    nth: int | None = None  # MONTHLY: 1..4 or -1 (last)..-4 of the one weekday in byweekday
    count: int | None = None
    until: date | datetime | None = None  # a local date (included), or an aware datetime

    def __post_init__(self) -> None:
        if not isinstance(self.freq, Frequency):
            raise ValueError("The rule needs a frequency: WEEKLY or MONTHLY.")
        if isinstance(self.interval, bool) or not isinstance(self.interval, int):
            raise ValueError("The interval must be a whole number.")
        if self.interval < 1:
            raise ValueError("The interval must be at least 1 (every week or month).")
        unknown = [code for code in self.byweekday if code not in WEEKDAY_CODES]
        if unknown:
            raise ValueError(
                f"Unknown weekday(s) {', '.join(map(repr, unknown))}; "
                f"use {', '.join(WEEKDAY_CODES)}."
            )
        if len(set(self.byweekday)) != len(self.byweekday):
            raise ValueError("Each weekday may be listed once.")
        self._check_monthly_position()
        self._check_end()

    def _check_monthly_position(self) -> None:
        if self.freq is Frequency.WEEKLY:
            if self.nth is not None:
                raise ValueError("Only a monthly rule can name the n-th weekday of the month.")
            return
        if self.nth is None:
            if self.byweekday:
                raise ValueError(
                    "A monthly rule on a weekday must say which one, e.g. nth=2 for the second "
                    "or nth=-1 for the last."
                )
            return
        if self.nth not in _ORDINALS:
            raise ValueError(
                "nth must be 1 to 4 (first to fourth) or -1 to -4 (counted from the end)."
            )
        if len(self.byweekday) != 1:
            raise ValueError('A monthly rule with nth needs exactly one weekday, e.g. ["TU"].')

    def _check_end(self) -> None:
        if self.count is not None and self.until is not None:
            raise ValueError("Give either a count or an end date (until), not both.")
        if self.count is not None:
            if isinstance(self.count, bool) or not isinstance(self.count, int):
                raise ValueError("The count must be a whole number.")
            if not 1 <= self.count <= MAX_COUNT:
                raise ValueError(f"The count must be between 1 and {MAX_COUNT}.")
        if isinstance(self.until, datetime) and self.until.utcoffset() is None:
            raise ValueError(
                "An end time (until) needs a time zone offset; or give a plain date instead."
            )
        if self.until is not None and not isinstance(self.until, date):
            raise ValueError("until must be a date or a datetime.")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecurrenceRule:
        """From the API/storage form: {"freq": "WEEKLY", "byweekday": ["TH"], "count": 10, ...}.

        `until` may be an ISO date ("2026-12-31"), an ISO datetime with offset, or already a
        date/datetime object.
        """
        unknown = sorted(set(data) - {"freq", "interval", "byweekday", "nth", "count", "until"})
        if unknown:
            raise ValueError(f"Unknown recurrence field(s): {', '.join(unknown)}.")
        freq = str(data.get("freq", "")).upper()
        if freq not in Frequency.__members__:
            raise ValueError(f"The frequency must be WEEKLY or MONTHLY, not {data.get('freq')!r}.")
        byweekday = data.get("byweekday") or ()
        if isinstance(byweekday, str) or not isinstance(byweekday, Sequence):
            raise ValueError('byweekday must be a list of weekday codes, e.g. ["TH"].')
        return cls(
            freq=Frequency(freq),
            interval=data.get("interval", 1),
            byweekday=tuple(str(code).upper() for code in byweekday),
            nth=data.get("nth"),
            count=data.get("count"),
            until=_parse_until(data.get("until")),
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"freq": self.freq.value, "interval": self.interval}
        if self.byweekday:
            data["byweekday"] = list(self.byweekday)
        if self.nth is not None:
            data["nth"] = self.nth
        if self.count is not None:
            data["count"] = self.count
        if self.until is not None:
            data["until"] = self.until.isoformat()
        return data

    def as_ical(self, zone: str) -> dict[str, Any]:
        """The rule as `icalendar.vRecur` takes it, for a DTSTART with TZID `zone`.

        RFC 5545 wants UNTIL in UTC when DTSTART has a TZID: an end date becomes the end of that
        day in `zone`.
        """
        rule: dict[str, Any] = {"FREQ": self.freq.value}
        if self.interval != 1:
            rule["INTERVAL"] = self.interval
        if self.byweekday:
            prefix = str(self.nth) if self.nth is not None else ""
            rule["BYDAY"] = [prefix + code for code in self.byweekday]
        if self.count is not None:
            rule["COUNT"] = self.count
        if self.until is not None:
            rule["UNTIL"] = _until_utc(self.until, zone)
        return rule

    def describe(self) -> str:
        """In words, e.g. "every 2 weeks on TH", "monthly on the last TU"."""
        unit = "week" if self.freq is Frequency.WEEKLY else "month"
        every = f"every {unit}" if self.interval == 1 else f"every {self.interval} {unit}s"
        if self.nth is not None:
            every += f" on the {_ORDINALS[self.nth]} {self.byweekday[0]}"
        elif self.byweekday:
            every += f" on {', '.join(self.byweekday)}"
        return every


def _parse_until(value: object) -> date | datetime | None:
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("until must be an ISO date (2026-12-31) or datetime with offset.")
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"until {value!r} is neither an ISO date (2026-12-31) nor an ISO datetime "
            "with offset (2026-12-31T17:00:00+07:00)."
        ) from None


def _until_utc(until: date | datetime, zone: str) -> datetime:
    try:
        if isinstance(until, datetime):
            return until.astimezone(UTC)
        return pytz.timezone(zone).localize(_end_of(until)).astimezone(UTC)
    except OverflowError:
        # Past the last representable instant (an end on 9999-12-31 west of Greenwich, stored
        # before ends were bounded): no occurrence can come later than that instant anyway.
        return datetime.max.replace(tzinfo=UTC)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59))


def _localize(tz: pytz.BaseTzInfo, local: datetime) -> datetime:
    """Naive wall-clock time in `tz` as an aware time; a time skipped by a DST change moves on."""
    return tz.normalize(tz.localize(local))


def _local_until(until: date | datetime, tz: pytz.BaseTzInfo) -> datetime:
    """The end as a naive local time, as dateutil compares it with naive local starts."""
    if isinstance(until, datetime):
        return until.astimezone(tz).replace(tzinfo=None)
    return _end_of(until)


def _rule_starts(
    rule: RecurrenceRule, first_start_local: datetime, tz: pytz.BaseTzInfo
) -> Iterator[datetime]:
    """What dateutil makes of the rule from `first_start_local`: naive wall-clock times."""
    if first_start_local.tzinfo is not None:
        raise ValueError("Give the first start as naive wall-clock time in the organiser's zone.")
    days = [getattr(rrule, code) for code in rule.byweekday]
    weekdays = [day(rule.nth) for day in days] if rule.nth is not None else days
    return iter(
        rrule.rrule(
            rrule.WEEKLY if rule.freq is Frequency.WEEKLY else rrule.MONTHLY,
            dtstart=first_start_local,
            interval=rule.interval,
            byweekday=weekdays or None,
            count=rule.count,
            until=_local_until(rule.until, tz) if rule.until is not None else None,
        )
    )


def _local_starts(
    rule: RecurrenceRule, first_start_local: datetime, tz: pytz.BaseTzInfo
) -> Iterator[datetime]:
    """The rule's starts as naive wall-clock times, the first checked against the rule."""
    local_starts = _rule_starts(rule, first_start_local, tz)
    first = next(local_starts, None)
    if first is None:  # the rule ends before it starts
        return
    if first != first_start_local:
        raise ValueError(
            f"The first start, {first_start_local:%A %Y-%m-%d %H:%M}, is not itself an "
            f"occurrence of the rule ({rule.describe()}); start on a matching day."
        )
    yield first_start_local
    yield from local_starts


def expand_occurrences(
    rule: RecurrenceRule, first_start_local: datetime, zone: str, horizon_end_utc: datetime
) -> list[datetime]:
    """The occurrences' start times (aware, UTC) from the first up to `horizon_end_utc`.

    `first_start_local` is the first occurrence as naive wall-clock time in `zone`; it must
    itself match the rule (RFC 5545 counts DTSTART as the first occurrence, so a mismatch would
    make calendar clients disagree about the series).
    """
    tz = pytz.timezone(zone)
    horizon = to_epoch(horizon_end_utc)
    occurrences: list[datetime] = []
    for local_start in _local_starts(rule, first_start_local, tz):
        start = _localize(tz, local_start).astimezone(UTC)
        if to_epoch(start) >= horizon:
            break
        occurrences.append(start)
    return occurrences


def check_series_end(rule: RecurrenceRule, first_start_local: datetime, zone: str) -> None:
    """Refuse a rule whose end (`until`, or its `count`-th occurrence) is more than
    MAX_SERIES_YEARS after the first start, or whose interval is beyond MAX_INTERVAL.

    Only new rules are checked: stored ones are read as they are, so that bounds tightened
    later never make an existing series unreadable.
    """
    if rule.interval > MAX_INTERVAL:
        raise ValueError(f"The interval must be at most {MAX_INTERVAL}.")
    if rule.count is None and rule.until is None:
        return  # open-ended: stored as time passes, over a bounded horizon
    too_late = ValueError(
        f"A series must end within {MAX_SERIES_YEARS} years of its first start; give an "
        "earlier until or a smaller count, or leave the end open."
    )
    limit = first_start_local + relativedelta(years=MAX_SERIES_YEARS)
    try:
        if any(
            start > limit for start in _rule_starts(rule, first_start_local, pytz.timezone(zone))
        ):
            raise too_late
    except OverflowError:  # an end near the year 9999, past what a datetime can hold locally
        raise too_late from None


@dataclass(frozen=True)
class Continuation:
    """How a series carries on from one of its occurrences after a "this and following" move."""

    rule: RecurrenceRule
    first_start_local: datetime  # naive wall-clock time in the organiser's zone
    starts: tuple[datetime, ...]  # UTC: the new start of each occurrence from the moved one on


def continue_series(
    rule: RecurrenceRule,
    zone: str,
    first_slot: datetime,
    new_first_start_local: datetime,
    occurrences: int,
    earlier: int,
) -> Continuation:
    """The series carrying on from the occurrence at `first_slot` (UTC), moved to
    `new_first_start_local`: the same rule at the new wall-clock time in `zone`, its days moved
    with the first (Thursdays moved to a Monday become Mondays; the second Tuesday of the month
    moved to the Wednesday becomes the second Wednesday), a count keeping the occurrences left
    after the `earlier` ones, an end moving by as many days.

    `starts` are the rule's first `occurrences` starts, for the occurrences carried over in
    order. ValueError, in words, when no such rule starts on the new day (the fifth Tuesday of
    a month) or it ends before all of them.
    """
    tz = pytz.timezone(zone)
    old_first = first_slot.astimezone(tz).replace(tzinfo=None)
    days = (new_first_start_local.date() - old_first.date()).days
    try:
        moved = replace(
            rule,
            byweekday=_moved_weekdays(rule, new_first_start_local.date(), days),
            nth=_nth_weekday_of_month(new_first_start_local.date(), rule.nth),
            count=rule.count - earlier if rule.count is not None else None,
            until=_moved_until(rule.until, tz, new_first_start_local - old_first, days),
        )
        local_starts = islice(_local_starts(moved, new_first_start_local, tz), occurrences)
        starts = [_localize(tz, local).astimezone(UTC) for local in local_starts]
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"The series ({rule.describe()}) cannot carry on from "
            f"{new_first_start_local:%A %Y-%m-%d %H:%M}: {exc}"
        ) from None
    if len(starts) < occurrences:
        raise ValueError(
            f"The series ({moved.describe()}) would end before the {occurrences} occurrences "
            "it carries on; move its end (until) first, or move them one at a time."
        )
    return Continuation(moved, new_first_start_local, tuple(starts))


def _moved_weekdays(rule: RecurrenceRule, new_first: date, days: int) -> tuple[str, ...]:
    if rule.nth is not None:  # the n-th weekday of the month: the new start's weekday
        return (WEEKDAY_CODES[new_first.weekday()],)
    return tuple(
        WEEKDAY_CODES[(WEEKDAY_CODES.index(code) + days) % len(WEEKDAY_CODES)]
        for code in rule.byweekday
    )


def _nth_weekday_of_month(day: date, nth: int | None) -> int | None:
    """Which `day`'s weekday it is in its month: counted from the start (1 = first) or, like
    `nth` when negative, from the end (-1 = last)."""
    if nth is None:
        return None
    if nth > 0:
        return (day.day - 1) // 7 + 1
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return -((days_in_month - day.day) // 7 + 1)


def _moved_until(
    until: date | datetime | None, tz: pytz.BaseTzInfo, shift: timedelta, days: int
) -> date | datetime | None:
    if isinstance(until, datetime):
        return _localize(tz, _local_until(until, tz) + shift)
    return until + timedelta(days=days) if until is not None else None


@dataclass(frozen=True)
class WorkingDaySuggestion:
    problems: tuple[str, ...]  # why the occurrence's day is off, per participant; empty if fine
    next_start: datetime | None  # UTC: the next day everyone works; None if none within reach


def suggest_next_working_day(
    start_utc: datetime,
    duration: timedelta,
    participants: Sequence[Participant],
    organiser_zone: str | None = None,
    max_days: int = 31,
) -> WorkingDaySuggestion:
    """Flag an occurrence on someone's holiday or day off, and offer the next day without any.

    The suggestion keeps the wall-clock time in `organiser_zone`; without one it keeps the UTC
    time, which is the same wall-clock time in every zone without DST (all ASEAN zones).
    Only whole days off count here (holidays, weekends); hours and bookings are for the planner.
    """
    problems = _day_off_problems(start_utc, duration, participants)
    if not problems:
        return WorkingDaySuggestion((), start_utc)
    tz = pytz.timezone(organiser_zone) if organiser_zone else pytz.utc
    local_start = start_utc.astimezone(tz).replace(tzinfo=None)
    for days_later in range(1, max_days + 1):
        local_candidate = local_start + timedelta(days=days_later)
        candidate = tz.normalize(tz.localize(local_candidate)).astimezone(UTC)
        if not _day_off_problems(candidate, duration, participants):
            return WorkingDaySuggestion(tuple(problems), candidate)
    return WorkingDaySuggestion(tuple(problems), None)


def _day_off_problems(
    start_utc: datetime, duration: timedelta, participants: Sequence[Participant]
) -> list[str]:
    problems = []
    for participant in participants:
        local_days = {
            moment.astimezone(participant.tz).date() for moment in (start_utc, start_utc + duration)
        }
        for day in sorted(local_days):
            off = day_off_status(participant.calendar, day)
            if off is not None:
                problems.append(f"{participant.title}: {off.detail} ({day.isoformat()})")
    return problems
