# ruff: noqa: DTZ001  (expand_occurrences takes the first start as a naive wall-clock time)
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import pytz
from icalendar import vRecur

from service.scheduling.recurrence import (
    RecurrenceRule,
    expand_occurrences,
    suggest_next_working_day,
)

BANGKOK, HELSINKI, NEW_YORK = "Asia/Bangkok", "Europe/Helsinki", "America/New_York"
FAR_AHEAD = datetime(2030, 1, 1, tzinfo=UTC)


def weekly_thursdays(**fields) -> RecurrenceRule:
    return RecurrenceRule.from_json({"freq": "WEEKLY", "byweekday": ["TH"], **fields})


def wall_clock(moment: datetime, zone: str) -> str:
    return moment.astimezone(pytz.timezone(zone)).strftime("%Y-%m-%d %H:%M %Z")


def test_weekly_14_00_bangkok_keeps_its_wall_time_and_moves_abroad() -> None:
    starts = expand_occurrences(
        weekly_thursdays(count=40), datetime(2026, 3, 5, 14), BANGKOK, FAR_AHEAD
    )
    assert len(starts) == 40
    assert {wall_clock(start, BANGKOK)[11:] for start in starts} == {"14:00 +07"}
    assert all(start.tzinfo is UTC and start.hour == 7 for start in starts)
    by_date = {start.date(): start for start in starts}
    # Europe moves to summer time on 29 March and back on 25 October 2026.
    assert wall_clock(by_date[date(2026, 3, 26)], HELSINKI) == "2026-03-26 09:00 EET"
    assert wall_clock(by_date[date(2026, 4, 2)], HELSINKI) == "2026-04-02 10:00 EEST"
    # The US moved on 8 March 2026: New York sees 03:00 from then on.
    assert wall_clock(by_date[date(2026, 3, 5)], NEW_YORK) == "2026-03-05 02:00 EST"
    assert wall_clock(by_date[date(2026, 3, 12)], NEW_YORK) == "2026-03-12 03:00 EDT"


def test_a_helsinki_organisers_series_keeps_helsinki_time_across_both_changes() -> None:
    starts = expand_occurrences(
        weekly_thursdays(until="2027-04-01"), datetime(2026, 10, 15, 10), HELSINKI, FAR_AHEAD
    )
    assert {wall_clock(start, HELSINKI)[11:16] for start in starts} == {"10:00"}
    utc_hours = {start.date(): start.hour for start in starts}
    assert utc_hours[date(2026, 10, 22)] == 7  # EEST, UTC+3
    assert utc_hours[date(2026, 10, 29)] == 8  # EET, UTC+2
    assert utc_hours[date(2027, 3, 25)] == 8
    assert utc_hours[date(2027, 4, 1)] == 7  # summer time again from 28 March 2027
    assert max(utc_hours) == date(2027, 4, 1)  # `until` as a date includes that day


def test_monthly_on_the_second_tuesday_and_on_the_last_friday() -> None:
    second_tuesday = RecurrenceRule.from_json(
        {"freq": "MONTHLY", "byweekday": ["TU"], "nth": 2, "count": 4}
    )
    starts = expand_occurrences(second_tuesday, datetime(2026, 9, 8, 14), BANGKOK, FAR_AHEAD)
    assert [s.date().isoformat() for s in starts] == [
        "2026-09-08", "2026-10-13", "2026-11-10", "2026-12-08",
    ]  # fmt: skip
    last_friday = RecurrenceRule.from_json(
        {"freq": "MONTHLY", "interval": 2, "byweekday": ["FR"], "nth": -1, "count": 3}
    )
    starts = expand_occurrences(last_friday, datetime(2026, 10, 30, 9), BANGKOK, FAR_AHEAD)
    assert [s.date().isoformat() for s in starts] == ["2026-10-30", "2026-12-25", "2027-02-26"]


def test_expansion_stops_at_the_horizon_and_at_an_aware_until() -> None:
    open_ended = RecurrenceRule.from_json({"freq": "WEEKLY"})
    horizon = datetime(2026, 12, 31, 7, tzinfo=UTC)
    starts = expand_occurrences(open_ended, datetime(2026, 12, 3, 14), BANGKOK, horizon)
    assert [s.day for s in starts] == [3, 10, 17, 24]  # 31 Dec 07:00 UTC is not before it
    until_noon = weekly_thursdays(until="2026-12-17T13:00:00+07:00")
    starts = expand_occurrences(until_noon, datetime(2026, 12, 3, 14), BANGKOK, FAR_AHEAD)
    assert [s.day for s in starts] == [3, 10]


def test_the_first_start_must_itself_match_the_rule() -> None:
    with pytest.raises(ValueError, match="Wednesday 2026-12-02 14:00, is not itself an occurrence"):
        expand_occurrences(weekly_thursdays(count=3), datetime(2026, 12, 2, 14), BANGKOK, FAR_AHEAD)
    with pytest.raises(ValueError, match="naive wall-clock time"):
        expand_occurrences(
            weekly_thursdays(count=3), datetime(2026, 12, 3, 7, tzinfo=UTC), BANGKOK, FAR_AHEAD
        )


