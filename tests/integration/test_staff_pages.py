"""The secretariat's pages over HTTP: planner, session management, directory, bridges, outbox."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email import message_from_string, policy

import pytest
from httpx import Response
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import col, select, text

from service.db import session_scope
from service.delivery.models import MessageState, OutboxMessage
from service.settings import Settings
from tests.dates import MovableClock, iso, next_holiday, working_start
from tests.integration.network import Network, book, build_network
from tests.integration.outbox_world import queue_plain_emails
from tests.integration.test_feeds_from_memory import statements_on
from tests.integration.web_client import PASSWORD, account, form_token, sign_in

pytestmark = pytest.mark.db
BOOK_BUTTON = re.compile(r'name="start" value="([^"]+)"')
SERIES_INPUT = re.compile(r'name="(series_from|series_revision)" value="(\d+)"')
CANCEL_FORM = re.compile(r'action="/staff/sessions/\d+/cancel">(.*?)</form>', re.DOTALL)
SHOWN_INPUT = re.compile(r'name="(revision|series_from|series_revision)" value="(\d+)"')
START_INPUT = re.compile(
    r'id="change-start" name="start" type="datetime-local" required value="([^"]+)"'
)


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


def test_the_planner_page_plans_from_the_planner_memory(
    officer: TestClient, network: Network, clock: MovableClock, engine: Engine
) -> None:
    """Asked again, the page reads no one's busy spans again, as the JSON API does not (the
    grid's row of the bridge's bookings is read each time, by the API too)."""
    query = _planner_query(network, clock) | {"people": [str(network.people["TH"])]}
    first = officer.get("/staff/planner", params=query)
    assert first.status_code == 200, first.text
    with statements_on(engine) as statements:
        again = officer.get("/staff/planner", params=query)
    assert BOOK_BUTTON.findall(again.text) == BOOK_BUTTON.findall(first.text)
    busy = ("person_unavailability", "session_participant")
    assert [s for s in statements if any(table in s for table in busy)] == []


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


@pytest.fixture
def session_id(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> int:
    booked = book(
        officer,
        staff_headers,
        network,
        title="Budget talks",
        start=iso(working_start(clock, ["TH", "SG"])),
        countries=["TH", "SG"],
    )
    assert booked.status_code == 201, booked.text
    return int(booked.json()["id"])


def _post(client: TestClient, path: str, data: dict[str, object]) -> Response:
    token = form_token(client)
    return client.post(path, data=data | {"_csrf_token": token}, follow_redirects=False)


def test_staff_reschedule_a_session_from_its_page(
    officer: TestClient, session_id: int, staff_headers: dict[str, str]
) -> None:
    page = officer.get(f"/staff/sessions/{session_id}")
    assert page.status_code == 200
    assert "Budget talks" in page.text
    before = officer.get(f"/api/v1/sessions/{session_id}", headers=staff_headers).json()
    start = START_INPUT.search(page.text)
    assert start, "the start in the organiser's zone"
    later = datetime.fromisoformat(start.group(1)) + timedelta(hours=1)
    moved = _post(
        officer,
        f"/staff/sessions/{session_id}/reschedule",
        {
            "revision": before["revision"],
            "title": "Budget talks (moved)",
            "start": f"{later:%Y-%m-%dT%H:%M}",
            "duration": "45",
            "scope": "this",
            "acknowledge": "true",
        },
    )
    assert moved.status_code == 303, moved.text
    after = officer.get(f"/api/v1/sessions/{session_id}", headers=staff_headers).json()
    assert after["title"] == "Budget talks (moved)"
    assert after["start"] != before["start"]
    assert "The session is rescheduled" in officer.get(moved.headers["location"]).text


def _cancel_form(officer: TestClient, session_id: object) -> dict[str, str]:
    """What the page's cancel form posts besides the choices: the revisions it was shown with."""
    form = CANCEL_FORM.search(officer.get(f"/staff/sessions/{session_id}").text)
    assert form, "no cancel form on the page"
    return dict(SHOWN_INPUT.findall(form.group(1)))


