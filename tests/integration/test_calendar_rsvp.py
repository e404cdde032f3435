"""Answering invitations on both databases: signed links (GET shows, POST records) and the API."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.calendar.rsvp import Answer, rsvp_links, rsvp_token
from service.db import session_scope
from service.directory.models import Person
from service.scheduling.models import VdoSession
from service.settings import Settings
from tests.dates import MovableClock
from tests.integration.calendar_network import (
    WEEKLY_FOUR_THURSDAYS,
    CalendarNetwork,
    book_session,
    build_calendar_network,
    headers_of_person,
    occurrences,
)


@pytest.fixture
def world(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> CalendarNetwork:
    return build_calendar_network(client, staff_headers, clock)


def _links(engine: Engine, settings: Settings, session_id: int, person_id: int) -> dict:
    with session_scope(engine) as db:
        session = db.get(VdoSession, session_id)
        person = db.get(Person, person_id)
        assert session is not None
        assert person is not None
        return rsvp_links(settings, session, person)


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _partstats(client: TestClient, staff: dict[str, str], session_id: int) -> dict[int, str]:
    session = client.get(f"/api/v1/sessions/{session_id}", headers=staff).json()
    return {a["person_id"]: a["partstat"] for a in session["attendees"]}


def test_link_shows_a_page_then_post_records_and_a_later_answer_replaces_it(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    engine: Engine,
    settings: Settings,
) -> None:
    session = book_session(client, staff_headers, world, [world.anan, world.wei])
    links = _links(engine, settings, session["id"], world.anan)
    assert set(links) == set(Answer)
    assert all(url.startswith("https://vdo.test/rsvp/") for url in links.values())

    page = client.get(_local(links[Answer.accepted]))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="post"' in page.text
    assert "Anan Chaiyaporn" in page.text
    assert _partstats(client, staff_headers, session["id"])[world.anan] == "NEEDS-ACTION"

    accepted = client.post(_local(links[Answer.accepted]))
    assert accepted.status_code == 200, accepted.text
    assert "Accept" in accepted.text
    assert _partstats(client, staff_headers, session["id"]) == {
        world.anan: "ACCEPTED",
        world.wei: "NEEDS-ACTION",
    }

    declined = client.post(_local(links[Answer.declined]))
    assert declined.status_code == 200, declined.text
    assert _partstats(client, staff_headers, session["id"])[world.anan] == "DECLINED"
    invite = client.get(f"/api/v1/sessions/{session['id']}/invite.ics", headers=staff_headers)
    assert "PARTSTAT=DECLINED" in invite.text.replace("\r\n ", "")


def test_tampered_or_foreign_tokens_do_nothing(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    settings: Settings,
) -> None:
    session = book_session(client, staff_headers, world, [world.anan, world.wei])
    genuine = rsvp_token(settings, session["id"], world.anan)
    payload, signature = genuine.rsplit(".", 1)
    # A middle character: the last one of base64 also carries padding bits that decoding drops.
    swapped = "A" if signature[5] != "A" else "B"
    tampered_mac = f"{payload}.{signature[:5]}{swapped}{signature[6:]}"
    other_payload = rsvp_token(settings, session["id"], world.wei).rsplit(".", 1)[0]
    other_person_same_mac = f"{other_payload}.{signature}"
    not_invited = rsvp_token(settings, session["id"], world.somchai)
    other_key = rsvp_token(
        Settings(secret_key="another-secret-key-of-some-length"), session["id"], world.anan
    )
    for token in (tampered_mac, other_person_same_mac, not_invited, other_key, "garbage"):
        assert client.get(f"/rsvp/{token}?answer=accepted").status_code == 404, token
        assert client.post(f"/rsvp/{token}?answer=accepted").status_code == 404, token
    assert set(_partstats(client, staff_headers, session["id"]).values()) == {"NEEDS-ACTION"}
    assert client.post(f"/rsvp/{genuine}?answer=maybe").status_code == 400


def test_series_link_answers_this_and_the_following_occurrences(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    engine: Engine,
    settings: Settings,
) -> None:
    first = book_session(
        client, staff_headers, world, [world.anan], recurrence=WEEKLY_FOUR_THURSDAYS
    )
    series = occurrences(client, staff_headers, first["series_id"])
    links = _links(engine, settings, series[1]["id"], world.anan)
    assert client.post(_local(links[Answer.tentative])).status_code == 200
    assert [_partstats(client, staff_headers, o["id"])[world.anan] for o in series] == [
        "NEEDS-ACTION",
        "TENTATIVE",
        "TENTATIVE",
        "TENTATIVE",
    ]


def test_delegates_answer_through_the_api_only_for_themselves(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork, engine: Engine
) -> None:
    session = book_session(client, staff_headers, world, [world.anan])
    url = f"/api/v1/sessions/{session['id']}/rsvp"

    anan = headers_of_person(engine, world.anan)
    response = client.post(url, headers=anan, json={"answer": "accepted"})
    assert response.status_code == 200, response.text
    assert response.json()["partstat"] == "ACCEPTED"
    assert response.json()["session_ids"] == [session["id"]]
    response = client.post(url, headers=anan, json={"answer": "tentative"})
    assert _partstats(client, staff_headers, session["id"]) == {world.anan: "TENTATIVE"}

    somchai = headers_of_person(engine, world.somchai)
    assert client.post(url, headers=somchai, json={"answer": "accepted"}).status_code == 403
    assert client.post(url, headers=staff_headers, json={"answer": "accepted"}).status_code == 403
    assert (
        client.post(
            "/api/v1/sessions/999999/rsvp", headers=anan, json={"answer": "accepted"}
        ).status_code
        == 404
    )
    assert client.post(url, json={"answer": "accepted"}).status_code == 401


def test_cancelled_session_cannot_be_answered(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    engine: Engine,
    settings: Settings,
) -> None:
    session = book_session(client, staff_headers, world, [world.anan])
    links = _links(engine, settings, session["id"], world.anan)
    client.post(f"/api/v1/sessions/{session['id']}/cancel", headers=staff_headers)
    assert client.post(_local(links[Answer.accepted])).status_code == 409
    assert _partstats(client, staff_headers, session["id"]) == {world.anan: "NEEDS-ACTION"}
