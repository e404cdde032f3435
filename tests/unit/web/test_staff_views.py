"""What the staff pages show, apart from HTTP: office hours in short, recurrence choices."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.web.staff_views import Repeat, recurrence, week_summary

MORNING_AND_AFTERNOON = [["07:45", "12:15"], ["13:30", "16:30"]]


def test_days_with_the_same_hours_are_shown_together() -> None:
    brunei = {day: MORNING_AND_AFTERNOON for day in ("mon", "tue", "wed", "thu", "sat")}
    assert week_summary(brunei | {"fri": [], "sun": []}) == [
        ("Mon-Thu", "07:45-12:15, 13:30-16:30"),
        ("Sat", "07:45-12:15, 13:30-16:30"),
    ]


@pytest.mark.parametrize(
    ("start", "weekday", "nth"),
    [
        (datetime(2027, 3, 9, 7, tzinfo=UTC), "TU", 2),  # 14:00 in Bangkok, second Tuesday
        (datetime(2027, 3, 30, 7, tzinfo=UTC), "TU", -1),  # a fifth Tuesday: the last
        (datetime(2027, 3, 31, 20, tzinfo=UTC), "TH", 1),  # Thursday 1 April in Bangkok
    ],
)
def test_monthly_keeps_the_weekday_and_its_place_in_the_organisers_month(
    start: datetime, weekday: str, nth: int
) -> None:
    assert recurrence(Repeat.monthly, 6, start, "Asia/Bangkok") == {
        "freq": "MONTHLY",
        "byweekday": [weekday],
        "nth": nth,
        "count": 6,
    }


def test_weekly_choices_and_a_single_session() -> None:
    start = datetime(2027, 3, 9, 7, tzinfo=UTC)
    assert recurrence(Repeat.once, 6, start, "Asia/Bangkok") is None
    assert recurrence(Repeat.fortnightly, 4, start, "Asia/Bangkok") == {
        "freq": "WEEKLY",
        "interval": 2,
        "count": 4,
    }
