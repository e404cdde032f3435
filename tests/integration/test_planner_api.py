"""The planner over HTTP, with the directory and bookings from the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient

from tests.dates import (
    ALL_MEMBERS,
    LEAD,
    MovableClock,
    at,
    iso,
    partner,
    working_start,
    works,
)
from tests.integration.network import Network, book, build_network

ALL = ",".join(ALL_MEMBERS)


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _plan(client: TestClient, headers: dict[str, str], query: str) -> dict:
    response = client.get(f"/api/v1/planner?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_all_eleven_capitals_meet_only_at_07_utc_on_working_days(
    client: TestClient, delegate_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    first = (clock.now() + LEAD).date()
    days = [first + timedelta(days=n) for n in range(14)]
    plan = _plan(
        client,
        delegate_headers,
        f"countries={ALL}&from={days[0]}&to={days[-1]}&duration=60&step=15",
    )
    assert plan["all_constraints_met"]
    starts = sorted(slot["start"] for slot in plan["slots"])
    # Days with a holiday in any member state and Fridays (Brunei's weekend) drop out; the
    # days left share 07:00-08:00 UTC only.
    working_days = [day for day in days if works(ALL_MEMBERS, at(day, 7))]
    assert working_days, "two weeks always have a day when all eleven work"
    assert starts == [iso(at(day, 7)) for day in working_days]
    yangon = next(p for p in plan["slots"][0]["participants"] if p["key"] == "country:MM")
    assert yangon["local_start"].endswith("13:30:00+06:30")


def test_bridge_bookings_and_people_are_respected(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    taken = working_start(clock, ALL_MEMBERS)
    free = working_start(clock, ALL_MEMBERS, after=taken.date())
    booked = book(
        client,
        staff_headers,
        network,
        countries=["TH"],
        start=iso(taken),
        title="Existing",
    )
    assert booked.status_code == 201
    query = (
        f"countries={ALL}&from={taken.date()}&to={free.date()}&duration=60&step=15"
        f"&bridge={network.bridge_id}"
    )
    plan = _plan(client, staff_headers, query)
    assert [s["start"] for s in plan["slots"]] == [iso(free)]


def test_helsinki_fits_but_new_york_gets_the_closest_slots_with_reasons(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    finland = partner("FI", "Europe/Helsinki")
    day = working_start(clock, [*ALL_MEMBERS, finland]).date()
    window = f"&from={day}&to={day}&duration=60&step=30&limit=3"
    with_helsinki = _plan(
        client, staff_headers, f"countries={ALL}&people={network.people['FI']}{window}"
    )
    assert with_helsinki["all_constraints_met"]  # 07:00 UTC is 09:00 in Helsinki in winter
    client.post(
        "/api/v1/countries",
        headers=staff_headers,
        json={"code": "US", "name": "United States", "capital_zone": "America/New_York"},
    )
    washington = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={
            "name": "David Miller",
            "email": "dmiller@worldbank.example.org",
            "country_code": "US",
        },
    ).json()
    plan = _plan(client, staff_headers, f"countries={ALL}&people={washington['id']}{window}")
    assert not plan["all_constraints_met"]
    assert plan["slots"], "closest misses are returned instead of nothing"
    problems = " ".join(plan["slots"][0]["hard_problems"])
    assert "David Miller (America/New_York)" in problems


def test_day_grid_shows_half_hour_cells_for_yangon(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    day = working_start(clock, ["MM", "TH"], hour=3).date()
    response = client.get(f"/api/v1/planner/day?day={day}&countries=MM,TH", headers=staff_headers)
    assert response.status_code == 200, response.text
    rows = {row["key"]: row for row in response.json()["rows"]}
    yangon = rows["country:MM"]["cells"]
    assert len(yangon) == 48
    # 09:30 in Yangon is 03:00 UTC: the 02:30 cell is off, the 03:00 cell working.
    assert yangon[5]["status"] == "off"
    assert yangon[6]["status"] == "working"
    thai = rows["country:TH"]["cells"]
    assert thai[10]["status"] == "break"  # 05:00 UTC = 12:00 Bangkok lunch


def test_day_grid_adds_a_row_of_the_bridge_bookings(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    taken = working_start(clock, ["TH"])
    booked = book(client, staff_headers, network, countries=["TH"], start=iso(taken), title="Held")
    assert booked.status_code == 201, booked.text
    response = client.get(
        f"/api/v1/planner/day?day={taken.date()}&countries=TH&bridge={network.bridge_id}",
        headers=staff_headers,
    )
    assert response.status_code == 200, response.text
    bridge = response.json()["rows"][-1]
    assert bridge["key"] == f"bridge:{network.bridge_id}"
    busy = [cell for cell in bridge["cells"] if cell["status"] == "unavailable"]
    assert [(cell["start"], cell["detail"]) for cell in busy] == [
        (iso(taken), "busy with Held"),
        (iso(taken + timedelta(minutes=30)), "busy with Held"),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "countries=XX&from={day}&to={day}",
        "countries=TH&from={day}&to={week_before}",
        "from={day}&to={next_day}",
        "countries=TH&from={day}&to={year_after}",
        "countries=TH&people=a,b&from={day}&to={next_day}",
    ],
)
def test_bad_planner_queries_are_clear(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock, query: str
) -> None:
    day = (clock.now() + LEAD).date()
    query = query.format(
        day=day,
        next_day=day + timedelta(days=1),
        week_before=day - timedelta(days=7),
        year_after=day + timedelta(days=365),
    )
    response = client.get(f"/api/v1/planner?{query}", headers=staff_headers)
    assert response.status_code in (400, 422), response.text
    assert response.json()["detail"]