def test_json_round_trip_and_ical_with_until_in_utc() -> None:
    rule = RecurrenceRule.from_json(
        {"freq": "weekly", "interval": 2, "byweekday": ["tu", "th"], "until": "2026-12-31"}
    )
    assert rule.to_json() == {
        "freq": "WEEKLY", "interval": 2, "byweekday": ["TU", "TH"], "until": "2026-12-31",
    }  # fmt: skip
    assert RecurrenceRule.from_json(rule.to_json()) == rule
    # The end of 31 December in Bangkok is 16:59:59 UTC.
    assert vRecur(rule.as_ical(BANGKOK)).to_ical() == (
        b"FREQ=WEEKLY;UNTIL=20261231T165959Z;INTERVAL=2;BYDAY=TU,TH"
    )
    until = pytz.timezone(BANGKOK).localize(datetime(2027, 6, 8, 14))
    aware = RecurrenceRule.from_json(
        {"freq": "MONTHLY", "byweekday": ["TU"], "nth": 2, "until": until}
    )
    assert aware.as_ical(BANGKOK)["UNTIL"] == datetime(2027, 6, 8, 7, tzinfo=UTC)
    assert aware.as_ical(BANGKOK)["BYDAY"] == ["2TU"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"freq": "DAILY"}, "frequency must be WEEKLY or MONTHLY, not 'DAILY'"),
        ({"freq": "WEEKLY", "count": 3, "until": "2026-12-31"}, "either a count or an end date"),
        ({"freq": "WEEKLY", "interval": 0}, "interval must be at least 1"),
        ({"freq": "WEEKLY", "count": 521}, "count must be between 1 and 520"),
        ({"freq": "WEEKLY", "count": 0}, "count must be between 1 and 520"),
        ({"freq": "WEEKLY", "byweekday": ["TX"]}, "Unknown weekday(s) 'TX'"),
        ({"freq": "WEEKLY", "byweekday": ["TH", "TH"]}, "Each weekday may be listed once"),
        ({"freq": "WEEKLY", "byweekday": ["TH"], "nth": 2}, "Only a monthly rule"),
        ({"freq": "MONTHLY", "byweekday": ["TU"]}, "must say which one, e.g. nth=2"),
        ({"freq": "MONTHLY", "byweekday": ["TU"], "nth": 5}, "nth must be 1 to 4"),
        ({"freq": "MONTHLY", "byweekday": ["TU", "TH"], "nth": 1}, "exactly one weekday"),
        ({"freq": "WEEKLY", "until": "2026-12-31T17:00:00"}, "needs a time zone offset"),
        ({"freq": "WEEKLY", "until": "next year"}, "neither an ISO date"),
        ({"freq": "WEEKLY", "byday": ["TH"]}, "Unknown recurrence field(s): byday"),
    ],
)
def test_invalid_rules_are_refused_with_a_readable_reason(data, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        RecurrenceRule.from_json(data)


def test_an_occurrence_on_a_thai_holiday_moves_to_the_next_day_everyone_works(member) -> None:
    constitution_day = datetime(2026, 12, 10, 7, tzinfo=UTC)
    suggestion = suggest_next_working_day(
        constitution_day, timedelta(hours=1), [member("TH"), member("VN")], BANGKOK
    )
    assert suggestion.problems == (
        "Thailand (Asia/Bangkok): public holiday Constitution Day (2026-12-10)",
    )
    assert suggestion.next_start == datetime(2026, 12, 11, 7, tzinfo=UTC)


def test_next_working_day_respects_brunei_weekend_and_skips_several_days(member) -> None:
    friday = datetime(2026, 12, 4, 2, tzinfo=UTC)  # 10:00 in Bandar Seri Begawan
    brunei_only = suggest_next_working_day(friday, timedelta(hours=1), [member("BN")])
    assert brunei_only.problems == (
        "Brunei Darussalam (Asia/Brunei): Friday is a day off (2026-12-04)",
    )
    assert brunei_only.next_start == datetime(2026, 12, 5, 2, tzinfo=UTC)  # Saturday works
    with_thailand = suggest_next_working_day(
        friday, timedelta(hours=1), [member("BN"), member("TH")]
    )
    # Saturday and Sunday are off in Thailand, Monday 7 December is a Thai day in lieu.
    assert with_thailand.next_start == datetime(2026, 12, 8, 2, tzinfo=UTC)


def test_next_working_day_keeps_the_organisers_wall_time_across_dst(member) -> None:
    # Friday 23 October 2026, 10:00 in Helsinki, is a Thai holiday; Monday is after the change.
    start = datetime(2026, 10, 23, 7, tzinfo=UTC)
    suggestion = suggest_next_working_day(start, timedelta(hours=1), [member("TH")], HELSINKI)
    assert "King Chulalongkorn Memorial Day" in suggestion.problems[0]
    assert suggestion.next_start == datetime(2026, 10, 26, 8, tzinfo=UTC)  # 10:00 EET


def test_a_working_day_needs_no_suggestion(member) -> None:
    start = datetime(2026, 12, 9, 7, tzinfo=UTC)
    suggestion = suggest_next_working_day(start, timedelta(hours=1), [member("TH")])
    assert suggestion.problems == ()
    assert suggestion.next_start == start
