"""Staff officers save the same revision of the minutes (and of the agenda) at once: exactly one
save wins, the others get a 409 with the current text. Real server, SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlmodel import select

from service.app import create_app
from service.db import session_scope
from service.minutes.models import MinutesRevision
from service.settings import Settings
from tests.integration.minutes_world import World, build_world
from tests.support.live_app import serving

PARALLEL = 12


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)


def _race(settings: Settings, engine: Engine, url: str, bodies: list[dict], headers: dict) -> list:
    def attempt(base_url: str, body: dict) -> httpx.Response:
        return httpx.put(f"{base_url}{url}", json=body, headers=headers, timeout=60)

    with (
        serving(create_app(settings, engine=engine)) as base_url,
        ThreadPoolExecutor(PARALLEL) as pool,
    ):
        return list(pool.map(lambda body: attempt(base_url, body), bodies))


def test_parallel_saves_of_one_revision_give_exactly_one_winner(
    client: TestClient,
    staff_headers: dict[str, str],
    settings: Settings,
    engine: Engine,
    world: World,
) -> None:
    url = f"/api/v1/sessions/{world.session}/minutes"
    first = {"base_revision": 0, "free_text": "first"}
    assert client.put(url, headers=staff_headers, json=first).status_code == 200
    bodies = [{"base_revision": 1, "free_text": f"edit {n}"} for n in range(PARALLEL)]
    responses = _race(settings, engine, url, bodies, staff_headers)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (PARALLEL - 1), codes
    winner = next(r for r in responses if r.status_code == 200).json()["free_text"]
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.json()["current"]["free_text"] == winner
    with session_scope(engine) as db:
        count = select(func.count()).select_from(MinutesRevision)
        assert db.exec(count).one() == 2


def test_parallel_agenda_saves_give_exactly_one_winner(
    staff_headers: dict[str, str], settings: Settings, engine: Engine, world: World
) -> None:
    url = f"/api/v1/sessions/{world.session}/agenda"
    bodies = [{"revision": 0, "items": [{"title": f"Item {n}"}]} for n in range(PARALLEL)]
    codes = sorted(r.status_code for r in _race(settings, engine, url, bodies, staff_headers))
    assert codes == [200] + [409] * (PARALLEL - 1), codes
