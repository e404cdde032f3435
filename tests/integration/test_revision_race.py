"""Twenty staff officers edit the same session from the same revision at once: one edit wins, the
other nineteen are told to reload. Runs against the real server on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.app import create_app
from service.settings import Settings
from tests.integration.network import make_bridge
from tests.support.live_app import serving

PARALLEL = 20


def test_parallel_edits_of_one_revision_give_exactly_one_200(
    client: TestClient, staff_headers: dict[str, str], settings: Settings, engine: Engine
) -> None:
    bridge = make_bridge(client, staff_headers)
    person = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "Somchai", "email": "somchai@opdc.example.th", "country_code": "TH"},
    ).json()
    start = (datetime.now(UTC) + timedelta(days=14)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    booked = client.post(
        "/api/v1/sessions",
        headers=staff_headers,
        json={
            "title": "Original",
            "duration_minutes": 60,
            "start": start.isoformat(),
            "organiser_zone": "Asia/Bangkok",
            "bridge_id": bridge,
            "people": [person["id"]],
            "acknowledge_problems": True,
        },
    )
    assert booked.status_code == 201, booked.text
    session = booked.json()

    def attempt(base_url: str, index: int) -> int:
        response = httpx.patch(
            f"{base_url}/api/v1/sessions/{session['id']}",
            json={"revision": session["revision"], "title": f"Edit {index}"},
            headers=staff_headers,
            timeout=60,
        )
        return response.status_code

    with (
        serving(create_app(settings, engine=engine)) as base_url,
        ThreadPoolExecutor(PARALLEL) as pool,
    ):
        codes = list(pool.map(lambda i: attempt(base_url, i), range(PARALLEL)))

    assert sorted(codes) == [200] + [409] * (PARALLEL - 1), codes
    final = client.get(f"/api/v1/sessions/{session['id']}", headers=staff_headers).json()
    assert final["revision"] == session["revision"] + 1
    assert final["title"].startswith("Edit ")