def test_cancelling_needs_the_box_ticked(
    officer: TestClient, session_id: int, staff_headers: dict[str, str]
) -> None:
    path = f"/staff/sessions/{session_id}/cancel"
    shown = _cancel_form(officer, session_id)
    unconfirmed = _post(officer, path, shown | {"scope": "this"})
    assert unconfirmed.status_code == 409
    assert "Tick the box" in unconfirmed.text
    api = f"/api/v1/sessions/{session_id}"
    assert officer.get(api, headers=staff_headers).json()["status"] == "confirmed"
    cancelled = _post(officer, path, shown | {"scope": "this", "confirm": "true"})
    assert cancelled.status_code == 303
    assert officer.get(api, headers=staff_headers).json()["status"] == "cancelled"


def test_cancelling_refuses_when_the_session_changed_since_the_page_was_shown(
    officer: TestClient, session_id: int, staff_headers: dict[str, str]
) -> None:
    shown = _cancel_form(officer, session_id)
    api = f"/api/v1/sessions/{session_id}"
    revision = officer.get(api, headers=staff_headers).json()["revision"]
    moved = officer.patch(api, headers=staff_headers, json={"revision": revision, "title": "Moved"})
    assert moved.status_code == 200, moved.text
    path = f"/staff/sessions/{session_id}/cancel"
    stale = _post(officer, path, shown | {"scope": "this", "confirm": "true"})
    assert stale.status_code == 409
    assert "reload and try again" in stale.text
    assert officer.get(api, headers=staff_headers).json()["status"] == "confirmed"


def test_the_agenda_is_edited_with_sub_items(
    officer: TestClient, session_id: int, staff_headers: dict[str, str]
) -> None:
    saved = _post(
        officer,
        f"/staff/sessions/{session_id}/agenda",
        {
            "revision": "0",
            "item_id": ["", "", "", ""],
            "level": ["item", "sub", "item", "item"],
            "title": ["Opening", "Welcome by the chair", "Budget", ""],
            "presenter": ["", "TH", "", ""],
            "minutes": ["5", "", "", ""],
            "description": ["", "", "The *draft* budget", ""],
        },
    )
    assert saved.status_code == 303, saved.text
    agenda = officer.get(f"/api/v1/sessions/{session_id}/agenda", headers=staff_headers).json()
    assert [(i["number"], i["title"]) for i in agenda["items"]] == [
        ("1", "Opening"),
        ("1.1", "Welcome by the chair"),
        ("2", "Budget"),
    ]
    assert agenda["items"][0]["minutes_allotted"] == 5
    assert agenda["items"][1]["presenter"] == "TH"
    assert "<em>draft</em>" in officer.get(f"/staff/sessions/{session_id}").text

    stale = _post(
        officer,
        f"/staff/sessions/{session_id}/agenda",
        {
            "revision": "0",
            "item_id": [""],
            "level": ["item"],
            "title": ["Other"],
            "presenter": [""],
            "minutes": [""],
            "description": [""],
        },
    )
    assert stale.status_code == 409
    assert "The agenda changed" in stale.text


def _minutes_form(page: str, summary: str, free_text: str) -> dict[str, object]:
    numbers = re.findall(r'name="number" value="([^"]+)"', page)
    titles = re.findall(r'name="item_title" value="([^"]+)"', page)
    base = re.search(r'name="base_revision" value="(\d+)"', page)
    assert numbers
    assert base
    return {
        "base_revision": base.group(1),
        "number": numbers,
        "item_title": titles,
        "summary": [summary] + [""] * (len(numbers) - 1),
        "decisions": [""] * len(numbers),
        "free_text": free_text,
    }


def test_a_stale_minutes_save_keeps_the_text_and_shows_both_versions(
    officer: TestClient, session_id: int, staff_headers: dict[str, str]
) -> None:
    path = f"/staff/sessions/{session_id}"
    first_tab = _minutes_form(officer.get(path).text, "Opened at ten.", "")
    second_tab = _minutes_form(officer.get(path).text, "The chair opened.", "Thanks to SG.")
    assert _post(officer, f"{path}/minutes", first_tab).status_code == 303

    conflict = _post(officer, f"{path}/minutes", second_tab)
    assert conflict.status_code == 409
    text = conflict.text
    assert 'id="minutes-conflict"' in text
    assert ">The chair opened.</textarea>" in text  # the user's text, still in the editor
    assert ">Thanks to SG.</textarea>" in text
    assert "<pre>Opened at ten.</pre>" in text  # the revision saved meanwhile, beside it
    assert 'name="base_revision" value="1"' in text

    merged = _minutes_form(text, "Opened at ten. The chair opened.", "Thanks to SG.")
    assert _post(officer, f"{path}/minutes", merged).status_code == 303
    minutes = officer.get(f"/api/v1/sessions/{session_id}/minutes", headers=staff_headers).json()
    assert minutes["revision"] == 2
    assert minutes["items"][0]["summary"] == "Opened at ten. The chair opened."
    assert minutes["free_text"] == "Thanks to SG."


