"""Subscription feeds (RFC 7986): calendar properties, no scheduling noise, stable output."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from service.calendar.ics import build_feed


def _feed_events(event, local):
    series = event(
        rrule={"FREQ": "WEEKLY", "BYDAY": ["TH"], "UNTIL": datetime(2026, 3, 26, 7, tzinfo=UTC)},
        sequence=2,
    )
    moved = event(
        recurrence_id=local("Asia/Bangkok", 2026, 2, 5, 14, 0),
        start_utc=local("Asia/Bangkok", 2026, 2, 5, 16, 0),
        end_utc=local("Asia/Bangkok", 2026, 2, 5, 17, 0),
        sequence=2,
        last_modified=datetime(2026, 1, 20, 9, 30, tzinfo=UTC),
    )
    cancelled = event(
        uid="session-43@vdo.aseanpubs.example",
        title="Annual workshop planning",
        status="CANCELLED",
        sequence=5,
        zone="Asia/Manila",
        start_utc=local("Asia/Manila", 2026, 4, 2, 15, 0),
        end_utc=local("Asia/Manila", 2026, 4, 2, 16, 0),
        conference=replace(event().conference, passcode=None),
    )
    return [series, moved, cancelled]


def test_feed_calendar_properties(event, local, parse):
    parsed = parse(
        build_feed(
            "ASEAN Pubs: Thailand",
            _feed_events(event, local),
            refresh=timedelta(hours=1),
            description="Sessions of the ASEAN Pubs network",
        )
    )

    calendar = parsed.icalendar
    assert "METHOD" not in calendar
    assert "method" not in parsed.vobject.contents
    lines = parsed.raw.decode().split("\r\n")
    for line in (
        "NAME:ASEAN Pubs: Thailand",
        "X-WR-CALNAME:ASEAN Pubs: Thailand",
        "DESCRIPTION:Sessions of the ASEAN Pubs network",
        "X-WR-CALDESC:Sessions of the ASEAN Pubs network",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "LAST-MODIFIED:20260120T093000Z",  # the latest change among the events
    ):
        assert line in lines
    assert calendar.refresh_interval == timedelta(hours=1)


@pytest.mark.parametrize(
    ("refresh", "written"),
    [
        (timedelta(minutes=30), "PT30M"),
        (timedelta(hours=6), "PT6H"),
        (timedelta(days=1), "PT24H"),
        (timedelta(hours=1, minutes=30, seconds=15), "PT1H30M15S"),
    ],
)
def test_refresh_is_written_in_hours_minutes_seconds(event, parse, refresh, written):
    lines = parse(build_feed("F", [event()], refresh=refresh)).raw.decode().split("\r\n")

    assert f"REFRESH-INTERVAL;VALUE=DURATION:{written}" in lines
    assert f"X-PUBLISHED-TTL:{written}" in lines


@pytest.mark.parametrize("refresh", [timedelta(0), timedelta(hours=-1), timedelta(seconds=1.5)])
def test_refresh_must_be_positive_whole_seconds(event, refresh):
    with pytest.raises(ValueError, match="refresh interval"):
        build_feed("F", [event()], refresh=refresh)


def test_feed_events_have_no_attendees_alarms_or_rsvp(event, local, parse):
    parsed = parse(build_feed("F", _feed_events(event, local), refresh=timedelta(hours=1)))

    assert parsed.count("ATTENDEE") == (0, 0)
    assert parsed.count("TRIGGER") == (0, 0)
    assert b"RSVP" not in parsed.raw
    assert not parsed.icalendar.walk("VALARM")


def test_feed_keeps_cancelled_events_sequence_and_last_modified(event, local, parse):
    parsed = parse(build_feed("F", _feed_events(event, local), refresh=timedelta(hours=1)))

    by_uid = {
        (str(vevent["UID"]), "RECURRENCE-ID" in vevent): vevent for vevent in parsed.vevents()
    }
    cancelled = by_uid["session-43@vdo.aseanpubs.example", False]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] == 5
    assert by_uid["session-42@vdo.aseanpubs.example", False]["SEQUENCE"] == 2
    moved = by_uid["session-42@vdo.aseanpubs.example", True]
    assert moved["LAST-MODIFIED"].dt == datetime(2026, 1, 20, 9, 30, tzinfo=UTC)
    # Without METHOD, DTSTAMP is the last revision (RFC 5545 section 3.8.7.2), not "now".
    assert moved["DTSTAMP"].dt == moved["LAST-MODIFIED"].dt
    by_icalendar, by_vobject = parsed.instants(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    )
    assert by_icalendar == by_vobject
    assert local("Asia/Bangkok", 2026, 2, 5, 16, 0) in by_icalendar
    assert local("Asia/Bangkok", 2026, 2, 5, 14, 0) not in by_icalendar


def test_undisclosed_passcode_is_absent(event, local, parse):
    hidden = event(conference=replace(event().conference, passcode=None))
    parsed = parse(build_feed("F", [hidden], refresh=timedelta(hours=1)))

    assert b"270419" not in parsed.raw
    assert "Passcode" not in str(parsed.vevents()[0]["DESCRIPTION"])
    assert "Meeting ID: 812 3456 7890" in str(parsed.vevents()[0]["DESCRIPTION"])
    assert len(parsed.vevents()[0].conferences) == 3


def test_same_events_give_the_same_bytes(event, local):
    events = _feed_events(event, local)

    assert build_feed("F", events, refresh=timedelta(hours=1)) == build_feed(
        "F", events, refresh=timedelta(hours=1)
    )


def test_empty_feed_is_still_a_calendar(parse):
    raw = parse(build_feed("Nothing yet", [], refresh=timedelta(hours=1))).raw

    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"X-WR-CALNAME:Nothing yet\r\n" in raw
