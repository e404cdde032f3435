"""The interface in English and Thai: every text the pages show has its Thai translation, the
browser's Accept-Language is the default and the reader's pick, kept in a cookie, wins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.rendering.i18n import LOCALE_DIR, chosen_language
from tests.dates import MovableClock, iso, working_start
from tests.integration.minutes_world import circulated_for_review
from tests.integration.network import book, build_network
from tests.integration.web_client import PASSWORD, account, form_token, sign_in

ROOT = Path(__file__).resolve().parents[2]
THAI = {"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"}
THAI_MONTHS = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย."]
THAI_MONTHS += ["ต.ค.", "พ.ย.", "ธ.ค."]


def _interface_text() -> set[str]:
    """What `make messages` extracts: the templates' text and Python's N_() messages."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(ROOT, method_map, options_map, keywords={"_": None, "N_": None})
    return {message if isinstance(message, str) else message[0] for *_, message, _, _ in found}


def test_every_text_of_the_pages_has_a_thai_translation() -> None:
    with (LOCALE_DIR / "th" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="th")
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id  # a plural: by its singular
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    text = _interface_text()
    assert "Upcoming sessions" in text
    assert sorted(text - translated) == []


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "en"),
        (None, "th-TH,th;q=0.9,en;q=0.8", "th"),
        (None, "en-GB,en;q=0.9,th;q=0.8", "en"),
        (None, "fr-FR, th;q=0.4, *;q=0.1", "th"),  # the best one we have
        (None, "en;q=0.1, TH", "th"),  # weights, not order, and any case
        (None, "th;q=0, en", "en"),  # q=0: not wanted at all
        (None, "de, fr", "en"),
        ("en", "th", "en"),  # the reader's pick wins
        ("xx", "th", "th"),  # a cookie we cannot honour is ignored
    ],
)
def test_the_language_is_the_readers_pick_else_the_browsers(
    cookie: str | None, header: str | None, expected: str
) -> None:
    assert chosen_language(cookie, header) == expected


@pytest.mark.db
def test_a_thai_browser_gets_thai_pages_until_the_reader_picks_english(web: TestClient) -> None:
    page = web.get("/sign-in", headers=THAI)
    assert '<html lang="th">' in page.text
    assert "เข้าสู่ระบบ" in page.text
    assert ">Password<" not in page.text

    picked = web.get("/language/en", params={"next": "/sign-in"}, follow_redirects=False)
    assert picked.status_code == 303
    assert picked.headers["location"] == "/sign-in"
    cookie = picked.headers["set-cookie"]
    assert cookie.startswith("vdo_lang=en")
    assert "HttpOnly" in cookie
    english = web.get("/sign-in", headers=THAI)
    assert '<html lang="en">' in english.text
    assert ">Password<" in english.text


@pytest.mark.db
def test_an_unknown_language_or_a_foreign_next_changes_nothing(web: TestClient) -> None:
    picked = web.get(
        "/language/xx", params={"next": "https://evil.example/"}, follow_redirects=False
    )
    assert picked.status_code == 303
    assert picked.headers["location"] == "/"
    assert "vdo_lang" not in picked.headers.get("set-cookie", "")


@pytest.mark.db
def test_a_refused_sign_in_is_explained_in_thai(web: TestClient) -> None:
    token = form_token(web)
    refused = web.post(
        "/sign-in",
        data={"email": "nobody@example.org", "password": "wrong guess", "_csrf_token": token},
        headers=THAI,
    )
    assert refused.status_code == 401
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in refused.text


@pytest.mark.db
def test_the_public_schedule_in_thai_names_days_and_months_in_thai(
    web: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    network = build_network(web, staff_headers)
    start = working_start(clock, ["TH"])
    booked = book(
        web,
        staff_headers,
        network,
        title="Budget talks",
        start=iso(start),
        people=[network.people["TH"]],
    )
    assert booked.status_code == 201, booked.text
    thai = web.get("/", headers=THAI, params={"zone": "Asia/Bangkok"}).text
    assert "การประชุมที่กำลังจะมาถึง" in thai
    assert any(f" {month} " in thai for month in THAI_MONTHS)
    assert "นาที" in thai
    english = web.get("/", params={"zone": "Asia/Bangkok"}).text
    assert "Upcoming sessions" in english
    assert not any(f" {month} " in english for month in THAI_MONTHS)


def _pick(web: TestClient, language: str) -> None:
    assert web.get(f"/language/{language}", follow_redirects=False).status_code == 303


@pytest.mark.db
def test_the_staff_planner_and_the_minutes_review_are_in_the_readers_language(
    web: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    review = f"/me/minutes/{circulated_for_review(web, staff_headers, engine).session}"
    account(engine, "officer@example.org", "secretariat")
    assert sign_in(web, "officer@example.org", PASSWORD).status_code == 303
    _pick(web, "th")
    thai = web.get("/staff/planner").text
    assert "<h1>เครื่องมือวางแผนการประชุม</h1>" in thai
    assert "ผู้เข้าร่วมประชุมและช่วงเวลา" in thai
    assert ">Planner<" not in thai
    _pick(web, "en")
    english = web.get("/staff/planner").text
    assert "<h1>Meeting planner</h1>" in english
    assert "Who meets, and when" in english

    assert sign_in(web, "th@minutes.example", PASSWORD).status_code == 303
    _pick(web, "th")
    thai = web.get(review).text
    assert "<h1>รายงานการประชุม: Monthly coordination 2</h1>" in thai
    assert "ท่าทีของคณะผู้แทนของคุณ (TH)" in thai
    assert "Send comment" not in thai
    assert any(f" {month} " in thai for month in THAI_MONTHS)  # the dates too
    _pick(web, "en")
    english = web.get(review).text
    assert "<h1>Minutes: Monthly coordination 2</h1>" in english
    assert "Your delegation's position (TH)" in english
    assert "(your time, Asia/Bangkok)" in english
    assert not any(f" {month} " in english for month in THAI_MONTHS)


@pytest.mark.db
def test_the_stylesheets_thai_font_is_served_by_the_service(web: TestClient) -> None:
    stylesheet = web.get("/static/site.css").text
    for url in re.findall(r'url\("(/fonts/[^"]+)"\)', stylesheet):
        font = web.get(url)
        assert font.status_code == 200, url
        assert font.content[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert "/fonts/Sarabun-Regular.ttf" in stylesheet
