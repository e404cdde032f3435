"""Recurring series: wall-clock time kept in the organiser's zone, holiday flags, rotation,
and changing one occurrence or this-and-following."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import pytz
from litestar.testing import TestClient

from service.db import session_scope
from service.scheduling.holidays_calendar import holiday_on
from service.scheduling.series import HORIZON, extend_series
from tests.dates import (
    ALL_MEMBERS,
    THURSDAY,
    MovableClock,
    at,
    first_day,
    iso,
    working_start,
    works,
)
from tests.integration.network import Network, book, build_network

ALL = list(ALL_MEMBERS)
WEEKLY_THURSDAY = {"freq": "WEEKLY", "byweekday": ["TH"], "count": 6}
WEEK = timedelta(weeks=1)
HELSINKI = pytz.timezone("Europe/Helsinki")


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _occurrences(client: TestClient, headers: dict[str, str], series_id: int) -> list[dict]:
    page = client.get("/api/v1/sessions?limit=500", headers=headers).json()
    return [s for s in page["items"] if s["series_id"] == series_id]


def _first_thursday(clock: MovableClock) -> datetime:
    """The first Thursday at 07:00 UTC (14:00 in Bangkok) when all eleven members work."""
    return working_start(clock, ALL, weekday=THURSDAY)


def _weekly(
    client: TestClient,
    headers: dict[str, str],
    network: Network,
    start: datetime,
    **extra: object,
):
    response = book(
        client,
        headers,
        network,
        countries=ALL,
        start=start.astimezone(pytz.timezone("Asia/Bangkok")).isoformat(),
        recurrence=WEEKLY_THURSDAY,
        chair_country="TH",
        **extra,
    )
    assert response.status_code == 201, response.text
    return _occurrences(client, headers, response.json()["series_id"])


def _members_holidays(day: date) -> list[str]:
    return [h.name for code in ALL if (h := holiday_on(code, day)) is not None]


def test_weekly_series_is_stored_with_one_uid_flags_holidays_and_rotates_hosts(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    # A series whose second Thursday is some member's public holiday.
    first = at(
        first_day(
            clock,
            lambda day: (
                day.weekday() == THURSDAY
                and works(ALL, at(day, 7))
                and bool(_members_holidays(day + WEEK))
            ),
        ),
        7,
    )
    occurrences = _weekly(client, staff_headers, network, first)
    assert [o["start"] for o in occurrences] == [iso(first + n * WEEK) for n in range(6)]
    assert len({o["uid"] for o in occurrences}) == 1
    assert [o["chair_country"] for o in occurrences] == ["TH", "TL", "VN", "BN", "KH", "ID"]
    holiday = occurrences[1]["flags"]
    assert all(
        any(name in h for h in holiday["holidays"])
        for name in _members_holidays((first + WEEK).date())
    )
    # The suggestion is the next day without anyone's holiday or weekend, at the same time.
    suggested = working_start(clock, ALL, after=(first + WEEK).date())
    assert datetime.fromisoformat(holiday["suggested_start"]) == suggested
    assert occurrences[0]["flags"] == {}


def test_rotation_skips_opt_outs(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    occurrences = _weekly(
        client, staff_headers, network, _first_thursday(clock), host_opt_outs=["TL", "bn"]
    )
    assert [o["chair_country"] for o in occurrences] == ["TH", "VN", "KH", "ID", "LA", "MY"]


def _helsinki_offset(day: date) -> timedelta | None:
    return HELSINKI.utcoffset(datetime.combine(day, datetime.min.time()) + timedelta(hours=12))


def test_bangkok_wall_time_is_kept_while_helsinki_moves_across_dst(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    # The next change of Finland's clocks (last Sunday of March or of October), a month or more
    # ahead; the series' first two Thursdays come before it, the third after.
    month_ahead = (clock.now() + timedelta(days=30)).date()
    change = next(
        day
        for day in (month_ahead + timedelta(days=n) for n in range(366))
        if _helsinki_offset(day) != _helsinki_offset(day - timedelta(days=1))
    )
    first = at(change - timedelta(days=10), 7)
    assert first.weekday() == THURSDAY
    # Up to seven months ahead: move the clock to two weeks before, within the series horizon.
    clock.move_to(first - timedelta(days=14))
    response = book(
        client,
        staff_headers,
        network,
        countries=["TH"],
        people=[network.people["FI"]],
        start=first.astimezone(pytz.timezone("Asia/Bangkok")).isoformat(),
        recurrence={"freq": "WEEKLY", "count": 3},
    )
    assert response.status_code == 201, response.text
    occurrences = _occurrences(client, staff_headers, response.json()["series_id"])
    assert {o["local_start"][11:] for o in occurrences} == {"14:00:00+07:00"}
    helsinki = [
        next(a["local_start"] for a in o["attendees"] if a["zone"] == "Europe/Helsinki")
        for o in occurrences
    ]
    assert helsinki == [(first + n * WEEK).astimezone(HELSINKI).isoformat() for n in range(3)]
    offsets = [datetime.fromisoformat(local).utcoffset() for local in helsinki]
    assert offsets[0] == offsets[1] != offsets[2]


def test_cancel_one_occurrence_then_this_and_following(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    occurrences = _weekly(client, staff_headers, network, _first_thursday(clock))
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
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    first = _first_thursday(clock)
    occurrences = _weekly(client, staff_headers, network, first)
    third = occurrences[2]
    moved = client.patch(
        f"/api/v1/sessions/{third['id']}",
        headers=staff_headers,
        json={
            "revision": third["revision"],
            "start": iso(first + 2 * WEEK + timedelta(minutes=30)),
            "scope": "following",
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text
    # The series splits there: the moved ones carry on as a new series, on their new slots.
    after = _occurrences(client, staff_headers, third["series_id"])
    after += _occurrences(client, staff_headers, moved.json()["series_id"])
    assert [o["start"][11:16] for o in after] == [
        "07:00",
        "07:00",
        "07:30",
        "07:30",
        "07:30",
        "07:30",
    ]
    assert [o["recurrence_id"] for o in after] == [
        *(o["recurrence_id"] for o in occurrences[:2]),
        *(o["start"] for o in after[2:]),
    ]
    assert [o["sequence"] for o in after] == [0, 0, 1, 1, 1, 1]


def test_series_with_a_bridge_clash_books_nothing(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    first = _first_thursday(clock)
    clash = book(
        client,
        staff_headers,
        network,
        title="Budget review",
        countries=["TH"],
        start=iso(first + 2 * WEEK),
        acknowledge_problems=True,
    )
    assert clash.status_code == 201
    response = book(
        client,
        staff_headers,
        network,
        countries=ALL,
        start=iso(first),
        recurrence=WEEKLY_THURSDAY,
    )
    assert response.status_code == 409
    assert "Budget review" in response.json()["detail"]
    listed = client.get("/api/v1/sessions", headers=staff_headers).json()
    assert listed["total"] == 1


def test_bad_rules_are_refused(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    start = working_start(clock, ["TH"])
    for rule in (
        {"freq": "DAILY"},
        {"freq": "WEEKLY", "count": 3, "until": str(start.date() + 4 * WEEK)},
        {"freq": "WEEKLY", "interval": 0},
    ):
        response = book(
            client,
            staff_headers,
            network,
            countries=["TH"],
            start=iso(start),
            recurrence=rule,
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "recurrence"


def test_open_ended_series_is_extended_as_time_passes(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine,
    clock: MovableClock,
) -> None:
    response = book(
        client,
        staff_headers,
        network,
        countries=["TH"],
        start=iso(working_start(clock, ["TH"], weekday=THURSDAY)),
        chair_country="TH",
        recurrence={"freq": "WEEKLY", "byweekday": ["TH"]},
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    before = _occurrences(client, staff_headers, response.json()["series_id"])
    with session_scope(engine) as db:
        assert extend_series(db, now=clock.now()).added == 0
        clock.advance(timedelta(days=28))
        added = extend_series(db, now=clock.now()).added
    after = _occurrences(client, staff_headers, response.json()["series_id"])
    assert added == 4
    assert len(after) == len(before) + 4
    assert len({o["uid"] for o in after}) == 1
    # Thailand alone is invited, so it chairs every occurrence, old and new.
    assert {o["chair_country"] for o in after} == {"TH"}


def test_series_are_stored_up_to_the_horizon_of_the_applications_clock(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    clock.advance(timedelta(days=30))  # ahead of the machine's clock
    response = book(
        client,
        staff_headers,
        network,
        countries=["TH"],
        start=iso(working_start(clock, ["TH"], weekday=THURSDAY)),
        recurrence={"freq": "WEEKLY", "byweekday": ["TH"]},
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    stored = _occurrences(client, staff_headers, response.json()["series_id"])
    last = datetime.fromisoformat(stored[-1]["start"])
    horizon = clock.now() + HORIZON
    assert horizon - WEEK < last <= horizon


def test_move_this_and_following_a_week_later_onto_its_own_slots(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    # Each occurrence moves onto the slot its successor is leaving: no clash with itself.
    first = _first_thursday(clock)
    occurrences = _weekly(client, staff_headers, network, first)
    second = occurrences[1]
    moved = client.patch(
        f"/api/v1/sessions/{second['id']}",
        headers=staff_headers,
        json={
            "revision": second["revision"],
            "start": iso(first + 2 * WEEK),
            "scope": "following",
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text
    after = _occurrences(client, staff_headers, second["series_id"])
    after += _occurrences(client, staff_headers, moved.json()["series_id"])
    weeks_after_first = [0, 2, 3, 4, 5, 6]
    assert [o["start"] for o in after] == [iso(first + n * WEEK) for n in weeks_after_first]
