"""The pages in a real browser: Debian's /usr/bin/chromium, headless, driven by Playwright
(never a browser Playwright downloads), against the real app under uvicorn.

Skipped, saying why, only where /usr/bin/chromium is missing: CI installs it (.ci/run).
Screenshots of the main pages at desktop and phone widths go to a temporary folder
(VDO_SCREENSHOTS chooses another). axe-core (npm, tests/browser/package.json) checks each
main page for serious or critical accessibility violations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service import migrations
from service.app import create_app
from service.auth import service as auth
from service.db import make_engine, session_scope
from service.demo import DEMO_PASSWORD
from service.directory.service import seed_member_countries
from service.settings import Settings
from tests.browser.chromium import (
    needs_chromium,
    screenshot_folder,
    screenshots,
    serious_violations,
)
from tests.dates import MovableClock, iso, working_start
from tests.integration.network import book, build_network
from tests.support.live_app import serving

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The real app on a free port, with a Thai delegate invited to a session whose title tries
    to inject a script."""
    folder = tmp_path_factory.mktemp("browser")
    engine: Engine = make_engine(f"sqlite:///{folder / 'vdo.sqlite3'}")
    migrations.upgrade(engine)
    clock = MovableClock()
    settings = Settings(
        database_url=str(engine.url), log_requests=False, base_url="http://127.0.0.1"
    )
    app = create_app(settings, engine=engine, clock=clock)
    with session_scope(engine) as db:
        seed_member_countries(db)
        staff = auth.create_user(
            db, email="officer@example.org", name="Officer", role="secretariat"
        )
        token = auth.issue_token(db, staff)[1]
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app=app) as client:
        network = build_network(client, headers)
        booked = book(
            client,
            headers,
            network,
            title="<script>window.injected = 1</script> Budget talks",
            start=iso(working_start(clock, ["TH", "SG"])),
            people=[network.people["TH"], network.people["SG"]],
        )
        assert booked.status_code == 201, booked.text
    with session_scope(engine) as db:
        auth.create_user(
            db,
            email="delegate@th.example",
            name="Delegate TH",
            role="delegate",
            password=DEMO_PASSWORD,
            person_id=network.people["TH"],
        )
    shots = screenshot_folder(folder / "screenshots")
    with serving(create_app(settings, engine=engine, clock=clock)) as base_url:
        yield {"base": base_url, "session_id": booked.json()["id"], "shots": shots}
    engine.dispose()


def _sign_in(page: Any, base: str, path: str) -> None:
    page.goto(base + path)
    page.get_by_label("Email").fill("delegate@th.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + path)


def test_the_public_schedule_signed_out_shows_no_join_link(
    page: Any, world: dict[str, Any]
) -> None:
    response = page.goto(world["base"] + "/?zone=Asia/Jakarta")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "Budget talks" in page.inner_text("main")
    assert "Asia/Jakarta" in page.inner_text("main")
    hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
    assert not [href for href in hrefs if "meet.example.org" in href]
    assert page.evaluate("window.injected") is None  # the title is text, not a script
    screenshots(page, world["shots"], "schedule")
    assert serious_violations(page) == []


def test_the_invited_delegate_signs_in_sees_their_zone_and_answers(
    page: Any, world: dict[str, Any]
) -> None:
    path = f"/sessions/{world['session_id']}"
    page.goto(world["base"] + path)
    screenshots(page, world["shots"], "sign-in")
    assert serious_violations(page) == []
    _sign_in(page, world["base"], path)

    main = page.inner_text("main")
    assert "<script>window.injected = 1</script> Budget talks" in main
    assert page.evaluate("window.injected") is None
    assert "Asia/Bangkok" in page.inner_text("#answer-heading + p")
    assert page.get_by_role("link", name="Join the session").count() == 1
    screenshots(page, world["shots"], "session")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Accept").click()
    page.wait_for_url("**answered=1")
    assert "Your answer is recorded." in page.inner_text("main")
    assert "So far: Accepted" in page.inner_text("main")

    page.goto(world["base"] + "/me")
    assert "Budget talks" in page.inner_text("main")
    assert "Asia/Bangkok" in page.inner_text("main")
    page.get_by_role("button", name="Make my private link").click()
    assert "/feeds/" in page.inner_text("code.secret")
    screenshots(page, world["shots"], "me")
    assert serious_violations(page) == []


def test_a_form_posted_without_its_csrf_token_is_refused(page: Any, world: dict[str, Any]) -> None:
    page.goto(world["base"] + "/sign-in")
    page.eval_on_selector("input[name=_csrf_token]", "input => input.remove()")
    page.get_by_label("Email").fill("delegate@th.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_response(
        lambda r: r.url.endswith("/sign-in") and r.request.method == "POST"
    ) as posted:
        page.get_by_role("button", name="Sign in").click()
    assert posted.value.status == 403
    page.goto(world["base"] + "/me")
    assert page.get_by_label("Password").count() == 1  # still signed out
