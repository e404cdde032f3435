"""Emailed invites (RFC 5546): REQUEST with attendees and conference details, updates, CANCEL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.calendar.ics import Attendee, build_cancel, build_request
from service.conferencing.details import joining_text

WEEKLY_TO_JUNE = {"FREQ": "WEEKLY", "BYDAY": ["TH"], "UNTIL": datetime(2026, 6, 25, 7, tzinfo=UTC)}


def test_request_lists_organizer_and_every_attendee(event, parse):
    parsed = parse(build_request(event()))

    assert parsed.icalendar["METHOD"] == "REQUEST"
    assert parsed.vobject.method.value == "REQUEST"
    (vevent,) = parsed.vevents()
    assert vevent["ORGANIZER"] == "mailto:secretariat@opdc.go.th"
    assert vevent["ORGANIZER"].params["CN"] == "OPDC Secretariat"
    attendees = {str(address): address.params for address in vevent["ATTENDEE"]}
    assert attendees == {
        "mailto:chair@opdc.go.th": {
            "CN": "Chair, OPDC",
            "ROLE": "CHAIR",
            "PARTSTAT": "ACCEPTED",
            "RSVP": "TRUE",
        },
        "mailto:delegate@mof.gov.bn": {
            "CN": "Delegate Brunei",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        },
        "mailto:observer@adb.org": {
            "CN": "Observer ADB",
            "ROLE": "OPT-PARTICIPANT",
            "PARTSTAT": "TENTATIVE",
            "RSVP": "TRUE",
        },
    }
    assert parsed.count("ATTENDEE") == (3, 3)


def test_request_is_stamped_now_in_utc_and_carries_an_alarm(event, parse):
    before = datetime.now(UTC).replace(microsecond=0)
    parsed = parse(build_request(event(alarm_minutes=10)))

    (vevent,) = parsed.vevents()
    assert before <= vevent["DTSTAMP"].dt <= datetime.now(UTC)
    assert vevent["DTSTAMP"].dt.utcoffset() == timedelta(0)
    (alarm,) = vevent.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(minutes=-10)
    assert parsed.vobject.vevent.valarm.trigger.value == timedelta(minutes=-10)


def test_personal_note_ends_the_description(event, parse):
    note = "Accept: https://vdo.aseanpubs.example/rsvp/abc?answer=accept"
    parsed = parse(build_request(event(), personal_note=note))

    (vevent,) = parsed.vevents()
    assert str(vevent["DESCRIPTION"]).endswith(note)
    assert parsed.vobject.vevent.description.value.endswith(note)


def test_conference_properties_location_and_readable_block(event, parse):
    parsed = parse(build_request(event()))

    (vevent,) = parsed.vevents()
    conferences = vevent.conferences
    assert [(str(c.uri), c.feature, c.label) for c in conferences] == [
        (
            "https://vdo.aseanpubs.example/j/81234567890",
            ["VIDEO", "AUDIO", "SCREEN"],
            "Video conference, meeting ID 812 3456 7890",
        ),
        ("tel:+6621234567,,81234567890%23", "PHONE", "Thailand (Bangkok)"),
        ("tel:+6531234567,,81234567890%23", "PHONE", "Singapore"),
    ]
    lines = parsed.raw.decode().replace("\r\n ", "").split("\r\n")
    conference_lines = [line for line in lines if line.startswith("CONFERENCE;")]
    assert len(conference_lines) == 3
    assert all("VALUE=URI" in line and "LABEL=" in line for line in conference_lines)
    assert "FEATURE=VIDEO,AUDIO,SCREEN" in conference_lines[0]  # a list, not one quoted value
    assert [len(c.params["FEATURE"]) for c in parsed.vobject.vevent.contents["conference"]] == [
        3,
        1,
        1,
    ]
    assert vevent["LOCATION"] == "https://vdo.aseanpubs.example/j/81234567890"
    description = str(vevent["DESCRIPTION"])
    for detail in (
        "Agenda: 1. Adoption of the minutes.",
        "Join online: https://vdo.aseanpubs.example/j/81234567890",
        "Meeting ID: 812 3456 7890",
        "Passcode: 270419",
        "Thailand (Bangkok): +6621234567, PIN 812 345 678 90#",
        "Singapore: +6531234567, PIN 812 345 678 90#",
        "Please join 10 minutes early; mute when not speaking.",
        "Session page: https://vdo.aseanpubs.example/sessions/42",
    ):
        assert detail in description
    # The one joining block that emails and the API show too, not a wording of its own.
    assert joining_text(event().conference) in description
    assert description == parsed.vobject.vevent.description.value


def test_series_with_removed_and_moved_occurrences(event, local, parse):
    moved_from = local("Asia/Bangkok", 2026, 2, 5, 14, 0)
    series = event(rrule=WEEKLY_TO_JUNE, exdates=(local("Asia/Bangkok", 2026, 1, 22, 14, 0),))
    moved = event(
        recurrence_id=moved_from,
        start_utc=local("Asia/Bangkok", 2026, 2, 6, 10, 0),
        end_utc=local("Asia/Bangkok", 2026, 2, 6, 11, 0),
        sequence=1,
    )
    parsed = parse(build_request(series, [moved]))

    lines = parsed.raw.decode().split("\r\n")
    assert "EXDATE;TZID=Asia/Bangkok:20260122T140000" in lines
    assert "RECURRENCE-ID;TZID=Asia/Bangkok:20260205T140000" in lines
    assert {str(vevent["UID"]) for vevent in parsed.vevents()} == {series.uid}
    assert parsed.count("ATTENDEE") == (6, 6)  # RFC 5546: each VEVENT lists every attendee
    by_icalendar, by_vobject = parsed.instants(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 13, tzinfo=UTC)
    )
    assert by_icalendar == by_vobject
    assert [instant.strftime("%m-%d %H:%M") for instant in by_icalendar] == [
        "01-08 07:00",
        "01-15 07:00",
        "01-29 07:00",
        "02-06 03:00",
        "02-12 07:00",
    ]


def test_override_must_belong_to_the_series(event):
    series = event(rrule=WEEKLY_TO_JUNE)
    stray = event(uid="other@example.org", recurrence_id=series.start_utc)
    with pytest.raises(ValueError, match="share its series master"):
        build_request(series, [stray])


def test_update_keeps_uid_and_raises_sequence(event, local, parse):
    original = event(sequence=0)
    moved = event(
        sequence=1,
        start_utc=local("Asia/Bangkok", 2026, 1, 9, 14, 0),
        end_utc=local("Asia/Bangkok", 2026, 1, 9, 15, 0),
        attendees=(*original.attendees, Attendee("new@kemenpan.go.id", "Delegate Indonesia")),
    )
    (first,) = parse(build_request(original)).vevents()
    updated = parse(build_request(moved))
    (second,) = updated.vevents()

    assert updated.icalendar["METHOD"] == "REQUEST"
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second["DTSTAMP"].dt >= first["DTSTAMP"].dt
    assert updated.count("ATTENDEE") == (4, 4)  # the full list, not just the newcomer


def test_cancel_whole_series(event, parse):
    series = event(rrule=WEEKLY_TO_JUNE, sequence=3)
    parsed = parse(build_cancel(series))

    assert parsed.icalendar["METHOD"] == "CANCEL"
    (vevent,) = parsed.vevents()
    assert vevent["UID"] == series.uid
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] == 3
    assert "RECURRENCE-ID" not in vevent
    assert parsed.count("ATTENDEE") == (3, 3)
    assert parsed.count("VALARM") == (0, 0)
    assert not vevent.walk("VALARM")


def test_cancel_one_occurrence(event, local, parse):
    series = event(rrule=WEEKLY_TO_JUNE, sequence=4)
    occurrence = local("Asia/Bangkok", 2026, 3, 12, 14, 0)
    parsed = parse(build_cancel(series, occurrence_start_utc=occurrence))

    assert parsed.vobject.method.value == "CANCEL"
    (vevent,) = parsed.vevents()
    assert vevent["UID"] == series.uid
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] == 4
    assert vevent["RECURRENCE-ID"].dt == occurrence
    assert vevent["RECURRENCE-ID"].params["TZID"] == "Asia/Bangkok"
    assert vevent["DTSTART"].dt == occurrence
    assert "RRULE" not in vevent
    assert parsed.vobject.vevent.recurrence_id.value == occurrence
    assert parsed.count("ATTENDEE") == (3, 3)


def test_cancel_one_occurrence_needs_a_series(event, local):
    with pytest.raises(ValueError, match="recurring series"):
        build_cancel(event(), occurrence_start_utc=local("Asia/Bangkok", 2026, 1, 8, 14, 0))


def test_long_thai_text_is_folded_between_characters(event, parse):
    title = "การประชุมทางไกลผ่านจอภาพ เครือข่ายหน่วยงานภาครัฐอาเซียน ครั้งที่ 12/2569 " * 3
    parsed = parse(build_request(event(title=title, description=title)))

    (vevent,) = parsed.vevents()
    assert str(vevent["SUMMARY"]) == title
    assert parsed.vobject.vevent.summary.value == title
