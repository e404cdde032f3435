"""The session list from memory: a page asked again is not read again, and a change (a booking,
a cancellation) shows on the next request; each viewer sees their own page."""

from __future__ import annotations

import time
from typing import Any

import anyio.to_thread
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.calendar.change_counter import ChangeCounter
from tests.dates import MovableClock
from tests.integration.calendar_network import (
    PASSCODE,
    CalendarNetwork,
    book_session,
    build_calendar_network,
    headers_of_person,
)
from tests.integration.test_feeds_from_memory import statements_on


@pytest.fixture
def world(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> CalendarNetwork:
    return build_calendar_network(client, staff_headers, clock)


def _titles(client: TestClient, headers: dict[str, str]) -> list[str]:
    response = client.get("/api/v1/sessions?limit=50", headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_a_page_asked_again_is_not_read_again_and_changes_show_at_once(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork, engine: Engine
) -> None:
    first = book_session(client, staff_headers, world, [world.anan], title="First")
    assert _titles(client, staff_headers) == ["First"]
    with statements_on(engine) as statements:
        assert _titles(client, staff_headers) == ["First"]
    assert not [s for s in statements if "FROM vdo_session" in s]

    book_session(client, staff_headers, world, [world.wei], title="Second", start=first["end"])
    assert sorted(_titles(client, staff_headers)) == ["First", "Second"]
    cancelled = client.post(f"/api/v1/sessions/{first['id']}/cancel", headers=staff_headers)
    assert cancelled.status_code == 200, cancelled.text
    statuses = {
        item["title"]: item["status"]
        for item in client.get("/api/v1/sessions?limit=50", headers=staff_headers).json()["items"]
    }
    assert statuses == {"First": "cancelled", "Second": "confirmed"}


def test_each_viewer_gets_the_page_as_they_may_see_it(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork, engine: Engine
) -> None:
    book_session(client, staff_headers, world, [world.anan], title="Anan's")
    anan, wei = headers_of_person(engine, world.anan), headers_of_person(engine, world.wei)
    for _ in range(2):  # the second time from memory
        staff_page = client.get("/api/v1/sessions?limit=50", headers=staff_headers).text
        assert PASSCODE in staff_page
        assert PASSCODE in client.get("/api/v1/sessions?limit=50", headers=anan).text
        assert PASSCODE not in client.get("/api/v1/sessions?limit=50", headers=wei).text


def test_a_page_from_memory_takes_no_worker_thread(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Neither the token (remembered), nor the page (kept encoded), nor the request's unit of
    work (never begun) sends the request to a thread: a thread pool's queue is what made
    p99 latency at 32 connections."""
    book_session(client, staff_headers, world, [world.anan], title="Kept")
    counter: ChangeCounter = client.app.state.change_counter
    deadline = time.monotonic() + 10
    while counter.known() is None and time.monotonic() < deadline:  # PostgreSQL: its listener
        _titles(client, staff_headers)
        time.sleep(0.02)
    assert _titles(client, staff_headers) == ["Kept"]
    sent: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(function: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(function)
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    assert _titles(client, staff_headers) == ["Kept"]
    assert sent == []
