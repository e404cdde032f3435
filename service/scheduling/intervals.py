"""Half-open time intervals, and the arithmetic the planner does on them.

At the boundaries an interval is a pair of aware datetimes (any zone, compared as instants) with a
reason. Inside, the scheduling code works on spans: `(start, end)` pairs of integer seconds since
the Unix epoch, which sort, merge and intersect cheaply and cannot mix up zones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

Span = tuple[int, int]  # [start, end) in seconds since the epoch, UTC


def to_epoch(moment: datetime) -> int:
    # Called for every booking the planner loads: UTC datetimes take the short way.
    if moment.tzinfo is not UTC and (moment.tzinfo is None or moment.utcoffset() is None):
        raise ValueError(f"{moment.isoformat()} has no time zone; give times as aware datetimes.")
    return int(moment.timestamp())


def span_between(start: datetime, end: datetime) -> Span:
    """The span of [start, end); raises ValueError unless end comes after start."""
    span = to_epoch(start), to_epoch(end)
    if span[1] <= span[0]:
        raise ValueError(f"{end.isoformat()} must come after {start.isoformat()}.")
    return span


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@dataclass(frozen=True)
class Interval:
    """[start, end) between two aware datetimes, with why it matters (e.g. "annual leave")."""

    start: datetime
    end: datetime
    reason: str = ""
    # Worked out once, while validating: the planner reads it for thousands of bookings.
    span: Span = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        span = to_epoch(self.start), to_epoch(self.end)
        if span[1] <= span[0]:
            raise ValueError(
                f"The interval {self.start.isoformat()} to {self.end.isoformat()} "
                "must end after it starts."
            )
        object.__setattr__(self, "span", span)

    @classmethod
    def from_span(cls, span: Span, reason: str = "") -> Interval:
        return cls(from_epoch(span[0]), from_epoch(span[1]), reason)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """The union of spans as sorted, disjoint spans (touching spans are joined)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_spans(window: Span, blocked: Iterable[Span]) -> list[Span]:
    """The parts of `window` that no blocked span covers, in order."""
    window_start, window_end = window
    free: list[Span] = []
    cursor = window_start
    for start, end in merge_spans(blocked):
        if end <= cursor:
            continue
        if start >= window_end:
            break
        if start > cursor:
            free.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < window_end:
        free.append((cursor, window_end))
    return free


def intersect_spans(first: Sequence[Span], second: Sequence[Span]) -> list[Span]:
    """The time both sorted, disjoint span lists cover."""
    common: list[Span] = []
    i = j = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            common.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return common
