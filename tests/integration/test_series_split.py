"""Moving "this and following" on both databases splits the series at the moved occurrence: the
old rule ends with UNTIL, a new series (its own UID) carries on, so that stored occurrences,
invites, feeds and later extensions all agree, on the organiser's wall clock across DST."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.db import session_scope, utcnow
from service.scheduling.changes import reschedule
from service.scheduling.schemas import SessionCreate, SessionUpdate
from service.scheduling.series import book_series, extend_series
from tests.integration.network import Network, book, build_network
from tests.integration.relative_dates import (
    THURSDAY,
    TUESDAY,
    local_start,
    next_offset_change,
    weekday_ahead,
)

BANGKOK = "Asia/Bangkok"
HELSINKI = "Europe/Helsinki"


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _occurrences(client: TestClient, headers: dict[str, str], series_id: int) -> list[dict]:
    page = client.get("/api/v1/sessions?limit=500", headers=headers).json()
    return [s for s in page["items"] if s["series_id"] == series_id]


def _master(client: TestClient, headers: dict[str, str], session_id: int) -> icalendar.Event:
    response = client.get(f"/api/v1/sessions/{session_id}/invite.ics", headers=headers)
    assert response.status_code == 200, response.text
    calendar = icalendar.Calendar.from_ical(response.content)
    return next(e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e)


def _weekly(
    client: TestClient, headers: dict[str, str], network: Network, **recurrence: object
) -> list[dict]:
    response = book(
        client,
        headers,
        network,
        countries=["TH"],
        start=local_start(weekday_ahead(THURSDAY), 14, BANGKOK).isoformat(),
        recurrence={"freq": "WEEKLY", "byweekday": ["TH"]} | recurrence,
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    return _occurrences(client, headers, response.json()["series_id"])


def _assert_weekly(occurrences: list[dict], wall_clock: str) -> None:
    """Every occurrence a week after the one before, at `wall_clock` ("Thu 14:30") in the
    organiser's zone."""
    starts = [datetime.fromisoformat(o["local_start"]) for o in occurrences]
    assert {start.strftime("%a %H:%M") for start in starts} == {wall_clock}
    assert {(b.date() - a.date()).days for a, b in itertools.pairwise(starts)} == {7}
    assert all(o["recurrence_id"] == o["start"] for o in occurrences)


def _move_following(
    client: TestClient, headers: dict[str, str], occurrence: dict, start: datetime
) -> dict:
    moved = client.patch(
        f"/api/v1/sessions/{occurrence['id']}",
        headers=headers,
        json={
            "revision": occurrence["revision"],
            "start": start.isoformat(),
            "scope": "following",
            "acknowledge_problems": True,
        },
    )
    assert moved.status_code == 200, moved.text
    return moved.json()


