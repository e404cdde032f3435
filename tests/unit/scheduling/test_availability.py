from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.directory.office_hours import WeeklyHours
from service.scheduling.availability import (
    Availability,
    Participant,
    free_intervals,
    status_at,
    status_during,
)
from service.scheduling.intervals import Interval


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_thai_working_day_in_utc(member) -> None:
    thailand = member("TH")
    free = free_intervals(thailand, utc(2026, 12, 8), utc(2026, 12, 9))
    assert [(i.start, i.end) for i in free] == [
        (utc(2026, 12, 8, 1, 30), utc(2026, 12, 8, 5)),  # 08:30-12:00 in Bangkok
        (utc(2026, 12, 8, 6), utc(2026, 12, 8, 9, 30)),  # 13:00-16:30
    ]


def test_statuses_in_words(member) -> None:
    thailand = member("TH")
    assert status_at(thailand, utc(2026, 12, 8, 3)).status is Availability.WORKING
    lunch = status_during(thailand, utc(2026, 12, 8, 4, 30), utc(2026, 12, 8, 5, 30))
    assert lunch.status is Availability.BREAK
    assert lunch.detail == "in the 12:00-13:00 break (11:30-12:30 local)"
    evening = status_at(thailand, utc(2026, 12, 8, 10))
    assert (evening.status, evening.detail) == (
        Availability.OFF,
        "outside office hours (17:00 local)",
    )
    holiday = status_at(thailand, utc(2026, 12, 10, 3))
    assert (holiday.status, holiday.detail) == (
        Availability.HOLIDAY,
        "public holiday Constitution Day",
    )
    saturday = status_at(thailand, utc(2026, 12, 12, 3))
    assert (saturday.status, saturday.detail) == (
        Availability.OFF,
        "Saturday is a day off (10:00 local)",
    )


def test_timor_leste_late_afternoon_is_outside_office_hours(member) -> None:
    status = status_during(member("TL"), utc(2026, 12, 9, 8, 30), utc(2026, 12, 9, 9, 30))
    assert status.detail == "outside office hours (17:30-18:30 local)"


def test_the_worst_status_over_an_interval_wins(member) -> None:
    # 04:30-06:30 UTC in Bangkok runs from working time into the lunch break and out again.
    thailand = member(
        "TH", unavailable=(Interval(utc(2026, 12, 8, 6), utc(2026, 12, 8, 7), "annual leave"),)
    )
    status = status_during(thailand, utc(2026, 12, 8, 4, 30), utc(2026, 12, 8, 6, 30))
    assert (status.status, status.detail) == (Availability.UNAVAILABLE, "unavailable: annual leave")


def test_unavailability_is_cut_out_of_free_time(member) -> None:
    leave = Interval(utc(2026, 12, 8, 2), utc(2026, 12, 8, 7), "dentist")
    free = free_intervals(member("TH", unavailable=(leave,)), utc(2026, 12, 8), utc(2026, 12, 9))
    assert [(i.start, i.end) for i in free] == [
        (utc(2026, 12, 8, 1, 30), utc(2026, 12, 8, 2)),
        (utc(2026, 12, 8, 7), utc(2026, 12, 8, 9, 30)),
    ]


def test_brunei_saturday_works_friday_and_sunday_do_not(member) -> None:
    brunei = member("BN")  # 07:45-12:15 and 13:30-16:30, UTC+8
    assert status_at(brunei, utc(2026, 12, 5, 2)).status is Availability.WORKING  # Saturday
    assert status_at(brunei, utc(2026, 12, 4, 2)).detail == "Friday is a day off (10:00 local)"
    assert status_at(brunei, utc(2026, 12, 6, 2)).status is Availability.OFF


def test_yangon_half_hour_offset(member) -> None:
    myanmar = member("MM")  # 09:30-16:30 at UTC+06:30 is 03:00-10:00 UTC
    free = free_intervals(myanmar, utc(2026, 12, 8), utc(2026, 12, 9))
    assert [(i.start, i.end) for i in free] == [(utc(2026, 12, 8, 3), utc(2026, 12, 8, 10))]


def test_helsinki_office_hours_follow_dst(helsinki_partner) -> None:
    winter = free_intervals(helsinki_partner, utc(2026, 3, 27), utc(2026, 3, 28))
    summer = free_intervals(helsinki_partner, utc(2026, 3, 30), utc(2026, 3, 31))
    assert [(i.start.hour, i.end.hour) for i in winter] == [(6, 14)]  # 08:00-16:00 at UTC+2
    assert [(i.start.hour, i.end.hour) for i in summer] == [(5, 13)]  # at UTC+3


def test_a_day_with_a_dst_change_keeps_local_office_hours() -> None:
    # Europe/Helsinki changed at 03:00 on Sunday 29 March 2026; this office works that Sunday.
    sunday_shift = Participant(
        "person:night", "Night desk", "Europe/Helsinki",
        WeeklyHours.from_json({"sun": [["01:00", "05:00"], ["06:00", "10:00"]]}),
    )  # fmt: skip
    free = free_intervals(sunday_shift, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12))
    assert [(i.start, i.end) for i in free] == [
        (utc(2026, 3, 28, 23), utc(2026, 3, 29, 2)),  # 01:00 EET to 05:00 EEST is three hours
        (utc(2026, 3, 29, 3), utc(2026, 3, 29, 7)),
    ]


def test_invalid_participants_and_times_are_refused(member) -> None:
    with pytest.raises(ValueError, match="'Asia/Rangoon City' is not an IANA time zone"):
        member("MM", zone="Asia/Rangoon City")
    with pytest.raises(ValueError, match="has no time zone"):
        status_at(member("TH"), datetime(2026, 12, 8, 3))  # noqa: DTZ001 - under test
    with pytest.raises(ValueError, match="must come after"):
        free_intervals(member("TH"), utc(2026, 12, 9), utc(2026, 12, 8))
    with pytest.raises(ValueError, match="must end after it starts"):
        Interval(utc(2026, 12, 9), utc(2026, 12, 9) - timedelta(minutes=1))
