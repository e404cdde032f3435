"""Finding session slots that every participant can attend, ranked to share the inconvenience.

Hard constraints: each participant is within office hours (a break is not available), not on a day
off or public holiday, and not unavailable; the video bridge is free. Slots start on multiples of
`step` since the epoch (UTC), so a 15-minute step gives :00, :15, :30 and :45 everywhere.

The fast path is interval arithmetic: subtract every participant's blocks and the bridge's bookings
from the window and enumerate aligned starts in what is left. Only when that leaves nothing does
the planner score every aligned start, to offer the closest slots: fewest participants (or bridge)
in violation, then the mildest violations (see `Availability.severity`).

Ranking shares the discomfort fairly. A participant's discomfort is how far the middle of the
session lies from the middle of their working day, as a fraction of half that day: 0 at midday,
near 1 at opening or closing time, 1 outside the working day. Slots are ranked by the worst
participant's discomfort, then by the sum over participants.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from service.scheduling.availability import (
    Availability,
    Block,
    BlockIndex,
    Participant,
    Timeline,
    block_severity,
    clock_text,
    describe,
)
from service.scheduling.intervals import (
    Interval,
    Span,
    from_epoch,
    intersect_spans,
    span_between,
)
from service.scheduling.office_hours import format_minute

EDGE_MARGIN = timedelta(minutes=30)  # closer than this to opening or closing time is flagged
BRIDGE_LABEL = "Bridge"


@dataclass(frozen=True)
class ParticipantInSlot:
    key: str
    label: str
    zone: str
    local_start: datetime  # aware, in the participant's zone
    local_end: datetime
    status: Availability
    detail: str  # why the status is not "working", in words ("" when it is)
    discomfort: float  # 0 = middle of the working day, 1 = outside it
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
) -> PlanResult:
    """The best `limit` slots of `duration` in the window; closest misses if none fits all.

    `bridge_busy` holds the bridge's existing bookings, each with the session title as reason.
    """
    window = span_between(window_start, window_end)
    length, stride = _seconds(duration, "duration"), _seconds(step, "step")
    if limit < 1:
        raise ValueError("Ask for at least one slot.")
    _check_unique_keys(participants)
    timelines = [Timeline(participant, window) for participant in participants]
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
    for index in _indexes(timelines, bridge):
        common = [
            (start, end)
            for start, end in intersect_spans(common, index.free_spans(window))
            if end - start >= length
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
    working_day = timeline.working_day_of(span)
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
    """The aligned starts that break the fewest and mildest hard constraints.

    Every start is scored, but per block rather than per start and participant: a block marks
    the run of starts it overlaps in one slice assignment, milder blocks first so that the worst
    one wins.
    """
    first = _first_aligned(window[0], stride)
    count = max(0, (window[1] - length - first) // stride + 1)
    indexes = list(_indexes(timelines, bridge))
    # One number per start and index orders starts by (violations, total severity): each
    # violation weighs more than all severities together could add up to.
    violation_weight = (len(indexes) + 1) * max(status.severity for status in Availability)
    rows = []
    for index in indexes:
        row = [0] * count
        for block in sorted(index.blocks, key=block_severity):
            # Starts s with s < block.end and s + length > block.start; compared by hand
            # rather than with min/max, which cost more at thousands of blocks per plan.
            low = (block.start - length - first) // stride + 1
            high = -(-(block.end - first) // stride)
            if low < 0:
                low = 0
            if high > count:
                high = count
            if low < high:
                row[low:high] = [violation_weight + block.status.severity] * (high - low)
        rows.append(row)
    violation_keys = list(map(sum, zip(*rows, strict=True)))
    if not violation_keys:
        return []
    by_violations = sorted(range(count), key=violation_keys.__getitem__)
    # Only starts as good as the limit-th one can make the list; rank those by discomfort too.
    cutoff = violation_keys[by_violations[min(limit, count) - 1]]
    contenders = [i for i in by_violations if violation_keys[i] <= cutoff]
    best = heapq.nsmallest(
        limit,
        contenders,
        key=lambda i: (violation_keys[i], *_discomforts(timelines, first + i * stride, length)),
    )
    return [first + i * stride for i in best]


def _slot(timelines: Sequence[Timeline], bridge: BlockIndex, start: int, length: int) -> Slot:
    span = (start, start + length)
    utc_start, utc_end = from_epoch(span[0]), from_epoch(span[1])
    local_times: dict[str, tuple[datetime, datetime]] = {}  # per zone: pytz converts slowly
    participants = []
    hard_problems = []
    for timeline in timelines:
        participant = timeline.participant
        if participant.zone not in local_times:
            local_times[participant.zone] = (
                utc_start.astimezone(participant.tz),
                utc_end.astimezone(participant.tz),
            )
        local_start, local_end = local_times[participant.zone]
        block = timeline.index.worst(span)
        detail = describe(block, clock_text(local_start, local_end)) if block else ""
        if block:
            hard_problems.append(f"{participant.title}: {detail}")
        participants.append(
            ParticipantInSlot(
                key=participant.key,
                label=participant.label,
                zone=participant.zone,
                local_start=local_start,
                local_end=local_end,
                status=block.status if block else Availability.WORKING,
                detail=detail,
                discomfort=round(_discomfort(timeline, span), 3),
                soft_problems=tuple(
                    _soft_problems(timeline, span, {local_start.date(), local_end.date()})
                ),
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


def _soft_problems(timeline: Timeline, span: Span, slot_days: set[date]) -> Iterator[str]:
    label = timeline.participant.label
    margin = int(EDGE_MARGIN.total_seconds())
    minutes = margin // 60
    working_day = timeline.working_day_of(span)
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
