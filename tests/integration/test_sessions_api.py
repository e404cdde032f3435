"""Booking, rescheduling, cancelling and listing sessions on both databases, on real dates
found relative to the application's clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlmodel import select

from service.db import session_scope
from service.scheduling.holidays_calendar import holiday_on
from service.scheduling.models import VdoSession
from tests.dates import (
    ALL_MEMBERS,
    FRIDAY,
    SATURDAY,
    SUNDAY,
    MovableClock,
    at,
    first_day,
    iso,
    member,
    next_holiday,
    working_start,
)
from tests.integration.network import Network, book, build_network, make_bridge
from tests.support.fake_bbb import running_fake_bbb

ALL = list(ALL_MEMBERS)


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _sessions(engine: Engine) -> int:
    with session_scope(engine) as db:
        return db.exec(select(func.count()).select_from(VdoSession)).one()


def test_book_the_all_capitals_hour_and_read_local_times(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    start = working_start(clock, ALL)
    response = book(client, staff_headers, network, countries=ALL, start=iso(start))
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["sequence"] == 0
    assert session["revision"] == 1
    day = start.date().isoformat()
    assert session["local_start"].startswith(f"{day}T14:00:00+07:00")
    local = {a["country_code"]: a["local_start"] for a in session["attendees"]}
    assert local["MM"] == f"{day}T13:30:00+06:30"
    assert local["TL"] == f"{day}T16:00:00+09:00"
    assert sorted(session["countries"]) == sorted(ALL)
    assert session["meeting"]["join_url"].startswith("https://meet.example.org/")
    assert "Join online" in session["meeting"]["instructions"]


def test_thai_holiday_is_refused_with_its_name_unless_acknowledged(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    clock: MovableClock,
) -> None:
    holiday = next_holiday(clock, "TH")
    start = iso(at(holiday.date, 3))  # 10:00 in Bangkok
    refused = book(client, staff_headers, network, countries=["TH", "VN"], start=start)
    assert refused.status_code == 422
    problem = refused.json()
    assert holiday.name in problem["detail"]
    assert any(p.startswith("Thailand (Asia/Bangkok)") for p in problem["problems"])
    assert _sessions(engine) == 0
    accepted = book(
        client,
        staff_headers,
        network,
        countries=["TH", "VN"],
        start=start,
        acknowledge_problems=True,
    )
    assert accepted.status_code == 201
    assert any(holiday.name in p for p in accepted.json()["acknowledged"])


def test_brunei_friday_is_refused_but_saturday_is_a_working_day(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    saturday = working_start(clock, ["BN"], hour=2, weekday=SATURDAY)  # 10:00 in Brunei
    friday = book(
        client, staff_headers, network, countries=["BN"], start=iso(saturday - timedelta(days=1))
    )
    assert friday.status_code == 422
    assert "Brunei Darussalam" in friday.json()["detail"]
    booked = book(client, staff_headers, network, countries=["BN"], start=iso(saturday))
    assert booked.status_code == 201, booked.text


def test_bridge_overlap_is_409_naming_the_session_and_cancel_frees_it(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    clock: MovableClock,
) -> None:
    start = working_start(clock, ["TH", "SG"], duration=timedelta(minutes=90))
    half_past = iso(start + timedelta(minutes=30))
    first = book(
        client,
        staff_headers,
        network,
        title="Steering committee",
        countries=["TH"],
        start=iso(start),
    )
    assert first.status_code == 201
    clash = book(
        client,
        staff_headers,
        network,
        title="Other",
        countries=["SG"],
        start=half_past,
    )
    assert clash.status_code == 409
    assert "Steering committee" in clash.json()["detail"]
    assert _sessions(engine) == 1
    cancelled = client.post(f"/api/v1/sessions/{first.json()['id']}/cancel", headers=staff_headers)
    assert cancelled.status_code == 200
    assert cancelled.json()[0]["status"] == "cancelled"
    assert cancelled.json()[0]["sequence"] == 1
    again = client.post(f"/api/v1/sessions/{first.json()['id']}/cancel", headers=staff_headers)
    assert again.status_code == 409
    retry = book(
        client,
        staff_headers,
        network,
        title="Other",
        countries=["SG"],
        start=half_past,
    )
    assert retry.status_code == 201


def test_reschedule_raises_sequence_and_refuses_a_stale_revision(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    morning = working_start(clock, ["TH"], hour=3)  # 10:00 in Bangkok
    session = book(client, staff_headers, network, countries=["TH"], start=iso(morning)).json()
    moved = client.patch(
        f"/api/v1/sessions/{session['id']}",
        headers=staff_headers,
        json={"revision": 1, "start": iso(morning + timedelta(hours=4))},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["sequence"] == 1
    assert moved.json()["revision"] == 2
    assert moved.json()["uid"] == session["uid"]
    retitled = client.patch(
        f"/api/v1/sessions/{session['id']}",
        headers=staff_headers,
        json={"revision": 2, "title": "New title"},
    )
    assert retitled.json()["sequence"] == 1
    assert retitled.json()["revision"] == 3
    stale = client.patch(
        f"/api/v1/sessions/{session['id']}",
        headers=staff_headers,
        json={"revision": 2, "title": "Lost update"},
    )
    assert stale.status_code == 409
    assert "reload" in stale.json()["detail"]


def test_starts_the_clock_has_passed_are_refused(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    start = working_start(clock, ["TH"], hour=3)  # 10:00 in Bangkok
    session = book(client, staff_headers, network, countries=["TH"], start=iso(start)).json()
    # The application's clock, not the machine's, says what is past.
    clock.move_to(start + timedelta(hours=2))
    late = book(
        client, staff_headers, network, countries=["TH"], start=iso(start + timedelta(hours=1))
    )
    assert late.status_code == 422, late.text
    assert late.json()["errors"][0] == {
        "field": "start",
        "reason": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M:%S+00:00} is in the past",
    }
    moved = client.patch(
        f"/api/v1/sessions/{session['id']}",
        headers=staff_headers,
        json={"revision": session["revision"], "start": iso(start + timedelta(minutes=30))},
    )
    assert moved.status_code == 422, moved.text
    assert "in the past" in moved.json()["detail"]
    later = book(
        client, staff_headers, network, countries=["TH"], start=iso(start + timedelta(hours=4))
    )
    assert later.status_code == 201, later.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 5000}, "duration_minutes"),
        ({"organiser_zone": "Asia/Bangkokk"}, "organiser_zone"),
        ({"people": [999999]}, "people"),
        ({"countries": ["XX"]}, "countries"),
        ({"start": "2020-01-01T07:00:00Z"}, "start"),
        ({"start": "naive"}, "start"),
        ({"bridge_id": 999999}, "bridge_id"),
    ],
)
def test_bad_booking_input_is_refused_clearly(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    clock: MovableClock,
    body: dict,
    field: str,
) -> None:
    start = working_start(clock, ["TH"])
    if body.get("start") == "naive":  # a local time without its offset
        body = {"start": start.replace(tzinfo=None).isoformat()}
    request = {"countries": ["TH"], "start": iso(start)} | body
    response = book(client, staff_headers, network, **request)
    assert response.status_code in (400, 422), response.text
    assert field in response.text
    assert _sessions(engine) == 0


def test_delegates_cannot_book_and_do_not_see_others_passcodes(
    client: TestClient,
    staff_headers: dict[str, str],
    delegate_headers: dict[str, str],
    network: Network,
    clock: MovableClock,
) -> None:
    start = working_start(clock, ["TH"])
    bridge = make_bridge(
        client,
        staff_headers,
        "Zoom",
        "manual",
        {"join_url": "https://zoom.example.org/j/1", "meeting_id": "1", "passcode": "424242"},
    )
    session = book(
        client,
        staff_headers,
        network,
        countries=["TH"],
        bridge_id=bridge,
        start=iso(start),
    ).json()
    assert session["meeting"]["passcode"] == "424242"
    seen = client.get(f"/api/v1/sessions/{session['id']}", headers=delegate_headers).json()
    assert seen["meeting"]["passcode"] is None
    assert (
        book(
            client,
            delegate_headers,
            network,
            countries=["TH"],
            start=iso(start + timedelta(days=1)),
        ).status_code
        == 403
    )


def test_listing_filters_by_dates_country_and_person(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    thai = working_start(clock, ["TH"], hour=3)
    lao = working_start(clock, ["LA"], hour=3, after=thai.date() + timedelta(days=1))
    book(client, staff_headers, network, title="Thai", countries=["TH"], start=iso(thai))
    book(
        client,
        staff_headers,
        network,
        title="Lao",
        people=[network.people["LA"]],
        start=iso(lao),
    )

    def titles(query: str) -> list[str]:
        page = client.get(f"/api/v1/sessions?{query}", headers=staff_headers).json()
        return [s["title"] for s in page["items"]]

    assert titles(f"from={thai.date()}&to={lao.date()}") == ["Thai", "Lao"]
    assert titles(f"from={thai.date() + timedelta(days=1)}") == ["Lao"]
    assert titles(f"to={lao.date() - timedelta(days=1)}") == ["Thai"]
    assert titles("country=TH") == ["Thai"]
    assert titles(f"person={network.people['LA']}") == ["Lao"]


def test_provider_down_gives_a_clear_error_and_no_booking(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    clock: MovableClock,
) -> None:
    first = working_start(clock, ["TH"])
    second = working_start(clock, ["TH"], after=first.date())
    with running_fake_bbb() as bbb:
        bridge = make_bridge(
            client, staff_headers, "BBB", "bigbluebutton", bbb.bridge_settings(timeout_seconds=1)
        )
        ok = book(
            client,
            staff_headers,
            network,
            countries=["TH"],
            bridge_id=bridge,
            start=iso(first),
        )
        assert ok.status_code == 201, ok.text
        assert ok.json()["meeting"]["provider"] == "bigbluebutton"
        bbb.stop()
        down = book(
            client,
            staff_headers,
            network,
            countries=["TH"],
            bridge_id=bridge,
            start=iso(second),
        )
    assert down.status_code == 502
    assert "BigBlueButton" in down.json()["detail"]
    assert "not booked" in down.json()["detail"]
    assert _sessions(engine) == 1


def test_leave_blocks_a_booking(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    person = network.people["SG"]
    start = working_start(clock, ["SG"])
    leave = client.post(
        f"/api/v1/people/{person}/unavailability",
        headers=staff_headers,
        json={
            "start": iso(at(start.date(), 0)),
            "end": iso(at(start.date() + timedelta(days=1), 0)),
            "reason": "annual leave",
        },
    )
    assert leave.status_code == 201
    refused = book(client, staff_headers, network, people=[person], start=iso(start))
    assert refused.status_code == 422
    assert "annual leave" in refused.json()["detail"]


def test_invited_people_cannot_be_deleted(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    person = network.people["TH"]
    start = working_start(clock, ["TH"])
    assert (
        book(client, staff_headers, network, people=[person], start=iso(start)).status_code == 201
    )
    response = client.delete(f"/api/v1/people/{person}", headers=staff_headers)
    assert response.status_code == 409
    assert "invited to 1 session" in response.json()["detail"]
    assert client.get(f"/api/v1/people/{person}", headers=staff_headers).status_code == 200
    spare = network.people["FI"]
    assert client.delete(f"/api/v1/people/{spare}", headers=staff_headers).status_code == 204


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/agencies/14861929025022341120",
        "/api/v1/sessions?person=-10978034896403161088",
        "/api/v1/people/99999999999",
    ],
)
def test_out_of_range_ids_are_a_400_not_a_500(
    client: TestClient, staff_headers: dict[str, str], url: str
) -> None:
    response = client.get(url, headers=staff_headers)
    assert response.status_code in (400, 404)
    assert response.json()["detail"]


def test_kedah_works_sunday_to_thursday(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    kedah = member("MY", subdivision="02")
    friday = first_day(
        clock, lambda day: day.weekday() == FRIDAY and not holiday_on("MY", day, "02")
    )
    sunday = working_start(clock, [kedah], hour=2, weekday=SUNDAY)  # 10:00 in Kedah
    agency = client.post(
        "/api/v1/agencies",
        headers=staff_headers,
        json={
            "name": "Kedah State Secretary's Office",
            "acronym": "SUK-KDH",
            "country_code": "MY",
            "kind": "member_agency",
            "subdivision": "02",
        },
    ).json()
    person = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "Aminah", "email": "aminah@kedah.example.my", "agency_id": agency["id"]},
    ).json()
    refused = book(client, staff_headers, network, people=[person["id"]], start=iso(at(friday, 2)))
    assert refused.status_code == 422
    assert "Friday" in refused.json()["detail"]
    booked = book(client, staff_headers, network, people=[person["id"]], start=iso(sunday))
    assert booked.status_code == 201, booked.text


def test_chair_must_be_invited_and_is_marked_as_chair(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    clock: MovableClock,
) -> None:
    start = iso(working_start(clock, ["TH", "SG"]))
    outsider = book(
        client,
        staff_headers,
        network,
        people=[network.people["TH"]],
        chair_person_id=network.people["SG"],
        start=start,
    )
    assert outsider.status_code == 422
    assert outsider.json()["errors"][0]["field"] == "chair_person_id"
    assert _sessions(engine) == 0
    chaired = book(
        client,
        staff_headers,
        network,
        countries=["TH", "SG"],
        chair_person_id=network.people["SG"],
        start=start,
    )
    assert chaired.status_code == 201, chaired.text
    roles = {a["country_code"]: a["role"] for a in chaired.json()["attendees"]}
    assert roles == {"SG": "CHAIR", "TH": "REQ-PARTICIPANT"}


def test_the_chair_country_must_take_part(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    clock: MovableClock,
) -> None:
    start = iso(working_start(clock, ["TH", "SG"]))
    uninvited = book(
        client, staff_headers, network, countries=["TH", "SG"], chair_country="LA", start=start
    )
    assert uninvited.status_code == 422, uninvited.text
    error = uninvited.json()["errors"][0]
    assert error["field"] == "chair_country"
    assert "SG, TH" in error["reason"]
    assert _sessions(engine) == 0
    chaired = book(
        client,
        staff_headers,
        network,
        people=[network.people["SG"]],
        chair_country="sg",
        start=start,
    )
    assert chaired.status_code == 201, chaired.text
    assert chaired.json()["chair_country"] == "SG"


def test_refused_booking_leaves_no_meeting_at_the_provider(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    with running_fake_bbb() as bbb:
        bridge = make_bridge(client, staff_headers, "BBB", "bigbluebutton", bbb.bridge_settings())
        refused = book(
            client,
            staff_headers,
            network,
            people=[network.people["TH"]],
            chair_person_id=network.people["SG"],
            bridge_id=bridge,
            start=iso(working_start(clock, ["TH"])),
        )
        assert refused.status_code == 422
        assert bbb.meetings == {}


def test_a_cancel_sent_with_a_stale_revision_is_refused(
    client: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> None:
    booked = book(
        client, staff_headers, network, countries=["TH"], start=iso(working_start(clock, ["TH"]))
    )
    assert booked.status_code == 201, booked.text
    session = booked.json()
    path = f"/api/v1/sessions/{session['id']}"
    renamed = client.patch(
        path, headers=staff_headers, json={"revision": session["revision"], "title": "Renamed"}
    )
    assert renamed.status_code == 200, renamed.text

    stale = client.post(
        f"{path}/cancel", headers=staff_headers, json={"revision": session["revision"]}
    )
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == renamed.json()["revision"]
    assert client.get(path, headers=staff_headers).json()["status"] == "confirmed"
    current = client.post(
        f"{path}/cancel", headers=staff_headers, json={"revision": renamed.json()["revision"]}
    )
    assert current.status_code == 200, current.text
    assert current.json()[0]["status"] == "cancelled"
