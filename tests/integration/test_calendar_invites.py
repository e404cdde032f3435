"""GET /sessions/{id}/invite.ics on both databases: what would be emailed, for single sessions
and series, after reschedules and cancellations, with joining secrets only for those allowed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import recurring_ical_events
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.calendar.rsvp import rsvp_token
from service.settings import Settings
from tests.dates import HOUR, MovableClock, iso
from tests.integration.calendar_network import (
    DIAL_IN_PIN,
    JOIN_URL,
    PASSCODE,
    WEEKLY_FOUR_THURSDAYS,
    CalendarNetwork,
    book_session,
    build_calendar_network,
    headers_of_person,
    occurrences,
    parse,
    vevents,
)

WEEK = timedelta(weeks=1)


@pytest.fixture
def world(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> CalendarNetwork:
    return build_calendar_network(client, staff_headers, clock)


def _invite(client: TestClient, headers: dict[str, str], session_id: int):
    response = client.get(f"/api/v1/sessions/{session_id}/invite.ics", headers=headers)
    assert response.status_code == 200, response.text
    return response


def _attendees(event) -> dict[str, dict[str, str]]:
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:"): dict(a.params) for a in found}


def test_single_session_invite_is_a_request_with_everyone_and_the_joining_details(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    session = book_session(
        client, staff_headers, world, [world.anan, world.wei], title="Steering committee"
    )
    response = _invite(client, staff_headers, session["id"])
    assert response.headers["content-type"] == "text/calendar; charset=utf-8; method=REQUEST"

    calendar = parse(response.content)
    assert calendar["METHOD"] == "REQUEST"
    [event] = vevents(calendar)
    assert str(event["UID"]) == session["uid"]
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["DTSTART"].dt == world.start
    assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
    assert str(event["ORGANIZER"]) == "mailto:secretariat@aseanpubs.example.org"
    assert event["ORGANIZER"].params["CN"] == "ASEAN Pubs Secretariat"
    assert _attendees(event) == {
        "anan@opdc.example.th": {
            "CN": "Anan Chaiyaporn",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        },
        "wei@psd.example.sg": {
            "CN": "Tan Wei Ling",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        },
    }
    assert str(event["URL"]) == f"https://vdo.test/sessions/{session['id']}"
    assert str(event["LOCATION"]) == JOIN_URL
    conference = [str(c) for c in event["CONFERENCE"]]
    assert conference == [JOIN_URL, f"tel:+6621234567,,{DIAL_IN_PIN}%23"]
    description = str(event["DESCRIPTION"])
    assert f"Passcode: {PASSCODE}" in description
    assert "Please mute on entry." in description
    assert description.count(f"Passcode: {PASSCODE}") == 1
    assert [alarm["ACTION"] for alarm in event.walk("VALARM")] == ["DISPLAY"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Bangkok"]
    assert event["CREATED"].dt <= event["LAST-MODIFIED"].dt


def test_reschedule_keeps_the_uid_and_raises_the_sequence(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    session = book_session(client, staff_headers, world, [world.anan])
    before = vevents(parse(_invite(client, staff_headers, session["id"]).content))[0]
    moved = client.patch(
        f"/api/v1/sessions/{session['id']}",
        headers=staff_headers,
        json={
            "revision": session["revision"],
            "start": iso(world.start + HOUR),
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text

    after = vevents(parse(_invite(client, staff_headers, session["id"]).content))[0]
    assert str(after["UID"]) == str(before["UID"]) == session["uid"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["DTSTART"].dt == world.start + HOUR
    assert after["LAST-MODIFIED"].dt >= before["LAST-MODIFIED"].dt


def test_cancelled_session_gives_a_cancel_with_a_raised_sequence(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    session = book_session(client, staff_headers, world, [world.anan, world.wei])
    cancelled = client.post(f"/api/v1/sessions/{session['id']}/cancel", headers=staff_headers)
    assert cancelled.status_code == 200, cancelled.text

    response = _invite(client, staff_headers, session["id"])
    assert response.headers["content-type"] == "text/calendar; charset=utf-8; method=CANCEL"
    calendar = parse(response.content)
    assert calendar["METHOD"] == "CANCEL"
    [event] = vevents(calendar)
    assert str(event["UID"]) == session["uid"]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert set(_attendees(event)) == {"anan@opdc.example.th", "wei@psd.example.sg"}
    assert not event.walk("VALARM")


def test_series_invite_has_rule_exdate_and_override_and_one_occurrence_cancels_alone(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    first = book_session(
        client,
        staff_headers,
        world,
        [world.anan, world.wei],
        title="Weekly coordination",
        recurrence=WEEKLY_FOUR_THURSDAYS,
    )
    series = occurrences(client, staff_headers, first["series_id"])
    assert len(series) == 4
    first_start = world.start
    moved_to = first_start + WEEK + timedelta(minutes=90)
    moved = client.patch(
        f"/api/v1/sessions/{series[1]['id']}",
        headers=staff_headers,
        json={
            "revision": series[1]["revision"],
            "start": iso(moved_to),
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text
    cancelled = client.post(f"/api/v1/sessions/{series[2]['id']}/cancel", headers=staff_headers)
    assert cancelled.status_code == 200, cancelled.text

    calendar = parse(_invite(client, staff_headers, series[0]["id"]).content)
    assert calendar["METHOD"] == "REQUEST"
    master, override = vevents(calendar)
    assert str(master["UID"]) == str(override["UID"]) == first["uid"]
    assert master["DTSTART"].dt == first_start
    assert master["DTSTART"].params["TZID"] == "Asia/Bangkok"
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["RRULE"]["COUNT"] == [4]
    exdates = [d.dt for exdate in [master["EXDATE"]] for d in exdate.dts]
    assert exdates == [first_start + 2 * WEEK]
    assert override["RECURRENCE-ID"].dt == first_start + WEEK
    assert override["DTSTART"].dt == moved_to
    assert override["SEQUENCE"] > master["SEQUENCE"]
    assert set(_attendees(override)) == {"anan@opdc.example.th", "wei@psd.example.sg"}
    # What a client makes of it: three occurrences, the moved one at its new time.
    starts = [
        e["DTSTART"].dt
        for e in recurring_ical_events.of(calendar).between(
            first_start - WEEK, first_start + 8 * WEEK
        )
    ]
    assert sorted(starts) == [first_start, moved_to, first_start + 3 * WEEK]
    # Any occurrence's invite is the whole series.
    assert (
        vevents(parse(_invite(client, staff_headers, series[3]["id"]).content))[0]["RRULE"]
        == master["RRULE"]
    )

    response = _invite(client, staff_headers, series[2]["id"])
    assert response.headers["content-type"].endswith("method=CANCEL")
    [cancel] = vevents(parse(response.content))
    assert str(cancel["UID"]) == first["uid"]
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["RECURRENCE-ID"].dt == first_start + 2 * WEEK
    assert "RRULE" not in cancel
    assert cancel["SEQUENCE"] > master["SEQUENCE"]


def test_joining_secrets_only_for_staff_and_invitees_and_links_only_for_oneself(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    engine: Engine,
    settings: Settings,
) -> None:
    session = book_session(client, staff_headers, world, [world.anan, world.wei])
    outsider = headers_of_person(engine, world.somchai)
    invitee = headers_of_person(engine, world.anan)

    withheld = _invite(client, outsider, session["id"]).content.decode()
    assert PASSCODE not in withheld
    assert DIAL_IN_PIN not in withheld
    assert "mute on entry" not in withheld
    assert "/rsvp/" not in withheld
    assert JOIN_URL not in withheld  # the link is a credential too
    assert str(vevents(parse(withheld.encode()))[0]["SUMMARY"]) == session["title"]

    own = _invite(client, invitee, session["id"]).content.decode()
    assert PASSCODE in own
    assert DIAL_IN_PIN in own
    description = str(vevents(parse(own.encode()))[0]["DESCRIPTION"])
    links = [line for line in description.splitlines() if "/rsvp/" in line]
    assert len(links) == 3
    own_token = rsvp_token(settings, session["id"], world.anan)
    assert all(f"/rsvp/{own_token}?" in line for line in links)

    staff_copy = _invite(client, staff_headers, session["id"]).content.decode()
    assert PASSCODE in staff_copy
    assert "/rsvp/" not in staff_copy


def test_invite_of_unknown_session_is_404_and_needs_a_token(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    assert (
        client.get("/api/v1/sessions/999999/invite.ics", headers=staff_headers).status_code == 404
    )
    assert client.get("/api/v1/sessions/1/invite.ics").status_code == 401


INJECTED = "Budget\r\nATTENDEE:mailto:x@example.org\nX-INJECTED:1\r\n"


def test_injected_lines_in_title_and_description_stay_text(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    session = book_session(
        client,
        staff_headers,
        world,
        [world.anan],
        title=INJECTED,
        description="Agenda\r\nATTENDEE;CN=Mallory:mailto:x@example.org\r\nEND:VEVENT",
    )
    body = _invite(client, staff_headers, session["id"]).content
    lines = body.decode().split("\r\n")
    assert not [line for line in lines if line.startswith(("ATTENDEE:mailto:x", "X-INJECTED"))]
    assert [line for line in lines if line.startswith("END:VEVENT")] == ["END:VEVENT"]
    [event] = vevents(parse(body))
    assert set(_attendees(event)) == {"anan@opdc.example.th"}
    assert "X-INJECTED" not in event
    assert "ATTENDEE:mailto:x@example.org" in str(event["SUMMARY"])


def test_cancelling_this_and_following_ends_the_series_rule(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    first = book_session(
        client,
        staff_headers,
        world,
        [world.anan],
        title="Ending series",
        recurrence=WEEKLY_FOUR_THURSDAYS,
    )
    series = occurrences(client, staff_headers, first["series_id"])
    before = vevents(parse(_invite(client, staff_headers, series[0]["id"]).content))[0]
    response = client.post(
        f"/api/v1/sessions/{series[2]['id']}/cancel",
        headers=staff_headers,
        json={"scope": "following"},
    )
    assert response.status_code == 200, response.text
    calendar = parse(_invite(client, staff_headers, series[0]["id"]).content)
    master = vevents(calendar)[0]
    assert "COUNT" not in master["RRULE"]
    assert master["RRULE"]["UNTIL"] == [world.start + WEEK]
    assert master["SEQUENCE"] > before["SEQUENCE"]
    starts = [
        e["DTSTART"].dt
        for e in recurring_ical_events.of(calendar).between(
            world.start - WEEK, world.start + 8 * WEEK
        )
    ]
    assert sorted(starts) == [world.start, world.start + WEEK]


def test_the_joining_block_is_written_once_from_the_stored_details_and_notes(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork, engine: Engine
) -> None:
    session = book_session(client, staff_headers, world, [world.anan])
    meeting = session["meeting"]
    assert meeting["notes"] == "Please mute on entry."
    assert meeting["instructions"].startswith(f"Join online: {JOIN_URL}")
    assert meeting["instructions"].endswith("\n\nPlease mute on entry.")

    own = _invite(client, headers_of_person(engine, world.anan), session["id"]).content
    description = str(vevents(parse(own))[0]["DESCRIPTION"])
    assert meeting["instructions"] in description
    assert description.count("Meeting ID:") == 1
    assert description.count("Please mute on entry.") == 1
