"""Directory API on both databases: auth, CRUD, filters, refusals that change nothing."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlmodel import select

from service.db import session_scope
from service.directory.models import Agency, Person


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as db:
        return db.exec(select(func.count()).select_from(model)).one()


def _agency(client: TestClient, headers: dict[str, str], **overrides: object) -> dict:
    body = {
        "name": "Office of the Public Sector Development Commission",
        "acronym": "OPDC",
        "country_code": "TH",
        "kind": "member_agency",
    } | overrides
    response = client.post("/api/v1/agencies", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_countries_need_a_token(client: TestClient) -> None:
    response = client.get("/api/v1/countries")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Bearer" in response.json()["detail"]


def test_unknown_token_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/countries", headers={"Authorization": "Bearer vdo_nope"})
    assert response.status_code == 401


def test_countries_list_the_eleven_members_with_zones(
    client: TestClient, delegate_headers: dict[str, str]
) -> None:
    response = client.get("/api/v1/countries", headers=delegate_headers)
    assert response.status_code == 200
    members = {c["code"]: c for c in response.json() if c["is_member"]}
    assert len(members) == 11
    assert members["TL"]["capital_zone"] == "Asia/Dili"
    assert members["MM"]["capital_zone"] == "Asia/Yangon"
    assert "Asia/Jayapura" in members["ID"]["zones"]
    assert members["BN"]["office_hours"]["fri"] == []
    assert members["BN"]["office_hours"]["sat"] != []


def test_staff_edit_office_hours_and_bad_hours_change_nothing(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    hours = {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu")}
    hours |= {"fri": [["08:00", "16:00"]], "sat": [], "sun": []}
    response = client.patch(
        "/api/v1/countries/LA", json={"office_hours": hours}, headers=staff_headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["office_hours"]["mon"][1] == ["13:00", "17:00"]

    bad = hours | {"mon": [["13:00", "12:00"]]}
    response = client.patch(
        "/api/v1/countries/LA", json={"office_hours": bad}, headers=staff_headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "office_hours"
    after = client.get("/api/v1/countries/LA", headers=staff_headers).json()
    assert after["office_hours"]["mon"][1] == ["13:00", "17:00"]


def test_delegate_may_read_but_not_change_the_directory(
    client: TestClient, delegate_headers: dict[str, str], engine: Engine
) -> None:
    response = client.post(
        "/api/v1/agencies",
        headers=delegate_headers,
        json={"name": "X", "acronym": "X", "country_code": "TH", "kind": "member_agency"},
    )
    assert response.status_code == 403
    assert "secretariat" in response.json()["detail"]
    assert _count(engine, Agency) == 0
    assert client.get("/api/v1/agencies", headers=delegate_headers).status_code == 200


def test_partner_country_and_person_keep_their_own_zone(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/countries",
        headers=staff_headers,
        json={
            "code": "FI",
            "name": "Finland",
            "capital_zone": "Europe/Helsinki",
            "holiday_code": "FI",
        },
    )
    assert response.status_code == 201, response.text
    oulu = _agency(
        client,
        staff_headers,
        name="University of Oulu",
        acronym="UOulu",
        country_code="FI",
        kind="partner",
    )
    response = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "Aino Virtanen", "email": "Aino@Oulu.example.fi", "agency_id": oulu["id"]},
    )
    assert response.status_code == 201, response.text
    person = response.json()
    assert person["zone"] == "Europe/Helsinki"
    assert person["country_code"] == "FI"
    assert person["email"] == "aino@oulu.example.fi"


def test_person_defaults_to_the_agency_zone_and_filters_work(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    opdc = _agency(client, staff_headers)
    papua = _agency(
        client,
        staff_headers,
        name="Papua Provincial Office",
        acronym="PPO",
        country_code="ID",
        zone="Asia/Jayapura",
    )
    for name, email, agency in (
        ("Somchai", "somchai@opdc.example.th", opdc),
        ("Yohana", "yohana@papua.example.id", papua),
    ):
        response = client.post(
            "/api/v1/people",
            headers=staff_headers,
            json={"name": name, "email": email, "agency_id": agency["id"]},
        )
        assert response.status_code == 201, response.text
    people = client.get("/api/v1/people?country=ID", headers=staff_headers).json()
    assert people["total"] == 1
    assert people["items"][0]["zone"] == "Asia/Jayapura"
    found = client.get("/api/v1/people?q=somch", headers=staff_headers).json()
    assert [p["name"] for p in found["items"]] == ["Somchai"]
    page = client.get("/api/v1/people?limit=1&offset=1", headers=staff_headers).json()
    assert page["total"] == 2
    assert len(page["items"]) == 1


def test_bad_zone_is_a_clear_422_and_creates_nothing(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    response = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "A", "email": "a@example.org", "country_code": "TH", "zone": "Asia/Bankok"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"] == [{"field": "zone", "reason": problem["errors"][0]["reason"]}]
    assert "Asia/Bankok" in problem["detail"]
    assert "IANA" in problem["detail"]
    assert _count(engine, Person) == 0


def test_unknown_country_is_named(client: TestClient, staff_headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "A", "email": "a@example.org", "country_code": "XX"},
    )
    assert response.status_code == 422
    assert "unknown country 'XX'" in response.json()["detail"]


def test_duplicate_email_is_409_and_keeps_the_first(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    body = {"name": "First", "email": "dup@example.org", "country_code": "SG"}
    assert client.post("/api/v1/people", headers=staff_headers, json=body).status_code == 201
    response = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json=body | {"name": "Second", "email": "DUP@example.org"},
    )
    assert response.status_code == 409
    assert "dup@example.org already belongs to First" in response.json()["detail"]
    assert _count(engine, Person) == 1


def test_malformed_json_is_a_400_problem(client: TestClient, staff_headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/people",
        content=b'{"name": ',
        headers=staff_headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


def test_missing_field_names_the_field(client: TestClient, staff_headers: dict[str, str]) -> None:
    response = client.post("/api/v1/people", headers=staff_headers, json={"name": "No email"})
    assert response.status_code == 400
    assert "email" in response.json()["detail"]


def test_agency_with_people_cannot_be_deleted(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    opdc = _agency(client, staff_headers)
    client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "S", "email": "s@example.org", "agency_id": opdc["id"]},
    )
    response = client.delete(f"/api/v1/agencies/{opdc['id']}", headers=staff_headers)
    assert response.status_code == 409
    assert _count(engine, Agency) == 1


def test_health_and_openapi_are_open(client: TestClient) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok"}
    schema = client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/people" in schema.json()["paths"]


def test_nul_characters_are_refused_on_both_databases(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    response = client.post(
        "/api/v1/agencies",
        headers=staff_headers,
        json={"name": "Bad\u0000name", "acronym": "B", "country_code": "TH", "kind": "partner"},
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert _count(engine, Agency) == 0
    listed = client.get("/api/v1/people?q=a%00b", headers=staff_headers)
    assert listed.status_code in (200, 400)
