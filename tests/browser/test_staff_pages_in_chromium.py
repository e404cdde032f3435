"""The secretariat's pages in Debian's Chromium: plan and book a session from the planner,
resolve a minutes conflict between two tabs without losing text, issue a circular and open
its PDF, attach a paper to the agenda that the invitee then downloads. Screenshots of each
staff page at desktop and phone widths, and the axe-core check.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from service import migrations
from service.app import create_app
from service.auth import service as auth
from service.db import make_engine, session_scope
from service.demo import DEMO_PASSWORD
from service.directory.service import seed_member_countries
from service.settings import Settings
from tests.browser.chromium import (
    DESKTOP,
    needs_chromium,
    screenshot_folder,
    screenshots,
    serious_violations,
)
from tests.dates import MovableClock, iso, working_start
from tests.integration.network import book, build_network
from tests.support.live_app import serving

pytestmark = needs_chromium
OFFICER = "officer@example.org"
DELEGATE = "delegate@th.example"
PAPER = b"%PDF-1.7\n% the budget paper\n"


@pytest.fixture(scope="module")
def staff_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The real app on a free port: the member states' delegates, one bridge, a staff member
    and Thailand's delegate who sign in with the demo password, one booked session to write the
    minutes of, and one to attach papers to."""
    folder = tmp_path_factory.mktemp("staff-browser")
    engine = make_engine(f"sqlite:///{folder / 'vdo.sqlite3'}")
    migrations.upgrade(engine)
    clock = MovableClock()
    settings = Settings(
        database_url=str(engine.url), log_requests=False, base_url="http://127.0.0.1"
    )
    with session_scope(engine) as db:
        seed_member_countries(db)
        officer = auth.create_user(
            db, email=OFFICER, name="Officer", role="secretariat", password=DEMO_PASSWORD
        )
        headers = {"Authorization": f"Bearer {auth.issue_token(db, officer)[1]}"}
    day = working_start(clock, ["TH", "SG"])
    with TestClient(app=create_app(settings, engine=engine, clock=clock)) as client:
        network = build_network(client, headers)
        held = book(
            client, headers, network, title="Heads of delegation", start=iso(day), countries=["TH"]
        )
        assert held.status_code == 201, held.text
        with_papers = book(
            client,
            headers,
            network,
            title="Budget retreat",
            start=iso(day + timedelta(hours=2)),
            countries=["TH"],
            acknowledge_problems=True,
        )
        assert with_papers.status_code == 201, with_papers.text
    with session_scope(engine) as db:
        auth.create_user(
            db,
            email=DELEGATE,
            name="Delegate",
            role="delegate",
            password=DEMO_PASSWORD,
            person_id=network.people["TH"],
        )
    with serving(create_app(settings, engine=engine, clock=clock)) as base_url:
        yield {
            "base": base_url,
            "day": day.date(),
            "session_id": held.json()["id"],
            "papers_session_id": with_papers.json()["id"],
            "shots": screenshot_folder(folder / "screenshots"),
        }
    engine.dispose()


def _signed_in(page: Any, base: str, path: str, email: str = OFFICER) -> None:
    page.goto(base + path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + path)


def _checked_page(page: Any, world: dict[str, Any], name: str) -> None:
    screenshots(page, world["shots"], name)
    assert serious_violations(page) == []


def test_plan_and_book_a_session_from_the_planner(page: Any, staff_world: dict[str, Any]) -> None:
    base = staff_world["base"]
    _signed_in(page, base, "/staff/planner")
    page.get_by_label("Thailand").check()
    page.get_by_label("Singapore").check()
    page.get_by_label("From").fill(str(staff_world["day"]))
    page.get_by_label("To").fill(str(staff_world["day"]))
    page.get_by_role("button", name="Find slots").click()
    page.wait_for_selector("table.grid")
    grid = page.inner_text("table.grid")
    assert "Thailand" in grid
    assert "Bridge Room A" in grid
    assert page.locator("table.grid td.booked").count() >= 2  # the held session, 60 min
    assert "Asia/Singapore" in page.inner_text("ol.slots")
    _checked_page(page, staff_world, "staff-planner")

    page.get_by_label("Session title").fill("Budget planning")
    page.locator("ol.slots li").first.get_by_role("button", name="Book").click()
    page.wait_for_url("**/staff/sessions/*?done=booked")
    assert "The session is booked" in page.inner_text("main")
    assert page.inner_text("h1") == "Budget planning"
    _checked_page(page, staff_world, "staff-session")


