"""Failed attempts at the service's secrets are limited per client: API tokens, private feed
links, answer links and sign-ins give 429 with Retry-After past their limit, and the planner
bounds the range it searches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.app import create_app
from service.calendar.feeds import issue_feed_token, personal_feed_path
from service.calendar.rsvp import rsvp_token
from service.db import session_scope
from service.http.abuse_limits import (
    ANSWER_LINK,
    API_TOKEN,
    FEED_LINK,
    SIGN_IN_PER_CLIENT,
    FailureLimit,
)
from service.scheduling.planner_service import MAX_WINDOW_DAYS
from service.settings import Settings
from tests.dates import MovableClock
from tests.integration.calendar_network import book_session, build_calendar_network
from tests.integration.web_client import sign_in

pytestmark = pytest.mark.db


def _assert_too_many(response: httpx.Response, limit: FailureLimit) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    wait = int(response.headers["retry-after"])
    assert 0 < wait <= limit.rate.get_expiry()
    problem = response.json()
    assert problem["status"] == 429
    assert problem["retry_after"] == wait
    assert limit.kind in problem["detail"]


def _fail_up_to_the_limit(
    client: TestClient, limit: FailureLimit, url: str, headers: dict[str, str] | None = None
) -> None:
    refusal = 401 if limit is API_TOKEN else 404
    statuses = {client.get(url, headers=headers).status_code for _ in range(limit.rate.amount)}
    assert statuses == {refusal}, statuses


def test_wrong_api_tokens_are_limited_and_the_limit_lifts_after_its_window(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    wrong = {"Authorization": "Bearer vdo_guessed"}
    _fail_up_to_the_limit(client, API_TOKEN, "/api/v1/me", headers=wrong)
    _assert_too_many(client.get("/api/v1/me", headers=wrong), API_TOKEN)
    # While over the limit even a good token from that address waits: it is not looked up.
    _assert_too_many(client.get("/api/v1/me", headers=staff_headers), API_TOKEN)

    later = datetime.now(UTC) + timedelta(seconds=API_TOKEN.rate.get_expiry() + 1)
    with time_machine.travel(later, tick=True):
        assert client.get("/api/v1/me", headers=staff_headers).status_code == 200


def test_requests_without_a_token_are_no_guesses(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    for _ in range(API_TOKEN.rate.amount + 5):
        assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=staff_headers).status_code == 200


def test_unknown_private_feed_links_are_limited(
    client: TestClient, engine: Engine, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    world = build_calendar_network(client, staff_headers, clock)
    with session_scope(engine) as db:
        good = personal_feed_path(issue_feed_token(db, world.anan)[1])
    assert client.get(good).status_code == 200

    _fail_up_to_the_limit(client, FEED_LINK, "/feeds/guessed-token.ics")
    _assert_too_many(client.get("/feeds/guessed-token.ics"), FEED_LINK)
    _assert_too_many(client.get(good), FEED_LINK)
    # The public feeds are no secret, so they stay open.
    assert client.get("/feeds/public.ics").status_code == 200


def test_forged_answer_links_are_limited(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    staff_headers: dict[str, str],
    clock: MovableClock,
) -> None:
    world = build_calendar_network(client, staff_headers, clock)
    session = book_session(client, staff_headers, world, [world.anan])
    good = f"/rsvp/{rsvp_token(settings, session['id'], world.anan)}?answer=accepted"
    forged = f"/rsvp/{rsvp_token(settings, session['id'], world.wei)}?answer=accepted"
    assert client.get(good).status_code == 200

    _fail_up_to_the_limit(client, ANSWER_LINK, forged)
    _assert_too_many(client.post(forged), ANSWER_LINK)
    _assert_too_many(client.post(good), ANSWER_LINK)


def test_failed_sign_ins_are_limited_per_client_across_accounts(
    engine: Engine, clock: MovableClock
) -> None:
    # Plain http, as the TestClient speaks it: a Secure cookie would not come back.
    settings = Settings(
        database_url=str(engine.url), log_requests=False, base_url="http://testserver.local"
    )
    with TestClient(app=create_app(settings, engine=engine, clock=clock)) as web:
        statuses = [
            sign_in(web, f"nobody{n}@example.org", "a wrong guess").status_code
            for n in range(SIGN_IN_PER_CLIENT.rate.amount + 1)
        ]
    assert statuses == [401] * SIGN_IN_PER_CLIENT.rate.amount + [429]


def test_the_planner_refuses_a_window_past_its_bound(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    start = clock.now().date()
    response = client.get(
        "/api/v1/planner",
        params={
            "from": start.isoformat(),
            "to": (start + timedelta(days=MAX_WINDOW_DAYS)).isoformat(),
            "countries": "TH,SG",
        },
        headers=staff_headers,
    )
    assert response.status_code == 422, response.text
    assert f"at most {MAX_WINDOW_DAYS} days" in response.json()["detail"]


def test_processes_on_postgresql_count_failures_together(
    settings: Settings, engine: Engine, clock: MovableClock
) -> None:
    """Two web processes (two applications, each with its own memory) on one PostgreSQL: a
    client alternating between them is refused once their failures together reach the limit,
    each process letting at most one more through before it learns of the shared count."""
    if engine.dialect.name != "postgresql":
        pytest.skip("several processes serve only on PostgreSQL")
    wrong = {"Authorization": "Bearer vdo_guessed"}
    with (
        TestClient(app=create_app(settings, engine=engine, clock=clock)) as first,
        TestClient(app=create_app(settings, engine=engine, clock=clock)) as second,
    ):
        statuses = [
            client.get("/api/v1/me", headers=wrong).status_code
            for _ in range(API_TOKEN.rate.amount)
            for client in (first, second)
        ]
        assert statuses.count(401) <= API_TOKEN.rate.amount + 1, statuses
        for client in (first, second):
            _assert_too_many(client.get("/api/v1/me", headers=wrong), API_TOKEN)
