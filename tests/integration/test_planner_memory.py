"""The planner from memory: repeated requests recall participants and bridge bookings instead
of reading them again, and a change to leave or bookings is planned with at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.db import session_scope, utcnow
from service.scheduling import planner_service
from service.scheduling.availability import Participant, Timeline
from service.scheduling.intervals import Span
from service.scheduling.models import SessionStatus, VdoSession
from service.scheduling.reservations import RESERVATION_LIFETIME, release_stale_reservations
from tests.dates import ALL_MEMBERS, MovableClock, iso, working_start
from tests.integration.network import Network, book, build_network
from tests.integration.test_feeds_from_memory import statements_on


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _starts(client: TestClient, headers: dict[str, str], query: str) -> list[str]:
    response = client.get(f"/api/v1/planner?{query}", headers=headers)
    assert response.status_code == 200, response.text
    plan = response.json()
    return [slot["start"] for slot in plan["slots"] if not slot["hard_problems"]]


def test_repeated_requests_read_no_busy_spans_again(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    day = working_start(client.app.state.clock, ["TH", "SG"]).date()
    query = (
        f"countries=TH,SG&people={network.people['TH']},{network.people['SG']}"
        f"&from={day}&to={day + timedelta(days=6)}&bridge={network.bridge_id}"
    )
    first = _starts(client, staff_headers, query)
    with statements_on(engine) as statements:
        assert _starts(client, staff_headers, query) == first
    read_again = [
        s for s in statements if "person_unavailability" in s or "session_participant" in s
    ]
    assert read_again == []
    assert not [s for s in statements if "FROM vdo_session" in s]


def test_the_day_grid_recalls_the_bridges_bookings(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    day = working_start(client.app.state.clock, ["TH"]).date()
    path = f"/api/v1/planner/day?day={day}&countries=TH&bridge={network.bridge_id}"
    first = client.get(path, headers=staff_headers)
    assert first.status_code == 200, first.text
    assert first.json()["rows"][-1]["key"] == f"bridge:{network.bridge_id}"
    with statements_on(engine) as statements:
        assert client.get(path, headers=staff_headers).json() == first.json()
    assert not [s for s in statements if "FROM vdo_session" in s]


def test_new_leave_and_bookings_are_planned_with_at_once(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    start = working_start(clock, ["TH"])
    person = network.people["TH"]
    query = f"people={person}&from={start.date()}&to={start.date()}&duration=60&step=60"
    assert iso(start) in _starts(client, staff_headers, query)

    leave = client.post(
        f"/api/v1/people/{person}/unavailability",
        headers=staff_headers,
        json={"start": iso(start), "end": iso(start + timedelta(hours=1)), "reason": "Dentist"},
    )
    assert leave.status_code == 201, leave.text
    assert iso(start) not in _starts(client, staff_headers, query)

    removed = client.delete(
        f"/api/v1/people/{person}/unavailability/{leave.json()['id']}", headers=staff_headers
    )
    assert removed.status_code == 204, removed.text
    assert iso(start) in _starts(client, staff_headers, query)

    on_bridge = f"countries={','.join(ALL_MEMBERS)}&bridge={network.bridge_id}"
    everyone = working_start(clock, ALL_MEMBERS)
    window = f"&from={everyone.date()}&to={everyone.date()}&duration=60&step=15"
    assert iso(everyone) in _starts(client, staff_headers, on_bridge + window)
    booked = book(client, staff_headers, network, countries=["TH"], start=iso(everyone))
    assert booked.status_code == 201, booked.text
    assert iso(everyone) not in _starts(client, staff_headers, on_bridge + window)


def test_a_released_reservation_frees_its_slot_for_the_planner(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    clock: MovableClock,
) -> None:
    everyone = working_start(clock, ALL_MEMBERS)
    query = (
        f"countries={','.join(ALL_MEMBERS)}&bridge={network.bridge_id}"
        f"&from={everyone.date()}&to={everyone.date()}&duration=60&step=15"
    )
    with session_scope(engine) as db:
        db.add(
            VdoSession(
                uid="held@reservation.test",
                title="Room being made",
                start_utc=everyone,
                end_utc=everyone + timedelta(hours=1),
                organiser_zone="Asia/Bangkok",
                bridge_id=network.bridge_id,
                status=SessionStatus.pending,
                created_at=utcnow() - RESERVATION_LIFETIME - timedelta(minutes=1),
            )
        )
    assert iso(everyone) not in _starts(client, staff_headers, query)
    # A plain DELETE, not the ORM's unit of work: it must move the counter too.
    with session_scope(engine) as db:
        release_stale_reservations(db)
    assert iso(everyone) in _starts(client, staff_headers, query)


def test_a_new_duration_plans_with_the_timelines_already_built(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []

    def counted(participant: Participant, window: Span) -> Timeline:
        built.append(participant.key)
        return Timeline(participant, window)

    monkeypatch.setattr(planner_service, "Timeline", counted)
    day = working_start(client.app.state.clock, ["TH", "SG"]).date()
    query = (
        f"countries=TH,SG&people={network.people['TH']}&from={day}"
        f"&to={day + timedelta(days=6)}&bridge={network.bridge_id}&duration="
    )
    first = _starts(client, staff_headers, query + "60")
    assert sorted(built) == ["country:SG", "country:TH", f"person:{network.people['TH']}"]
    assert _starts(client, staff_headers, query + "45") != first  # answered afresh
    assert _starts(client, staff_headers, query + "60&step=30") != first
    assert len(built) == 3
