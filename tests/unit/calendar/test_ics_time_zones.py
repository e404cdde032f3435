"""Times in invites: TZID'd, one bounded VTIMEZONE each, and the same instants in two parsers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.calendar.ics import build_cancel, build_feed, build_request

WEEKLY_THURSDAYS_2026_2027 = {"FREQ": "WEEKLY", "BYDAY": ["TH"]}
SERIES_END = datetime(2027, 12, 31, tzinfo=UTC)


def _weekly_series(event, local, zone: str, hour: int, minute: int):
    return event(
        zone=zone,
        start_utc=local(zone, 2026, 1, 8, hour, minute),
        end_utc=local(zone, 2026, 1, 8, hour + 1, minute),
        rrule={**WEEKLY_THURSDAYS_2026_2027, "UNTIL": SERIES_END},
    )


def _wall_clock(instants: list[datetime], zone: str, *days: tuple[int, int, int]) -> list[str]:
    """The local time, in `zone`, of the occurrence on each of `days`."""
    by_day = {instant.astimezone(ZoneInfo(zone)).date(): instant for instant in instants}
    return [by_day[date(*day)].astimezone(ZoneInfo(zone)).strftime("%H:%M") for day in days]


@pytest.mark.parametrize(
    ("organiser_zone", "hour", "minute"),
    [
        ("Asia/Bangkok", 14, 0),  # +07
        ("Asia/Yangon", 13, 30),  # +06:30
        ("Asia/Jayapura", 16, 0),  # +09
        ("Asia/Dili", 16, 0),  # +09
    ],
)
def test_weekly_asean_series_moves_an_hour_in_helsinki_and_new_york(
    event, local, parse, organiser_zone, hour, minute
):
    parsed = parse(build_request(_weekly_series(event, local, organiser_zone, hour, minute)))
    by_icalendar, by_vobject = parsed.instants(datetime(2026, 1, 1, tzinfo=UTC), SERIES_END)

    assert by_icalendar == by_vobject
    assert len(by_icalendar) == 104  # every Thursday of 2026 and 2027
    assert {instant.strftime("%a %H:%M") for instant in by_icalendar} == {"Thu 07:00"}
    # EU summer time: 29 Mar - 25 Oct 2026, 28 Mar - 31 Oct 2027.
    assert _wall_clock(
        by_icalendar,
        "Europe/Helsinki",
        (2026, 3, 26),
        (2026, 4, 2),
        (2026, 10, 22),
        (2026, 10, 29),
        (2027, 3, 25),
        (2027, 4, 1),
        (2027, 10, 28),
        (2027, 11, 4),
    ) == ["09:00", "10:00", "10:00", "09:00", "09:00", "10:00", "10:00", "09:00"]
    # US daylight time: 8 Mar - 1 Nov 2026, 14 Mar - 7 Nov 2027 (Washington shares the zone).
    assert _wall_clock(
        by_icalendar,
        "America/New_York",
        (2026, 3, 5),
        (2026, 3, 12),
        (2026, 10, 29),
        (2026, 11, 5),
        (2027, 3, 11),
        (2027, 3, 18),
        (2027, 11, 4),
        (2027, 11, 11),
    ) == ["02:00", "03:00", "03:00", "02:00", "02:00", "03:00", "03:00", "02:00"]


@pytest.mark.parametrize(
    ("organiser_zone", "hour"),
    [
        ("Europe/Helsinki", 9),  # a university partner in Finland
        ("America/New_York", 2),  # Washington's zone, for the sake of the arithmetic
    ],
)
def test_series_organised_in_a_dst_zone_keeps_its_wall_clock_time(
    event, local, parse, organiser_zone, hour
):
    parsed = parse(build_request(_weekly_series(event, local, organiser_zone, hour, 0)))
    by_icalendar, by_vobject = parsed.instants(datetime(2026, 1, 1, tzinfo=UTC), SERIES_END)

    # vobject computes these from the VTIMEZONE in the file, icalendar from the IANA name.
    assert by_icalendar == by_vobject
    assert {
        instant.astimezone(ZoneInfo(organiser_zone)).strftime("%H:%M") for instant in by_icalendar
    } == {f"{hour:02d}:00"}
    assert (
        _wall_clock(
            by_icalendar,
            "Asia/Bangkok",
            (2026, 3, 5),
            (2026, 4, 2),
            (2026, 10, 22),
            (2026, 11, 19),
            (2027, 7, 1),
            (2027, 12, 2),
        )
        # 14:00 in Bangkok while the organiser is on standard time, 13:00 during summer time.
        == ["14:00", "13:00", "13:00", "14:00", "13:00", "14:00"]
    )


def test_dates_carry_the_organiser_tzid_and_until_is_utc(event, local, parse):
    series = _weekly_series(event, local, "Asia/Bangkok", 14, 0)
    parsed = parse(build_request(series))
    lines = parsed.raw.decode().split("\r\n")

    assert "DTSTART;TZID=Asia/Bangkok:20260108T140000" in lines
    assert "DTEND;TZID=Asia/Bangkok:20260108T150000" in lines
    assert "RRULE:FREQ=WEEKLY;UNTIL=20271231T000000Z;BYDAY=TH" in lines
    (vevent,) = parsed.vevents()
    assert vevent["DTSTAMP"].dt.utcoffset() == timedelta(0)


def test_local_until_is_converted_to_utc(event, local, parse):
    until_in_bangkok = datetime(2026, 6, 25, 23, 59, tzinfo=ZoneInfo("Asia/Bangkok"))
    series = event(rrule={"freq": "WEEKLY", "until": until_in_bangkok})

    assert "UNTIL=20260625T165900Z" in build_request(series).decode()


def test_one_bounded_vtimezone_per_tzid(event, local, parse):
    bangkok = _weekly_series(event, local, "Asia/Bangkok", 14, 0)
    helsinki = _weekly_series(event, local, "Europe/Helsinki", 9, 0)
    feed = build_feed(
        "Partners",
        [bangkok, replace(helsinki, uid="helsinki@example.org")],
        refresh=timedelta(hours=1),
    )
    parsed = parse(feed)

    timezones = {tz["TZID"]: tz for tz in parsed.icalendar.walk("VTIMEZONE")}
    assert sorted(timezones) == ["Asia/Bangkok", "Europe/Helsinki"]
    helsinki_rules = timezones["Europe/Helsinki"]
    assert {sub.name for sub in helsinki_rules.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # Two years of events: a handful of observances, not an RDATE per year since 1970.
    assert feed.count(b"RDATE") <= 4
    assert min(sub["DTSTART"].dt for sub in helsinki_rules.subcomponents).year == 2026


def test_open_ended_series_gets_a_bounded_vtimezone(event, local, parse):
    open_ended = event(zone="Europe/Helsinki", rrule={"FREQ": "WEEKLY", "BYDAY": ["TH"]})
    parsed = parse(build_request(open_ended))

    (helsinki,) = parsed.icalendar.walk("VTIMEZONE")
    years = {
        moment.dt.year
        for sub in helsinki.subcomponents
        for moment in [sub["DTSTART"], *(sub.get("RDATE", []) and sub["RDATE"].dts)]
    }
    assert min(years) == 2026
    assert max(years) <= 2032


def test_naive_datetimes_are_refused(event, local):
    naive = datetime(2026, 1, 8, 7, 0)  # noqa: DTZ001 - the naive value under test
    with pytest.raises(ValueError, match="timezone-aware"):
        event(start_utc=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        event(rrule={"FREQ": "WEEKLY", "UNTIL": naive})
    with pytest.raises(ValueError, match="timezone-aware"):
        build_cancel(event(rrule={"FREQ": "WEEKLY"}), occurrence_start_utc=naive)


def test_unknown_zone_is_refused(event):
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        event(zone="PST")
