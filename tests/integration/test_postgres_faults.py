"""Faults on PostgreSQL: its connections killed under traffic, its database refusing connections
for a while, and a web process killed with SIGKILL in the middle of a burst of bookings.

While the database is gone the service answers 503 problem+json with Retry-After, never a 500,
and it recovers by itself once the database is back (pool pre-ping replaces the dead pooled
connections). A killed web process leaves every booking it acknowledged stored, and no session
half-written: each has its invitees, a confirmed one also its joining details and its emails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Engine, create_engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from service import migrations
from service.app import create_app
from service.db import DatabaseTimeouts, make_engine, session_scope
from service.delivery.models import OutboxMessage
from service.directory.service import seed_member_countries
from service.scheduling.models import SessionParticipant, SessionStatus, VdoSession
from service.settings import Settings
from tests.conftest import BACKENDS, make_token, postgres_admin_url
from tests.dates import MovableClock, iso, working_start
from tests.integration.calendar_network import JOIN_URL, PASSCODE
from tests.integration.network import make_bridge
from tests.support.live_app import serving
from tests.support.vdo_command import VDO

pytestmark = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="faults of PostgreSQL need PostgreSQL"
)

SHORT = DatabaseTimeouts(connect_seconds=2, statement_seconds=5, pool_seconds=2)
API = "/api/v1"


@dataclass(frozen=True)
class Database:
    url: str
    name: str
    engine: Engine
    staff: dict[str, str]


@pytest.fixture
def database(database_url_factory: Callable[[str, str], str]) -> Iterator[Database]:
    url = database_url_factory("postgresql", "faults")
    engine = make_engine(url, SHORT)
    migrations.upgrade(engine)
    with session_scope(engine) as db:
        seed_member_countries(db)
    staff = {"Authorization": f"Bearer {make_token(engine, 'secretariat')}"}
    yield Database(url, str(make_url(url).database), engine, staff)
    engine.dispose()


def _admin_execute(statement: str, **parameters: object) -> None:
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement), parameters)
    finally:
        admin.dispose()


def _terminate_connections(database: Database) -> None:
    _admin_execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = :name AND pid <> pg_backend_pid()",
        name=database.name,
    )


def _allow_connections(database: Database, allowed: bool) -> None:
    _admin_execute(f'ALTER DATABASE "{database.name}" ALLOW_CONNECTIONS {str(allowed).lower()}')


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0


def test_a_database_that_goes_away_gives_503s_and_the_service_recovers_by_itself(
    database: Database,
) -> None:
    settings = Settings(database_url=database.url, log_requests=False, database_timeouts=SHORT)
    app = create_app(settings, engine=database.engine, clock=MovableClock())
    with serving(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        assert client.get(f"{API}/sessions", headers=database.staff).status_code == 200
        # Pooled connections killed while idle (a restart, a proxy's timeout): pre-ping finds
        # them dead before use, so not even the next request fails.
        _terminate_connections(database)
        assert client.get(f"{API}/sessions", headers=database.staff).status_code == 200

        _allow_connections(database, False)
        try:
            _terminate_connections(database)
            for _ in range(5):
                _assert_unavailable(client.get(f"{API}/sessions", headers=database.staff))
            assert client.get("/health").status_code == 503
        finally:
            _allow_connections(database, True)
        # Back at once: the pool's dead connections are noticed before use and replaced.
        statuses = [client.get(f"{API}/sessions", headers=database.staff) for _ in range(10)]
        assert [r.status_code for r in statuses] == [200] * 10
        assert client.get("/health").status_code == 200


def test_connections_killed_under_traffic_give_503s_at_worst_and_never_a_500(
    database: Database,
) -> None:
    settings = Settings(database_url=database.url, log_requests=False, database_timeouts=SHORT)
    app = create_app(settings, engine=database.engine, clock=MovableClock())
    statuses: list[int] = []
    stop = threading.Event()

    def traffic(client: httpx.Client) -> None:
        while not stop.is_set():
            response = client.get(f"{API}/people", headers=database.staff)
            if response.status_code == 503:
                _assert_unavailable(response)
            statuses.append(response.status_code)

    with serving(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        with ThreadPoolExecutor(6) as pool:
            running = [pool.submit(traffic, client) for _ in range(6)]
            for _ in range(8):
                time.sleep(0.15)
                _terminate_connections(database)
            stop.set()
            for future in running:
                future.result()
        assert set(statuses) <= {200, 503}, sorted(set(statuses))
        assert statuses.count(200) > 0
        after = [client.get(f"{API}/people", headers=database.staff) for _ in range(10)]
        assert [r.status_code for r in after] == [200] * 10


# --- a web process killed during a burst of bookings -----------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _vdo_serve(database: Database) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`vdo serve` in a process of its own on the test's database, once it answers."""
    port = _free_port()
    env = os.environ | {
        "VDO_DATABASE_URL": database.url,
        "VDO_SECRET_KEY": "a secret key for the fault tests, long enough" * 2,
        "VDO_LOG_REQUESTS": "0",
        "VDO_EMBEDDED_WORKER": "0",
    }
    process = subprocess.Popen(
        [*VDO, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "vdo serve stopped before it answered"
            assert time.monotonic() < deadline, "vdo serve did not answer within 60 s"
            time.sleep(0.2)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _people_and_bridge(client: httpx.Client, staff: dict[str, str]) -> tuple[list[int], int]:
    people = []
    for code in ("TH", "SG"):
        response = client.post(
            f"{API}/people",
            headers=staff,
            json={
                "name": f"Delegate {code}",
                "email": f"d@{code.lower()}.example",
                "country_code": code,
            },
        )
        assert response.status_code == 201, response.text
        people.append(response.json()["id"])
    settings = {"join_url": JOIN_URL, "meeting_id": "812 345", "passcode": PASSCODE}
    return people, make_bridge(client, staff, "Secretariat room", "manual", settings)


def _half_written(db: Session) -> list[str]:
    """What no committed booking may leave: a session without its invitees, a confirmed one
    without its joining details or its invitations in the outbox."""
    problems = []
    for session in db.exec(select(VdoSession)):
        invitees = db.exec(
            select(func.count()).where(col(SessionParticipant.session_id) == session.id)
        ).one()
        if invitees == 0:
            problems.append(f"session {session.id} ({session.status}) has no invitees")
        if session.status != SessionStatus.confirmed:
            continue
        if session.meeting.get("join_url") != JOIN_URL:
            problems.append(f"confirmed session {session.id} has no joining details")
        invitations = db.exec(
            select(func.count()).where(
                col(OutboxMessage.dedupe_key).startswith(f"booked:{session.id}:")
            )
        ).one()
        if invitations != invitees:
            problems.append(f"confirmed session {session.id}: {invitations} of {invitees} emails")
    return problems


def test_a_web_process_killed_during_bookings_keeps_every_acknowledged_one_whole(
    database: Database,
) -> None:
    acknowledged: list[int] = []
    failed_in_flight = 0
    start = working_start(MovableClock(), ["TH", "SG"])
    slots = iter(range(400))
    lock = threading.Lock()

    def book_until_refused(base_url: str, people: list[int], bridge_id: int) -> None:
        nonlocal failed_in_flight
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while True:
                with lock:
                    slot = next(slots, None)
                if slot is None:
                    return
                body = {
                    "title": f"Burst {slot}",
                    "start": iso(start + timedelta(hours=2 * slot)),
                    "duration_minutes": 60,
                    "organiser_zone": "Asia/Bangkok",
                    "bridge_id": bridge_id,
                    "people": people,
                    "acknowledge_problems": True,
                }
                try:
                    response = client.post(f"{API}/sessions", headers=database.staff, json=body)
                except httpx.TransportError:  # the process is gone: unacknowledged
                    with lock:
                        failed_in_flight += 1
                    return
                assert response.status_code == 201, response.text
                with lock:
                    acknowledged.append(response.json()["id"])

    with _vdo_serve(database) as (process, base_url):
        with httpx.Client(base_url=base_url, timeout=30) as client:
            people, bridge_id = _people_and_bridge(client, database.staff)
        with ThreadPoolExecutor(8) as pool:
            burst = [pool.submit(book_until_refused, base_url, people, bridge_id) for _ in range(8)]
            deadline = time.monotonic() + 60
            while len(acknowledged) < 12 and time.monotonic() < deadline:
                time.sleep(0.02)
            process.send_signal(signal.SIGKILL)
            for future in burst:
                future.result()

    assert len(acknowledged) >= 12
    assert failed_in_flight > 0, "the kill came after the burst: nothing was in flight"
    with session_scope(database.engine) as db:
        stored = {
            s.id: s.status
            for s in db.exec(select(VdoSession).where(col(VdoSession.id).in_(acknowledged)))
        }
        assert stored == dict.fromkeys(acknowledged, SessionStatus.confirmed)
        assert _half_written(db) == []
