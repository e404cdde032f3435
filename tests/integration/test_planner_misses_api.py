"""The planner's closest misses over HTTP: nobody is asked to meet at night if it can be helped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient

from tests.integration.network import Network, build_network

ASEAN = "TH,ID,VN,PH"


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    network = build_network(client, staff_headers)
    us = client.post(
        "/api/v1/countries",
        headers=staff_headers,
        json={"code": "US", "name": "United States", "capital_zone": "America/New_York"},
    )
    assert us.status_code == 201, us.text
    new_york = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "Maria Lopez", "email": "mlopez@columbia.example.edu", "country_code": "US"},
    )
    assert new_york.status_code == 201, new_york.text
    network.people["US"] = new_york.json()["id"]
    return network


def _plan(client: TestClient, headers: dict[str, str], network: Network, query: str) -> dict:
    people = f"{network.people['FI']},{network.people['US']}"
    response = client.get(
        f"/api/v1/planner?countries={ASEAN}&people={people}&{query}", headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def _local_hour(participant: dict) -> float:
    start = datetime.fromisoformat(participant["local_start"])
    return start.hour + start.minute / 60


def test_the_closest_misses_keep_everyone_out_of_the_night(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    # Bangkok, Jakarta, Hanoi, Manila, Helsinki and New York never share an office hour. New
    # York alone at 02:00 breaks the fewest office hours, but an evening in Asia and an early
    # morning in New York keeps everyone between 06:00 and 22:00 local.
    first = datetime.now(UTC).date() + timedelta(days=7)
    window = f"from={first}&to={first + timedelta(days=27)}&duration=60&step=15&limit=5"
    plan = _plan(client, staff_headers, network, window)
    assert not plan["all_constraints_met"]
    assert len(plan["slots"]) == 5
    for slot in plan["slots"]:
        assert not any("at night" in problem for problem in slot["hard_problems"]), slot
        for participant in slot["participants"]:
            # An hour starting between 06:00 and 21:00 ends by 22:00.
            assert 6 <= _local_hour(participant) <= 21, (slot["start"], participant)


def test_a_night_hour_is_named_in_the_reasons(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    day = datetime.now(UTC).date() + timedelta(days=14)
    plan = _plan(client, staff_headers, network, f"from={day}&to={day}&step=60&limit=24")
    assert len(plan["slots"]) == 24  # every hour of the day, ranked
    at_seven = next(s for s in plan["slots"] if s["start"].endswith("T07:00:00Z"))
    # 07:00 UTC is 02:00 or 03:00 in New York, depending on daylight saving time.
    (new_york,) = [p for p in at_seven["hard_problems"] if p.startswith("Maria Lopez")]
    assert new_york.endswith("local), at night"), new_york
    night_free = [
        i
        for i, slot in enumerate(plan["slots"])
        if not any("night" in problem for problem in slot["hard_problems"])
    ]
    assert night_free
    assert plan["slots"].index(at_seven) > min(night_free)
