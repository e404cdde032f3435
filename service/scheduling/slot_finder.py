"""Finding session slots that every participant can attend, ranked to share the inconvenience.

Hard constraints: each participant is within office hours (a break is not available), not on a day
off or public holiday, and not unavailable; the video bridge is free. Slots start on multiples of
`step` since the epoch (UTC), so a 15-minute step gives :00, :15, :30 and :45 everywhere.

The fast path is interval arithmetic: subtract every participant's blocks and the bridge's bookings
from the window and enumerate aligned starts in what is left. Only when that leaves nothing does
the planner score every aligned start, to offer the closest slots. First come the misses nobody can
be asked to accept, fewest and mildest first: leave, a clashing booking, a public holiday, a busy
bridge. Then how far outside office hours the session puts people, by the minute and weighted (see
`NIGHT_WEIGHT`): a night hour for one participant is far worse than an evening for several, so the
count of people outside office hours does not decide.

Ranking shares the discomfort fairly. A participant's discomfort is how far the middle of the
session lies from the middle of their working day, as a fraction of half that day: 0 at midday,
near 1 at opening or closing time, 1 outside the working day. Slots are ranked by the worst
participant's discomfort, then by the sum over participants; misses are ranked the same way by the
weighted minutes outside office hours first.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate, chain
from math import gcd
from operator import sub
from typing import NamedTuple

import pytz

from service.directory.office_hours import format_minute
from service.scheduling.availability import (
    Availability,
    Block,
    BlockIndex,
    OffHours,
    OffHoursSpan,
    Participant,
    Timeline,
    WorkCalendar,
    WorkingDay,
    clock_text,
    describe,
    off_hours_on,
)
from service.scheduling.intervals import (
    Interval,
    Span,
    from_epoch,
    intersect_spans,
    span_between,
)

EDGE_MARGIN = timedelta(minutes=30)  # closer than this to opening or closing time is flagged
BRIDGE_LABEL = "Bridge"
# What a minute outside office hours weighs when ranking misses (see `OffHours` for the kinds):
# a night minute ten times an early or late one, a weekend or holiday afternoon in between.
WORKING_DAY_WEIGHT, DAY_OFF_WEIGHT, NIGHT_WEIGHT = 1, 2, 10


class ParticipantInSlot(NamedTuple):
    """One participant's view of a slot (a tuple: one is made per participant and slot offered)."""

    key: str
    label: str
    zone: str
    local_start: datetime  # aware, in the participant's zone
    local_end: datetime
    status: Availability
    detail: str  # why the status is not "working", in words ("" when it is)
    discomfort: float  # 0 = middle of the working day, 1 = outside it
    off_hours: OffHours  # how much of the slot falls outside office hours
    soft_problems: tuple[str, ...]


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime
    score: float  # 0-100, higher is better: 100 x (1 - the worst participant's discomfort)
    participants: tuple[ParticipantInSlot, ...]
    hard_problems: tuple[str, ...]  # empty when every hard constraint is met

    @property
    def soft_problems(self) -> tuple[str, ...]:
        return tuple(problem for p in self.participants for problem in p.soft_problems)


@dataclass(frozen=True)
class PlanResult:
    slots: tuple[Slot, ...]  # best first, at most `limit`
    all_constraints_met: bool  # False: the slots are the closest misses, with hard_problems
    slots_found: int  # aligned starts meeting every hard constraint (before `limit`)


@dataclass(frozen=True)
class GridCell:
    start: datetime  # UTC
    end: datetime
    status: Availability  # the worst status within the cell
    detail: str


@dataclass(frozen=True)
class ParticipantDay:
    key: str
    label: str
    zone: str
    cells: tuple[GridCell, ...]


def find_common_slots(
    participants: Sequence[Participant],
    window_start: datetime,
    window_end: datetime,
    duration: timedelta,
    step: timedelta,
    bridge_busy: Iterable[Interval] = (),
    limit: int = 20,
    timeline_of: Callable[[Participant, Span], Timeline] = Timeline,
) -> PlanResult:
    """The best `limit` slots of `duration` in the window; closest misses if none fits all.

    `bridge_busy` holds the bridge's existing bookings, each with the session title as reason.
    `timeline_of` gives a participant's timeline over the window: a caller that plans the same
    people again may pass one that remembers them, since a timeline depends on neither the
    duration nor the step.
    """
    window = span_between(window_start, window_end)
    length, stride = _seconds(duration, "duration"), _seconds(step, "step")
    if limit < 1:
        raise ValueError("Ask for at least one slot.")
    _check_unique_keys(participants)
    timelines = [timeline_of(participant, window) for participant in participants]
    bridge = BlockIndex(
        [
            Block(*busy.span, Availability.UNAVAILABLE, f"busy with {busy.reason or 'a session'}")
            for busy in bridge_busy
        ]
    )
    starts = list(
        _aligned_starts(_common_free_spans(timelines, bridge, window, length), length, stride)
    )
    if starts:
        best = heapq.nsmallest(
            limit, starts, key=lambda start: (*_discomforts(timelines, start, length), start)
        )
        slots = tuple(_slot(timelines, bridge, start, length) for start in best)
        return PlanResult(slots, all_constraints_met=True, slots_found=len(starts))
    closest = _closest_misses(timelines, bridge, window, length, stride, limit)
    return PlanResult(
        tuple(_slot(timelines, bridge, start, length) for start in closest),
        all_constraints_met=False,
        slots_found=0,
    )


