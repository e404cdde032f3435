"""Joining details (join links, room names, JWTs, passcodes, PINs, bridge notes) reach staff and
invitees only: every representation a signed-in delegate can reach is walked, on both databases.

A delegate who is not invited learns that the session exists and when, nothing to join it with.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.dates import MovableClock
from tests.integration.calendar_network import (
    DIAL_IN_PIN,
    JOIN_URL,
    PASSCODE,
    CalendarNetwork,
    book_session,
    build_calendar_network,
    headers_of_person,
)
from tests.integration.network import make_bridge


@pytest.fixture
def world(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> CalendarNetwork:
    return build_calendar_network(client, staff_headers, clock)


def _start(days_ahead: int) -> str:
    day = datetime.now(UTC).date() + timedelta(days=days_ahead)
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC).isoformat()


def _secrets_of(meeting: dict) -> set[str]:
    """Everything in a session's meeting that lets its holder in (as staff read it)."""
    found = {meeting["join_url"], meeting["meeting_id"]}
    found |= {meeting["passcode"]} if meeting["passcode"] else set()
    found |= {d["pin"] for d in meeting["dial_ins"] if d["pin"]}
    if "?jwt=" in meeting["join_url"]:
        found.add(meeting["join_url"].split("?jwt=")[1])
    return found


@pytest.fixture
def booked(client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork) -> list[dict]:
    """A Zoom session with passcode, dial-in PIN and notes, and one in a Jitsi room with a JWT;
    Anan (Thailand) is invited to both, Somchai (Thailand too) to neither."""
    jitsi = make_bridge(
        client,
        staff_headers,
        name="Jitsi with tokens",
        provider="jitsi",
        settings={
            "base_url": "https://meet.example.org",
            "jwt_app_id": "aseanpubs",
            "jwt_secret": "a-jwt-signing-secret-of-some-length",
        },
    )
    zoom = book_session(
        client, staff_headers, world, [world.anan, world.wei], start=_start(10), title="Zoom call"
    )
    room = book_session(
        client,
        staff_headers,
        world,
        [world.anan],
        start=_start(11),
        title="Jitsi call",
        bridge_id=jitsi,
    )
    assert PASSCODE in _secrets_of(zoom["meeting"])
    assert DIAL_IN_PIN in _secrets_of(zoom["meeting"])
    return [zoom, room]


def _bodies(client: TestClient, headers: dict[str, str], person_id: int, ids: list[int]):
    """Every representation of sessions the user can reach, as (what, text) pairs; iCalendar
    lines are unfolded so that nothing hides across a fold."""
    api = "/api/v1"
    reached = [("list", client.get(f"{api}/sessions", headers=headers))]
    reached += [(f"session {i}", client.get(f"{api}/sessions/{i}", headers=headers)) for i in ids]
    reached += [
        (f"invite {i}", client.get(f"{api}/sessions/{i}/invite.ics", headers=headers)) for i in ids
    ]
    feeds = client.get(f"{api}/me/feed", headers=headers).json()
    private = client.post(f"{api}/people/{person_id}/feed-token", headers=headers).json()
    for name, url in [
        ("country feed", feeds["country"]["url"]),
        ("public feed", feeds["public"]["url"]),
        ("private feed", private["url"]),
    ]:
        reached.append((name, client.get(url.removeprefix("https://vdo.test"))))
    for what, response in reached:
        assert response.status_code == 200, (what, response.text)
    return [(what, response.text.replace("\r\n ", "")) for what, response in reached]


def test_a_delegate_who_is_not_invited_sees_when_but_nothing_to_join_with(
    client: TestClient, world: CalendarNetwork, booked: list[dict], engine: Engine
) -> None:
    outsider = headers_of_person(engine, world.somchai)
    secrets = set().union(*(_secrets_of(s["meeting"]) for s in booked)) | {"mute on entry"}

    bodies = _bodies(client, outsider, world.somchai, [s["id"] for s in booked])

    for what, body in bodies:
        leaked = sorted(secret for secret in secrets if secret in body)
        assert not leaked, f"{what} shows {leaked}"
    listed = client.get("/api/v1/sessions", headers=outsider).json()["items"]
    assert {(s["title"], s["start"]) for s in listed} == {(s["title"], s["start"]) for s in booked}
    assert all(s["meeting"]["provider"] for s in listed)
    invites = dict(bodies)
    assert "Zoom call" in invites[f"invite {booked[0]['id']}"]


def test_a_delegate_without_a_person_sees_no_joining_details(
    client: TestClient, delegate_headers: dict[str, str], booked: list[dict]
) -> None:
    secrets = set().union(*(_secrets_of(s["meeting"]) for s in booked))
    for session in booked:
        for path in (f"/sessions/{session['id']}", f"/sessions/{session['id']}/invite.ics"):
            body = client.get(f"/api/v1{path}", headers=delegate_headers).text.replace("\r\n ", "")
            assert not [secret for secret in secrets if secret in body], path


def test_an_invited_delegate_gets_the_joining_details_everywhere(
    client: TestClient, world: CalendarNetwork, booked: list[dict], engine: Engine
) -> None:
    invitee = headers_of_person(engine, world.anan)
    zoom, room = booked

    bodies = dict(_bodies(client, invitee, world.anan, [zoom["id"], room["id"]]))

    for what in ("list", f"session {zoom['id']}", f"invite {zoom['id']}", "private feed"):
        for secret in (JOIN_URL, PASSCODE, DIAL_IN_PIN):
            assert secret in bodies[what], (what, secret)
    for what in (f"session {room['id']}", f"invite {room['id']}", "private feed"):
        assert room["meeting"]["join_url"] in bodies[what], what
    seen = json.loads(bodies[f"session {zoom['id']}"])["meeting"]
    assert seen["passcode"] == PASSCODE
    assert seen["dial_ins"][0]["pin"] == DIAL_IN_PIN
    assert seen["moderator_url"] is None  # host rights stay with staff
    for what in ("country feed", "public feed"):
        assert JOIN_URL not in bodies[what], what
        assert PASSCODE not in bodies[what], what
