"""A rule ending as late as a datetime can (the year 9999, stored before ends were bounded) still
renders: UNTIL written as given, and a VTIMEZONE that stops a few years on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.calendar.ics import MAX_TIMEZONE_YEARS, build_feed, build_request

LAST_INSTANT = datetime.max.replace(tzinfo=UTC)


@pytest.mark.parametrize("zone", ["Asia/Bangkok", "Europe/Helsinki", "America/New_York"])
def test_an_until_at_the_end_of_the_year_9999_renders_with_a_bounded_vtimezone(
    event, local, parse, zone: str
) -> None:
    series = event(
        zone=zone,
        start_utc=local(zone, 2026, 1, 8, 10, 0),
        end_utc=local(zone, 2026, 1, 8, 11, 0),
        rrule={"FREQ": "WEEKLY", "BYDAY": ["TH"], "UNTIL": LAST_INSTANT},
    )
    for body in (build_request(series), build_feed("Far", [series], refresh=timedelta(hours=1))):
        parsed = parse(body)
        assert "UNTIL=99991231T235959Z" in body.decode().replace("\r\n ", "")
        (timezone,) = parsed.icalendar.walk("VTIMEZONE")
        years = {
            moment.dt.year
            for sub in timezone.subcomponents
            for moment in [sub["DTSTART"], *(sub.get("RDATE", []) and sub["RDATE"].dts)]
        }
        assert max(years) <= 2026 + MAX_TIMEZONE_YEARS
