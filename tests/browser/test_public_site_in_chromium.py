"""The public site in a real browser, signed out: a news post, the schedule in English and in
Thai, the library, and the API documentation with no other host reachable. Desktop and phone
screenshots and the axe-core check, as for the other pages (tests/browser/chromium.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from service import migrations
from service.app import create_app
from service.db import make_engine, session_scope
from service.demo import load_demo
from service.settings import Settings
from tests.browser.chromium import (
    DESKTOP,
    needs_chromium,
    screenshot_folder,
    screenshots,
    serious_violations,
)
from tests.dates import MovableClock
from tests.support.live_app import serving

pytestmark = needs_chromium
COMMITTEE = "ASEAN Pubs Steering Committee"  # a session of the demo network


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The real app on a free port with the demo network (its sessions and first news posts)."""
    folder = tmp_path_factory.mktemp("public-site")
    engine = make_engine(f"sqlite:///{folder / 'vdo.sqlite3'}")
    migrations.upgrade(engine)
    clock = MovableClock()
    settings = Settings(
        database_url=str(engine.url), log_requests=False, base_url="http://127.0.0.1"
    )
    with session_scope(engine) as db:
        tokens = load_demo(db, now=clock.now()).tokens
    with serving(create_app(settings, engine=engine, clock=clock)) as base_url:
        yield {
            "base": base_url,
            "staff": {"Authorization": f"Bearer {tokens['secretariat']}"},
            "shots": screenshot_folder(folder / "screenshots"),
        }
    engine.dispose()


def test_a_news_post_signed_out_in_english_and_in_thai(page: Any, site: dict[str, Any]) -> None:
    posted = httpx.post(
        site["base"] + "/api/v1/news",
        headers=site["staff"],
        json={
            "title": "Workshop on open government",
            "body": "Delegates **agreed** on a plan.\n\n<script>window.injected = 2</script>",
            "published": True,
        },
    )
    assert posted.status_code == 201, posted.text
    page.goto(site["base"] + "/news")
    page.get_by_role("link", name="Workshop on open government").click()
    page.wait_for_url("**/news/workshop-on-open-government")
    main = page.inner_text("main")
    assert "Delegates agreed on a plan." in main
    assert "<script>window.injected = 2</script>" in main  # shown as text
    assert page.evaluate("window.injected") is None
    screenshots(page, site["shots"], "news-post-en")
    assert serious_violations(page) == []

    page.get_by_role("link", name="ไทย").click()
    page.wait_for_url("**/news/workshop-on-open-government")
    assert page.get_attribute("html", "lang") == "th"
    assert page.get_by_role("link", name="ข่าวทั้งหมด").count() == 1
    # Thai in the service's own Sarabun, whatever fonts the machine has.
    assert page.evaluate(
        "document.fonts.ready.then(() => document.fonts.check('16px Sarabun', 'ไทย'))"
    )
    screenshots(page, site["shots"], "news-post-th")
    assert serious_violations(page) == []
    page.get_by_role("link", name="ข่าวทั้งหมด").click()
    assert "ยินดีต้อนรับสู่ช่องทางการประชุมทางวิดีโอ ASEAN Pubs" in page.inner_text("main")
    screenshots(page, site["shots"], "news-th")
    assert serious_violations(page) == []
    page.get_by_role("link", name="กำหนดการ").click()
    assert "การประชุมที่กำลังจะมาถึง" in page.inner_text("main")
    assert COMMITTEE in page.inner_text("main")
    screenshots(page, site["shots"], "schedule-th")
    assert serious_violations(page) == []


def test_a_thai_browser_reads_the_schedule_in_thai_signed_out(
    browser: Any, site: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="th-TH")
    thai = context.new_page()
    thai.goto(site["base"] + "/?zone=Asia/Bangkok")
    assert thai.get_attribute("html", "lang") == "th"
    main = thai.inner_text("main")
    assert "การประชุมที่กำลังจะมาถึง" in main
    assert COMMITTEE in main
    assert "นาที" in main
    hrefs = thai.eval_on_selector_all("a", "links => links.map(a => a.href)")
    assert not [href for href in hrefs if "meet." in href]
    thai.get_by_role("link", name="English").click()
    assert "Upcoming sessions" in thai.inner_text("main")
    context.close()


def test_the_library_is_searched_and_read_signed_out(page: Any, site: dict[str, Any]) -> None:
    for title, country in [("Service innovation manual", "TH"), ("Digital ID guide", "SG")]:
        added = httpx.post(
            site["base"] + "/api/v1/library",
            headers=site["staff"],
            data={
                "title": title,
                "year": "2025",
                "language": "en",
                "country": country,
                "public": "true",
            },
            files={"file": ("manual.pdf", b"%PDF-1.7 " + title.encode())},
        )
        assert added.status_code == 201, added.text
    page.goto(site["base"] + "/library")
    page.get_by_label("Words in the title or summary").fill("innovation")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/library?q=innovation**")
    main = page.inner_text("main")
    assert "Service innovation manual" in main
    assert "Digital ID guide" not in main
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Service innovation manual").click()
    assert download.value.suggested_filename == "manual.pdf"
    screenshots(page, site["shots"], "library")
    assert serious_violations(page) == []


def test_the_api_documentation_needs_no_other_host(page: Any, site: dict[str, Any]) -> None:
    own_host = urlsplit(site["base"]).netloc
    elsewhere: list[str] = []

    def only_this_service(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own_host:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_service)
    page.goto(site["base"] + "/schema")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "ASEAN Pubs VDO-Conference Service" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock-tag").filter(has_text="news").count() == 1
    assert elsewhere == []