def test_minutes_are_circulated_adopted_and_issued_as_a_circular(
    officer: TestClient, session_id: int, clock: MovableClock
) -> None:
    path = f"/staff/sessions/{session_id}"
    assert _post(officer, f"{path}/minutes", _minutes_form(officer.get(path).text, "Done.", ""))
    deadline = (clock.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    assert _post(officer, f"{path}/minutes/circulate", {"deadline": deadline}).status_code == 303
    assert "Adopt the minutes" in officer.get(path).text
    assert _post(officer, f"{path}/minutes/adopt", {}).status_code == 303
    assert "(adopted, revision 1)" in officer.get(path).text

    preview = _post(officer, f"{path}/circulars/preview?format=html", {"kind": "minutes"})
    assert preview.status_code == 200
    assert "Done." in preview.text
    assert preview.headers["content-security-policy"].startswith("default-src 'none'")
    issued = _post(officer, f"{path}/circulars", {"kind": "minutes", "language": "en"})
    assert issued.status_code == 303, issued.text
    page = officer.get(path).text
    pdf_link = re.search(r'href="(/circulars/\d+\.pdf)"', page)
    assert pdf_link
    pdf = officer.get(pdf_link.group(1))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_a_circular_is_not_shown_to_someone_not_invited(
    officer: TestClient, session_id: int, engine: Engine, network: Network
) -> None:
    path = f"/staff/sessions/{session_id}"
    assert _post(officer, f"{path}/circulars", {"kind": "notice"}).status_code == 303
    link = re.search(r'href="(/circulars/\d+\.html)"', officer.get(path).text)
    assert link
    account(engine, "delegate@mm.example", "delegate", network.people["MM"])
    sign_in(officer, "delegate@mm.example", PASSWORD)
    assert officer.get(link.group(1)).status_code == 403


def test_the_directory_shows_office_hours_and_days_off(
    officer: TestClient, network: Network, clock: MovableClock
) -> None:
    countries = officer.get("/staff/directory")
    assert countries.status_code == 200
    assert "Myanmar" in countries.text
    assert "Finland" in countries.text  # a partner's country
    thailand = officer.get("/staff/directory/countries/TH")
    assert thailand.status_code == 200
    assert "Monday" in thailand.text
    holiday = next_holiday(clock, "TH", weekdays=range(7))
    assert f"{holiday.date:%a} {holiday.date.day} {holiday.date:%b %Y}" in thailand.text
    assert officer.get("/staff/directory/countries/XX").status_code == 404

    people = officer.get("/staff/directory/people", params={"country": "TH"})
    assert "delegate@th.example" in people.text
    assert "delegate@sg.example" not in people.text
    agencies = officer.get("/staff/directory/agencies", params={"q": "singapore"})
    assert "CSA-SG" in agencies.text
    assert "CSA-TH" not in agencies.text


def _upload(client: TestClient, text: str) -> Response:
    return client.post(
        "/staff/directory/import",
        data={"_csrf_token": form_token(client)},
        files={"data": ("people.csv", text.encode(), "text/csv")},
    )


def test_a_csv_import_reports_each_bad_row_and_imports_nothing(
    officer: TestClient, staff_headers: dict[str, str]
) -> None:
    refused = _upload(
        officer,
        "name,email,country,zone\n"
        "Good Row,good@example.org,TH,\n"
        "Bad Zone,bz@example.org,TH,Asia/Bankok\n"
        ",not-an-email,TH,\n",
    )
    assert refused.status_code == 422
    rows = re.findall(r'<tr><th scope="row">(\d+)</th><td>(\w+)</td>', refused.text)
    assert ("3", "zone") in rows
    assert ("4", "name") in rows
    assert ("4", "email") in rows
    listed = officer.get("/api/v1/people", params={"q": "good"}, headers=staff_headers).json()
    assert listed["total"] == 0

    imported = _upload(officer, "name,email,country\nGood Row,good@example.org,TH\n")
    assert imported.status_code == 200
    assert "1 people imported" in imported.text


def test_an_import_without_a_file_is_told_so(officer: TestClient) -> None:
    refused = officer.post("/staff/directory/import", data={"_csrf_token": form_token(officer)})
    assert refused.status_code == 422
    assert "Choose a CSV file to import." in refused.text


def test_bridges_are_listed_without_their_settings(officer: TestClient, network: Network) -> None:
    page = officer.get("/staff/bridges")
    assert page.status_code == 200
    assert "Room A" in page.text
    assert "meet.example.org" not in page.text


def test_staff_retry_a_dead_message_from_the_outbox(
    officer: TestClient, engine: Engine, web_settings: Settings
) -> None:
    queue_plain_emails(engine, web_settings, 2)
    with session_scope(engine) as db:
        dead = db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).first()
        assert dead is not None
        dead.state, dead.attempts, dead.last_error = MessageState.dead, 8, "550 no such user"
        db.add(dead)
        dead_id = dead.id
    page = officer.get("/staff/outbox", params={"state": "dead"})
    assert "550 no such user" in page.text
    assert page.text.count("Retry<span") == 1
    assert "<td>Gave up</td>" in page.text
    thai = officer.get("/staff/outbox", params={"state": "dead"}, headers={"Accept-Language": "th"})
    assert "<td>ส่งไม่สำเร็จ</td>" in thai.text
    assert "อีเมล," in thai.text  # the message's kind
    retried = _post(officer, f"/staff/outbox/{dead_id}/retry", {})
    assert retried.status_code == 303
    assert "will be sent again" in officer.get(retried.headers["location"]).text
    with session_scope(engine) as db:
        again = db.get(OutboxMessage, dead_id)
        assert again is not None
        assert (again.state, again.attempts) == (MessageState.pending, 0)
    twice = _post(officer, f"/staff/outbox/{dead_id}/retry", {})
    assert twice.status_code == 409
    assert "only dead messages are retried" in twice.text


