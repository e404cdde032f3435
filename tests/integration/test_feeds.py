"""Subscription feeds on both databases: private, country and network feeds, their tokens,
conditional requests (ETag/Last-Modified, 304 only when nothing changed), HEAD and trimming."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.db import session_scope
from service.scheduling.changes import reschedule
from service.scheduling.schemas import SessionUpdate
from service.settings import Settings
from tests.dates import MovableClock, iso
from tests.integration.calendar_network import (
    DIAL_IN_PIN,
    JOIN_URL,
    PASSCODE,
    WEEKLY_FOUR_THURSDAYS,
    CalendarNetwork,
    book_session,
    build_calendar_network,
    headers_of_person,
    parse,
    vevents,
)


@pytest.fixture
def world(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> CalendarNetwork:
    return build_calendar_network(client, staff_headers, clock)


def _feed_path(client: TestClient, headers: dict[str, str], person_id: int) -> str:
    response = client.post(f"/api/v1/people/{person_id}/feed-token", headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["url"].removeprefix("https://vdo.test")


def _get(client: TestClient, path: str, **headers: str):
    return client.get(path, headers={k.replace("_", "-"): v for k, v in headers.items()})


def _days_later(world: CalendarNetwork, days: int) -> str:
    """The network's usual start, `days` later."""
    return iso(world.start + timedelta(days=days))


def _unfolded(body: bytes) -> str:
    return body.decode().replace("\r\n ", "")


def test_token_api_shows_https_and_webcal_urls_once_and_me_feed_says_it_exists(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork, engine: Engine
) -> None:
    anan = headers_of_person(engine, world.anan)
    assert client.get("/api/v1/me/feed", headers=anan).json()["personal"]["exists"] is False

    issued = client.post(f"/api/v1/people/{world.anan}/feed-token", headers=anan)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["url"].startswith("https://vdo.test/feeds/")
    assert body["url"].endswith(".ics")
    assert body["webcal_url"] == "webcal://" + body["url"].removeprefix("https://")
    token = body["url"].removeprefix("https://vdo.test/feeds/").removesuffix(".ics")
    assert len(token) >= 22  # at least 128 bits in URL-safe base64

    mine = client.get("/api/v1/me/feed", headers=anan).json()
    assert mine["personal"]["exists"] is True
    assert token not in str(mine)
    assert mine["country"] == {
        "url": "https://vdo.test/feeds/countries/TH.ics",
        "webcal_url": "webcal://vdo.test/feeds/countries/TH.ics",
    }
    assert mine["public"]["webcal_url"] == "webcal://vdo.test/feeds/public.ics"

    wei = headers_of_person(engine, world.wei)
    assert client.post(f"/api/v1/people/{world.anan}/feed-token", headers=wei).status_code == 403
    assert client.delete(f"/api/v1/people/{world.anan}/feed-token", headers=wei).status_code == 403
    assert client.post("/api/v1/people/999999/feed-token", headers=staff_headers).status_code == 404


