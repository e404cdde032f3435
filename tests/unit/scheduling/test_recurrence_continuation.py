# ruff: noqa: DTZ001  (recurrence takes the first start as a naive wall-clock time)
"""The rule a series carries on with after a "this and following" move: days and wall-clock
time moved with the first occurrence, on either side of a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import pytz

from service.scheduling.recurrence import RecurrenceRule, continue_series, expand_occurrences

BANGKOK, HELSINKI = "Asia/Bangkok", "Europe/Helsinki"
FIRST = datetime(2026, 3, 5, 14)  # a Thursday, wall clock
FAR_AHEAD = datetime(2030, 1, 1, tzinfo=UTC)


def rule(**fields) -> RecurrenceRule:
    return RecurrenceRule.from_json({"freq": "WEEKLY", "byweekday": ["TH"]} | fields)


def _slots(rule_: RecurrenceRule, first: datetime, zone: str) -> list[datetime]:
    return expand_occurrences(rule_, first, zone, FAR_AHEAD)


def test_thursdays_moved_to_the_monday_after_a_dst_change_stay_at_10_in_helsinki() -> None:
    # Finland changes to summer time on Sunday 29 March 2026.
    thursdays = _slots(rule(count=8), datetime(2026, 3, 12, 10), HELSINKI)
    moved = continue_series(
        rule(count=8), HELSINKI, thursdays[2], datetime(2026, 3, 30, 10), 6, earlier=2
    )
    assert moved.rule.byweekday == ("MO",)
    assert moved.rule.count == 6
    helsinki = pytz.timezone(HELSINKI)
    assert {s.astimezone(helsinki).strftime("%a %H:%M") for s in moved.starts} == {"Mon 10:00"}
    assert moved.starts[0] == datetime(2026, 3, 30, 7, tzinfo=UTC)  # EEST, UTC+3
    assert list(moved.starts) == _slots(moved.rule, moved.first_start_local, HELSINKI)


def test_the_second_tuesday_moved_to_the_wednesday_becomes_the_second_wednesday() -> None:
    second_tuesdays = RecurrenceRule.from_json(
        {"freq": "MONTHLY", "byweekday": ["TU"], "nth": 2, "until": "2026-06-30"}
    )
    slots = _slots(second_tuesdays, datetime(2026, 3, 10, 14), BANGKOK)
    assert [s.day for s in slots] == [10, 14, 12, 9]
    moved = continue_series(second_tuesdays, BANGKOK, slots[0], datetime(2026, 3, 11, 14), 4, 0)
    assert (moved.rule.byweekday, moved.rule.nth) == (("WE",), 2)
    assert moved.rule.until == date(2026, 7, 1)  # the end moves by as many days
    # April 2026 starts on a Wednesday: its second Wednesday is the 8th, not the 14th + 1.
    assert [s.day for s in moved.starts] == [11, 8, 13, 10]


def test_a_move_to_the_fifth_weekday_of_a_month_is_refused_in_words() -> None:
    fourth_tuesdays = RecurrenceRule.from_json(
        {"freq": "MONTHLY", "byweekday": ["TU"], "nth": 4, "count": 3}
    )
    slots = _slots(fourth_tuesdays, datetime(2026, 9, 22, 14), BANGKOK)
    with pytest.raises(ValueError, match="cannot carry on from Tuesday 2026-09-29"):
        continue_series(fourth_tuesdays, BANGKOK, slots[0], datetime(2026, 9, 29, 14), 3, 0)


def test_an_aware_until_moves_by_the_wall_clock_shift() -> None:
    until = datetime(2026, 4, 2, 14, tzinfo=UTC) + timedelta(hours=-7)  # Thursday 14:00 Bangkok
    weekly = rule(until=until.isoformat())
    slots = _slots(weekly, FIRST, BANGKOK)
    moved = continue_series(weekly, BANGKOK, slots[1], datetime(2026, 3, 12, 15, 30), 3, 1)
    assert len(moved.starts) == 3
    assert moved.rule.until == until + timedelta(hours=1, minutes=30)
