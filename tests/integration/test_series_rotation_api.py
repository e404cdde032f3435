"""Who chairs a series' occurrences: always a country taking part, in ASEAN's order by default."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
import pytz
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from service.db import session_scope
from service.demo import load_demo
from service.scheduling.models import Series
from service.scheduling.rotation import CHARTER_ORDER
from service.scheduling.series import extend_series
from tests.integration.network import Network, book, build_network

WORKING_GROUP = ["VN", "TH", "PH", "MY", "ID"]  # the demo's Digital Government Working Group


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _thursday_afternoon_in_bangkok(weeks_ahead: int = 2) -> str:
    """14:00 in Bangkok on a Thursday a few weeks from now (07:00 UTC)."""
    today = datetime.now(UTC).date()
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 + 7 * weeks_ahead)
    start = pytz.timezone("Asia/Bangkok").localize(datetime.combine(thursday, time(14)))
    return start.isoformat()


def _weekly_series(client: TestClient, headers: dict[str, str], network: Network, **fields: object):
    body = {
        "start": _thursday_afternoon_in_bangkok(),
        "recurrence": {"freq": "WEEKLY", "byweekday": ["TH"], "count": 7},
        "acknowledge_problems": True,
    } | fields
    return book(client, headers, network, **body)


def _chairs(client: TestClient, headers: dict[str, str], series_id: int) -> list[str | None]:
    page = client.get("/api/v1/sessions?limit=500", headers=headers).json()
    return [s["chair_country"] for s in page["items"] if s["series_id"] == series_id]


def test_the_chair_rotates_over_the_invited_members_only(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    response = _weekly_series(
        client, staff_headers, network, countries=WORKING_GROUP, chair_country="ID"
    )
    assert response.status_code == 201, response.text
    chairs = _chairs(client, staff_headers, response.json()["series_id"])
    assert chairs == ["ID", "MY", "PH", "TH", "VN", "ID", "MY"]


def test_opt_outs_are_honoured_among_the_invited(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    response = _weekly_series(
        client,
        staff_headers,
        network,
        countries=WORKING_GROUP,
        chair_country="PH",
        host_opt_outs=["th"],
    )
    assert response.status_code == 201, response.text
    chairs = _chairs(client, staff_headers, response.json()["series_id"])
    assert chairs == ["PH", "VN", "ID", "MY", "PH", "VN", "ID"]


def test_an_invited_partner_hosts_only_when_staff_name_it(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    default = _weekly_series(
        client, staff_headers, network, countries=["FI", "TH", "KH"], chair_country="TH"
    )
    assert default.status_code == 201, default.text
    assert _chairs(client, staff_headers, default.json()["series_id"]) == [
        "TH", "KH", "TH", "KH", "TH", "KH", "TH",
    ]  # fmt: skip
    refused = _weekly_series(
        client,
        staff_headers,
        network,
        countries=["FI", "TH", "KH"],
        chair_country="FI",
        start=_thursday_afternoon_in_bangkok(weeks_ahead=12),
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "chair_country"
    named = _weekly_series(
        client,
        staff_headers,
        network,
        countries=["FI", "TH", "KH"],
        host_order=["fi", "TH"],
        start=_thursday_afternoon_in_bangkok(weeks_ahead=12),
    )
    assert named.status_code == 201, named.text
    assert _chairs(client, staff_headers, named.json()["series_id"])[:3] == ["FI", "TH", "FI"]


def test_a_host_order_naming_an_uninvited_country_is_refused_and_books_nothing(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    response = _weekly_series(
        client, staff_headers, network, countries=WORKING_GROUP, host_order=["TH", "LA", "VN"]
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "host_order"
    assert "LA not invited" in response.json()["detail"]
    assert client.get("/api/v1/sessions", headers=staff_headers).json()["total"] == 0


def test_a_series_of_people_rotates_over_their_member_countries(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    people = [network.people[code] for code in ("SG", "FI", "KH")]
    response = _weekly_series(client, staff_headers, network, people=people, chair_country="SG")
    assert response.status_code == 201, response.text
    chairs = _chairs(client, staff_headers, response.json()["series_id"])
    assert chairs == ["SG", "KH", "SG", "KH", "SG", "KH", "SG"]


def test_extending_a_series_keeps_the_chair_among_the_invited(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    response = _weekly_series(
        client,
        staff_headers,
        network,
        countries=WORKING_GROUP,
        chair_country="ID",
        host_opt_outs=["my"],  # stored as typed by series booked before this was normalised
        recurrence={"freq": "WEEKLY", "byweekday": ["TH"]},
    )
    assert response.status_code == 201, response.text
    series_id = response.json()["series_id"]
    before = _chairs(client, staff_headers, series_id)
    with session_scope(engine) as db:
        series = db.exec(select(Series).where(Series.id == series_id)).one()
        assert (series.host_order, series.host_opt_outs) == (["ID", "MY", "PH", "TH", "VN"], ["MY"])
        # Series booked earlier stored every member as the order, and opt-outs as typed.
        series.host_order = list(CHARTER_ORDER)
        series.host_opt_outs = ["my"]
        db.add(series)
    with session_scope(engine) as db:
        added = extend_series(db, now=datetime.now(UTC) + timedelta(days=28)).added
    after = _chairs(client, staff_headers, series_id)
    assert added == 4
    assert after[: len(before)] == before
    assert set(after) <= {"ID", "PH", "TH", "VN"}
    order = ["ID", "PH", "TH", "VN"]
    assert all(order[(order.index(a) + 1) % 4] == b for a, b in itertools.pairwise(after))


def test_the_demo_working_group_is_chaired_by_its_own_countries(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    with session_scope(engine) as db:
        load_demo(db, now=datetime.now(UTC))
    page = client.get("/api/v1/sessions?limit=500", headers=staff_headers).json()
    group = [s for s in page["items"] if s["title"] == "Digital Government Working Group"]
    assert group
    for occurrence in group:
        assert occurrence["chair_country"] in occurrence["countries"]
    assert [o["chair_country"] for o in group][:6] == ["ID", "MY", "PH", "TH", "VN", "ID"]
