"""Bad input on both databases: a clear 4xx problem naming what is wrong, and nothing changed.

Covers unknown JSON fields on every write endpoint, bodies that are not UTF-8 or nest too deep,
answer and feed links with characters no genuine link has, email addresses, and the bounds on
invitees, list filters, text and body sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, select

from service.calendar.rsvp import rsvp_token
from service.request_body import MAX_JSON_BODY_BYTES, MAX_JSON_DEPTH
from service.scheduling.schemas import MAX_INVITEES
from service.settings import Settings
from service.tables import metadata
from tests.integration.calendar_network import headers_of_person
from tests.integration.network import make_bridge

API = "/api/v1"
JSON = {"Content-Type": "application/json"}


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, except when an API token was last used (reading touches it)
    and the failed attempts the abuse limits count (refusing bad input records them)."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                repr(row)
                for row in connection.execute(
                    select(*(c for c in table.columns if c.name != "last_used_at"))
                )
            )
            for table in metadata.sorted_tables
            if table.name != "failed_attempt"
        }


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def _future(days: int, hour: int = 3) -> datetime:
    start = datetime.now(UTC) + timedelta(days=days)
    return start.replace(hour=hour, minute=0, second=0, microsecond=0)


# --- bodies that are not JSON we can read ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1_000 + b"]" * 1_000,
        b'{"name": "Deep", "email": "deep@example.org", "zone": '
        + b"[" * 1_000
        + b"]" * 1_000
        + b"}",
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    ],
    ids=["array-1000", "field-1000", "object-100000", "just-too-deep"],
)
def test_deeply_nested_json_is_a_400_and_changes_nothing(
    client: TestClient, admin_headers: dict[str, str], engine: Engine, body: bytes
) -> None:
    before = _snapshot(engine)
    response = client.post(f"{API}/people", headers=admin_headers | JSON, content=body)
    problem = _problem(response, 400)
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in problem["detail"]
    assert _snapshot(engine) == before


def test_nesting_that_real_bodies_use_is_accepted(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    # Subdivision hours are the deepest body the API takes: object, object, day, period, time.
    hours = {"02": {"mon": [["08:00", "12:00"], ["13:00", "17:00"]]}}
    response = client.patch(
        f"{API}/countries/MY", headers=admin_headers, json={"subdivision_hours": hours}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\xff\xfe", "email": "x@example.org", "country_code": "TH"}',
        '{"name": "José", "email": "jose@example.org", "country_code": "PH"}'.encode("latin-1"),
        b"\xff",
    ],
    ids=["invalid-bytes", "latin-1", "lone-byte"],
)
def test_a_body_that_is_not_utf8_is_a_400_and_changes_nothing(
    client: TestClient, admin_headers: dict[str, str], engine: Engine, body: bytes
) -> None:
    before = _snapshot(engine)
    response = client.post(f"{API}/people", headers=admin_headers | JSON, content=body)
    problem = _problem(response, 400)
    assert "UTF-8" in problem["detail"]
    assert _snapshot(engine) == before


def test_json_bodies_are_limited_in_size_but_csv_imports_may_be_larger(
    client: TestClient, admin_headers: dict[str, str], engine: Engine
) -> None:
    before = _snapshot(engine)
    padding = " " * MAX_JSON_BODY_BYTES
    big = f'{{"name": "Big", "email": "big@example.org", "country_code": "TH"{padding}}}'
    response = client.post(f"{API}/people", headers=admin_headers | JSON, content=big.encode())
    problem = _problem(response, 413)
    assert f"at most {MAX_JSON_BODY_BYTES:,} bytes" in problem["detail"]
    csv = "surname,mail\n" + "x,y\n" * (MAX_JSON_BODY_BYTES // 4 + 1)
    response = client.post(
        f"{API}/people/import",
        headers=admin_headers | {"Content-Type": "text/csv"},
        content=csv.encode(),
    )
    assert "no name, email column" in _problem(response, 422)["detail"]
    assert _snapshot(engine) == before


# --- unknown fields ------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    bridge_id: int
    agency_id: int
    person_id: int
    session_id: int
    revision: int
    invitee: dict[str, str]  # a signed-in delegate invited to the session
    user_id: int
    receiver_id: int
    news_slug: str
    library_document_id: int

    def path(self, template: str) -> str:
        return template.format(
            code="LA",
            agency_id=self.agency_id,
            person_id=self.person_id,
            bridge_id=self.bridge_id,
            session_id=self.session_id,
            user_id=self.user_id,
            receiver_id=self.receiver_id,
            slug=self.news_slug,
            document_id=self.library_document_id,
        )


def _session_body(world_bridge: int, people: list[int], days: int = 30) -> dict[str, Any]:
    return {
        "title": "ASEAN Pubs monthly",
        "start": _future(days).isoformat(),
        "duration_minutes": 60,
        "organiser_zone": "Asia/Bangkok",
        "bridge_id": world_bridge,
        "people": people,
        "acknowledge_problems": True,
    }


@pytest.fixture
def world(client: TestClient, admin_headers: dict[str, str], engine: Engine) -> World:
    bridge_id = make_bridge(client, admin_headers)
    agency = client.post(
        f"{API}/agencies",
        headers=admin_headers,
        json={"name": "OPDC", "acronym": "OPDC", "country_code": "TH", "kind": "member_agency"},
    )
    assert agency.status_code == 201, agency.text
    person = client.post(
        f"{API}/people",
        headers=admin_headers,
        json={"name": "Anan", "email": "anan@opdc.example.th", "agency_id": agency.json()["id"]},
    )
    assert person.status_code == 201, person.text
    person_id = person.json()["id"]
    session = client.post(
        f"{API}/sessions", headers=admin_headers, json=_session_body(bridge_id, [person_id])
    )
    assert session.status_code == 201, session.text
    user = client.post(
        f"{API}/users",
        headers=admin_headers,
        json={"email": "aide@opdc.example.th", "name": "Aide", "role": "delegate"},
    )
    assert user.status_code == 201, user.text
    receiver = client.post(
        f"{API}/webhooks",
        headers=admin_headers,
        json={"url": "https://hooks.example.org/vdo", "event_types": ["session.booked"]},
    )
    assert receiver.status_code == 201, receiver.text
    news = client.post(f"{API}/news", headers=admin_headers, json={"title": "Welcome"})
    assert news.status_code == 201, news.text
    document = client.post(
        f"{API}/library",
        headers=admin_headers,
        data={"title": "Manual", "year": "2025", "language": "en"},
        files={"file": ("manual.pdf", b"%PDF-1.7 manual")},
    )
    assert document.status_code == 201, document.text
    return World(
        news_slug=news.json()["slug"],
        library_document_id=document.json()["id"],
        bridge_id=bridge_id,
        agency_id=agency.json()["id"],
        person_id=person_id,
        session_id=session.json()["id"],
        revision=session.json()["revision"],
        invitee=headers_of_person(engine, person_id),
        user_id=user.json()["id"],
        receiver_id=receiver.json()["id"],
    )


# Steps this world is not ready for (its minutes are drafts; it has no minutes circular): their
# valid body is answered 403, 404 or 409 (the step, not the body, is refused).
NOT_DUE_IN_THIS_WORLD = {
    ("POST", "/sessions/{session_id}/minutes/circulate"),
    ("POST", "/sessions/{session_id}/minutes/comments"),
    ("POST", "/sessions/{session_id}/minutes/responses"),
    ("POST", "/sessions/{session_id}/minutes/corrigenda"),
    ("POST", "/library/circulars"),
}

# A valid body for every write endpoint that takes JSON, by method and OpenAPI path.
WRITE_BODIES: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {
    ("POST", "/me/tokens"): lambda w: {"label": "laptop"},
    ("POST", "/users"): lambda w: {"email": "new@example.org", "name": "New", "role": "delegate"},
    ("PATCH", "/users/{user_id}"): lambda w: {"active": False},
    ("POST", "/countries"): lambda w: {
        "code": "NZ",
        "name": "New Zealand",
        "capital_zone": "Pacific/Auckland",
    },
    ("PATCH", "/countries/{code}"): lambda w: {"hours_note": "Lunch 12:00-13:00"},
    ("POST", "/agencies"): lambda w: {
        "name": "Public Service Division",
        "acronym": "PSD",
        "country_code": "SG",
        "kind": "member_agency",
    },
    ("PATCH", "/agencies/{agency_id}"): lambda w: {"acronym": "OPDC-TH"},
    ("POST", "/people"): lambda w: {
        "name": "Wei",
        "email": "wei@psd.example.sg",
        "country_code": "SG",
    },
    ("PATCH", "/people/{person_id}"): lambda w: {"title": "Dr"},
    ("POST", "/bridges"): lambda w: {
        "name": "Room B",
        "provider": "jitsi",
        "settings": {"base_url": "https://meet.example.org"},
    },
    ("PATCH", "/bridges/{bridge_id}"): lambda w: {"capacity": 50},
    ("POST", "/sessions"): lambda w: _session_body(w.bridge_id, [w.person_id], days=31),
    ("PATCH", "/sessions/{session_id}"): lambda w: {"revision": w.revision, "title": "Renamed"},
    ("POST", "/sessions/{session_id}/cancel"): lambda w: {"scope": "this"},
    ("POST", "/sessions/{session_id}/rsvp"): lambda w: {"answer": "accepted"},
    ("POST", "/sessions/{session_id}/circulars"): lambda w: {"kind": "notice"},
    ("POST", "/countries/{code}/calendar"): lambda w: {
        "kind": "day_off",
        "first_day": _future(60).date().isoformat(),
        "name": "Day off by decision",
        "source": "Government decision",
    },
    ("POST", "/countries/{code}/calendar/import"): lambda w: {
        "year": _future(400).year,
        "format": "csv",
        "content": f"date,name\n{_future(400).date().isoformat()},New Year\n",
        "source": "Gazette",
    },
    ("POST", "/webhooks"): lambda w: {
        "url": "https://news.example.org/vdo",
        "event_types": ["session.cancelled"],
    },
    ("PATCH", "/webhooks/{receiver_id}"): lambda w: {"active": False},
    ("PUT", "/sessions/{session_id}/agenda"): lambda w: {
        "revision": 0,
        "items": [{"title": "Opening remarks"}],
    },
    ("PUT", "/sessions/{session_id}/minutes"): lambda w: {"base_revision": 0, "free_text": "Met."},
    ("POST", "/sessions/{session_id}/minutes/circulate"): lambda w: {
        "deadline": _future(7).isoformat()
    },
    ("POST", "/sessions/{session_id}/minutes/comments"): lambda w: {"body": "Agreed."},
    ("POST", "/sessions/{session_id}/minutes/responses"): lambda w: {
        "position": "no_objection",
        "country": "TH",
    },
    ("POST", "/sessions/{session_id}/minutes/corrigenda"): lambda w: {
        "base_revision": 0,
        "note": "A typo",
    },
    ("POST", "/sessions/{session_id}/circulars/preview"): lambda w: {"kind": "notice"},
    ("POST", "/news"): lambda w: {"title": "Workshop report", "body": "We *met*."},
    ("PATCH", "/news/{slug}"): lambda w: {"published": True},
    ("PATCH", "/library/{document_id}"): lambda w: {"public": True},
    # No minutes circular in this world: the valid body is answered 404 (checked, not taken).
    ("POST", "/library/circulars"): lambda w: {"circular_id": 999_999},
    ("POST", "/people/{person_id}/unavailability"): lambda w: {
        "start": _future(40).isoformat(),
        "end": _future(45).isoformat(),
        "reason": "leave",
    },
}


def test_every_write_endpoint_with_a_json_body_is_checked_here(client: TestClient) -> None:
    spec = client.get("/schema/openapi.json").json()
    endpoints = {
        (method.upper(), path.removeprefix(API))
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    }
    assert endpoints == set(WRITE_BODIES)


@pytest.mark.parametrize(
    ("method", "template"), list(WRITE_BODIES), ids=[f"{m} {t}" for m, t in WRITE_BODIES]
)
def test_unknown_fields_are_refused_by_name_and_change_nothing(
    client: TestClient,
    admin_headers: dict[str, str],
    world: World,
    engine: Engine,
    method: str,
    template: str,
) -> None:
    url = API + world.path(template)
    headers = world.invitee if template.endswith("/rsvp") else admin_headers
    body = WRITE_BODIES[method, template](world)
    before = _snapshot(engine)

    refused = client.request(
        method, url, headers=headers, json=body | {"timezone": "Asia/Bangkok", "colour": "red"}
    )
    problem = _problem(refused, 400)
    assert _fields(refused) == {"timezone", "colour"}
    assert "timezone: unknown field" in problem["detail"]
    assert _snapshot(engine) == before

    # The same body without the stray fields is accepted: they alone were the problem.
    accepted = client.request(method, url, headers=headers, json=body)
    if (method, template) in NOT_DUE_IN_THIS_WORLD:
        assert accepted.status_code in (403, 404, 409), accepted.text
    else:
        assert accepted.status_code in (200, 201, 204), accepted.text


def test_a_person_with_timezone_instead_of_zone_is_not_created(
    client: TestClient, admin_headers: dict[str, str], engine: Engine
) -> None:
    before = _snapshot(engine)
    response = client.post(
        f"{API}/people",
        headers=admin_headers,
        json={
            "name": "Aino",
            "email": "aino@oulu.example.fi",
            "country_code": "TH",
            "timezone": "Europe/Helsinki",
        },
    )
    _problem(response, 400)
    assert _fields(response) == {"timezone"}
    assert _snapshot(engine) == before


def test_unknown_fields_inside_a_recurrence_are_named_with_their_path(
    client: TestClient, admin_headers: dict[str, str], world: World, engine: Engine
) -> None:
    body = _session_body(world.bridge_id, [world.person_id], days=33) | {
        "recurrence": {"freq": "WEEKLY", "byday": ["TH"], "count": 3}
    }
    before = _snapshot(engine)
    response = client.post(f"{API}/sessions", headers=admin_headers, json=body)
    _problem(response, 400)
    assert _fields(response) == {"recurrence.byday"}
    assert _snapshot(engine) == before


def test_a_session_patch_that_changes_nothing_keeps_the_revision(
    client: TestClient, admin_headers: dict[str, str], world: World, engine: Engine
) -> None:
    url = f"{API}/sessions/{world.session_id}"
    before = _snapshot(engine)
    misspelt = client.patch(
        url, headers=admin_headers, json={"revision": world.revision, "tittle": "New name"}
    )
    _problem(misspelt, 400)
    assert _fields(misspelt) == {"tittle"}
    nothing = client.patch(url, headers=admin_headers, json={"revision": world.revision})
    problem = _problem(nothing, 400)
    assert "title, description, start or duration_minutes" in problem["detail"]
    assert _snapshot(engine) == before
    assert client.get(url, headers=admin_headers).json()["revision"] == world.revision


# --- links ---------------------------------------------------------------------------------------


def test_answer_links_with_characters_no_genuine_link_has_are_404(
    client: TestClient, world: World, engine: Engine, settings: Settings
) -> None:
    genuine = rsvp_token(settings, world.session_id, world.person_id)
    mac = genuine.rsplit(".", 1)[1]
    session, person = str(world.session_id), str(world.person_id)
    arabic_indic = {ord("0") + d: 0x0660 + d for d in range(10)}  # int() reads these digits
    fullwidth = {ord("0") + d: 0xFF10 + d for d in range(10)}
    forged = [
        f"{session}.{person}.{mac[:-1]}é",
        f"{session}.{person}.{mac}é",
        f"²{session}.{person}.{mac}",
        f"{session.translate(arabic_indic)}.{person}.{mac}",
        f"{session}.{person.translate(fullwidth)}.{mac}",
        f"{session}.{person}.{mac}%00",
    ]
    before = _snapshot(engine)
    for token in forged:
        for method in ("GET", "POST"):
            response = client.request(method, f"/rsvp/{token}?answer=accepted")
            problem = _problem(response, 404)
            assert problem["detail"] == "This answer link is not valid.", token
    assert _snapshot(engine) == before
    assert client.post(f"/rsvp/{genuine}?answer=accepted").status_code == 200


@pytest.mark.parametrize("token", ["é", "%ff%fe", "a%00b", "ทดสอบ" * 20])
def test_feed_links_with_characters_no_genuine_link_has_are_404(
    client: TestClient, token: str
) -> None:
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    assert client.get(f"/feeds/countries/{token}.ics").status_code == 404


# --- email addresses -----------------------------------------------------------------------------

BAD_EMAILS = [
    "x\x01y@example.org",
    "bell@exam\x07ple.org",
    "tab\t@example.org",
    "line\nbreak@example.org",
    "del\x7f@example.org",
    "two words@example.org",
    "no-domain@",
    "@no-local.example.org",
    "no-dot@localhost",
    "double..dot@example.org",
    ".leading@example.org",
    "two@at@example.org",
    "dash@-example.org",
    "numeric@example.123",
    "ünïcode@example.org",
    "x" * 65 + "@example.org",
    "long@" + "d" * 64 + ".example.org",
    "total@" + ("d" * 60 + ".") * 5 + "org",
]


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_bad_email_addresses_are_refused_everywhere_they_enter(
    client: TestClient,
    admin_headers: dict[str, str],
    world: World,
    engine: Engine,
    email: str,
) -> None:
    before = _snapshot(engine)
    created = client.post(
        f"{API}/people",
        headers=admin_headers,
        json={"name": "Bad", "email": email, "country_code": "TH"},
    )
    assert created.status_code in (400, 422), created.text
    assert _fields(created) == {"email"}
    updated = client.patch(
        f"{API}/people/{world.person_id}", headers=admin_headers, json={"email": email}
    )
    assert updated.status_code in (400, 422), updated.text
    assert _fields(updated) == {"email"}
    user = client.post(
        f"{API}/users",
        headers=admin_headers,
        json={"email": email, "name": "U", "role": "delegate"},
    )
    assert user.status_code in (400, 422), user.text
    assert _fields(user) == {"email"}
    csv = "name,email,country\nBad," + email.replace("\n", " ") + ",TH\n"
    imported = client.post(
        f"{API}/people/import",
        headers=admin_headers | {"Content-Type": "text/csv"},
        content=csv.encode(),
    )
    _problem(imported, 422)
    assert {e["column"] for e in imported.json()["errors"]} == {"email"}
    assert _snapshot(engine) == before
    invite = client.get(f"{API}/sessions/{world.session_id}/invite.ics", headers=admin_headers)
    assert invite.status_code == 200


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        ("First.Last+tag@Sub.Example.co.th", "first.last+tag@sub.example.co.th"),
        ("  o'brien@example.ie ", "o'brien@example.ie"),
        ("somchai@ตัวอย่าง.ไทย", "somchai@xn--72c1a1bt4awk9o.xn--o3cw4h"),
        ("x" * 64 + "@example.org", "x" * 64 + "@example.org"),
    ],
)
def test_good_email_addresses_are_kept_in_a_form_mail_can_use(
    client: TestClient,
    admin_headers: dict[str, str],
    world: World,
    email: str,
    stored: str,
) -> None:
    person = client.post(
        f"{API}/people",
        headers=admin_headers,
        json={"name": "Good", "email": email, "country_code": "TH"},
    )
    assert person.status_code == 201, person.text
    assert person.json()["email"] == stored
    session = client.post(
        f"{API}/sessions",
        headers=admin_headers,
        json=_session_body(world.bridge_id, [person.json()["id"]], days=35),
    )
    assert session.status_code == 201, session.text
    invite = client.get(f"{API}/sessions/{session.json()['id']}/invite.ics", headers=admin_headers)
    assert invite.status_code == 200, invite.text


# --- sizes ---------------------------------------------------------------------------------------


def test_more_people_than_the_invitee_limit_are_refused(
    client: TestClient, admin_headers: dict[str, str], world: World, engine: Engine
) -> None:
    before = _snapshot(engine)
    body = _session_body(world.bridge_id, list(range(1, MAX_INVITEES + 2)), days=36)
    response = client.post(f"{API}/sessions", headers=admin_headers, json=body)
    _problem(response, 400)
    assert _fields(response) == {"people"}
    assert _snapshot(engine) == before


def test_delegations_that_come_to_more_than_the_invitee_limit_are_refused(
    client: TestClient, admin_headers: dict[str, str], world: World, engine: Engine
) -> None:
    rows = "".join(f"Delegate {i},d{i}@opdc.example.th,TH\n" for i in range(MAX_INVITEES))
    imported = client.post(
        f"{API}/people/import",
        headers=admin_headers | {"Content-Type": "text/csv"},
        content=("name,email,country\n" + rows).encode(),
    )
    assert imported.status_code == 201, imported.text
    before = _snapshot(engine)
    body = _session_body(world.bridge_id, [world.person_id], days=36) | {"countries": ["TH"]}
    response = client.post(f"{API}/sessions", headers=admin_headers, json=body)
    problem = _problem(response, 422)
    assert _fields(response) == {"countries"}
    assert f"{MAX_INVITEES + 1} people" in problem["detail"]
    assert _snapshot(engine) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/sessions", {"title": "t" * 301}, "title"),
        ("/sessions", {"description": "d" * 10_001}, "description"),
        ("/sessions", {"organiser_zone": "Asia/" + "x" * 60}, "organiser_zone"),
        ("/sessions", {"countries": ["TH"] * 101}, "countries"),
        ("/sessions", {"chair_country": "THA"}, "chair_country"),
        ("/sessions", {"host_order": ["TH"] * 101}, "host_order"),
        ("/sessions", {"recurrence": {"freq": "W" * 21, "count": 2}}, "recurrence.freq"),
        (
            "/sessions",
            {"recurrence": {"freq": "WEEKLY", "byweekday": ["TH"] * 8, "count": 2}},
            "recurrence.byweekday",
        ),
        ("/people", {"zone": "Asia/" + "x" * 60}, "zone"),
        ("/countries", {"holiday_code": "THA"}, "holiday_code"),
        ("/countries", {"zones": ["Asia/Bangkok"] * 51}, "zones"),
        ("/countries", {"capital_zone": "Asia/" + "x" * 60}, "capital_zone"),
        ("/agencies", {"zone": "Asia/" + "x" * 60}, "zone"),
    ],
)
def test_text_and_lists_in_bodies_are_bounded(
    client: TestClient,
    admin_headers: dict[str, str],
    world: World,
    engine: Engine,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    valid = {
        "/sessions": _session_body(world.bridge_id, [world.person_id], days=37),
        "/people": {"name": "Wei", "email": "wei@psd.example.sg", "country_code": "SG"},
        "/countries": {"code": "NZ", "name": "New Zealand", "capital_zone": "Pacific/Auckland"},
        "/agencies": {"name": "PSD", "acronym": "PSD", "country_code": "SG", "kind": "partner"},
    }[path]
    before = _snapshot(engine)
    response = client.post(f"{API}{path}", headers=admin_headers, json=valid | body)
    _problem(response, 400)
    assert field in _fields(response)
    assert _snapshot(engine) == before


def test_subdivision_hours_are_bounded(
    client: TestClient, admin_headers: dict[str, str], engine: Engine
) -> None:
    hours = {f"{i:02}": {"mon": [["08:00", "17:00"]]} for i in range(101)}
    before = _snapshot(engine)
    response = client.patch(
        f"{API}/countries/MY", headers=admin_headers, json={"subdivision_hours": hours}
    )
    _problem(response, 400)
    assert _fields(response) == {"subdivision_hours"}
    assert _snapshot(engine) == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/people?q=" + "a" * 101, "q"),
        ("/agencies?q=" + "a" * 101, "q"),
        ("/people?country=THA", "country"),
        ("/agencies?country=THA", "country"),
        ("/sessions?country=THA", "country"),
        ("/planner?from={day}&to={day}&countries=" + ",".join(["TH"] * 51), "countries"),
        ("/planner?from={day}&to={day}&people=" + ",".join(["1"] * 101), "people"),
        ("/planner/day?day={day}&countries=" + ",".join(["TH"] * 51), "countries"),
        ("/planner/day?day={day}&people=" + ",".join(["1"] * 101), "people"),
    ],
)
def test_list_filters_are_bounded(
    client: TestClient, admin_headers: dict[str, str], query: str, field: str
) -> None:
    day = _future(10).date().isoformat()
    response = client.get(API + query.format(day=day), headers=admin_headers)
    assert response.status_code in (400, 422), response.text
    assert _fields(response) == {field}


def test_csv_import_bounds_text_as_the_api_does(
    client: TestClient, admin_headers: dict[str, str], engine: Engine
) -> None:
    # PostgreSQL refused these with a 400 naming no row, while SQLite stored them.
    csv = (
        "name,email,country,title,position\n"
        f"{'n' * 201},long@example.org,TH,{'t' * 51},{'p' * 201}\n"
    )
    before = _snapshot(engine)
    response = client.post(
        f"{API}/people/import",
        headers=admin_headers | {"Content-Type": "text/csv"},
        content=csv.encode(),
    )
    _problem(response, 422)
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} == {
        (2, "name"),
        (2, "title"),
        (2, "position"),
    }
    assert _snapshot(engine) == before


def test_the_bounds_are_stated_in_the_api_schema(client: TestClient) -> None:
    spec = client.get("/schema/openapi.json").json()
    session = spec["components"]["schemas"]["SessionCreate"]["properties"]
    assert session["people"]["maxItems"] == MAX_INVITEES
    assert session["countries"]["maxItems"] == 100
    assert session["organiser_zone"]["maxLength"] == 64
    assert session["title"]["maxLength"] == 300
    people = spec["paths"][f"{API}/people"]["get"]["parameters"]
    assert next(p for p in people if p["name"] == "q")["schema"]["maxLength"] == 100
    planner = spec["paths"][f"{API}/planner"]["get"]["parameters"]
    assert (
        "at most 100 person ids" in next(p for p in planner if p["name"] == "people")["description"]
    )
