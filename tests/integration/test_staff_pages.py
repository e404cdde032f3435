"""The secretariat's pages over HTTP: planner, session management, directory, bridges, outbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.dates import MovableClock, iso, working_start
from tests.integration.network import Network, book, build_network
from tests.integration.web_client import PASSWORD, account, form_token, sign_in

pytestmark = pytest.mark.db
BOOK_BUTTON = re.compile(r'name="start" value="([^"]+)"')


@pytest.fixture
def network(web: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(web, staff_headers)


@pytest.fixture
def officer(web: TestClient, engine: Engine) -> TestClient:
    """The web client, signed in as secretariat staff."""
    account(engine, "officer@example.org", "secretariat")
    assert sign_in(web, "officer@example.org", PASSWORD).status_code == 303
    return web


def _planner_query(network: Network, clock: MovableClock, **extra: str) -> dict[str, object]:
    day = working_start(clock, ["TH", "SG"]).date()
    return {
        "countries": ["TH", "SG"],
        "from": str(day),
        "to": str(day),
        "duration": "60",
        "bridge": str(network.bridge_id),
    } | extra


def test_staff_pages_send_others_to_sign_in(web: TestClient, engine: Engine) -> None:
    signed_out = web.get("/staff/planner")
    assert signed_out.status_code == 200
    assert 'action="/sign-in"' in signed_out.text
    assert 'value="/staff/planner"' in signed_out.text

    account(engine, "delegate@th.example", "delegate")
    sign_in(web, "delegate@th.example", PASSWORD)
    refused = web.get("/staff/planner")
    assert refused.status_code == 403
    assert "for secretariat staff" in refused.text


def test_the_planner_shows_the_grid_with_the_bridge_bookings_and_ranked_slots(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    taken = working_start(clock, ["TH", "SG"])
    held = book(officer, staff_headers, network, countries=["TH"], start=iso(taken), title="Held")
    assert held.status_code == 201, held.text

    page = officer.get("/staff/planner", params=_planner_query(network, clock))
    assert page.status_code == 200, page.text
    assert "Thailand" in page.text
    assert "Asia/Singapore, UTC+08:00" in page.text
    assert 'class="cell booked' in page.text  # the bridge's row shows the booking
    assert "busy with Held" in page.text
    starts = BOOK_BUTTON.findall(page.text)
    assert starts, "slots to book"
    assert iso(taken).replace("Z", "+00:00") not in starts  # the bridge is taken then
    assert "Asia/Bangkok" in page.text


def test_a_bad_planner_query_is_shown_on_the_page(
    officer: TestClient, network: Network, clock: MovableClock
) -> None:
    page = officer.get("/staff/planner", params=_planner_query(network, clock, duration="nonsense"))
    assert page.status_code == 422
    assert "duration" in page.text
    day = working_start(clock, ["TH"]).date()
    backwards = officer.get(
        "/staff/planner",
        params=_planner_query(network, clock, **{"to": str(day - timedelta(days=3))}),
    )
    assert backwards.status_code == 422
    assert "must not be before from" in backwards.text


def test_one_click_books_the_slot_for_everyone_planned(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    query = _planner_query(network, clock)
    start = BOOK_BUTTON.findall(officer.get("/staff/planner", params=query).text)[0]
    token = form_token(officer, "/staff/planner")
    booked = officer.post(
        "/staff/planner/book",
        data=query | {"title": "Budget talks", "start": start, "_csrf_token": token},
        follow_redirects=False,
    )
    assert booked.status_code == 303, booked.text
    session_id = int(booked.headers["location"].split("/")[3].split("?")[0])
    session = officer.get(f"/api/v1/sessions/{session_id}", headers=staff_headers).json()
    assert session["title"] == "Budget talks"
    assert session["start"].replace("Z", "+00:00") == start
    assert sorted(session["countries"]) == ["SG", "TH"]
    assert session["series_id"] is None


def test_a_recurring_booking_from_the_planner_makes_a_series(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    query = _planner_query(network, clock)
    start = BOOK_BUTTON.findall(officer.get("/staff/planner", params=query).text)[0]
    booked = officer.post(
        "/staff/planner/book",
        data=query
        | {
            "title": "Weekly",
            "start": start,
            "repeat": "weekly",
            "occurrences": "3",
            "acknowledge": "true",  # a later week may fall on a holiday
            "_csrf_token": form_token(officer, "/staff/planner"),
        },
        follow_redirects=False,
    )
    assert booked.status_code == 303, booked.text
    listed = officer.get("/api/v1/sessions", params={"country": "TH"}, headers=staff_headers).json()
    weekly = [s for s in listed["items"] if s["title"] == "Weekly"]
    assert len(weekly) == 3
    assert len({s["series_id"] for s in weekly}) == 1


def test_a_refused_booking_keeps_the_planner_and_books_nothing(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    query = _planner_query(network, clock)
    start = BOOK_BUTTON.findall(officer.get("/staff/planner", params=query).text)[0]
    held = book(officer, staff_headers, network, countries=["MY"], start=start, title="Held")
    assert held.status_code == 201, held.text
    refused = officer.post(
        "/staff/planner/book",
        data=query
        | {"title": "Clash", "start": start, "_csrf_token": form_token(officer, "/staff/planner")},
        follow_redirects=False,
    )
    assert refused.status_code == 409
    assert "Not booked" in refused.text
    assert 'value="Clash"' in refused.text  # the title typed is still there
    listed = officer.get("/api/v1/sessions", headers=staff_headers).json()
    assert [s["title"] for s in listed["items"]] == ["Held"]
