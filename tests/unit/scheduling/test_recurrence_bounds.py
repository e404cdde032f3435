# ruff: noqa: DTZ001  (recurrence takes the first start as a naive wall-clock time)
"""Series ends bounded for new bookings: within ten years of the first start, intervals of at
most 52; a stored end in the year 9999 is still written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.scheduling.recurrence import RecurrenceRule, check_series_end

BANGKOK, NEW_YORK = "Asia/Bangkok", "America/New_York"
FIRST = datetime(2026, 3, 5, 14)  # a Thursday, wall clock


def rule(**fields) -> RecurrenceRule:
    return RecurrenceRule.from_json({"freq": "WEEKLY", "byweekday": ["TH"]} | fields)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"count": 520},
        {"until": "2036-03-05"},
        {"freq": "MONTHLY", "byweekday": [], "interval": 12, "count": 11},
    ],
)
def test_series_ending_within_ten_years_or_open_ended_are_accepted(fields) -> None:
    check_series_end(rule(**fields), FIRST, BANGKOK)


@pytest.mark.parametrize(
    ("fields", "zone", "message"),
    [
        ({"until": "2036-03-13"}, BANGKOK, "within 10 years"),
        ({"until": date(9999, 12, 31)}, NEW_YORK, "within 10 years"),
        ({"until": "9999-12-31T23:00:00-05:00"}, BANGKOK, "within 10 years"),
        ({"interval": 2, "count": 270}, BANGKOK, "within 10 years"),
        ({"freq": "MONTHLY", "byweekday": [], "interval": 12, "count": 12}, BANGKOK, "10 years"),
        ({"interval": 53}, BANGKOK, "at most 52"),
    ],
)
def test_series_ending_later_or_with_huge_intervals_are_refused(fields, zone, message) -> None:
    with pytest.raises(ValueError, match=message):
        check_series_end(rule(**fields), FIRST, zone)


def test_a_stored_end_in_the_year_9999_west_of_greenwich_is_written_as_the_last_instant() -> None:
    assert rule(until="9999-12-31").as_ical(NEW_YORK)["UNTIL"] == datetime.max.replace(tzinfo=UTC)
