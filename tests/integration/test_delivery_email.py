"""Invites, updates and cancellations arrive by email (a real SMTP server in process): one
message per invitee, iMIP structure, their own answer links, zone and language."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta

import pytz
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.app import create_app
from service.calendar.rsvp import rsvp_token
from service.delivery import worker
from service.settings import Settings
from tests.integration.calendar_network import headers_of_person, parse, vevents
from tests.integration.outbox_world import (
    PASSCODE,
    World,
    book,
    build_world,
    in_days,
    states,
    worker_settings,
)
from tests.support.mail_catcher import MailCatcher


def _by_recipient(catcher: MailCatcher) -> dict[str, object]:
    return {str(m["To"].addresses[0].addr_spec): m for m in catcher.messages()}


def _text(message: object) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[attr-defined]


def _without_stamp(calendar: bytes) -> list[str]:
    return [line for line in calendar.decode().split("\r\n") if not line.startswith("DTSTAMP")]


def test_each_invitee_gets_their_own_imip_invite(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    world: World = build_world(client, staff_headers)
    session = book(
        client, staff_headers, world, [world.somchai, world.wei], title="ประชุมคณะกรรมการ"
    )
    assert states(engine) == {"pending": 2}

    assert worker.drain(engine, worker_settings(settings, catcher)) == 2

    assert states(engine) == {"sent": 2}
    mails = _by_recipient(catcher)
    assert set(mails) == {"somchai@opdc.example.th", "wei@psd.example.sg"}
    start = datetime.fromisoformat(session["start"])
    for address, person_id, zone in [
        ("somchai@opdc.example.th", world.somchai, "Asia/Bangkok"),
        ("wei@psd.example.sg", world.wei, "Asia/Singapore"),
    ]:
        message = mails[address]
        assert message.get_content_type() == "multipart/alternative"  # type: ignore[attr-defined]
        parts = list(message.iter_parts())  # type: ignore[attr-defined]
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
        calendar_part = parts[2]
        assert calendar_part.get_param("method") == "REQUEST"
        assert calendar_part.get_content_charset() == "utf-8"
        calendar = calendar_part.get_content().encode()
        assert parse(calendar)["METHOD"] == "REQUEST"
        text = parts[0].get_content()
        # Their own answer links, nobody else's; times in their own zone.
        assert f"/rsvp/{rsvp_token(settings, session['id'], person_id)}?" in text
        other = world.wei if person_id == world.somchai else world.somchai
        assert f"/rsvp/{rsvp_token(settings, session['id'], other)}?" not in text
        assert f"{start.astimezone(pytz.timezone(zone)):%Y-%m-%d %H:%M}" in text
        assert PASSCODE in calendar.decode()  # invitees get the joining details
        # Exactly the invite.ics this invitee downloads.
        served = client.get(
            f"/api/v1/sessions/{session['id']}/invite.ics",
            headers=headers_of_person(engine, person_id),
        )
        assert _without_stamp(calendar) == _without_stamp(served.content)

    thai = mails["somchai@opdc.example.th"]
    assert thai["Subject"] == "คำเชิญประชุม: ประชุมคณะกรรมการ"  # type: ignore[index]
    assert str(thai["To"].addresses[0].display_name) == "สมชาย ใจดี"  # type: ignore[index]
    raw = next(a.raw for a in catcher.arrived if "somchai" in a.recipients[0])
    assert b"Subject: =?utf-8?" in raw  # RFC 2047 on the wire
    assert "เรียน สมชาย ใจดี" in _text(thai)
    assert mails["wei@psd.example.sg"]["Subject"] == "Invitation: ประชุมคณะกรรมการ"  # type: ignore[index]
    ids = catcher.message_ids()
    assert len(set(ids)) == 2


def test_an_update_raises_the_sequence_and_a_cancellation_sends_cancel(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    world = build_world(client, staff_headers)
    session = book(client, staff_headers, world, [world.wei])
    moved = client.patch(
        f"/api/v1/sessions/{session['id']}",
        headers=staff_headers,
        # The world books a week ahead, whatever the weekday: the change is acknowledged too.
        json={
            "revision": session["revision"],
            "duration_minutes": 90,
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text
    cancelled = client.post(f"/api/v1/sessions/{session['id']}/cancel", headers=staff_headers)
    assert cancelled.status_code == 200, cancelled.text

    worker.drain(engine, worker_settings(settings, catcher))

    messages = catcher.messages()
    assert [m["Subject"] for m in messages] == [
        "Invitation: Steering committee",
        "Updated: Steering committee",
        "Cancelled: Steering committee",
    ]
    events = []
    for message in messages:
        part = list(message.iter_parts())[2]
        calendar = parse(part.get_content().encode())
        assert part.get_param("method") == calendar["METHOD"]
        [event] = vevents(calendar)
        events.append((str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])))
    assert events == [
        ("REQUEST", session["uid"], 0),
        ("REQUEST", session["uid"], 1),
        ("CANCEL", session["uid"], 2),
    ]
    assert PASSCODE not in _text(messages[2])


def test_an_answer_sends_the_organiser_a_copy(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    world = build_world(client, staff_headers)
    session = book(client, staff_headers, world, [world.wei])
    answered = client.post(
        f"/api/v1/sessions/{session['id']}/rsvp",
        headers=headers_of_person(engine, world.wei),
        json={"answer": "declined"},
    )
    assert answered.status_code == 200, answered.text

    worker.drain(engine, worker_settings(settings, catcher))

    [copy] = [m for m in catcher.messages() if "answered" in str(m["Subject"])]
    assert copy["To"].addresses[0].addr_spec == "secretariat@aseanpubs.example.org"
    assert copy["Subject"] == "Tan Wei Ling answered DECLINED: Steering committee"


def test_with_the_embedded_worker_the_server_delivers_by_itself(
    staff_headers: dict[str, str], engine: Engine, settings: Settings, catcher: MailCatcher
) -> None:
    serving = replace(worker_settings(settings, catcher, poll_seconds=0.05), embedded_worker=True)
    with TestClient(app=create_app(serving, engine=engine)) as client:
        world = build_world(client, staff_headers)
        book(client, staff_headers, world, [world.wei])
        deadline = time.monotonic() + 10
        while not catcher.arrived and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [m["Subject"] for m in catcher.messages()] == ["Invitation: Steering committee"]


def _weekly_series(client: TestClient, staff: dict[str, str]) -> tuple[dict, list[dict]]:
    """Four weekly sessions for Wei from a week ahead: the booking and its occurrences."""
    world = build_world(client, staff)
    start = in_days(7)
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][start.weekday()]
    first = book(
        client,
        staff,
        world,
        [world.wei],
        start=start.isoformat(),
        recurrence={"freq": "WEEKLY", "byweekday": [weekday], "count": 4},
    )
    page = client.get("/api/v1/sessions?limit=50", headers=staff).json()
    return first, [s for s in page["items"] if s["series_id"] == first["series_id"]]


def test_a_series_is_one_invite_and_cutting_it_short_updates_its_rule(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    _, series = _weekly_series(client, staff_headers)
    cut = client.post(
        f"/api/v1/sessions/{series[2]['id']}/cancel",
        headers=staff_headers,
        json={"scope": "following"},
    )
    assert cut.status_code == 200, cut.text

    worker.drain(engine, worker_settings(settings, catcher))

    booked, updated = catcher.messages()
    assert booked["Subject"] == "Invitation: Steering committee"
    assert updated["Subject"] == "Updated: Steering committee"
    calendar = parse(updated.get_body(("calendar",)).get_content().encode())
    assert calendar["METHOD"] == "REQUEST"
    master = vevents(calendar)[0]
    assert "UNTIL" in master["RRULE"]
    assert master["RRULE"]["UNTIL"][0] < datetime.fromisoformat(series[2]["start"])


def test_moving_this_and_following_also_ends_the_series_left_behind(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    first, series = _weekly_series(client, staff_headers)
    third_start = datetime.fromisoformat(series[2]["start"])
    moved = client.patch(
        f"/api/v1/sessions/{series[2]['id']}",
        headers=staff_headers,
        json={
            "revision": series[2]["revision"],
            "start": (third_start + timedelta(hours=1)).isoformat(),
            "scope": "following",
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text

    worker.drain(engine, worker_settings(settings, catcher))

    booked, *updates = catcher.messages()
    assert booked["Subject"] == "Invitation: Steering committee"
    calendars = {
        str(master["UID"]): master
        for master in (
            vevents(parse(m.get_body(("calendar",)).get_content().encode()))[0] for m in updates
        )
    }
    assert [m["Subject"] for m in updates] == ["Updated: Steering committee"] * 2
    assert set(calendars) == {first["uid"], moved.json()["uid"]}
    left_behind = calendars[first["uid"]]
    assert left_behind["RRULE"]["UNTIL"][0] < third_start
    assert int(left_behind["SEQUENCE"]) > 0
    carried_on = calendars[moved.json()["uid"]]
    assert carried_on["DTSTART"].dt == third_start + timedelta(hours=1)
