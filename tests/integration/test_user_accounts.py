"""Administrators link accounts to directory people and deactivate accounts, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient
from sqlalchemy import Engine

from service.auth import service as auth
from service.auth.models import User
from service.db import session_scope
from tests.integration.network import Network, book, make_bridge


def _person(client: TestClient, staff: dict[str, str]) -> int:
    response = client.post(
        "/api/v1/people",
        headers=staff,
        json={"name": "Anan Chaiyaporn", "email": "anan@opdc.example.th", "country_code": "TH"},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _token_of(engine: Engine, user_id: int) -> dict[str, str]:
    with session_scope(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        return {"Authorization": f"Bearer {auth.issue_token(db, user)[1]}"}


def _next_week() -> str:
    day = datetime.now(UTC).date() + timedelta(days=7)
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC).isoformat()


def test_an_account_created_for_a_person_gets_their_sessions_and_answers(
    client: TestClient,
    admin_headers: dict[str, str],
    staff_headers: dict[str, str],
    engine: Engine,
) -> None:
    anan = _person(client, staff_headers)
    created = client.post(
        "/api/v1/users",
        headers=admin_headers,
        json={
            "email": "anan@opdc.example.th",
            "name": "Anan",
            "role": "delegate",
            "person_id": anan,
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["person_id"] == anan
    delegate = _token_of(engine, created.json()["id"])
    session = book(
        client,
        staff_headers,
        Network(bridge_id=make_bridge(client, staff_headers)),
        start=_next_week(),
        people=[anan],
        acknowledge_problems=True,
    ).json()

    mine = client.get(f"/api/v1/sessions?person={anan}", headers=delegate).json()["items"]
    assert [s["id"] for s in mine] == [session["id"]]
    assert mine[0]["meeting"]["join_url"] == session["meeting"]["join_url"]
    assert client.get("/api/v1/me/feed", headers=delegate).json()["person_id"] == anan
    answered = client.post(
        f"/api/v1/sessions/{session['id']}/rsvp", headers=delegate, json={"answer": "accepted"}
    )
    assert answered.status_code == 200, answered.text


def test_an_unknown_person_is_refused_by_name_and_nothing_is_created(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    refused = client.post(
        "/api/v1/users",
        headers=admin_headers,
        json={"email": "x@example.org", "name": "X", "role": "delegate", "person_id": 999999},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "person_id"
    emails = [u["email"] for u in client.get("/api/v1/users", headers=admin_headers).json()]
    assert "x@example.org" not in emails


def test_an_existing_account_can_be_linked_and_unlinked(
    client: TestClient,
    admin_headers: dict[str, str],
    staff_headers: dict[str, str],
) -> None:
    anan = _person(client, staff_headers)
    user = client.post(
        "/api/v1/users",
        headers=admin_headers,
        json={"email": "anan@accounts.example", "name": "Anan", "role": "delegate"},
    ).json()
    path = f"/api/v1/users/{user['id']}"

    linked = client.patch(path, headers=admin_headers, json={"person_id": anan})
    assert linked.status_code == 200, linked.text
    assert linked.json()["person_id"] == anan
    assert linked.json()["active"] is True
    unknown = client.patch(path, headers=admin_headers, json={"person_id": 999999})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "person_id"
    unlinked = client.patch(path, headers=admin_headers, json={"person_id": None})
    assert unlinked.json()["person_id"] is None


def test_a_deactivated_users_tokens_stop_working_at_once(
    client: TestClient,
    admin_headers: dict[str, str],
    staff_headers: dict[str, str],
    engine: Engine,
) -> None:
    user = client.post(
        "/api/v1/users",
        headers=admin_headers,
        json={"email": "leaver@example.org", "name": "Leaver", "role": "secretariat"},
    ).json()
    leaver = _token_of(engine, user["id"])
    assert client.get("/api/v1/me", headers=leaver).status_code == 200
    path = f"/api/v1/users/{user['id']}"

    assert client.patch(path, headers=staff_headers, json={"active": False}).status_code == 403
    deactivated = client.patch(path, headers=admin_headers, json={"active": False})
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    assert client.get("/api/v1/me", headers=leaver).status_code == 401
    assert client.get("/api/v1/countries", headers=leaver).status_code == 401

    assert client.patch(path, headers=admin_headers, json={"active": True}).status_code == 200
    assert client.get("/api/v1/me", headers=leaver).status_code == 200


def test_an_administrator_cannot_lock_themselves_out_and_unknown_users_are_404(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    me = client.get("/api/v1/me", headers=admin_headers).json()
    refused = client.patch(
        f"/api/v1/users/{me['id']}", headers=admin_headers, json={"active": False}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "active"
    assert client.get("/api/v1/me", headers=admin_headers).status_code == 200
    missing = client.patch("/api/v1/users/999999", headers=admin_headers, json={"active": False})
    assert missing.status_code == 404