def _minutes_summary(page: Any) -> Any:
    return page.get_by_label("Summary (Markdown)").first


def test_edit_minutes_in_two_tabs_and_resolve_the_conflict(
    page: Any, staff_world: dict[str, Any]
) -> None:
    path = f"/staff/sessions/{staff_world['session_id']}"
    _signed_in(page, staff_world["base"], path)
    other_tab = page.context.new_page()
    other_tab.goto(staff_world["base"] + path)

    _minutes_summary(page).fill("The chair opened the meeting.")
    page.get_by_role("button", name="Save the minutes").click()
    page.wait_for_url("**done=minutes")

    _minutes_summary(other_tab).fill("Singapore presented its report.")
    other_tab.get_by_role("button", name="Save the minutes").click()
    other_tab.wait_for_selector("#minutes-conflict")
    assert _minutes_summary(other_tab).input_value() == "Singapore presented its report."
    assert "The chair opened the meeting." in other_tab.inner_text("#minutes-conflict")
    _checked_page(other_tab, staff_world, "staff-minutes-conflict")

    merged = "The chair opened the meeting. Singapore presented its report."
    _minutes_summary(other_tab).fill(merged)
    other_tab.get_by_role("button", name="Save the minutes").click()
    other_tab.wait_for_url("**done=minutes")
    assert _minutes_summary(other_tab).input_value() == merged
    assert "revision 2" in other_tab.inner_text("#minutes-heading")


def test_issue_a_circular_and_open_its_pdf(page: Any, staff_world: dict[str, Any]) -> None:
    path = f"/staff/sessions/{staff_world['session_id']}"
    _signed_in(page, staff_world["base"], path)
    page.get_by_label("Kind").select_option("notice")
    with page.expect_popup() as preview:
        page.get_by_role("button", name="Preview HTML").click()
    assert "Heads of delegation" in preview.value.inner_text("body")
    preview.value.close()

    page.get_by_role("button", name="Issue the circular").click()
    page.wait_for_url("**done=issued")
    link = page.get_by_role("link", name="PDF")
    pdf = page.context.request.get(staff_world["base"] + link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_attach_a_paper_that_the_invitee_downloads(
    page: Any, staff_world: dict[str, Any], tmp_path: Path
) -> None:
    base, session_id = staff_world["base"], staff_world["papers_session_id"]
    _signed_in(page, base, f"/staff/sessions/{session_id}")
    assert "Save the agenda to attach papers." in page.inner_text("main")
    page.get_by_text("Edit the agenda").click()
    page.get_by_label("Title").nth(1).fill("Budget 2031")  # the first is the session's title
    page.get_by_role("button", name="Save the agenda").click()
    page.wait_for_url("**done=agenda")

    paper = tmp_path / "budget.pdf"
    paper.write_bytes(PAPER)
    upload = page.locator("form.paper-upload").first
    upload.locator('input[type="file"]').set_input_files(str(paper))
    upload.get_by_role("button", name="Attach", exact=True).click()
    page.wait_for_url("**done=paper")
    assert "The paper is attached" in page.inner_text("main")
    _checked_page(page, staff_world, "staff-session-papers")

    invitee = page.context.browser.new_context(viewport=DESKTOP).new_page()
    _signed_in(invitee, base, f"/sessions/{session_id}", DELEGATE)
    link = invitee.get_by_role("link", name="budget.pdf")
    assert "PDF, 1 KB" in invitee.inner_text("ol.agenda")
    with invitee.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "budget.pdf"
    assert Path(download.value.path()).read_bytes() == PAPER
    invitee.context.close()


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("staff-countries", "/staff/directory"),
        ("staff-country", "/staff/directory/countries/MM"),
        ("staff-people", "/staff/directory/people"),
        ("staff-agencies", "/staff/directory/agencies"),
        ("staff-import", "/staff/directory/import"),
        ("staff-bridges", "/staff/bridges"),
        ("staff-outbox", "/staff/outbox"),
    ],
)
def test_the_directory_bridges_and_outbox_pages_are_accessible(
    page: Any, staff_world: dict[str, Any], name: str, path: str
) -> None:
    _signed_in(page, staff_world["base"], path)
    assert page.locator("h1").count() == 1
    _checked_page(page, staff_world, name)
