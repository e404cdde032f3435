"""A database that hangs or cannot be opened gives fast 503s, never hung workers or 500s.

The hanging PostgreSQL is a TCP server that accepts connections and never answers; the real
application serves under uvicorn so that requests run concurrently, as in production.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from service.app import create_app
from service.db import DatabaseTimeouts, make_engine
from service.settings import Settings
from tests.support.live_app import serving
from tests.support.silent_server import silent_server

SHORT = DatabaseTimeouts(connect_seconds=2, statement_seconds=1, pool_seconds=1)
# A request must give up within the connect timeout plus the wait for a pooled connection;
# the margin is for a busy test machine.
PROMPT_SECONDS = 8.0
TOKEN = {"Authorization": "Bearer vdo_unchecked-because-the-database-is-down"}


def _assert_unavailable(response: httpx.Response, elapsed: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    assert "database" in response.json()["detail"].lower()
    assert elapsed < PROMPT_SECONDS, elapsed


def _timed_get(url: str, headers: dict[str, str] | None = None) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(url, headers=headers, timeout=60)
    return response, time.monotonic() - started


def _assert_health_names_the_database(response: httpx.Response, elapsed: float) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "unreachable"
    assert elapsed < PROMPT_SECONDS, elapsed


def test_a_hanging_postgresql_gives_a_fast_503_and_health_still_answers() -> None:
    with silent_server() as port:
        settings = Settings(
            database_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/vdo",
            log_requests=False,
            database_timeouts=SHORT,
        )
        with serving(create_app(settings)) as base_url, ThreadPoolExecutor(45) as pool:
            _assert_unavailable(*_timed_get(f"{base_url}/api/v1/me", TOKEN))
            # As many requests as once starved every worker thread; /health answers meanwhile.
            crowd = [pool.submit(_timed_get, f"{base_url}/api/v1/me", TOKEN) for _ in range(45)]
            time.sleep(0.2)
            _assert_health_names_the_database(*_timed_get(f"{base_url}/health"))
            for request in crowd:
                response, _ = request.result()
                assert response.status_code == 503, response.text


def test_an_unopenable_sqlite_database_gives_a_503(tmp_path: Path) -> None:
    directory = tmp_path / "not-a-database"
    directory.mkdir()
    settings = Settings(database_url=f"sqlite:///{directory}", log_requests=False)
    with serving(create_app(settings)) as base_url:
        _assert_unavailable(*_timed_get(f"{base_url}/api/v1/me", TOKEN))
        _assert_health_names_the_database(*_timed_get(f"{base_url}/health"))


def test_postgresql_statements_are_cut_off_at_the_statement_timeout(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no statement timeout; its lock waits have busy_timeout")
    short = make_engine(engine.url.render_as_string(hide_password=False), SHORT)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"), short.connect() as c:
            c.execute(text("SELECT pg_sleep(10)"))
        assert time.monotonic() - started < 5
    finally:
        short.dispose()


def test_timeouts_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().database_timeouts == DatabaseTimeouts()
    monkeypatch.setenv("VDO_DATABASE_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("VDO_DATABASE_STATEMENT_TIMEOUT", "20")
    monkeypatch.setenv("VDO_DATABASE_POOL_TIMEOUT", "4")
    assert Settings.from_env().database_timeouts == DatabaseTimeouts(3, 20, 4)
