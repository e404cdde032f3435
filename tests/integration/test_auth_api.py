from __future__ import annotations

from datetime import timedelta

from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from service.auth.models import ApiToken
from service.auth.service import LAST_USED_RESOLUTION
from service.db import session_scope
from tests.dates import MovableClock


def test_token_lifecycle_several_per_user_and_revocation(
    client: TestClient, delegate_headers: dict[str, str]
) -> None:
    me = client.get("/api/v1/me", headers=delegate_headers)
    assert me.status_code == 200
    assert me.json()["role"] == "delegate"
    created = client.post("/api/v1/me/tokens", json={"label": "laptop"}, headers=delegate_headers)
    assert created.status_code == 201
    second = {"Authorization": f"Bearer {created.json()['token']}"}
    assert client.get("/api/v1/me", headers=second).status_code == 200
    listed = client.get("/api/v1/me/tokens", headers=second).json()
    assert len(listed) == 2
    assert all("token" not in t for t in listed)
    revoked = client.post(
        f"/api/v1/me/tokens/{created.json()['id']}/revoke", headers=delegate_headers
    )
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert client.get("/api/v1/me", headers=delegate_headers).status_code == 200


def test_only_admins_manage_users(
    client: TestClient,
    staff_headers: dict[str, str],
    admin_headers: dict[str, str],
    engine: Engine,
) -> None:
    body = {"email": "new@example.org", "name": "New", "role": "delegate"}
    assert client.post("/api/v1/users", json=body, headers=staff_headers).status_code == 403
    assert client.post("/api/v1/users", json=body, headers=admin_headers).status_code == 201
    again = client.post("/api/v1/users", json=body, headers=admin_headers)
    assert again.status_code == 409
    bad_role = client.post("/api/v1/users", json=body | {"role": "king"}, headers=admin_headers)
    assert bad_role.status_code == 400


def test_options_on_guarded_routes_lists_methods_without_a_token(client: TestClient) -> None:
    # Controller-level guards also run for OPTIONS, which the auth middleware lets through.
    response = client.options("/api/v1/people/1/feed-token")
    assert response.status_code == 204
    assert "POST" in response.headers["allow"]


def test_token_use_is_recorded_without_a_write_per_request(
    client: TestClient, delegate_headers: dict[str, str], engine: Engine
) -> None:
    client.get("/api/v1/me", headers=delegate_headers)
    with session_scope(engine) as db:
        first = db.exec(select(ApiToken.last_used_at)).one()
    client.get("/api/v1/me", headers=delegate_headers)
    with session_scope(engine) as db:
        assert first is not None
        assert db.exec(select(ApiToken.last_used_at)).one() == first


def test_token_use_is_recorded_again_once_the_clock_moves_past_the_resolution(
    client: TestClient, delegate_headers: dict[str, str], engine: Engine, clock: MovableClock
) -> None:
    client.get("/api/v1/me", headers=delegate_headers)
    with session_scope(engine) as db:
        first = db.exec(select(ApiToken.last_used_at)).one()
    assert first is not None
    clock.advance(LAST_USED_RESOLUTION + timedelta(minutes=1))
    client.get("/api/v1/me", headers=delegate_headers)
    with session_scope(engine) as db:
        later = db.exec(select(ApiToken.last_used_at)).one()
    assert later is not None
    assert later - first > LAST_USED_RESOLUTION
