"""Twenty staff officers book the same bridge at overlapping times at once: exactly one wins.

Runs against the real server (uvicorn, threads, connection pool) on SQLite and PostgreSQL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlmodel import select

from service.app import create_app
from service.db import session_scope
from service.scheduling.models import VdoSession
from service.settings import Settings
from tests.dates import MovableClock, iso, working_start
from tests.integration.network import make_bridge
from tests.support.live_app import serving

PARALLEL = 20


def test_parallel_conflicting_bookings_give_exactly_one_201(
    client: TestClient,
    staff_headers: dict[str, str],
    settings: Settings,
    engine: Engine,
    clock: MovableClock,
) -> None:
    bridge = make_bridge(client, staff_headers)
    person = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "Somchai", "email": "somchai@opdc.example.th", "country_code": "TH"},
    ).json()
    start = working_start(clock, ["TH"])

    def attempt(base_url: str, index: int) -> int:
        body = {
            "title": f"Attempt {index}",
            "duration_minutes": 60,
            "start": iso(start + timedelta(minutes=index)),
            "organiser_zone": "Asia/Bangkok",
            "bridge_id": bridge,
            "people": [person["id"]],
            "acknowledge_problems": True,
        }
        response = httpx.post(
            f"{base_url}/api/v1/sessions", json=body, headers=staff_headers, timeout=60
        )
        return response.status_code

    with (
        serving(create_app(settings, engine=engine, clock=clock)) as base_url,
        ThreadPoolExecutor(PARALLEL) as pool,
    ):
        codes = list(pool.map(lambda i: attempt(base_url, i), range(PARALLEL)))

    assert sorted(codes) == [201] + [409] * (PARALLEL - 1), codes
    with session_scope(engine) as db:
        assert db.exec(select(func.count()).select_from(VdoSession)).one() == 1
