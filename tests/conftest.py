"""Shared fixtures: every database test runs once on SQLite and once on PostgreSQL.

`VDO_TEST_DATABASES` chooses the backends (default `sqlite,postgresql`); PostgreSQL is the
machine's server (`VDO_TEST_POSTGRES_URL`, default postgresql://postgres@127.0.0.1:5432/postgres),
in a fresh database per run and xdist worker, dropped at the end. When that server does not
answer, the run starts a throw-away one from the installed PostgreSQL binaries, shared by all
xdist workers (see tests/support/postgres_server.py). Without binaries either, the run says so in
one line and uses SQLite alone, unless `VDO_TEST_DATABASES` names postgresql explicitly (as CI
does): then it stops with that reason rather than silently skipping half of the suite.

`VDO_TEST_CLOCK_SHIFT_DAYS=N` runs the whole suite N days in the future: every test process
(each xdist worker too) travels there with `time-machine` before any test runs, the clock still
ticking. CI runs it a year ahead, so that no test can depend on today's date.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from litestar.testing import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from service import migrations
from service.app import create_app
from service.auth import service as auth
from service.db import make_engine, session_scope
from service.directory.service import seed_member_countries
from service.settings import Settings
from service.tables import metadata
from tests.dates import MovableClock
from tests.support import postgres_server


def postgres_admin_url() -> str:
    """Read when needed: the run may replace it with a throw-away server's (pytest_configure)."""
    return os.environ.get(
        "VDO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )


BACKENDS = [
    b.strip()
    for b in os.environ.get("VDO_TEST_DATABASES", "sqlite,postgresql").split(",")
    if b.strip()
]
POSTGRES_UNAVAILABLE = (
    "postgresql" in BACKENDS
    and not postgres_server.answers(postgres_admin_url())
    and postgres_server.find_bindir() is None
)
if POSTGRES_UNAVAILABLE and "VDO_TEST_DATABASES" not in os.environ:
    BACKENDS.remove("postgresql")
THROWAWAY_SERVER = pytest.StashKey[postgres_server.ThrowawayServer]()
CLOCK_SHIFT_DAYS = int(os.environ.get("VDO_TEST_CLOCK_SHIFT_DAYS") or 0)


def pytest_configure(config: pytest.Config) -> None:
    _travel_ahead(config)
    _start_throwaway_postgres(config)


def _start_throwaway_postgres(config: pytest.Config) -> None:
    """Start a throw-away PostgreSQL server when the configured one does not answer.

    Only the controller (or a run without xdist) starts it, before any worker exists; the workers
    inherit its URL through the environment, so they share one server.
    """
    if hasattr(config, "workerinput") or "postgresql" not in BACKENDS:
        return
    url = postgres_admin_url()
    if postgres_server.answers(url):
        return
    bindir = postgres_server.find_bindir()
    if bindir is None:
        raise pytest.UsageError(
            f"VDO_TEST_DATABASES asks for PostgreSQL, but no server answers at {url} "
            "and no PostgreSQL binaries (initdb, pg_ctl) are installed to start one"
        )
    server = postgres_server.ThrowawayServer.start(bindir)
    config.stash[THROWAWAY_SERVER] = server
    os.environ["VDO_TEST_POSTGRES_URL"] = server.url


def pytest_unconfigure(config: pytest.Config) -> None:
    if server := config.stash.get(THROWAWAY_SERVER, None):
        server.stop()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Say in one line, even with -q, where PostgreSQL comes from when not the usual server."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:  # an xdist worker: the controller speaks
        return
    if server := session.config.stash.get(THROWAWAY_SERVER, None):
        reporter.write_line(
            f"PostgreSQL: none answered; a throw-away server from {server.bindir} serves the run"
        )
    elif POSTGRES_UNAVAILABLE and "postgresql" not in BACKENDS:
        reporter.write_line(
            f"PostgreSQL: no server at {postgres_admin_url()} and no PostgreSQL binaries "
            "installed: running on SQLite alone"
        )


def _travel_ahead(config: pytest.Config) -> None:
    """Travel this test process (the controller and each xdist worker) CLOCK_SHIFT_DAYS ahead."""
    if CLOCK_SHIFT_DAYS:
        destination = datetime.now(UTC) + timedelta(days=CLOCK_SHIFT_DAYS)
        traveller = time_machine.travel(destination, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    if CLOCK_SHIFT_DAYS:
        return f"clock shifted {CLOCK_SHIFT_DAYS} days ahead: now is {datetime.now(UTC):%Y-%m-%d}"
    return None


def _worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


class PostgresDatabases:
    """Creates throw-away databases on the machine's PostgreSQL server."""

    def __init__(self) -> None:
        self.url = postgres_admin_url()
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self, purpose: str) -> str:
        name = f"vdo_test_{purpose}_{_worker_suffix()}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def database_url_factory(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Returns a function making a new, empty database URL for a backend."""

    def make(backend: str, purpose: str) -> str:
        if backend == "sqlite":
            path: Path = tmp_path_factory.mktemp(purpose) / "vdo.sqlite3"
            return f"sqlite:///{path}"
        return request.getfixturevalue("postgres_databases").create(purpose)

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_engine(request: pytest.FixtureRequest, database_url_factory) -> Iterator[Engine]:
    """A database per backend, migrated to head once per test session."""
    engine = make_engine(database_url_factory(request.param, "app"))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    with session_scope(engine) as db:
        for table in reversed(metadata.sorted_tables):
            if table.name != "calendar_version":  # a counter the migration creates, not data
                db.exec(table.delete())  # type: ignore[call-overload]


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """The backend's database, emptied and re-seeded with the 11 members before each test."""
    _empty_all_tables(migrated_engine)
    with session_scope(migrated_engine) as db:
        seed_member_countries(db)
    return migrated_engine


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def settings(engine: Engine) -> Settings:
    return Settings(database_url=str(engine.url), log_requests=False, base_url="https://vdo.test")


@pytest.fixture
def clock() -> MovableClock:
    """The application's clock in this test: now, until the test moves it on.

    Dates a test books are found from it with the helpers in `tests.dates`."""
    return MovableClock()


@pytest.fixture
def client(settings: Settings, engine: Engine, clock: MovableClock) -> Iterator[TestClient]:
    with TestClient(app=create_app(settings, engine=engine, clock=clock)) as test_client:
        yield test_client


def make_token(engine: Engine, role: str, email: str | None = None) -> str:
    with session_scope(engine) as db:
        user = auth.create_user(
            db,
            email=email or f"{role}-{uuid.uuid4().hex[:6]}@example.org",
            name=f"Test {role}",
            role=role,
        )
        return auth.issue_token(db, user)[1]


@pytest.fixture
def admin_headers(engine: Engine) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(engine, 'admin')}"}


@pytest.fixture
def staff_headers(engine: Engine) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(engine, 'secretariat')}"}


@pytest.fixture
def delegate_headers(engine: Engine) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(engine, 'delegate')}"}