def day_grid(
    participants: Sequence[Participant], day: date, cell_minutes: int = 30
) -> tuple[ParticipantDay, ...]:
    """Each participant's status over the UTC day `day`, in cells of `cell_minutes`.

    A cell shows the worst status within it; half-hour cells keep Yangon's +06:30 exact.
    """
    if cell_minutes <= 0 or (24 * 60) % cell_minutes:
        raise ValueError("Grid cells must divide the day evenly (e.g. 15, 30 or 60 minutes).")
    day_start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    window = span_between(day_start, day_start + timedelta(days=1))
    cell = cell_minutes * 60
    rows = []
    for participant in participants:
        timeline = Timeline(participant, window)
        cells = []
        for start in range(window[0], window[1], cell):
            status = timeline.status_of((start, start + cell))
            cells.append(
                GridCell(from_epoch(start), from_epoch(start + cell), status.status, status.detail)
            )
        rows.append(
            ParticipantDay(participant.key, participant.label, participant.zone, tuple(cells))
        )
    return tuple(rows)


def _indexes(timelines: Sequence[Timeline], bridge: BlockIndex) -> Iterator[BlockIndex]:
    yield from (timeline.index for timeline in timelines)
    yield bridge


def _common_free_spans(
    timelines: Sequence[Timeline], bridge: BlockIndex, window: Span, length: int
) -> list[Span]:
    """Where everyone, and the bridge, is free for at least `length` seconds."""
    common = [window]
    everyone = (timeline.free_spans for timeline in timelines)
    for free in chain(everyone, [bridge.free_spans(window)]):
        common = [
            (start, end) for start, end in intersect_spans(common, free) if end - start >= length
        ]
        if not common:  # stop early: one participant with no time in common settles it
            break
    return common