def test_personal_feed_holds_own_sessions_with_joining_details_and_cancellations(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    kept = book_session(client, staff_headers, world, [world.anan], title="Kept")
    cancelled = book_session(
        client, staff_headers, world, [world.anan], title="Dropped", start=_days_later(world, 1)
    )
    book_session(
        client, staff_headers, world, [world.wei], title="Not mine", start=_days_later(world, 2)
    )
    book_session(
        client,
        staff_headers,
        world,
        [world.anan],
        title="Weekly",
        start=iso(world.start + timedelta(hours=2)),
        recurrence=WEEKLY_FOUR_THURSDAYS,
    )
    client.post(f"/api/v1/sessions/{cancelled['id']}/cancel", headers=staff_headers)
    path = _feed_path(client, staff_headers, world.anan)

    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = parse(response.content)
    assert "METHOD" not in calendar
    assert calendar["NAME"] == calendar["X-WR-CALNAME"]
    text = _unfolded(response.content)
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT6H\r\n" in text
    assert "ATTENDEE" not in text
    events = {str(e["SUMMARY"]): e for e in vevents(calendar)}
    assert set(events) == {"Kept", "Dropped", "Weekly"}
    assert str(events["Kept"]["UID"]) == kept["uid"]
    assert events["Dropped"]["STATUS"] == "CANCELLED"
    assert events["Dropped"]["SEQUENCE"] == 1
    assert "RRULE" in events["Weekly"]
    assert f"Passcode: {PASSCODE}" in str(events["Kept"]["DESCRIPTION"])
    assert not calendar.walk("VALARM")


def test_country_and_public_feeds_carry_no_joining_secrets_and_no_attendees(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    book_session(client, staff_headers, world, [world.anan], title="Thai session")
    book_session(
        client,
        staff_headers,
        world,
        [world.wei],
        countries=["SG"],
        title="Singapore session",
        start=_days_later(world, 1),
    )
    for path, titles in (
        ("/feeds/countries/TH.ics", {"Thai session"}),
        ("/feeds/countries/SG.ics", {"Singapore session"}),
        ("/feeds/public.ics", {"Thai session", "Singapore session"}),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        text = _unfolded(response.content)
        for secret in (PASSCODE, DIAL_IN_PIN, JOIN_URL, "mute on entry", "ATTENDEE", "mailto:a"):
            assert secret not in text, (path, secret)
        assert {str(e["SUMMARY"]) for e in vevents(parse(response.content))} == titles
    assert client.get("/feeds/countries/XX.ics").status_code == 404
    assert client.get("/feeds/countries/TH").status_code == 404


def _validators(client: TestClient, path: str) -> tuple[str, str]:
    """ETag and Last-Modified, waiting out the second in which the feed last changed (until
    it is over, the service leaves Last-Modified out)."""
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, path
        if "last-modified" in response.headers:
            return response.headers["etag"], response.headers["last-modified"]
        time.sleep(1.05)
    raise AssertionError(f"{path} never sent Last-Modified")


def test_revalidation_is_304_until_a_session_of_that_feed_changes(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    anans = book_session(client, staff_headers, world, [world.anan], title="Anan's")
    book_session(
        client, staff_headers, world, [world.wei], title="Wei's", start=_days_later(world, 1)
    )
    feeds = {
        "anan": _feed_path(client, staff_headers, world.anan),
        "wei": _feed_path(client, staff_headers, world.wei),
        "TH": "/feeds/countries/TH.ics",
        "SG": "/feeds/countries/SG.ics",
        "public": "/feeds/public.ics",
    }
    before = {name: _validators(client, path) for name, path in feeds.items()}
    for name, path in feeds.items():
        etag, last_modified = before[name]
        not_modified = _get(client, path, if_none_match=etag)
        assert not_modified.status_code == 304, name
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == etag
        assert _get(client, path, if_modified_since=last_modified).status_code == 304, name
        assert _get(client, path, if_none_match='"other"').status_code == 200, name

    moved = client.patch(
        f"/api/v1/sessions/{anans['id']}",
        headers=staff_headers,
        json={"revision": anans["revision"], "title": "Anan's, renamed"},
    )
    assert moved.status_code == 200, moved.text

    changed = {"anan", "TH", "public"}
    for name, path in feeds.items():
        etag, last_modified = before[name]
        by_etag = _get(client, path, if_none_match=etag)
        by_date = _get(client, path, if_modified_since=last_modified)
        expected = 200 if name in changed else 304
        assert (by_etag.status_code, by_date.status_code) == (expected, expected), name
        if name in changed:
            assert by_etag.headers["etag"] != etag
            assert b"Anan's\\, renamed" in by_etag.content


def test_head_answers_like_get_without_a_body(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    book_session(client, staff_headers, world, [world.anan])
    path = _feed_path(client, staff_headers, world.anan)
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert head.headers["content-length"] == str(len(got.content))
    assert client.head(path, headers={"if-none-match": got.headers["etag"]}).status_code == 304
    assert client.head("/feeds/public.ics").status_code == 200


def test_rotated_and_revoked_tokens_are_404(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    first = _feed_path(client, staff_headers, world.anan)
    assert client.get(first).status_code == 200
    second = _feed_path(client, staff_headers, world.anan)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    revoked = client.delete(f"/api/v1/people/{world.anan}/feed-token", headers=staff_headers)
    assert revoked.status_code == 204
    assert client.get(second).status_code == 404
    assert client.head(second).status_code == 404
    assert client.get("/feeds/not-a-token.ics").status_code == 404


def test_sessions_older_than_the_window_are_trimmed(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    settings: Settings,
    clock: MovableClock,
) -> None:
    book_session(client, staff_headers, world, [world.anan], title="Old")
    book_session(
        client, staff_headers, world, [world.anan], title="Recent", start=_days_later(world, 51)
    )
    path = _feed_path(client, staff_headers, world.anan)
    got = client.get(path)
    assert {str(e["SUMMARY"]) for e in vevents(parse(got.content))} == {"Old", "Recent"}

    # Time passes: "Old" ended 61 days ago, "Recent" 10 days ago, the window is 60 days.
    assert settings.feed_past_days == 60
    clock.move_to(world.start + timedelta(days=61))
    response = _get(client, path, if_none_match=got.headers["etag"])
    assert response.status_code == 200
    assert [str(e["SUMMARY"]) for e in vevents(parse(response.content))] == ["Recent"]


def test_injected_lines_add_no_property_to_feeds(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork
) -> None:
    book_session(
        client,
        staff_headers,
        world,
        [world.anan],
        title="Budget\r\nATTENDEE:mailto:x@example.org\r\nX-INJECTED:1",
        description="Agenda\nATTENDEE:mailto:x@example.org\nEND:VEVENT\nBEGIN:VEVENT",
    )
    for path in (
        _feed_path(client, staff_headers, world.anan),
        "/feeds/countries/TH.ics",
        "/feeds/public.ics",
    ):
        body = client.get(path).content
        lines = body.decode().split("\r\n")
        assert not [line for line in lines if line.startswith(("ATTENDEE", "X-INJECTED"))]
        assert lines.count("BEGIN:VEVENT") == 1
        [event] = vevents(parse(body))
        assert "ATTENDEE:mailto:x@example.org" in str(event["SUMMARY"])


def test_a_change_made_outside_the_web_process_is_seen_by_cached_feeds(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    engine: Engine,
    clock: MovableClock,
) -> None:
    # Another process (the CLI, a worker) changes a session: the in-process cache must notice.
    session = book_session(client, staff_headers, world, [world.anan], title="Before")
    path = _feed_path(client, staff_headers, world.anan)
    etag = client.get(path).headers["etag"]
    assert _get(client, path, if_none_match=etag).status_code == 304
    with session_scope(engine) as db:
        update = SessionUpdate(revision=session["revision"], title="After")
        reschedule(db, session["id"], update, now=clock.now())
    refreshed = _get(client, path, if_none_match=etag)
    assert refreshed.status_code == 200
    assert b"After" in refreshed.content
    assert refreshed.headers["etag"] != etag
