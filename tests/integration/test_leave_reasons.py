"""Why someone is away is theirs: staff and the person see leave reasons, other delegates see
only that they are away and when, in the leave list and in the planner, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.dates import MovableClock
from tests.integration.calendar_network import (
    CalendarNetwork,
    book_session,
    build_calendar_network,
    headers_of_person,
)

REASON = "Medical treatment in Singapore"


@pytest.fixture
def world(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> CalendarNetwork:
    return build_calendar_network(client, staff_headers, clock)


@pytest.fixture
def leave_day(client: TestClient, staff_headers: dict[str, str], world: CalendarNetwork) -> str:
    """A Wednesday a few weeks ahead, on which Anan is away all day (UTC)."""
    day = datetime.now(UTC).date() + timedelta(days=21)
    day += timedelta(days=(2 - day.weekday()) % 7)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    added = client.post(
        f"/api/v1/people/{world.anan}/unavailability",
        headers=staff_headers,
        json={
            "start": start.isoformat(),
            "end": (start + timedelta(days=1)).isoformat(),
            "reason": REASON,
        },
    )
    assert added.status_code == 201, added.text
    return day.isoformat()


def _views(client: TestClient, headers: dict[str, str], person: int, day: str) -> list[str]:
    paths = [
        f"/api/v1/people/{person}/unavailability",
        f"/api/v1/planner/day?day={day}&people={person}",
        f"/api/v1/planner?from={day}&to={day}&people={person}&duration=60",
    ]
    bodies = []
    for path in paths:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)
        bodies.append(response.text)
    return bodies


def test_other_delegates_see_when_someone_is_away_but_not_why(
    client: TestClient,
    world: CalendarNetwork,
    leave_day: str,
    engine: Engine,
    delegate_headers: dict[str, str],
) -> None:
    colleague = headers_of_person(engine, world.somchai)
    for headers in (colleague, delegate_headers):
        for body in _views(client, headers, world.anan, leave_day):
            assert REASON not in body
        [leave] = client.get(f"/api/v1/people/{world.anan}/unavailability", headers=headers).json()
        assert leave["reason"] is None
        assert leave["start"].startswith(leave_day)
        grid = client.get(
            f"/api/v1/planner/day?day={leave_day}&people={world.anan}", headers=headers
        ).json()
        assert {cell["status"] for cell in grid["rows"][0]["cells"]} == {"unavailable"}


def test_a_colleague_planning_after_staff_still_sees_no_reason(
    client: TestClient,
    world: CalendarNetwork,
    leave_day: str,
    engine: Engine,
    staff_headers: dict[str, str],
) -> None:
    """The planner keeps participants' timelines for the next question; the colleague's
    participant, whose leave carries no reason, must not be planned with the staff's."""
    path = f"/api/v1/planner?from={leave_day}&to={leave_day}&people={world.anan}&duration="
    colleague = headers_of_person(engine, world.somchai)
    assert REASON in client.get(path + "60", headers=staff_headers).text
    assert REASON not in client.get(path + "45", headers=colleague).text
    assert REASON in client.get(path + "30", headers=staff_headers).text


def test_staff_and_the_person_themselves_see_the_reason(
    client: TestClient,
    world: CalendarNetwork,
    leave_day: str,
    engine: Engine,
    staff_headers: dict[str, str],
) -> None:
    for headers in (staff_headers, headers_of_person(engine, world.anan)):
        leave_list, day_grid, _ = _views(client, headers, world.anan, leave_day)
        assert REASON in leave_list
        assert REASON in day_grid


def test_a_session_booked_over_leave_keeps_the_reason_for_staff(
    client: TestClient,
    world: CalendarNetwork,
    leave_day: str,
    engine: Engine,
    staff_headers: dict[str, str],
) -> None:
    session = book_session(
        client,
        staff_headers,
        world,
        [world.anan, world.somchai],
        start=f"{leave_day}T07:00:00Z",
    )
    assert any(REASON in problem for problem in session["acknowledged"])
    colleague = headers_of_person(engine, world.somchai)
    for path in ("/api/v1/sessions", f"/api/v1/sessions/{session['id']}"):
        response = client.get(path, headers=colleague)
        assert response.status_code == 200, path
        assert REASON not in response.text, path
    seen = client.get(f"/api/v1/sessions/{session['id']}", headers=staff_headers).json()
    assert seen["acknowledged"] == session["acknowledged"]
