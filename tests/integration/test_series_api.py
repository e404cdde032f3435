"""Recurring series: wall-clock time kept in the organiser's zone, holiday flags, rotation,
and changing one occurrence or this-and-following."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient

from service.db import session_scope, utcnow
from service.scheduling.series import extend_series
from tests.integration.network import Network, book, build_network

ALL = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"]
WEEKLY_THURSDAY = {"freq": "WEEKLY", "byweekday": ["TH"], "count": 6}


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _occurrences(client: TestClient, headers: dict[str, str], series_id: int) -> list[dict]:
    page = client.get("/api/v1/sessions?limit=500", headers=headers).json()
    return [s for s in page["items"] if s["series_id"] == series_id]


def _weekly(client: TestClient, headers: dict[str, str], network: Network, **extra: object):
    response = book(
        client,
        headers,
        network,
        countries=ALL,
        start="2026-12-03T14:00:00+07:00",
        recurrence=WEEKLY_THURSDAY,
        chair_country="TH",
        **extra,
    )
    assert response.status_code == 201, response.text
    return _occurrences(client, headers, response.json()["series_id"])


def test_weekly_series_is_stored_with_one_uid_flags_holidays_and_rotates_hosts(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    occurrences = _weekly(client, staff_headers, network)
    assert [o["start"][:16] for o in occurrences] == [
        "2026-12-03T07:00",
        "2026-12-10T07:00",
        "2026-12-17T07:00",
        "2026-12-24T07:00",
        "2026-12-31T07:00",
        "2027-01-07T07:00",
    ]
    assert len({o["uid"] for o in occurrences}) == 1
    assert [o["chair_country"] for o in occurrences] == ["TH", "TL", "VN", "BN", "KH", "ID"]
    constitution_day = occurrences[1]["flags"]
    assert any("Constitution Day" in h for h in constitution_day["holidays"])
    # The next day without anyone's holiday or weekend is Monday 14 December.
    assert constitution_day["suggested_start"].startswith("2026-12-14T07:00")
    assert occurrences[0]["flags"] == {}


def test_rotation_skips_opt_outs(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    occurrences = _weekly(client, staff_headers, network, host_opt_outs=["TL", "bn"])
    assert [o["chair_country"] for o in occurrences] == ["TH", "VN", "KH", "ID", "LA", "MY"]


def test_bangkok_wall_time_is_kept_while_helsinki_moves_across_dst(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    response = book(
        client,
        staff_headers,
        network,
        countries=["TH"],
        people=[network.people["FI"]],
        start="2027-03-18T14:00:00+07:00",
        recurrence={"freq": "WEEKLY", "count": 3},
    )
    assert response.status_code == 201, response.text
    occurrences = _occurrences(client, staff_headers, response.json()["series_id"])
    assert {o["local_start"][11:] for o in occurrences} == {"14:00:00+07:00"}
    helsinki = [
        next(a["local_start"] for a in o["attendees"] if a["zone"] == "Europe/Helsinki")
        for o in occurrences
    ]
    # Finland moves to summer time on 28 March 2027.
    assert helsinki == [
        "2027-03-18T09:00:00+02:00",
        "2027-03-25T09:00:00+02:00",
        "2027-04-01T10:00:00+03:00",
    ]


def test_cancel_one_occurrence_then_this_and_following(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    occurrences = _weekly(client, staff_headers, network)
    one = client.post(
        f"/api/v1/sessions/{occurrences[0]['id']}/cancel",
        headers=staff_headers,
        json={"scope": "this"},
    )
    assert [s["id"] for s in one.json()] == [occurrences[0]["id"]]
    following = client.post(
        f"/api/v1/sessions/{occurrences[3]['id']}/cancel",
        headers=staff_headers,
        json={"scope": "following"},
    )
    assert [s["id"] for s in following.json()] == [o["id"] for o in occurrences[3:]]
    statuses = [
        o["status"] for o in _occurrences(client, staff_headers, occurrences[0]["series_id"])
    ]
    assert statuses == [
        "cancelled",
        "confirmed",
        "confirmed",
        "cancelled",
        "cancelled",
        "cancelled",
    ]


def test_move_this_and_following_keeps_recurrence_ids(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    occurrences = _weekly(client, staff_headers, network)
    third = occurrences[2]
    moved = client.patch(
        f"/api/v1/sessions/{third['id']}",
        headers=staff_headers,
        json={
            "revision": third["revision"],
            "start": "2026-12-17T07:30:00Z",
            "scope": "following",
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text
    after = _occurrences(client, staff_headers, third["series_id"])
    assert [o["start"][11:16] for o in after] == [
        "07:00",
        "07:00",
        "07:30",
        "07:30",
        "07:30",
        "07:30",
    ]
    assert [o["recurrence_id"] for o in after] == [o["recurrence_id"] for o in occurrences]
    assert [o["sequence"] for o in after] == [0, 0, 1, 1, 1, 1]


def test_series_with_a_bridge_clash_books_nothing(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    clash = book(
        client,
        staff_headers,
        network,
        title="Budget review",
        countries=["TH"],
        start="2026-12-17T07:00:00Z",
    )
    assert clash.status_code == 201
    response = book(
        client,
        staff_headers,
        network,
        countries=ALL,
        start="2026-12-03T07:00:00Z",
        recurrence=WEEKLY_THURSDAY,
    )
    assert response.status_code == 409
    assert "Budget review" in response.json()["detail"]
    listed = client.get("/api/v1/sessions", headers=staff_headers).json()
    assert listed["total"] == 1


def test_bad_rules_are_refused(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    for rule in (
        {"freq": "DAILY"},
        {"freq": "WEEKLY", "count": 3, "until": "2027-01-01"},
        {"freq": "WEEKLY", "interval": 0},
    ):
        response = book(
            client,
            staff_headers,
            network,
            countries=["TH"],
            start="2026-12-03T07:00:00Z",
            recurrence=rule,
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "recurrence"


def test_open_ended_series_is_extended_as_time_passes(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine
) -> None:
    response = book(
        client,
        staff_headers,
        network,
        countries=["TH"],
        start="2026-12-03T07:00:00Z",
        chair_country="TH",
        recurrence={"freq": "WEEKLY", "byweekday": ["TH"]},
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    before = _occurrences(client, staff_headers, response.json()["series_id"])
    with session_scope(engine) as db:
        assert extend_series(db, now=utcnow()) == 0
        added = extend_series(db, now=utcnow() + timedelta(days=28))
    after = _occurrences(client, staff_headers, response.json()["series_id"])
    assert added == 4 and len(after) == len(before) + 4
    assert len({o["uid"] for o in after}) == 1
    # Thailand alone is invited, so it chairs every occurrence, old and new.
    assert {o["chair_country"] for o in after} == {"TH"}


def test_move_this_and_following_a_week_later_onto_its_own_slots(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    # Each occurrence moves onto the slot its successor is leaving: no clash with itself.
    occurrences = _weekly(client, staff_headers, network)
    second = occurrences[1]
    moved = client.patch(
        f"/api/v1/sessions/{second['id']}",
        headers=staff_headers,
        json={
            "revision": second["revision"],
            "start": "2026-12-17T07:00:00Z",
            "scope": "following",
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text
    after = _occurrences(client, staff_headers, second["series_id"])
    assert [o["start"][:10] for o in after] == [
        "2026-12-03",
        "2026-12-17",
        "2026-12-24",
        "2026-12-31",
        "2027-01-07",
        "2027-01-14",
    ]
