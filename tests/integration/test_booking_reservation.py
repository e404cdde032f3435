"""Booking never waits on the video provider inside a database transaction.

A booking reserves the bridge (a `pending` session, committed), asks the provider for a room with
no transaction open, then confirms. These tests look at the database from another connection
while the (fake, real-HTTP) BigBlueButton server is handling the booking's `create` call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, delete, func, text, update
from sqlmodel import col, select

from service.db import read_only, session_scope, utcnow
from service.directory.models import Country
from service.errors import Conflict, NotFound
from service.scheduling import queries, reservations
from service.scheduling.booking import book
from service.scheduling.models import (
    Series,
    SessionCountry,
    SessionParticipant,
    SessionStatus,
    VdoSession,
)
from service.scheduling.schemas import SessionCreate
from tests.integration.network import make_bridge
from tests.support import FakeRequest, FakeResponse
from tests.support.fake_bbb import FakeBigBlueButton

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
PROMPT_SECONDS = 1.0


class ProbingBigBlueButton(FakeBigBlueButton):
    """Runs `probe` while it handles the first `create` call, before answering it."""

    def __init__(self, probe: Callable[[], Any]) -> None:
        super().__init__("fake-bbb-shared-secret")
        self.probe = probe
        self.seen: list[Any] = []

    def respond(self, request: FakeRequest) -> FakeResponse:
        if request.path.endswith("/create") and not self.seen:
            try:
                self.seen.append(self.probe())
            except Exception as exc:  # reported by the test, not lost in the server thread
                self.seen.append(exc)
        return super().respond(request)


@dataclass
class Booking:
    client: TestClient
    headers: dict[str, str]
    engine: Engine
    person_id: int
    start: datetime = field(
        default_factory=lambda: (datetime.now(UTC) + timedelta(days=14)).replace(
            hour=7, minute=0, second=0, microsecond=0
        )
    )

    def body(self, bridge_id: int, **extra: Any) -> dict[str, Any]:
        return {
            "title": "Budget review",
            "duration_minutes": 60,
            "start": self.start.isoformat(),
            "organiser_zone": "Asia/Bangkok",
            "bridge_id": bridge_id,
            "people": [self.person_id],
            "countries": ["TH"],
            "acknowledge_problems": True,
        } | extra

    def weekly(self, count: int = 3) -> dict[str, Any]:
        return {"freq": "WEEKLY", "byweekday": [WEEKDAYS[self.start.weekday()]], "count": count}

    def book(self, bridge_id: int, **extra: Any) -> Any:
        return self.client.post(
            "/api/v1/sessions", headers=self.headers, json=self.body(bridge_id, **extra)
        )


@pytest.fixture
def booking(client: TestClient, staff_headers: dict[str, str], engine: Engine) -> Booking:
    person = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "Somchai", "email": "somchai@opdc.example.th", "country_code": "TH"},
    )
    assert person.status_code == 201, person.text
    return Booking(client, staff_headers, engine, person.json()["id"])


@pytest.fixture
def probing_bbb() -> Iterator[Callable[[Callable[[], Any]], ProbingBigBlueButton]]:
    servers: list[ProbingBigBlueButton] = []

    def start(probe: Callable[[], Any]) -> ProbingBigBlueButton:
        server = ProbingBigBlueButton(probe)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _bbb_bridge(booking: Booking, server: FakeBigBlueButton) -> int:
    return make_bridge(
        booking.client,
        booking.headers,
        "BBB",
        "bigbluebutton",
        server.bridge_settings(timeout_seconds=3),
    )


def _statuses(engine: Engine) -> list[str]:
    with session_scope(read_only(engine)) as db:
        return [str(s) for s in db.exec(select(VdoSession.status).order_by(col(VdoSession.id)))]


def _counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as db:
        return {
            model.__name__: db.exec(select(func.count()).select_from(model)).one()
            for model in (VdoSession, SessionParticipant, SessionCountry, Series)
        }


@dataclass(frozen=True)
class Look:
    statuses: list[str]
    write_seconds: float
    idle_in_transaction: int
    listed: int
    readable: bool


def _look_from_another_connection(engine: Engine) -> Look:
    started = time.monotonic()
    with engine.connect() as writer:  # SQLite: BEGIN IMMEDIATE, so it needs the free write lock
        writer.execute(update(Country).where(col(Country.code) == "SG").values(name="Singapore"))
        writer.commit()
    write_seconds = time.monotonic() - started
    idle_in_transaction = 0
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            idle_in_transaction = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%'"
                )
            ).scalar_one()
    with session_scope(read_only(engine)) as db:
        _, listed = queries.list_sessions(db)
        readable = True
        for session_id in _ids(engine):
            try:
                queries.get_session(db, session_id)
            except NotFound:
                readable = False
    return Look(_statuses(engine), write_seconds, idle_in_transaction, listed, readable)


def _ids(engine: Engine) -> list[int]:
    with session_scope(read_only(engine)) as db:
        return list(db.exec(select(VdoSession.id)))  # type: ignore[arg-type]


def test_the_provider_is_called_with_the_reservation_committed_and_no_transaction_open(
    booking: Booking, probing_bbb: Callable[..., ProbingBigBlueButton]
) -> None:
    bbb = probing_bbb(lambda: _look_from_another_connection(booking.engine))
    bridge = _bbb_bridge(booking, bbb)

    response = booking.book(bridge)

    assert response.status_code == 201, response.text
    [look] = bbb.seen
    assert isinstance(look, Look), look
    assert look.statuses == ["pending"]  # committed, so other connections see it hold the slot
    assert look.write_seconds < PROMPT_SECONDS  # no write lock held (SQLite)
    assert look.idle_in_transaction == 0  # no transaction left open (PostgreSQL)
    assert look.listed == 0
    assert not look.readable
    assert response.json()["status"] == "confirmed"
    assert response.json()["meeting"]["provider"] == "bigbluebutton"
    assert _statuses(booking.engine) == ["confirmed"]


def test_a_reservation_holds_the_bridge_against_a_competing_booking(
    booking: Booking, probing_bbb: Callable[..., ProbingBigBlueButton]
) -> None:
    def compete() -> str:
        with session_scope(booking.engine) as db:
            try:
                book(db, SessionCreate(**booking.body(bridge, title="Rival")), now=utcnow())
            except Conflict as exc:
                return exc.detail
        return "booked"

    bbb = probing_bbb(compete)
    bridge = _bbb_bridge(booking, bbb)

    response = booking.book(bridge)

    assert response.status_code == 201, response.text
    assert bbb.seen
    assert "already booked" in str(bbb.seen[0]), bbb.seen
    assert _statuses(booking.engine) == ["confirmed"]


def test_a_series_is_reserved_then_confirmed_with_one_room(
    booking: Booking, probing_bbb: Callable[..., ProbingBigBlueButton]
) -> None:
    bbb = probing_bbb(lambda: _look_from_another_connection(booking.engine))
    bridge = _bbb_bridge(booking, bbb)

    response = booking.book(bridge, recurrence=booking.weekly(3))

    assert response.status_code == 201, response.text
    [look] = bbb.seen
    assert isinstance(look, Look), look
    assert look.statuses == ["pending"] * 3
    assert look.write_seconds < PROMPT_SECONDS
    assert look.idle_in_transaction == 0
    assert look.listed == 0
    assert not look.readable
    assert _statuses(booking.engine) == ["confirmed"] * 3
    with session_scope(booking.engine) as db:
        assert db.exec(select(Series.status)).one() == SessionStatus.confirmed
        meetings = {o.meeting["meeting_id"] for o in db.exec(select(VdoSession))}
    assert len(meetings) == 1
    assert len(bbb.meetings) == 1


@pytest.mark.parametrize("series", [False, True])
def test_a_provider_failure_leaves_nothing_booked_and_the_slot_free(
    booking: Booking, probing_bbb: Callable[..., ProbingBigBlueButton], series: bool
) -> None:
    bbb = probing_bbb(lambda: None)
    bridge = _bbb_bridge(booking, bbb)
    extra = {"recurrence": booking.weekly(3)} if series else {}
    bbb.fail_with_status = 503

    refused = booking.book(bridge, **extra)

    assert refused.status_code == 502, refused.text
    assert _counts(booking.engine) == {
        "VdoSession": 0,
        "SessionParticipant": 0,
        "SessionCountry": 0,
        "Series": 0,
    }
    bbb.fail_with_status = None
    assert booking.book(bridge, **extra).status_code == 201


def test_a_reservation_lapsed_during_the_provider_call_books_nothing_and_ends_the_room(
    booking: Booking, probing_bbb: Callable[..., ProbingBigBlueButton]
) -> None:
    def lapse() -> None:  # what another booking does to a reservation found stale
        with session_scope(booking.engine) as db:
            db.exec(delete(VdoSession))  # type: ignore[call-overload]

    bbb = probing_bbb(lapse)
    bridge = _bbb_bridge(booking, bbb)

    response = booking.book(bridge)

    assert response.status_code == 409, response.text
    assert "try again" in response.json()["detail"]
    assert _counts(booking.engine)["VdoSession"] == 0
    assert bbb.meetings == {}
    assert len(bbb.ended) == 1


def _reserve_directly(
    booking: Booking, bridge: int, reserved_at: datetime, *, series: bool = False
) -> None:
    """A reservation as a booking that crashed before confirming leaves it."""
    with session_scope(booking.engine) as db:
        series_id = None
        if series:
            row = Series(
                uid="crashed@aseanpubs-vdo",
                title="Crashed series",
                organiser_zone="Asia/Bangkok",
                first_start_local=booking.start.isoformat(timespec="minutes")[:16],
                duration_minutes=60,
                rule=booking.weekly(1),
                bridge_id=bridge,
                horizon_end=booking.start + timedelta(days=30),
                status=SessionStatus.pending,
                created_at=reserved_at,
                updated_at=reserved_at,
            )
            db.add(row)
            db.flush()
            series_id = row.id
        db.add(
            VdoSession(
                uid="crashed@aseanpubs-vdo",
                title="Crashed booking",
                start_utc=booking.start,
                end_utc=booking.start + timedelta(hours=1),
                organiser_zone="Asia/Bangkok",
                bridge_id=bridge,
                status=SessionStatus.pending,
                series_id=series_id,
                recurrence_id=booking.start if series else None,
                created_at=reserved_at,
                updated_at=reserved_at,
            )
        )


@pytest.mark.parametrize("series", [False, True])
def test_a_stale_reservation_does_not_block_the_bridge(booking: Booking, series: bool) -> None:
    bridge = make_bridge(booking.client, booking.headers)
    stale = utcnow() - reservations.RESERVATION_LIFETIME * 2
    _reserve_directly(booking, bridge, stale, series=series)

    response = booking.book(bridge)

    assert response.status_code == 201, response.text
    assert _statuses(booking.engine) == ["confirmed"]
    assert _counts(booking.engine)["Series"] == 0


def test_a_fresh_reservation_blocks_the_bridge(booking: Booking) -> None:
    bridge = make_bridge(booking.client, booking.headers)
    _reserve_directly(booking, bridge, utcnow())

    response = booking.book(bridge)

    assert response.status_code == 409, response.text
    assert _statuses(booking.engine) == ["pending"]
