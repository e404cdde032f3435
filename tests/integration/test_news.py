"""News: staff write posts through the API and the pages; the public reads the published ones,
on the site and in the Atom feed, never the drafts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.app import create_app
from service.auth import service as auth
from service.db import session_scope
from service.settings import Settings
from tests.dates import MovableClock
from tests.integration.web_client import form_token, sign_in
from tests.support.live_app import serving

pytestmark = pytest.mark.db
API = "/api/v1/news"
PARALLEL = 8
ATOM = "{http://www.w3.org/2005/Atom}"
PASSWORD = "a long enough password"
SCRIPT_BODY = "Budget **agreed**.\n\n<script>alert('news')</script>\n\n[bad](javascript:alert(1))"


def _post(client: TestClient, headers: dict[str, str], **fields: object) -> dict[str, object]:
    response = client.post(API, headers=headers, json={"title": "Hello"} | fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_staff_write_posts_and_the_public_reads_only_the_published_ones(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    before = clock.now()
    draft = _post(client, staff_headers, title="Plans for the retreat", body="Not yet.")
    published = _post(
        client,
        staff_headers,
        title="ASEAN Pubs meets in Hà Nội",
        body=SCRIPT_BODY,
        language="en",
        published=True,
    )
    assert draft["slug"] == "plans-for-the-retreat"
    assert draft["published"] is False
    assert draft["published_at"] is None
    assert published["slug"] == "asean-pubs-meets-in-ha-noi"
    assert before <= datetime.fromisoformat(str(published["published_at"])) <= clock.now()
    assert published["url"] == "https://vdo.test/news/asean-pubs-meets-in-ha-noi"

    public = client.get(API).json()
    assert [p["slug"] for p in public["items"]] == ["asean-pubs-meets-in-ha-noi"]
    assert public["total"] == 1
    assert client.get(f"{API}/plans-for-the-retreat").status_code == 404
    staff_view = client.get(API, headers=staff_headers).json()
    assert {p["slug"] for p in staff_view["items"]} == {
        "plans-for-the-retreat",
        "asean-pubs-meets-in-ha-noi",
    }
    assert client.get(f"{API}/plans-for-the-retreat", headers=staff_headers).status_code == 200

    html = client.get(f"{API}/asean-pubs-meets-in-ha-noi").json()["html"]
    assert "<strong>agreed</strong>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_publishing_a_draft_stamps_it_with_the_clock_and_withdrawing_hides_it(
    client: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> None:
    _post(client, staff_headers, title="Retreat")
    clock.advance(timedelta(hours=5))
    before = clock.now()
    published = client.patch(f"{API}/retreat", headers=staff_headers, json={"published": True})
    assert published.status_code == 200, published.text
    first_published = published.json()["published_at"]
    assert before <= datetime.fromisoformat(first_published) <= clock.now()
    assert client.get(f"{API}/retreat").status_code == 200

    clock.advance(timedelta(hours=1))
    withdrawn = client.patch(
        f"{API}/retreat", headers=staff_headers, json={"published": False, "title": "Retreat!"}
    )
    assert withdrawn.json()["slug"] == "retreat"  # the address stays
    assert client.get(f"{API}/retreat").status_code == 404
    again = client.patch(f"{API}/retreat", headers=staff_headers, json={"published": True})
    assert again.json()["published_at"] == first_published


def test_addresses_are_unique_and_the_api_refuses_what_it_cannot_take(
    client: TestClient, staff_headers: dict[str, str], delegate_headers: dict[str, str]
) -> None:
    assert _post(client, staff_headers, title="Update")["slug"] == "update"
    assert _post(client, staff_headers, title="Update")["slug"] == "update-2"
    assert _post(client, staff_headers, title="ข่าวสาร")["slug"] == "news"
    taken = client.post(API, headers=staff_headers, json={"title": "Other", "slug": "update"})
    assert taken.status_code == 409
    bad_slug = client.post(API, headers=staff_headers, json={"title": "x", "slug": "No Way"})
    assert bad_slug.status_code == 400
    blank = client.post(API, headers=staff_headers, json={"title": "   "})
    assert blank.status_code == 400
    nothing = client.patch(f"{API}/update", headers=staff_headers, json={})
    assert nothing.status_code == 422
    null_title = client.patch(f"{API}/update", headers=staff_headers, json={"title": None})
    assert null_title.status_code == 422
    assert client.post(API, headers=delegate_headers, json={"title": "Mine"}).status_code == 403
    assert client.post(API, json={"title": "Anyone"}).status_code == 401
    bad_token = client.get(API, headers={"Authorization": "Bearer vdo_not-a-token"})
    assert bad_token.status_code == 401
    assert client.delete(f"{API}/update", headers=staff_headers).status_code == 204
    assert client.get(f"{API}/update", headers=staff_headers).status_code == 404
    assert client.delete(f"{API}/update", headers=staff_headers).status_code == 404


def test_the_atom_feed_is_xml_with_the_published_entries(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    _post(client, staff_headers, title="Draft only")
    _post(client, staff_headers, title="First & foremost", body=SCRIPT_BODY, published=True)
    _post(client, staff_headers, title="ข่าวจากสำนักเลขาธิการ", language="th", published=True)
    response = client.get("/news.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert response.headers["cache-control"] == "public, max-age=300"
    feed = ET.fromstring(response.content)  # noqa: S314 - the service's own feed
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    titles = {entry.findtext(f"{ATOM}title") for entry in entries}
    assert titles == {"First & foremost", "ข่าวจากสำนักเลขาธิการ"}
    first = next(e for e in entries if e.findtext(f"{ATOM}title") == "First & foremost")
    assert first.findtext(f"{ATOM}id") == "https://vdo.test/news/first-foremost"
    content = first.findtext(f"{ATOM}content") or ""
    assert "<strong>agreed</strong>" in content
    assert "<script>" not in content
    for entry in entries:
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")


def test_the_news_pages_show_published_posts_and_markdown_script_as_text(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    _post(client, staff_headers, title="Secret plans", body="Draft text")
    _post(client, staff_headers, title="<b>Bold</b> title", body=SCRIPT_BODY, published=True)
    index = client.get("/news")
    assert index.status_code == 200
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in index.text
    assert "Secret plans" not in index.text
    assert 'href="/news.atom"' in index.text
    post = client.get("/news/b-bold-b-title")
    assert post.status_code == 200
    assert "<strong>agreed</strong>" in post.text
    assert "&lt;script&gt;alert('news')&lt;/script&gt;" in post.text
    assert "<script>alert" not in post.text
    assert client.get("/news/secret-plans").status_code == 404


def _staff_account(engine: Engine) -> None:
    with session_scope(engine) as db:
        auth.create_user(
            db, email="editor@example.org", name="Editor", role="secretariat", password=PASSWORD
        )


def test_staff_write_publish_and_delete_a_post_through_the_pages(
    web: TestClient, engine: Engine
) -> None:
    assert 'action="/sign-in"' in web.get("/staff/news").text
    _staff_account(engine)
    sign_in(web, "editor@example.org", PASSWORD)
    token = form_token(web, "/staff/news")

    refused = web.post("/staff/news", data={"title": "", "_csrf_token": token})
    assert refused.status_code == 422
    assert "The post was not saved" in refused.text

    created = web.post(
        "/staff/news",
        data={"title": "Workshop report", "body": "We *met*.", "_csrf_token": token},
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/staff/news/workshop-report?saved=1"
    assert web.get("/news/workshop-report").status_code == 200  # staff see the draft
    assert "Draft: only staff see" in web.get("/news/workshop-report").text
    assert "Workshop report" not in web.get("/news").text

    published = web.post(
        "/staff/news/workshop-report",
        data={
            "title": "Workshop report",
            "body": "We *met*.",
            "language": "en",
            "published": "on",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert "Workshop report" in web.get("/news").text
    assert "<em>met</em>" in web.get("/news/workshop-report").text

    without_token = web.post("/staff/news/workshop-report/delete", follow_redirects=False)
    assert without_token.status_code == 403
    deleted = web.post(
        "/staff/news/workshop-report/delete", data={"_csrf_token": token}, follow_redirects=False
    )
    assert deleted.status_code == 303
    assert web.get("/news/workshop-report").status_code == 404


def test_a_delegate_cannot_reach_the_news_editor(web: TestClient, engine: Engine) -> None:
    with session_scope(engine) as db:
        auth.create_user(
            db, email="delegate@example.org", name="D", role="delegate", password=PASSWORD
        )
    sign_in(web, "delegate@example.org", PASSWORD)
    page = web.get("/staff/news")
    assert page.status_code == 403
    token = form_token(web, "/news")
    posted = web.post("/staff/news", data={"title": "Mine", "_csrf_token": token})
    assert posted.status_code == 403


def test_posts_written_at_once_get_their_own_addresses_and_one_publication_time(
    client: TestClient, staff_headers: dict[str, str], settings: Settings, engine: Engine
) -> None:
    """Real server, threads at once: the same title gets one address each (the unique index
    refuses a taken one and the post moves on), and a draft published by several people at
    the same moment keeps the one publication time."""
    with (
        serving(create_app(settings, engine=engine)) as base_url,
        ThreadPoolExecutor(PARALLEL) as pool,
    ):
        created = list(
            pool.map(
                lambda _: httpx.post(
                    f"{base_url}{API}", headers=staff_headers, json={"title": "Retreat"}, timeout=60
                ),
                range(PARALLEL),
            )
        )
        assert sorted(r.status_code for r in created) == [201] * PARALLEL, [r.text for r in created]
        slugs = {r.json()["slug"] for r in created}
        assert slugs == {"retreat"} | {f"retreat-{n}" for n in range(2, PARALLEL + 1)}
        published = list(
            pool.map(
                lambda _: httpx.patch(
                    f"{base_url}{API}/retreat",
                    headers=staff_headers,
                    json={"published": True},
                    timeout=60,
                ),
                range(PARALLEL),
            )
        )
    assert [r.status_code for r in published] == [200] * PARALLEL
    assert len({r.json()["published_at"] for r in published}) == 1