def test_moving_following_splits_the_series_and_later_extensions_keep_the_new_time(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    before = _weekly(client, staff_headers, network)
    third = before[2]
    new_start = datetime.fromisoformat(third["start"]) + timedelta(minutes=30)
    moved = _move_following(client, staff_headers, third, new_start)

    assert moved["series_id"] != third["series_id"]
    assert moved["uid"] != third["uid"]
    assert moved["recurrence_id"] == moved["start"]
    assert [o["id"] for o in _occurrences(client, staff_headers, third["series_id"])] == [
        o["id"] for o in before[:2]
    ]
    carried_on = _occurrences(client, staff_headers, moved["series_id"])
    assert [o["id"] for o in carried_on] == [o["id"] for o in before[2:]]
    with session_scope(engine) as db:
        added = extend_series(db, now=utcnow() + timedelta(days=28)).added
    assert added >= 3
    assert len(_occurrences(client, staff_headers, third["series_id"])) == 2
    after = _occurrences(client, staff_headers, moved["series_id"])
    assert len(after) == len(carried_on) + added
    _assert_weekly(after, "Thu 14:30")
    assert len({o["uid"] for o in after}) == 1

    old = _master(client, staff_headers, before[0]["id"])
    assert old["RRULE"]["UNTIL"] == [datetime.fromisoformat(before[1]["start"])]
    assert old["SEQUENCE"] >= 1
    new = _master(client, staff_headers, third["id"])
    assert str(new["UID"]) == moved["uid"]
    assert new["DTSTART"].dt == new_start
    assert new["DTSTART"].params["TZID"] == BANGKOK
    assert new["RRULE"]["BYDAY"] == ["TH"]
    assert "UNTIL" not in new["RRULE"]
    # Far past the stored horizon, calendar clients put the occurrences at the new time too.
    far = new_start + timedelta(days=400)
    calendar = icalendar.Calendar.from_ical(
        client.get(f"/api/v1/sessions/{third['id']}/invite.ics", headers=staff_headers).content
    )
    later = recurring_ical_events.of(calendar).between(far, far + timedelta(days=28))
    assert len(later) == 4
    assert {e["DTSTART"].dt.astimezone(UTC).time() for e in later} == {new_start.time()}


def test_a_counted_series_split_keeps_its_number_of_occurrences(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    before = _weekly(client, staff_headers, network, count=6)
    moved = _move_following(
        client,
        staff_headers,
        before[2],
        datetime.fromisoformat(before[2]["start"]) + timedelta(hours=1),
    )
    old = _master(client, staff_headers, before[0]["id"])
    assert "COUNT" not in old["RRULE"]
    assert old["RRULE"]["UNTIL"] == [datetime.fromisoformat(before[1]["start"])]
    new = _master(client, staff_headers, moved["id"])
    assert new["RRULE"]["COUNT"] == [4]
    assert len(_occurrences(client, staff_headers, moved["series_id"])) == 4


def test_moving_the_first_occurrence_and_following_changes_the_series_itself(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    before = _weekly(client, staff_headers, network)
    first = before[0]
    master_before = _master(client, staff_headers, first["id"])
    # A day later: Thursdays become Fridays.
    new_start = datetime.fromisoformat(first["start"]) + timedelta(days=1)
    moved = _move_following(client, staff_headers, first, new_start)

    assert (moved["series_id"], moved["uid"]) == (first["series_id"], first["uid"])
    master = _master(client, staff_headers, first["id"])
    assert master["DTSTART"].dt == new_start
    assert master["RRULE"]["BYDAY"] == ["FR"]
    assert master["SEQUENCE"] > master_before["SEQUENCE"]
    with session_scope(engine) as db:
        extend_series(db, now=utcnow() + timedelta(days=28))
    after = _occurrences(client, staff_headers, first["series_id"])
    assert len(after) >= len(before) + 3
    _assert_weekly(after, "Fri 14:00")


def _monthly_on(
    client: TestClient, headers: dict[str, str], network: Network, day: date, nth: int
) -> list[dict]:
    response = book(
        client,
        headers,
        network,
        countries=["TH"],
        start=local_start(day, 14, BANGKOK).isoformat(),
        recurrence={"freq": "MONTHLY", "byweekday": ["TU"], "nth": nth, "count": 6},
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    return _occurrences(client, headers, response.json()["series_id"])


def _tuesday_ahead(first_day: int, last_day: int, *, fifth_follows: bool = False) -> date:
    """The first Tuesday at least two weeks ahead falling on a day of the month in the range
    (and, with `fifth_follows`, in a month whose next Tuesday is its fifth: not in February)."""
    tuesday = weekday_ahead(TUESDAY)
    while not first_day <= tuesday.day <= last_day or (
        fifth_follows and (tuesday + timedelta(weeks=1)).month != tuesday.month
    ):
        tuesday += timedelta(weeks=1)
    return tuesday


def test_the_second_tuesday_moved_to_the_wednesday_carries_on_on_second_wednesdays(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    before = _monthly_on(client, staff_headers, network, _tuesday_ahead(8, 14), nth=2)
    moved = _move_following(
        client,
        staff_headers,
        before[1],
        datetime.fromisoformat(before[1]["start"]) + timedelta(days=1),
    )
    after = _occurrences(client, staff_headers, moved["series_id"])
    assert len(after) == len(before) - 1
    for occurrence in after:
        day = datetime.fromisoformat(occurrence["local_start"])
        assert (day.strftime("%a %H:%M"), (day.day - 1) // 7) == ("Wed 14:00", 1)
    rule = _master(client, staff_headers, moved["id"])["RRULE"]
    assert (rule["BYDAY"], rule["COUNT"]) == (["2WE"], [5])


def test_a_move_no_rule_can_express_is_refused_and_changes_nothing(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    # The fourth Tuesday of each month, moved a week on in a month with five Tuesdays: no
    # monthly rule here repeats the fifth Tuesday.
    tuesday = _tuesday_ahead(22, 24, fifth_follows=True)
    before = _monthly_on(client, staff_headers, network, tuesday, nth=4)
    refused = client.patch(
        f"/api/v1/sessions/{before[0]['id']}",
        headers=staff_headers,
        json={
            "revision": before[0]["revision"],
            "start": (datetime.fromisoformat(before[0]["start"]) + timedelta(weeks=1)).isoformat(),
            "scope": "following",
            "acknowledge_problems": True,
        },
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "start"
    assert _occurrences(client, staff_headers, before[0]["series_id"]) == before


def test_a_helsinki_series_moved_across_the_dst_change_keeps_its_wall_clock_time(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    # Helsinki changes its clocks on a Sunday; the series meets on Thursdays at 10:00 there.
    change = next_offset_change(HELSINKI, utcnow() + timedelta(days=21))
    thursday_before = change - timedelta(days=3)
    first = thursday_before - timedelta(weeks=2)
    now = local_start(first, 10, HELSINKI) - timedelta(days=14)
    data = SessionCreate.model_validate(
        {
            "title": "Nordic partners",
            "start": local_start(first, 10, HELSINKI).isoformat(),
            "duration_minutes": 60,
            "organiser_zone": HELSINKI,
            "bridge_id": network.bridge_id,
            "people": [network.people["FI"]],
            "recurrence": {"freq": "WEEKLY", "byweekday": ["TH"]},
            "acknowledge_problems": True,
        }
    )
    with session_scope(engine) as db:
        series_id = book_series(db, data, now=now).series_id or 0
    occurrences = _occurrences(client, staff_headers, series_id)
    assert datetime.fromisoformat(occurrences[2]["start"]) == local_start(
        thursday_before, 10, HELSINKI
    )

    # The last Thursday before the change moves to the Monday after it, still at 10:00.
    monday_after = change + timedelta(days=1)
    update = SessionUpdate(
        revision=occurrences[2]["revision"],
        start=local_start(monday_after, 10, HELSINKI),
        scope="following",
        acknowledge_problems=True,
    )
    with session_scope(engine) as db:
        new_series = reschedule(db, occurrences[2]["id"], update, now=now).session.series_id or 0
        extend_series(db, now=now + timedelta(days=28))

    after = _occurrences(client, staff_headers, new_series)
    assert len(after) >= len(occurrences) - 2 + 3
    _assert_weekly(after, "Mon 10:00")
    master = _master(client, staff_headers, after[0]["id"])
    assert master["DTSTART"].params["TZID"] == HELSINKI
    assert master["DTSTART"].dt.strftime("%a %H:%M") == "Mon 10:00"
    assert master["RRULE"]["BYDAY"] == ["MO"]
