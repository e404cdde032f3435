"""Fixtures of the integration tests: a real SMTP server in process (delivery), a client of
the pages over plain http (web)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.app import create_app
from service.settings import Settings
from tests.dates import MovableClock
from tests.support.mail_catcher import MailCatcher


@pytest.fixture
def catcher() -> Iterator[MailCatcher]:
    server = MailCatcher()
    server.up()
    yield server
    server.down()


@pytest.fixture
def web_settings(engine: Engine) -> Settings:
    # The TestClient speaks plain http: a Secure cookie would not come back.
    return Settings(
        database_url=str(engine.url), log_requests=False, base_url="http://testserver.local"
    )


@pytest.fixture
def web(web_settings: Settings, engine: Engine, clock: MovableClock) -> Iterator[TestClient]:
    with TestClient(app=create_app(web_settings, engine=engine, clock=clock)) as test_client:
        yield test_client
