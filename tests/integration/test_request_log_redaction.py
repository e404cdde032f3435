"""The request log (VDO_LOG_REQUESTS) never holds the secrets of feed and answer links: the
database keeps feed tokens hashed, and the log must not undo that."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.app import create_app
from service.calendar.rsvp import rsvp_token
from service.settings import Settings


@pytest.fixture
def logged_client(
    settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> Iterator[TestClient]:
    app = create_app(replace(settings, log_requests=True), engine=engine)
    with TestClient(app=app) as client:
        # Litestar's loggers do not propagate to the root logger, where caplog listens.
        request_logger = logging.getLogger("litestar")
        request_logger.addHandler(caplog.handler)
        try:
            yield client
        finally:
            request_logger.removeHandler(caplog.handler)


def _request_log(caplog: pytest.LogCaptureFixture) -> str:
    # The test client's own httpx log lines are not the service's request log.
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("litestar"))


def _person(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post(
        "/api/v1/people",
        headers=headers,
        json={"name": "Anan Chaiyaporn", "email": "anan@opdc.example.th", "country_code": "TH"},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_feed_and_answer_tokens_are_redacted_in_the_request_log(
    logged_client: TestClient,
    staff_headers: dict[str, str],
    settings: Settings,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = logged_client
    person = _person(client, staff_headers)
    issued = client.post(f"/api/v1/people/{person}/feed-token", headers=staff_headers).json()
    feed_path = issued["url"].removeprefix("https://vdo.test")
    feed_token = feed_path.removeprefix("/feeds/").removesuffix(".ics")
    answer_token = rsvp_token(settings, 1, person)
    caplog.clear()

    assert client.get(feed_path).status_code == 200
    assert client.get(f"{feed_path}?refresh=1").status_code == 200
    assert client.get(f"/feeds/{feed_token}").status_code == 404  # without .ics
    client.get(f"/rsvp/{answer_token}?answer=accepted&scope=this")
    client.post(f"/rsvp/{answer_token}?answer=declined")
    client.get("/feeds/public.ics")
    client.get("/feeds/countries/TH.ics")

    logged = _request_log(caplog)
    assert feed_token not in logged
    assert answer_token.rsplit(".", 1)[1] not in logged
    assert logged.count("/feeds/<redacted>.ics") == 2
    assert "/feeds/<redacted>," in logged
    assert logged.count("/rsvp/<redacted>") == 2
    assert "answer" in logged  # the rest of the query string is kept
    assert "/feeds/public.ics" in logged
    assert "/feeds/countries/TH.ics" in logged


def test_other_paths_are_logged_as_they_are(
    logged_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    assert logged_client.get("/api/v1/countries?limit=5").status_code == 401
    logged = _request_log(caplog)
    assert "path=/api/v1/countries" in logged
    assert "limit" in logged