def _first_aligned(moment: int, stride: int) -> int:
    """The first multiple of the step at or after `moment`."""
    return -(-moment // stride) * stride


def _aligned_starts(free: Iterable[Span], length: int, stride: int) -> Iterator[int]:
    for start, end in free:
        yield from range(_first_aligned(start, stride), end - length + 1, stride)


def _discomfort(timeline: Timeline, span: Span) -> float:
    return _discomfort_within(timeline.working_day_of(span), span)


def _discomfort_within(working_day: WorkingDay | None, span: Span) -> float:
    if working_day is None:
        return 1.0
    day_middle = (working_day.opens + working_day.closes) / 2
    half_day = (working_day.closes - working_day.opens) / 2
    return abs((span[0] + span[1]) / 2 - day_middle) / half_day


def _discomforts(timelines: Sequence[Timeline], start: int, length: int) -> tuple[float, float]:
    """(worst, sum) of the participants' discomfort, the ranking key."""
    values = [_discomfort(timeline, (start, start + length)) for timeline in timelines]
    return max(values, default=0.0), sum(values)


def _closest_misses(
    timelines: Sequence[Timeline],
    bridge: BlockIndex,
    window: Span,
    length: int,
    stride: int,
    limit: int,
) -> list[int]:
    """The aligned starts with the fewest immovable misses, then the fewest hours off, fairly.

    Immovable misses are scored for every start at once (`_immovable_keys`). Only the starts as
    good as the limit-th one there can make the list; the hours outside office hours are weighed
    for those alone, and only the starts then tied with the limit-th are ranked one by one.
    """
    first = _first_aligned(window[0], stride)
    count = max(0, (window[1] - length - first) // stride + 1)
    if not count:
        return []
    immovable = _immovable_keys(list(_indexes(timelines, bridge)), first, count, length, stride)
    fewest = heapq.nsmallest(limit, immovable)[-1]
    candidates = [i for i, key in enumerate(immovable) if key <= fewest]
    worst, total = _off_hours_ranks(timelines, candidates, window, first, length, stride)
    # (immovable, worst, total) as one number per candidate, each part weighing more than the
    # next can add up to, so that sorting compares them in C.
    unit = (len(timelines) + 1) * NIGHT_WEIGHT * length + 1
    keys = [
        (immovable[i] * unit + w) * unit + t
        for i, w, t in zip(candidates, worst, total, strict=True)
    ]
    by_key = sorted(range(len(candidates)), key=keys.__getitem__)
    cutoff = keys[by_key[min(limit, len(candidates)) - 1]]
    contenders = [(keys[j], first + candidates[j] * stride) for j in by_key if keys[j] <= cutoff]
    best = heapq.nsmallest(
        limit,
        contenders,
        key=lambda contender: (
            contender[0],
            *_discomforts(timelines, contender[1], length),
            contender[1],
        ),
    )
    return [start for _, start in best]


def _immovable_keys(
    indexes: Sequence[BlockIndex], first: int, count: int, length: int, stride: int
) -> list[int]:
    """Per start, the immovable misses as one number: how many, then how severe.

    A block marks the run of starts it overlaps in one slice assignment, milder blocks first (as
    `BlockIndex.immovable` keeps them) so that each index's worst one wins.
    """
    # Each miss weighs more than all severities together could add up to.
    miss_weight = (len(indexes) + 1) * max(status.severity for status in Availability)
    rows = []
    for index in indexes:
        if not index.immovable:
            continue
        row = [0] * count
        for block in index.immovable:
            # Starts s with s < block.end and s + length > block.start; compared by hand
            # rather than with min/max, which cost more at thousands of blocks per plan.
            low = (block.start - length - first) // stride + 1
            high = -(-(block.end - first) // stride)
            if low < 0:
                low = 0
            if high > count:
                high = count
            if low < high:
                row[low:high] = [miss_weight + block.status.severity] * (high - low)
        rows.append(row)
    return list(map(sum, zip(*rows, strict=True))) if rows else [0] * count


def _off_hours_ranks(
    timelines: Sequence[Timeline],
    candidates: Sequence[int],
    window: Span,
    first: int,
    length: int,
    stride: int,
) -> tuple[list[int], list[int]]:
    """For the candidate starts, the worst participant's and the total weighted time off.

    A candidate's time off is the difference of a calendar's running total (see
    `_off_hours_running`) at its end and at its start: looked up for the candidates alone, once
    per work calendar (people in one office share their hours), then combined across calendars.
    """
    # Every whole-minute duration and step lands on minute edges, so minute cells let one
    # running total serve every duration asked over the window.
    cell = gcd(length, stride, 60)
    offset = first - _cell_origin(window, cell)
    begins = [(offset + i * stride) // cell for i in candidates]
    ends = [begin + length // cell for begin in begins]
    by_calendar: dict[WorkCalendar, list[int]] = {}
    columns = []
    for timeline in timelines:
        calendar = timeline.participant.calendar
        if calendar not in by_calendar:
            running = _off_hours_running(calendar, window, cell)
            by_calendar[calendar] = list(
                map(sub, map(running.__getitem__, ends), map(running.__getitem__, begins))
            )
        columns.append(by_calendar[calendar])
    if not columns:
        return [0] * len(candidates), [0] * len(candidates)
    distinct = list(by_calendar.values())
    worst = list(map(max, *distinct)) if len(distinct) > 1 else distinct[0]
    return worst, list(map(sum, zip(*columns, strict=True)))


def _cell_origin(window: Span, cell: int) -> int:
    return window[0] - window[0] % cell


# Cached per window rather than per duration, so that a new duration over the same weeks only
# looks values up. An entry is one machine integer per cell (320 KB for four weeks of minutes,
# 1 MB for the longest window) and nothing for the garbage collector to walk.
@lru_cache(maxsize=64)
def _off_hours_running(calendar: WorkCalendar, window: Span, cell: int) -> array[int]:
    """The weighted seconds outside office hours from the window's start (floored to a cell) to
    each cell edge up to its end.

    A span fills its whole cells in one slice assignment (spans do not overlap) and adds its part
    of the cells at its two ends by hand.
    """
    origin = _cell_origin(window, cell)
    cells = [0] * -(-(window[1] - origin) // cell)
    last = origin + len(cells) * cell
    tz = pytz.timezone(calendar.zone)
    day = from_epoch(origin).astimezone(tz).date()
    last_day = from_epoch(last - 1).astimezone(tz).date()
    while day <= last_day:
        for span in off_hours_on(calendar, day).off_hours:
            start, end = max(span.start, origin), min(span.end, last)
            if start >= end:
                continue
            weight = _minute_weight(span)
            low, high = -(-(start - origin) // cell), (end - origin) // cell  # the whole cells
            if low > high:  # within one cell
                cells[high] += weight * (end - start)
                continue
            if low < high:
                cells[low:high] = [weight * cell] * (high - low)
            if start < origin + low * cell:
                cells[low - 1] += weight * (origin + low * cell - start)
            if end > origin + high * cell:
                cells[high] += weight * (end - origin - high * cell)
        day += timedelta(days=1)
    return array("q", accumulate(cells, initial=0))


def _minute_weight(span: OffHoursSpan) -> int:
    if span.at_night:
        return NIGHT_WEIGHT
    return DAY_OFF_WEIGHT if span.day_off else WORKING_DAY_WEIGHT


class _LocalTime(NamedTuple):
    """A slot in one zone: worked out once per zone, since pytz converts slowly."""

    start: datetime
    end: datetime
    clock: str  # e.g. "17:30-18:30"
    days: set[date]


def _slot(timelines: Sequence[Timeline], bridge: BlockIndex, start: int, length: int) -> Slot:
    span = (start, start + length)
    utc_start, utc_end = from_epoch(span[0]), from_epoch(span[1])
    local_times: dict[str, _LocalTime] = {}
    off_hours_of: dict[WorkCalendar, OffHours] = {}  # per office: the same for all who work there
    participants = []
    hard_problems = []
    for timeline in timelines:
        participant = timeline.participant
        local = local_times.get(participant.zone)
        if local is None:
            local_start, local_end = (
                utc_start.astimezone(participant.tz),
                utc_end.astimezone(participant.tz),
            )
            local = _LocalTime(
                local_start,
                local_end,
                clock_text(local_start, local_end),
                {local_start.date(), local_end.date()},
            )
            local_times[participant.zone] = local
        block = timeline.index.worst(span)
        off_hours = OffHours()  # without a block, the whole slot is working time
        detail = ""
        if block:
            known = off_hours_of.get(participant.calendar)
            if known is None:
                known = off_hours_of[participant.calendar] = timeline.off_hours(span)
            off_hours = known
            detail = describe(block, local.clock) + _night(off_hours, length)
            hard_problems.append(f"{participant.title}: {detail}")
        working_day = timeline.working_day_of(span)
        participants.append(
            ParticipantInSlot(
                key=participant.key,
                label=participant.label,
                zone=participant.zone,
                local_start=local.start,
                local_end=local.end,
                status=block.status if block else Availability.WORKING,
                detail=detail,
                discomfort=round(_discomfort_within(working_day, span), 3),
                off_hours=off_hours,
                soft_problems=tuple(_soft_problems(timeline, working_day, span, local.days)),
            )
        )
    hard_problems.extend(f"{BRIDGE_LABEL}: {block.reason}" for block in bridge.overlapping(span))
    worst = max((p.discomfort for p in participants), default=0.0)
    return Slot(
        start=utc_start,
        end=utc_end,
        score=round(100 * (1 - worst), 1),
        participants=tuple(participants),
        hard_problems=tuple(hard_problems),
    )


def _night(off_hours: OffHours, length: int) -> str:
    """Say so when a session falls at night: all of it ("at night") or part ("30 min at night")."""
    if not off_hours.night:
        return ""
    if off_hours.night == length:
        return ", at night"
    return f", {round(off_hours.night / 60)} min at night"


def _soft_problems(
    timeline: Timeline, working_day: WorkingDay | None, span: Span, slot_days: set[date]
) -> Iterator[str]:
    label = timeline.participant.label
    margin = int(EDGE_MARGIN.total_seconds())
    minutes = margin // 60
    if working_day is not None:
        if span[0] - working_day.opens < margin:
            opening = format_minute(working_day.local_hours.start)
            yield f"starts within {minutes} min of {label}'s opening time ({opening})"
        if working_day.closes - span[1] < margin:
            closing = format_minute(working_day.local_hours.end)
            yield f"ends within {minutes} min of {label}'s closing time ({closing})"
    for holiday in timeline.estimated_holidays:
        if holiday.date not in slot_days and any(
            abs((holiday.date - day).days) <= 1 for day in slot_days
        ):
            yield (
                f"{label}: {holiday.name} on {holiday.date.isoformat()} is only an "
                "estimated date; the holiday may fall on this slot's day instead"
            )
    for year in sorted({day.year for day in slot_days} & timeline.unconfirmed_years):
        yield (
            f"{label}: no official list confirms the days off of {year} yet; "
            "they are the holiday package's forecast"
        )


def _seconds(length: timedelta, what: str) -> int:
    seconds = int(length.total_seconds())
    if seconds <= 0 or length != timedelta(seconds=seconds):
        raise ValueError(f"The {what} must be a positive whole number of seconds, not {length}.")
    return seconds


def _check_unique_keys(participants: Sequence[Participant]) -> None:
    keys = [participant.key for participant in participants]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(
            f"Each participant may be invited once; repeated: {', '.join(duplicates)}."
        )
