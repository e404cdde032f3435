"""Bearer tokens from memory: a token used again is not looked up again, and whatever changes
whom it speaks for (revoked, its user deactivated or relinked, here or in another process) takes
effect on the next request, within the change counter's bound."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import timedelta

from litestar.testing import TestClient
from sqlalchemy import Engine

from service.auth import service as auth
from service.calendar.change_counter import SQLITE_STALENESS, ChangeCounter
from service.db import session_scope
from tests.dates import MovableClock
from tests.integration.calendar_network import build_calendar_network
from tests.integration.test_feeds_from_memory import statements_on
from tests.support.vdo_command import VDO

EMAIL = "owner@tokens.example"


def _token(engine: Engine, role: str = "secretariat") -> tuple[dict[str, str], int]:
    with session_scope(engine) as db:
        user = auth.create_user(db, email=EMAIL, name="Token owner", role=role)
        api_token, token = auth.issue_token(db, user)
        assert api_token.id is not None
        return {"Authorization": f"Bearer {token}"}, api_token.id


def _until_known(client: TestClient, headers: dict[str, str]) -> None:
    """Call until this process vouches for the counter (PostgreSQL: once its listener is up)."""
    counter: ChangeCounter = client.app.state.change_counter
    deadline = time.monotonic() + 10
    while counter.known() is None and time.monotonic() < deadline:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        time.sleep(0.02)
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def _counter(engine: Engine) -> int:
    with session_scope(engine) as db:
        return ChangeCounter(engine).read(db.connection())


def test_a_token_used_again_is_not_looked_up_again(client: TestClient, engine: Engine) -> None:
    headers, _ = _token(engine)
    _until_known(client, headers)
    with statements_on(engine) as statements:
        for _ in range(3):
            assert client.get("/api/v1/me", headers=headers).json()["email"] == EMAIL
    assert not [s for s in statements if "api_token" in s]


def test_a_revoked_token_stops_at_the_next_request(client: TestClient, engine: Engine) -> None:
    headers, token_id = _token(engine)
    _until_known(client, headers)
    revoked = client.post(f"/api/v1/me/tokens/{token_id}/revoke", headers=headers)
    assert revoked.status_code == 204, revoked.text
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_deactivated_or_relinked_user_is_seen_at_the_next_request(
    client: TestClient, engine: Engine, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    anan = build_calendar_network(client, staff_headers, clock).anan
    headers, _ = _token(engine, role="delegate")
    _until_known(client, headers)
    me = client.get("/api/v1/me", headers=headers).json()
    user_id = me["id"]
    assert me["person_id"] is None
    admin = {"Authorization": f"Bearer {_admin_token(engine)}"}

    relinked = client.patch(f"/api/v1/users/{user_id}", headers=admin, json={"person_id": anan})
    assert relinked.status_code == 200, relinked.text
    assert client.get("/api/v1/me", headers=headers).json()["person_id"] == anan

    deactivated = client.patch(f"/api/v1/users/{user_id}", headers=admin, json={"active": False})
    assert deactivated.status_code == 200, deactivated.text
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_deactivation_in_another_process_is_seen_after_the_bound(
    client: TestClient, engine: Engine
) -> None:
    headers, _ = _token(engine)
    _until_known(client, headers)
    env = os.environ | {"VDO_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    subprocess.run([*VDO, "user", "deactivate", EMAIL], env=env, check=True, timeout=60)
    # SQLite: trusted for at most the staleness bound; PostgreSQL: until the notification lands.
    time.sleep(SQLITE_STALENESS.total_seconds())
    deadline = time.monotonic() + 10
    while client.get("/api/v1/me", headers=headers).status_code == 200:
        assert engine.dialect.name == "postgresql", "SQLite: still served past the bound"
        assert time.monotonic() < deadline, "the notification never came"
        time.sleep(0.05)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_recording_a_use_keeps_what_is_remembered(
    client: TestClient, engine: Engine, clock: MovableClock
) -> None:
    """Last use is written every few minutes (`test_reads_beside_writers.py`); it does not
    change whom the token speaks for, so it must not empty every process's caches."""
    headers, _ = _token(engine)
    _until_known(client, headers)
    before = _counter(engine)
    clock.advance(auth.LAST_USED_RESOLUTION + timedelta(minutes=1))
    with statements_on(engine) as statements:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert [s for s in statements if s.lstrip().upper().startswith("UPDATE API_TOKEN")]
    assert _counter(engine) == before

    # Used again at once: not due, so neither looked up nor written again.
    with statements_on(engine) as statements:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert not [s for s in statements if "api_token" in s]


def _admin_token(engine: Engine) -> str:
    with session_scope(engine) as db:
        admin = auth.create_user(db, email="admin@tokens.example", name="Admin", role="admin")
        return auth.issue_token(db, admin)[1]
