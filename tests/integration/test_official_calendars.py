"""Official calendars over HTTP: recorded exceptions and imported lists reach bookings and plans.

Dates are relative to the clock ("next year"), with the package's own forecast for that year as
the starting point, so these tests keep their meaning whatever year they run in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from litestar.testing import TestClient

from service.scheduling.holidays_calendar import Holiday, holidays_between
from tests.integration.network import Network, book, build_network
from tests.integration.relative_dates import local_start

NEXT_YEAR = datetime.now(UTC).year + 1
SATURDAY = 5


@pytest.fixture
def network(client: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(client, staff_headers)


def _package_year(country: str, year: int = NEXT_YEAR, subdivision: str | None = None):
    return holidays_between(country, date(year, 1, 1), date(year, 12, 31), subdivision)


def _weekday_after(day: date, country: str, weekday: int = 0) -> date:
    """The first `weekday` on or after `day` that is no holiday of the country (package)."""
    off = {h.date for h in _package_year(country, day.year)}
    while day.weekday() != weekday or day in off:
        day += timedelta(days=1)
    return day


def _final_name(name: str) -> str:
    """Drops the mark: "X (estimated)" -> "X", "X (observed, estimated)" -> "X (observed)"."""
    return name.replace(" (estimated)", "").replace(", estimated)", ")")


def _csv(days: list[Holiday], working: Sequence[date] = ()) -> str:
    """The list as a government would publish it: final names, without "(estimated)"."""
    text = io.StringIO()
    rows = csv.writer(text)
    rows.writerow(["date", "name", "kind"])
    rows.writerows([h.date, _final_name(h.name), "day_off"] for h in days)
    rows.writerows([day, "Make-up working day", "working_day"] for day in working)
    return text.getvalue()


def _import(client, headers, code: str, content: str, *, save: bool, **fields: object):
    body = {"year": NEXT_YEAR, "format": "csv", "content": content, "source": "Gazette"}
    response = client.post(
        f"/api/v1/countries/{code}/calendar/import",
        headers=headers,
        json=body | {"save": save} | fields,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _grid(client, headers, code: str, day: date) -> dict:
    response = client.get(f"/api/v1/planner/day?countries={code}&day={day}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["rows"][0]


def test_putrajaya_days_off_block_a_booking_of_a_delegation_in_the_capital(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    federal = {h.date for h in _package_year("MY")}
    putrajaya_only = [
        h.date
        for h in _package_year("MY", subdivision="16")
        if h.date not in federal and h.date.weekday() < 5
    ]
    assert putrajaya_only  # 2027: New Year, Thaipusam, Federal Territory Day, Nuzul, Deepavali
    for day in putrajaya_only:
        start = local_start(day, 10, "Asia/Kuala_Lumpur")
        refused = book(client, staff_headers, network, countries=["MY"], start=start.isoformat())
        assert refused.status_code == 422, (day, refused.text)
        assert "Malaysia (Asia/Kuala_Lumpur): public holiday" in refused.text


def test_an_imported_myanmar_list_replaces_thingyan_and_its_make_up_saturday_is_bookable(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    package = _package_year("MM")
    thingyan = [h for h in package if h.name == "Myanmar New Year"]
    assert len(thingyan) >= 3
    moved = [Holiday(h.date - timedelta(days=2), h.name, False) for h in thingyan]
    listed = [h for h in package if h.name != "Myanmar New Year"] + moved
    saturday = _weekday_after(date(NEXT_YEAR, 1, 8), "MM", SATURDAY)
    content = _csv(listed, working=[saturday])

    preview = _import(client, staff_headers, "MM", content, save=False)
    assert not preview["saved"]
    added = {d["date"] for d in preview["added"]}
    removed = {d["date"] for d in preview["removed"]}
    assert {h.date.isoformat() for h in moved[:2]} | {saturday.isoformat()} <= added
    assert {h.date.isoformat() for h in thingyan[-2:]} == removed
    assert len(preview["unchanged"]) == len(listed) - 2
    calendar = client.get("/api/v1/countries/MM/calendar", headers=staff_headers).json()
    assert calendar["entries"] == []
    assert calendar["official_lists"] == []

    saved = _import(client, staff_headers, "MM", content, save=True)
    assert saved["saved"]
    assert saved["added"] == preview["added"]
    again = _import(client, staff_headers, "MM", content, save=False)
    assert again["added"] == again["removed"] == []

    last_package_day = thingyan[-1].date  # a day off no more
    grid = _grid(client, staff_headers, "MM", last_package_day)
    assert grid["days_off_confirmed"]
    assert all(cell["status"] != "holiday" for cell in grid["cells"])
    at_ten = local_start(saturday, 10, "Asia/Yangon").isoformat()
    booked = book(client, staff_headers, network, countries=["MM"], start=at_ten)
    assert booked.status_code == 201, booked.text


def test_brunei_ramadan_hours_refuse_15_00_during_ramadan_and_accept_it_after(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    package = _package_year("BN")
    first = next(h.date for h in package if h.name.startswith("First Day of Ramadan"))
    eid = next(h.date for h in package if h.name.startswith("Eid al-Fitr"))
    week = {day: [["08:00", "14:00"]] for day in ("mon", "tue", "wed", "thu", "sat")}
    added = client.post(
        "/api/v1/countries/BN/calendar",
        headers=staff_headers,
        json={
            "kind": "hours",
            "first_day": first.isoformat(),
            "last_day": (eid - timedelta(days=1)).isoformat(),
            "name": "Ramadan working hours",
            "source": "Prime Minister's Office circular",
            "hours": week,
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["recorded_by"]

    during = _weekday_after(first + timedelta(days=7), "BN")
    after = _weekday_after(eid + timedelta(days=7), "BN")
    for day, expected in ((during, 422), (after, 201)):
        start = local_start(day, 15, "Asia/Brunei").isoformat()
        answer = book(client, staff_headers, network, countries=["BN"], start=start)
        assert answer.status_code == expected, (day, answer.text)
    assert (
        "outside office hours (15:00-16:00 local)"
        in book(
            client,
            staff_headers,
            network,
            countries=["BN"],
            start=local_start(during, 15, "Asia/Brunei").isoformat(),
        ).text
    )


def test_a_viet_nam_swap_moves_the_working_day(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    friday = _weekday_after(date(NEXT_YEAR, 3, 1), "VN", 4)
    saturday = friday + timedelta(days=8)
    for kind, day in (("day_off", friday), ("working_day", saturday)):
        response = client.post(
            "/api/v1/countries/VN/calendar",
            headers=staff_headers,
            json={"kind": kind, "first_day": day.isoformat(), "name": "Swap", "source": "MoHA"},
        )
        assert response.status_code == 201, response.text
    query = f"countries=VN&from={friday}&to={saturday}&duration=60&step=60&limit=50"
    plan = client.get(f"/api/v1/planner?{query}", headers=staff_headers).json()
    local_days = {slot["participants"][0]["local_start"][:10] for slot in plan["slots"]}
    assert saturday.isoformat() in local_days
    assert friday.isoformat() not in local_days


def test_an_estimated_date_is_flagged_until_an_imported_list_confirms_it(
    client: TestClient, staff_headers: dict[str, str], network: Network
) -> None:
    package = _package_year("BN")
    estimated = next(h for h in package if h.estimated)
    before = _grid(client, staff_headers, "BN", estimated.date)
    assert not before["days_off_confirmed"]
    assert any("(estimated)" in cell["detail"] for cell in before["cells"])

    _import(client, staff_headers, "BN", _csv(package), save=True)
    after = _grid(client, staff_headers, "BN", estimated.date)
    assert after["days_off_confirmed"]
    assert not any("estimated" in cell["detail"] for cell in after["cells"])
    assert any(cell["status"] == "holiday" for cell in after["cells"])


def test_coverage_says_how_far_ahead_each_country_is_confirmed(
    client: TestClient, staff_headers: dict[str, str], delegate_headers: dict[str, str]
) -> None:
    for year in (NEXT_YEAR - 1, NEXT_YEAR):
        days = _package_year("TH", year)
        _import(client, staff_headers, "TH", _csv(days), save=True, year=year)
    coverage = client.get("/api/v1/official-calendars", headers=delegate_headers).json()
    by_code = {row["code"]: row for row in coverage}
    assert by_code["TH"]["confirmed_through"] == f"{NEXT_YEAR}-12-31"
    assert by_code["TH"]["confirmed_years"] == [NEXT_YEAR - 1, NEXT_YEAR]
    assert by_code["MM"]["confirmed_through"] is None


def test_entries_are_kept_by_staff_with_clear_refusals(
    client: TestClient, staff_headers: dict[str, str], delegate_headers: dict[str, str]
) -> None:
    url = "/api/v1/countries/TL/calendar"
    entry = {"kind": "day_off", "first_day": f"{NEXT_YEAR}-12-24", "name": "Christmas Eve"}
    entry["source"] = "Government decision"
    assert client.post(url, headers=delegate_headers, json=entry).status_code == 403
    refusals = {
        "colour": ({**entry, "colour": "red"}, "colour"),
        "hours": ({**entry, "hours": {"mon": [["08:00", "12:00"]]}}, "hours"),
        "order": ({**entry, "last_day": f"{NEXT_YEAR}-12-01"}, "last_day"),
        "subdivision": ({**entry, "subdivision": "XX"}, "subdivision"),
        "name": ({**entry, "name": "x" * 201}, "name"),
    }
    for case, (body, field) in refusals.items():
        response = client.post(url, headers=staff_headers, json=body)
        assert response.status_code in (400, 422), (case, response.text)
        assert field in response.text, case
    created = client.post(url, headers=staff_headers, json=entry)
    assert created.status_code == 201, created.text
    listed = client.get(url, headers=delegate_headers).json()["entries"]
    assert [e["name"] for e in listed] == ["Christmas Eve"]
    entry_id = created.json()["id"]
    assert client.delete(f"{url}/{entry_id}", headers=staff_headers).status_code == 204
    assert client.delete(f"{url}/{entry_id}", headers=staff_headers).status_code == 404
    assert client.get(url, headers=staff_headers).json()["entries"] == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("date,name\nnot-a-date,New Year", "line 2"),
        (f"{NEXT_YEAR + 1}-01-01,New Year", f"the list is for {NEXT_YEAR}"),
        (f"{NEXT_YEAR}-01-01,New Year,holiday", "kind"),
        ("BEGIN:VCALENDAR\nnonsense", "content"),
    ],
)
def test_a_bad_list_is_refused_naming_the_line_and_saves_nothing(
    client: TestClient, staff_headers: dict[str, str], content: str, reason: str
) -> None:
    list_format = "ics" if content.startswith("BEGIN") else "csv"
    response = client.post(
        "/api/v1/countries/LA/calendar/import",
        headers=staff_headers,
        json={
            "year": NEXT_YEAR,
            "format": list_format,
            "content": content,
            "source": "Gazette",
            "save": True,
        },
    )
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]
    assert client.get("/api/v1/countries/LA/calendar", headers=staff_headers).json() == {
        "country_code": "LA",
        "official_lists": [],
        "entries": [],
    }


def test_an_icalendar_list_counts_one_day_off_per_event_day(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Gazette//EN",
            "BEGIN:VEVENT",
            "UID:1@gazette",
            f"DTSTART;VALUE=DATE:{NEXT_YEAR}0411",
            f"DTEND;VALUE=DATE:{NEXT_YEAR}0414",
            "SUMMARY:Thingyan",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    diff = _import(client, staff_headers, "MM", ics, save=False, format="ics")
    listed = [d["date"] for d in diff["added"] + diff["unchanged"]]
    assert listed == [f"{NEXT_YEAR}-04-{day}" for day in ("11", "12", "13")]
