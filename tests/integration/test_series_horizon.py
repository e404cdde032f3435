"""`vdo series extend` on both databases: every new occurrence is checked against the bridge (a
clash is skipped, flagged and reported, never double-booked, never aborting the run), its joining
credentials cover it, and bad stored data is reported by series instead of ending in a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import jwt
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from service.cli import main
from service.conferencing.models import Bridge
from service.db import session_scope, utcnow
from service.scheduling import series as series_module
from service.scheduling.models import Series
from service.scheduling.schemas import SessionCreate
from service.scheduling.series import book_series, extend_series
from tests.integration.network import Network, book, build_network, make_bridge
from tests.integration.relative_dates import THURSDAY, TUESDAY, local_start, weekday_ahead

JWT_SETTINGS = {
    "base_url": "https://meet.example.org",
    "jwt_app_id": "aseanpubs",
    "jwt_secret": "a-long-shared-secret-for-prosody-token-auth",
}
HOST_ORDER = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"]


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _occurrences(client: TestClient, headers: dict[str, str], series_id: int) -> list[dict]:
    page = client.get("/api/v1/sessions?limit=500", headers=headers).json()
    return [s for s in page["items"] if s["series_id"] == series_id]


def _open_weekly(network: Network, weekday: int, title: str, **extra: Any) -> SessionCreate:
    day = weekday_ahead(weekday)
    return SessionCreate.model_validate(
        {
            "title": title,
            "start": local_start(day, 14, "Asia/Bangkok").isoformat(),
            "duration_minutes": 60,
            "organiser_zone": "Asia/Bangkok",
            "bridge_id": network.bridge_id,
            "countries": ["TH"],
            "recurrence": {"freq": "WEEKLY", "byweekday": [["MO", "TU", "WE", "TH"][weekday]]},
            "acknowledge_problems": True,
        }
        | extra
    )


def _booked_four_weeks_ago(engine: Engine, *bookings: SessionCreate) -> list[int]:
    """Series booked as if four weeks ago: `vdo series extend` now has four weeks to store."""
    with session_scope(engine) as db:
        return [
            book_series(db, data, now=utcnow() - timedelta(days=28)).series_id or 0
            for data in bookings
        ]


def _use_database(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    monkeypatch.setenv("VDO_DATABASE_URL", engine.url.render_as_string(hide_password=False))


def test_extend_skips_a_clash_flags_and_reports_it_and_extends_everything_else(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    thursdays, tuesdays = _booked_four_weeks_ago(
        engine,
        _open_weekly(network, THURSDAY, "Weekly coordination"),
        _open_weekly(network, TUESDAY, "Tuesday sync"),
    )
    stored = _occurrences(client, staff_headers, thursdays)
    # The first Thursday past the stored horizon: a single session takes the bridge there.
    beyond = datetime.fromisoformat(stored[-1]["start"]) + timedelta(weeks=1)
    clash = book(
        client,
        staff_headers,
        network,
        title="Budget review",
        countries=["TH"],
        start=beyond.isoformat(),
        acknowledge_problems=True,
    )
    assert clash.status_code == 201, clash.text
    tuesdays_before = len(_occurrences(client, staff_headers, tuesdays))

    _use_database(monkeypatch, engine)
    assert main(["series", "extend"]) == 0  # a clash is reported, not an error

    on_the_bridge = client.get(
        f"/api/v1/sessions?from={beyond.date()}&to={beyond.date()}&status=confirmed",
        headers=staff_headers,
    ).json()["items"]
    assert [s["title"] for s in on_the_bridge] == ["Budget review"]
    after = _occurrences(client, staff_headers, thursdays)
    [skipped] = [o for o in after if o["start"] == clash.json()["start"]]
    assert skipped["status"] == "cancelled"
    assert skipped["flags"]["bridge_clash"]["title"] == "Budget review"
    assert [o["status"] for o in after[len(stored) :]].count("confirmed") == 3
    assert len(_occurrences(client, staff_headers, tuesdays)) == tuesdays_before + 4
    report = capsys.readouterr().out
    assert "7 occurrences added" in report
    assert "1 skipped" in report
    assert "Budget review" in report
    assert "Weekly coordination" in report
    # The invitees' calendars leave the skipped occurrence out.
    invite = icalendar.Calendar.from_ical(
        client.get(f"/api/v1/sessions/{stored[0]['id']}/invite.ics", headers=staff_headers).content
    )
    master = next(iter(invite.walk("VEVENT")))
    assert [d.dt for d in master["EXDATE"].dts] == [beyond]


def _token_expiry(join_url: str) -> datetime:
    token = parse_qs(urlsplit(join_url).query)["jwt"][0]
    claims = jwt.decode(token, options={"verify_signature": False})
    return datetime.fromtimestamp(claims["exp"], UTC)


def test_extended_occurrences_carry_a_token_that_is_still_valid_when_they_happen(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    bridge = make_bridge(client, staff_headers, name="Token room", settings=JWT_SETTINGS)
    [series_id] = _booked_four_weeks_ago(
        engine, _open_weekly(network, THURSDAY, "Token series", bridge_id=bridge)
    )
    stored = _occurrences(client, staff_headers, series_id)
    with session_scope(engine) as db:
        extend_series(db, now=utcnow() + timedelta(days=56))

    after = _occurrences(client, staff_headers, series_id)
    assert len(after) == len(stored) + 12
    assert len({o["meeting"]["meeting_id"] for o in after}) == 1  # one room throughout
    for occurrence in after:
        assert _token_expiry(occurrence["meeting"]["join_url"]) >= datetime.fromisoformat(
            occurrence["end"]
        )
    invite = icalendar.Calendar.from_ical(
        client.get(f"/api/v1/sessions/{after[0]['id']}/invite.ics", headers=staff_headers).content
    )
    master = next(iter(invite.walk("VEVENT")))
    assert _token_expiry(str(master["LOCATION"])) >= datetime.fromisoformat(after[-1]["end"])


def test_lower_case_opt_outs_are_normalised_at_booking_so_extend_rotates_past_them(
    client: TestClient, staff_headers: dict[str, str], network: Network, engine: Engine
) -> None:
    response = book(
        client,
        staff_headers,
        network,
        countries=["th", "tl", "bn", "vn"],
        start=local_start(weekday_ahead(THURSDAY), 14, "Asia/Bangkok").isoformat(),
        chair_country="th",
        host_opt_outs=["tl", "bn"],
        recurrence={"freq": "WEEKLY", "byweekday": ["TH"]},
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    with session_scope(engine) as db:
        extend_series(db, now=utcnow() + timedelta(days=28))

    hosts = [
        o["chair_country"]
        for o in _occurrences(client, staff_headers, response.json()["series_id"])
    ]
    # The invited members in ASEAN's order, less those who opted out.
    hosting = [code for code in HOST_ORDER if code in {"TH", "VN"}]
    assert hosts[0] == "TH"
    assert hosts == [hosting[(hosting.index("TH") + turn) % 2] for turn in range(len(hosts))]


def test_extend_reports_a_series_with_bad_stored_data_and_still_extends_the_others(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken, healthy = _booked_four_weeks_ago(
        engine,
        _open_weekly(network, THURSDAY, "Broken series", chair_country="TH"),
        _open_weekly(network, TUESDAY, "Healthy series"),
    )
    with session_scope(engine) as db:
        series = db.get(Series, broken)
        assert series is not None
        series.organiser_zone = "Xx/Nowhere"  # as no booking would store it today
        db.add(series)
    broken_before = len(_occurrences(client, staff_headers, broken))
    healthy_before = len(_occurrences(client, staff_headers, healthy))

    _use_database(monkeypatch, engine)
    assert main(["series", "extend"]) == 1

    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert f"series {broken}" in captured.err
    assert "Broken series" in captured.err
    assert "xx" in captured.err.lower()
    assert "4 occurrences added" in captured.out
    assert len(_occurrences(client, staff_headers, broken)) == broken_before
    assert len(_occurrences(client, staff_headers, healthy)) == healthy_before + 4


def test_a_booking_that_wins_the_race_after_the_check_is_skipped_not_aborting_the_run(
    client: TestClient,
    staff_headers: dict[str, str],
    network: Network,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers: nothing can book between the check and insert")
    [series_id] = _booked_four_weeks_ago(engine, _open_weekly(network, THURSDAY, "Raced series"))
    stored = _occurrences(client, staff_headers, series_id)
    beyond = datetime.fromisoformat(stored[-1]["start"]) + timedelta(weeks=1)
    clash = book(
        client,
        staff_headers,
        network,
        title="Budget review",
        countries=["TH"],
        start=beyond.isoformat(),
        acknowledge_problems=True,
    )
    assert clash.status_code == 201, clash.text
    # The check misses it, as if the booking committed just after: the database's guard then
    # refuses the insert, in a savepoint, and the occurrence is skipped all the same.
    real_check = series_module._bridge_clash
    missed: list[datetime] = []

    def check_too_early(db: Session, bridge: Bridge, start: datetime, end: datetime):
        if start == beyond and not missed:
            missed.append(start)
            return None
        return real_check(db, bridge, start, end)

    monkeypatch.setattr(series_module, "_bridge_clash", check_too_early)
    with session_scope(engine) as db:
        report = extend_series(db, now=utcnow())

    assert missed == [beyond]
    assert [s.taken_by for s in report.skipped] == ["Budget review"]
    assert report.added == 3
    [skipped] = [
        o
        for o in _occurrences(client, staff_headers, series_id)
        if o["start"] == clash.json()["start"]
    ]
    assert skipped["status"] == "cancelled"
