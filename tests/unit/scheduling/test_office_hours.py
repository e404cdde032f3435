from __future__ import annotations

import re
from datetime import date

import pytest

from service.directory.office_hours import WeeklyHours, WorkPeriod
from service.directory.reference import MEMBER_STATES, MEMBERS_BY_CODE

FRIDAY = date(2026, 12, 4)
SATURDAY = date(2026, 12, 5)


@pytest.mark.parametrize("state", MEMBER_STATES, ids=lambda state: state.code)
def test_every_member_week_round_trips_through_json(state) -> None:
    hours = WeeklyHours.from_json(state.office_hours)
    assert hours.to_json() == state.office_hours
    assert WeeklyHours.from_json(hours.to_json()) == hours


def test_gaps_between_periods_are_breaks_and_days_without_periods_are_off() -> None:
    malaysia = WeeklyHours.from_json(MEMBERS_BY_CODE["MY"].office_hours)
    assert malaysia.periods_on(FRIDAY) == (
        WorkPeriod(8 * 60, 12 * 60 + 15),
        WorkPeriod(14 * 60 + 45, 17 * 60),
    )
    assert [str(gap) for gap in malaysia.breaks_on(FRIDAY)] == ["12:15-14:45"]
    assert [str(gap) for gap in malaysia.breaks_on(date(2026, 12, 3))] == ["13:00-14:00"]
    assert not malaysia.is_working_day(SATURDAY)
    assert malaysia.breaks_on(SATURDAY) == ()


def test_brunei_works_saturday_but_not_friday_or_sunday() -> None:
    brunei = WeeklyHours.from_json(MEMBERS_BY_CODE["BN"].office_hours)
    assert brunei.is_working_day(SATURDAY)
    assert not brunei.is_working_day(FRIDAY)
    assert not brunei.is_working_day(date(2026, 12, 6))


def test_missing_days_are_off_and_adjacent_periods_make_no_break() -> None:
    hours = WeeklyHours.from_json({"mon": [["08:00", "12:00"], ["12:00", "24:00"]]})
    monday = date(2026, 12, 7)
    assert hours.breaks_on(monday) == ()
    assert hours.to_json()["mon"] == [["08:00", "12:00"], ["12:00", "24:00"]]
    assert not hours.is_working_day(monday.replace(day=8))


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ({"mon": [["8:30", "12:00"]]}, "Monday: '8:30' is not a time of day in HH:MM form"),
        ({"tue": [["08:00", "25:00"]]}, "Tuesday: '25:00' is not a time of day"),
        ({"wed": [["08:60", "12:00"]]}, "Wednesday: '08:60' is not a time of day"),
        ({"thu": [["13:00", "12:00"]]}, "Thursday: the period 13:00-12:00 ends before it starts"),
        (
            {"fri": [["08:00", "12:30"], ["12:00", "17:00"]]},
            "Friday: the periods 08:00-12:30 and 12:00-17:00 overlap",
        ),
        (
            {"sat": [["13:00", "17:00"], ["08:00", "12:00"]]},
            "Saturday: the periods 13:00-17:00 and 08:00-12:00 are not in time order",
        ),
        ({"sun": [["08:00"]]}, "Sunday: each period must be a pair [start, end]"),
        ({"mon": "08:00-17:00"}, "Monday must be a list of [start, end] periods"),
        ({"monday": [["08:00", "17:00"]]}, "unknown weekday key(s) 'monday'; use mon, tue"),
        ({"mon": [["24:00", "24:00"]]}, "Monday: the period 24:00-24:00 ends before it starts"),
    ],
)
def test_invalid_weeks_are_refused_with_a_readable_reason(week, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        WeeklyHours.from_json(week)
