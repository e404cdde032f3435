"""Series ends on both databases: `until` as a date or an aware datetime, ends and counts bounded,
a clear 422 for a first start off the rule, and feeds and invites that render any stored row."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.db import session_scope
from service.scheduling.models import Series
from tests.integration.calendar_network import headers_of_person
from tests.integration.network import Network, book, build_network
from tests.integration.relative_dates import THURSDAY, WEDNESDAY, local_start, weekday_ahead

BANGKOK = "Asia/Bangkok"


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _occurrences(client: TestClient, headers: dict[str, str], series_id: int) -> list[dict]:
    page = client.get("/api/v1/sessions?limit=500", headers=headers).json()
    return [s for s in page["items"] if s["series_id"] == series_id]


def _book_weekly(
    client: TestClient, headers: dict[str, str], network: Network, recurrence: dict, **extra: object
):
    fields = {
        "countries": ["TH"],
        "start": local_start(weekday_ahead(THURSDAY), 14, BANGKOK).isoformat(),
        "recurrence": {"freq": "WEEKLY", "byweekday": ["TH"]} | recurrence,
        "acknowledge_problems": True,
    }
    return book(client, headers, network, **(fields | extra))


def test_until_as_a_date_is_accepted_and_includes_that_day(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    last = weekday_ahead(THURSDAY) + timedelta(weeks=3)
    response = _book_weekly(client, staff_headers, network, {"until": last.isoformat()})
    assert response.status_code == 201, response.text
    occurrences = _occurrences(client, staff_headers, response.json()["series_id"])
    assert [o["local_start"][:10] for o in occurrences][-1] == last.isoformat()
    assert len(occurrences) == 4


def test_until_with_an_offset_is_accepted_and_without_one_refused_naming_the_field(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    last = local_start(weekday_ahead(THURSDAY) + timedelta(weeks=2), 14, BANGKOK)
    aware = _book_weekly(client, staff_headers, network, {"until": last.isoformat()})
    assert aware.status_code == 201, aware.text
    assert len(_occurrences(client, staff_headers, aware.json()["series_id"])) == 3

    naive = _book_weekly(
        client, staff_headers, network, {"until": last.replace(tzinfo=None).isoformat()}
    )
    assert naive.status_code in (400, 422), naive.text
    assert "until" in naive.json()["errors"][0]["field"]


@pytest.mark.parametrize(
    ("recurrence", "reason"),
    [
        ({"until": "9999-12-31"}, "within 10 years"),
        ({"until": "9999-12-31T23:00:00-05:00"}, "within 10 years"),
        ({"interval": 52, "count": 20}, "within 10 years"),
        ({"freq": "MONTHLY", "byweekday": [], "interval": 12, "count": 520}, "within 10 years"),
        ({"interval": 1_000_000, "count": 3}, "at most 52"),
    ],
)
def test_series_ending_more_than_ten_years_on_are_refused(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    recurrence: dict,
    reason: str,
) -> None:
    response = _book_weekly(client, staff_headers, network, recurrence)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "recurrence"
    assert reason in response.json()["detail"]
    assert client.get("/api/v1/sessions", headers=staff_headers).json()["total"] == 0


@pytest.mark.parametrize("end", [{}, {"count": 3}])
def test_a_first_start_off_the_rule_days_is_a_422_naming_the_start(
    client: TestClient, staff_headers: dict[str, str], network: Network, end: dict
) -> None:
    wednesday = weekday_ahead(WEDNESDAY)
    response = _book_weekly(
        client, staff_headers, network, end, start=local_start(wednesday, 14, BANGKOK).isoformat()
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "start"
    assert "TH" in response.json()["detail"]


def _feeds_and_invite(
    client: TestClient, headers: dict[str, str], feed_path: str, session_id: int
) -> list[bytes]:
    bodies = []
    for path, with_headers in (
        ("/feeds/public.ics", {}),
        ("/feeds/countries/TH.ics", {}),
        (feed_path, {}),
        (f"/api/v1/sessions/{session_id}/invite.ics", headers),
    ):
        response = client.get(path, headers=with_headers)
        assert response.status_code == 200, (path, response.text)
        icalendar.Calendar.from_ical(response.content)
        bodies.append(response.content)
    return bodies


def test_feeds_and_invites_render_a_stored_series_ending_in_the_year_9999(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
) -> None:
    # As stored before ends were bounded; New York's end of 9999-12-31 is already year 10000 UTC.
    thai = network.people["TH"]
    sessions = []
    for hour, zone in ((14, BANGKOK), (16, "America/New_York")):
        start = local_start(weekday_ahead(THURSDAY), hour, BANGKOK).isoformat()
        response = _book_weekly(
            client,
            staff_headers,
            network,
            {"count": 3},
            start=start,
            people=[thai],
            organiser_zone=zone,
        )
        assert response.status_code == 201, response.text
        sessions.append(response.json())
    with session_scope(engine) as db:
        for session in sessions:
            series = db.get(Series, session["series_id"])
            assert series is not None
            series.rule = {"freq": "WEEKLY", "byweekday": ["TH"], "until": "9999-12-31"}
            db.add(series)
    token = client.post(f"/api/v1/people/{thai}/feed-token", headers=staff_headers).json()
    feed_path = token["url"].removeprefix("https://vdo.test")
    thai_headers = headers_of_person(engine, thai)

    for body in _feeds_and_invite(client, thai_headers, feed_path, sessions[1]["id"]):
        assert b"UNTIL=99991231T" in body.replace(b"\r\n ", b"")
    for session in sessions:
        cancelled = client.post(
            f"/api/v1/sessions/{session['id']}/cancel",
            headers=staff_headers,
            json={"scope": "following"},
        )
        assert cancelled.status_code == 200, cancelled.text
    _feeds_and_invite(client, thai_headers, feed_path, sessions[1]["id"])


def test_a_series_row_that_cannot_be_rendered_is_left_out_of_feeds_not_taking_them_down(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    broken = _book_weekly(client, staff_headers, network, {"count": 3})
    single = book(
        client,
        staff_headers,
        network,
        title="Steering committee",
        countries=["TH"],
        start=local_start(weekday_ahead(WEDNESDAY), 14, BANGKOK).isoformat(),
        acknowledge_problems=True,
    )
    assert broken.status_code == single.status_code == 201
    with session_scope(engine) as db:
        series = db.get(Series, broken.json()["series_id"])
        assert series is not None
        series.rule = {"freq": "DAILY"}  # no booking stores this; imagine an old or hand-made row
        db.add(series)

    for path in ("/feeds/public.ics", "/feeds/countries/TH.ics"):
        response = client.get(path)
        assert response.status_code == 200, response.text
        [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert str(event["UID"]) == single.json()["uid"]