def _session_urls_mailed_to(engine: Engine, address: str, base_url: str) -> set[str]:
    """The session page addresses printed in the emails (text, HTML, invite) to `address`."""
    pattern = re.compile(re.escape(base_url) + r"(/sessions/\d+)\b")
    found = set()
    with session_scope(engine) as db:
        for message in db.exec(select(OutboxMessage).where(OutboxMessage.recipient == address)):
            parsed = message_from_string(message.payload["mime"], policy=policy.default)
            for part in parsed.walk():
                content = part.get_payload(decode=True)
                if isinstance(content, bytes):
                    found |= set(pattern.findall(content.decode("utf-8", "replace")))
    return found


def test_every_session_url_in_the_invitations_resolves(
    officer: TestClient,
    network: Network,
    staff_headers: dict[str, str],
    engine: Engine,
    web_settings: Settings,
    clock: MovableClock,
) -> None:
    query = _planner_query(network, clock)
    start = BOOK_BUTTON.findall(officer.get("/staff/planner", params=query).text)[0]
    booked = _post(
        officer,
        "/staff/planner/book",
        query
        | {
            "title": "Series",
            "start": start,
            "repeat": "weekly",
            "occurrences": "3",
            "acknowledge": "true",
        },
    )
    first = booked.headers["location"].split("?")[0].removeprefix("/staff")
    listed = officer.get("/api/v1/sessions", headers=staff_headers).json()["items"]
    second = f"/sessions/{sorted(listed, key=lambda s: s['start'])[1]['id']}"
    shown = _cancel_form(officer, second.removeprefix("/sessions/"))
    cancelled = _post(
        officer, f"/staff{second}/cancel", shown | {"scope": "this", "confirm": "true"}
    )
    assert cancelled.status_code == 303

    urls = _session_urls_mailed_to(engine, "delegate@th.example", web_settings.base_url)
    assert first in urls  # the series' invite
    officer.post("/sign-out", data={"_csrf_token": form_token(officer)})
    for path in urls:
        signed_out = officer.get(path)
        assert signed_out.status_code == 200, path
        assert f'name="next" value="{path}"' in signed_out.text
    account(engine, "delegate@th.example", "delegate", network.people["TH"])
    sign_in(officer, "delegate@th.example", PASSWORD)
    for path in urls:
        page = officer.get(path)
        assert page.status_code == 200, path
        assert "Series" in page.text
    assert "This session was cancelled." in officer.get(second).text


