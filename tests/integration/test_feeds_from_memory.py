"""Feeds from memory on both databases: an unchanged feed is answered without the database, and
a change made by another process reaches the next poll after the staleness bound (at once on
PostgreSQL, which pushes the change counter; within a second on SQLite)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, event

from service.calendar import feeds
from service.calendar.change_counter import SQLITE_STALENESS, ChangeCounter
from service.calendar.feeds import FeedSource
from tests.dates import MovableClock
from tests.integration.calendar_network import (
    CalendarNetwork,
    book_session,
    build_calendar_network,
)

# Another process renames a session with the service's own operation, as the CLI would.
RENAME_IN_ANOTHER_PROCESS = """
import sys
from datetime import datetime

import service.tables
from service.db import make_engine, session_scope
from service.scheduling.changes import reschedule
from service.scheduling.schemas import SessionUpdate

url, session_id, revision, title, now = sys.argv[1:]
with session_scope(make_engine(url)) as db:
    update = SessionUpdate(revision=int(revision), title=title)
    reschedule(db, int(session_id), update, now=datetime.fromisoformat(now))
"""
# Past the second of the last change, so that Last-Modified is settled and cached states do not
# expire on their own (`FeedState.expires`): only the change counter can refresh them.
SETTLED = timedelta(seconds=2)


@pytest.fixture
def world(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> CalendarNetwork:
    return build_calendar_network(client, staff_headers, clock)


@contextmanager
def statements_on(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _served_until_known(client: TestClient, path: str) -> str:
    """Poll until this process vouches for the counter (PostgreSQL: once its listener is up);
    the feed's ETag."""
    counter: ChangeCounter = client.app.state.planner_memory.counter
    deadline = time.monotonic() + 10
    while True:
        response = client.get(path)
        assert response.status_code == 200, response.text
        if counter.known() is not None or time.monotonic() > deadline:
            return response.headers["etag"]
        time.sleep(0.02)


def _forget_feeds(client: TestClient) -> None:
    """Empty the process's feed cache, so that the next request goes through the router."""
    client.app.state.feed_source.cache.__init__()


def _feed_path(client: TestClient, staff: dict[str, str], person_id: int) -> str:
    response = client.post(f"/api/v1/people/{person_id}/feed-token", headers=staff)
    assert response.status_code == 201, response.text
    return response.json()["url"].removeprefix("https://vdo.test")


def test_an_unchanged_feed_is_answered_without_the_database(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    engine: Engine,
    clock: MovableClock,
) -> None:
    book_session(client, staff_headers, world, [world.anan], title="Steering group")
    paths = [
        _feed_path(client, staff_headers, world.anan),
        "/feeds/countries/TH.ics",
        "/feeds/public.ics",
    ]
    clock.advance(SETTLED)
    etags = {path: _served_until_known(client, path) for path in paths}
    with statements_on(engine) as statements:
        for path, etag in etags.items():
            full = client.get(path)
            assert full.status_code == 200
            assert b"Steering group" in full.content
            assert full.headers["etag"] == etag
            assert client.get(path, headers={"if-none-match": etag}).status_code == 304
    assert statements == []


def test_a_change_made_by_another_process_reaches_the_next_poll_after_the_bound(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    engine: Engine,
    clock: MovableClock,
) -> None:
    session = book_session(client, staff_headers, world, [world.anan], title="Before")
    path = _feed_path(client, staff_headers, world.anan)
    clock.advance(SETTLED)
    etag = _served_until_known(client, path)
    assert client.get(path, headers={"if-none-match": etag}).status_code == 304

    subprocess.run(
        [
            sys.executable,
            "-c",
            RENAME_IN_ANOTHER_PROCESS,
            engine.url.render_as_string(hide_password=False),
            str(session["id"]),
            str(session["revision"]),
            "After",
            clock.now().isoformat(),
        ],
        check=True,
        timeout=60,
    )
    time.sleep(SQLITE_STALENESS.total_seconds())

    refreshed = client.get(path, headers={"if-none-match": etag})
    assert refreshed.status_code == 200
    assert b"After" in refreshed.content
    assert refreshed.headers["etag"] != etag


def test_answers_from_memory_are_the_answers_the_router_gives(
    client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork, clock: MovableClock
) -> None:
    book_session(client, staff_headers, world, [world.anan], title="Steering group")
    private = _feed_path(client, staff_headers, world.anan)
    clock.advance(SETTLED)
    counter: ChangeCounter = client.app.state.planner_memory.counter
    for path in (private, "/feeds/countries/TH.ics", "/feeds/public.ics"):
        _forget_feeds(client)
        routed = client.get(path)
        assert routed.status_code == 200
        _served_until_known(client, path)
        assert counter.known() is not None
        remembered = client.get(path)
        assert remembered.content == routed.content
        assert remembered.headers == routed.headers
        etag = routed.headers["etag"]
        for method in ("GET", "HEAD"):
            unchanged = client.request(method, path, headers={"if-none-match": etag})
            assert unchanged.status_code == 304
            assert unchanged.content == b""
        _forget_feeds(client)
        routed_head = client.head(path)
        _served_until_known(client, path)
        remembered_head = client.head(path)
        assert routed_head.status_code == remembered_head.status_code == 200
        assert routed_head.content == remembered_head.content == b""
        assert remembered_head.headers == routed_head.headers
    # What is no feed goes on to the router, which says so.
    assert client.get("/feeds/countries/XX.ics").status_code == 404
    assert client.get("/feeds/not-a-token.ics").status_code == 404
    assert client.get("/feeds/countries/TH").status_code == 404


def test_polls_arriving_together_after_a_change_render_the_feed_once(
    client: TestClient,
    staff_headers: dict[str, str],
    world: CalendarNetwork,
    clock: MovableClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book_session(client, staff_headers, world, [world.anan], title="Steering group")
    source: FeedSource = client.app.state.feed_source
    renderings: list[str] = []
    render = feeds.render_feed

    def slow_render(*args: Any) -> bytes:
        renderings.append(args[2].key)
        time.sleep(0.2)  # long enough for every poll to arrive while it runs
        return render(*args)

    monkeypatch.setattr(feeds, "render_feed", slow_render)
    conditions = feeds.Conditions()
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(
            pool.map(lambda _: feeds.serve_public_feed(source, conditions, clock.now()), range(6))
        )
    assert renderings == [""]
    assert all(reply.body and b"Steering group" in reply.body for reply in replies)