def _weekly_series(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> list[dict[str, object]]:
    query = _planner_query(network, clock)
    start = BOOK_BUTTON.findall(officer.get("/staff/planner", params=query).text)[0]
    fields = {"title": "Weekly", "start": start, "repeat": "weekly", "occurrences": "3"}
    booked = _post(officer, "/staff/planner/book", query | fields | {"acknowledge": "true"})
    assert booked.status_code == 303, booked.text
    return _series(officer, staff_headers)


def _series(officer: TestClient, staff_headers: dict[str, str]) -> list[dict[str, object]]:
    listed = officer.get("/api/v1/sessions", headers=staff_headers).json()["items"]
    return sorted(listed, key=lambda s: (s["recurrence_id"], s["id"]))


def test_cancelling_the_whole_series_keeps_what_took_place(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    first, _, third = _weekly_series(officer, network, staff_headers, clock)
    clock.move_to(datetime.fromisoformat(str(first["end"])) + timedelta(hours=1))
    page = officer.get(f"/staff/sessions/{third['id']}").text
    assert "The whole series (every session still to come)" in page
    cancelled = _post(
        officer,
        f"/staff/sessions/{third['id']}/cancel",
        _cancel_form(officer, third["id"]) | {"scope": "series", "confirm": "true"},
    )
    assert cancelled.status_code == 303, cancelled.text
    assert [s["status"] for s in _series(officer, staff_headers)] == [
        "confirmed",
        "cancelled",
        "cancelled",
    ]


def test_moving_the_whole_series_moves_every_session_still_to_come(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    first, second, third = _weekly_series(officer, network, staff_headers, clock)
    clock.move_to(datetime.fromisoformat(str(first["end"])) + timedelta(hours=1))
    moved = _move_series_half_an_hour(officer, third)
    assert moved.status_code == 303, moved.text
    after = {s["start"] for s in _series(officer, staff_headers) if s["status"] == "confirmed"}
    half_hour = timedelta(minutes=30)
    assert first["start"] in after  # it took place already
    for later in (second, third):
        shifted = datetime.fromisoformat(str(later["start"]).replace("Z", "+00:00")) + half_hour
        assert iso(shifted) in after


def _move_series_half_an_hour(
    officer: TestClient, shown: dict[str, object], before: Callable[[], object] = lambda: None
) -> Response:
    """The whole series moved half an hour later from `shown`'s page, as the page's form posts
    it; `before` runs between showing the page and posting."""
    page = officer.get(f"/staff/sessions/{shown['id']}").text
    series = dict(SERIES_INPUT.findall(page))
    start = datetime.fromisoformat(str(shown["local_start"])) + timedelta(minutes=30)
    before()
    return _post(
        officer,
        f"/staff/sessions/{shown['id']}/reschedule",
        series
        | {
            "revision": str(shown["revision"]),
            "title": "Weekly",
            "start": f"{start:%Y-%m-%dT%H:%M}",
            "duration": "60",
            "scope": "series",
            "acknowledge": "true",
        },
    )


def test_moving_the_series_refuses_when_its_first_session_changed_meanwhile(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    """The move starts at the first session still to come: an edit of that one since the page
    was shown refuses the move, as an edit of the session shown does."""
    first, second, third = _weekly_series(officer, network, staff_headers, clock)
    clock.move_to(datetime.fromisoformat(str(first["end"])) + timedelta(hours=1))

    def edit_second() -> None:
        edited = officer.patch(
            f"/api/v1/sessions/{second['id']}",
            headers=staff_headers,
            json={"revision": second["revision"], "title": "Weekly (edited)"},
        )
        assert edited.status_code == 200, edited.text

    refused = _move_series_half_an_hour(officer, third, before=edit_second)
    assert refused.status_code == 409, refused.text
    assert "reload and try again" in refused.text
    unmoved = {s["id"]: s["start"] for s in _series(officer, staff_headers)}
    assert unmoved == {s["id"]: s["start"] for s in (first, second, third)}


def test_cancelling_the_series_refuses_when_its_first_session_changed_meanwhile(
    officer: TestClient, network: Network, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    first, second, third = _weekly_series(officer, network, staff_headers, clock)
    clock.move_to(datetime.fromisoformat(str(first["end"])) + timedelta(hours=1))
    shown = _cancel_form(officer, third["id"])
    edited = officer.patch(
        f"/api/v1/sessions/{second['id']}",
        headers=staff_headers,
        json={"revision": second["revision"], "title": "Weekly (edited)"},
    )
    assert edited.status_code == 200, edited.text
    refused = _post(
        officer,
        f"/staff/sessions/{third['id']}/cancel",
        shown | {"scope": "series", "confirm": "true"},
    )
    assert refused.status_code == 409, refused.text
    assert [s["status"] for s in _series(officer, staff_headers)] == ["confirmed"] * 3


def _wait_until_a_request_waits_for_a_row_lock(engine: Engine) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 20
    with engine.connect() as looking:
        while not looking.execute(waiting).scalar_one():
            assert time.monotonic() < deadline, "the move never waited for the row lock"
            time.sleep(0.05)
            looking.rollback()  # a fresh snapshot for the next look


def test_moving_the_series_waits_for_an_edit_of_the_session_shown_then_refuses(
    officer: TestClient,
    network: Network,
    staff_headers: dict[str, str],
    clock: MovableClock,
    engine: Engine,
) -> None:
    """The session shown is edited (its row locked) while the move is under way: the move
    waits for it and then refuses, rather than measure the move from a start since changed."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite serializes writers already")
    first, second, third = _weekly_series(officer, network, staff_headers, clock)
    clock.move_to(datetime.fromisoformat(str(first["end"])) + timedelta(hours=1))
    with engine.connect() as other, ThreadPoolExecutor(1) as pool:
        other.execute(
            text("UPDATE vdo_session SET revision = revision + 1 WHERE id = :id"),
            {"id": third["id"]},
        )
        moving = pool.submit(_move_series_half_an_hour, officer, third)
        _wait_until_a_request_waits_for_a_row_lock(engine)
        other.commit()
        refused = moving.result(timeout=30)
    assert refused.status_code == 409, refused.text
    unmoved = {s["id"]: s["start"] for s in _series(officer, staff_headers)}
    assert unmoved == {s["id"]: s["start"] for s in (first, second, third)}


def test_a_reschedule_from_a_stale_page_is_refused(
    officer: TestClient, session_id: int, staff_headers: dict[str, str]
) -> None:
    api = f"/api/v1/sessions/{session_id}"
    shown = officer.get(api, headers=staff_headers).json()
    edited = officer.patch(
        api, headers=staff_headers, json={"revision": shown["revision"], "title": "Renamed"}
    )
    assert edited.status_code == 200, edited.text
    stale = _post(
        officer,
        f"/staff/sessions/{session_id}/reschedule",
        {
            "revision": shown["revision"],
            "title": "Budget talks (moved)",
            "start": f"{datetime.fromisoformat(shown['local_start']):%Y-%m-%dT%H:%M}",
            "duration": "45",
            "scope": "this",
            "acknowledge": "true",
        },
    )
    assert stale.status_code == 409, stale.text
    assert "changed since you read it" in stale.text
    assert officer.get(api, headers=staff_headers).json()["title"] == "Renamed"


def test_staff_forms_need_their_token_and_bad_posts_get_a_page(
    officer: TestClient, session_id: int
) -> None:
    path = f"/staff/sessions/{session_id}/cancel"
    forged = officer.post(path, data={"scope": "this", "confirm": "true"})
    assert forged.status_code == 403
    assert "This form was out of date" in forged.text
    incomplete = _post(officer, "/staff/planner/book", {"title": "No start"})
    assert incomplete.status_code == 400
    assert incomplete.headers["content-type"].startswith("text/html")
    assert "That did not work" in incomplete.text


def test_the_session_page_links_staff_to_managing_it(officer: TestClient, session_id: int) -> None:
    assert f'href="/staff/sessions/{session_id}"' in officer.get(f"/sessions/{session_id}").text
