"""The pages over HTTP: sign-in, CSRF, headers, and who sees which session page."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.app import create_app
from service.settings import Settings
from service.web.security import SECURITY_HEADERS
from tests.dates import MovableClock, iso, working_start
from tests.integration.network import Network, book, build_network
from tests.integration.web_client import PASSWORD, account, form_token, sign_in

pytestmark = pytest.mark.db


@pytest.fixture
def booked(
    web: TestClient, staff_headers: dict[str, str], clock: MovableClock
) -> tuple[Network, int]:
    network = build_network(web, staff_headers)
    start = working_start(clock, ["TH", "SG"])
    response = book(
        web,
        staff_headers,
        network,
        title="<script>alert(1)</script> Budget talks",
        start=iso(start),
        people=[network.people["TH"], network.people["SG"]],
    )
    assert response.status_code == 201, response.text
    return network, response.json()["id"]


def test_every_page_carries_the_security_headers(web: TestClient) -> None:
    pages = ["/", "/sign-in", "/sessions/999", "/no-such-page", "/static/site.css"]
    public_site = ["/news", "/news/no-such-post", "/news.atom", "/library", "/staff/news"]
    for path in [*pages, *public_site, "/language/th", "/fonts/Sarabun-Regular.ttf"]:
        response = web.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
    policy = SECURITY_HEADERS["content-security-policy"]
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_signing_in_sets_an_httponly_samesite_cookie_and_signing_out_ends_it(
    web: TestClient, engine: Engine
) -> None:
    account(engine, "officer@example.org", "secretariat")
    response = sign_in(web, "officer@example.org", PASSWORD, "/staff")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("vdo_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("SameSite=Lax", "SameSite=lax")
    assert "Secure" not in cookie  # served over http here
    assert web.get("/staff").status_code == 200

    signed_out = web.post(
        "/sign-out", data={"_csrf_token": form_token(web, "/")}, follow_redirects=False
    )
    assert signed_out.status_code == 303
    assert "Dashboard" not in web.get("/staff").text


def test_cookies_are_secure_when_served_over_https(engine: Engine, clock: MovableClock) -> None:
    settings = Settings(
        database_url=str(engine.url), log_requests=False, base_url="https://vdo.test"
    )
    with TestClient(
        app=create_app(settings, engine=engine, clock=clock), base_url="https://testserver.local"
    ) as client:
        account(engine, "secure@example.org", "secretariat")
        response = sign_in(client, "secure@example.org", PASSWORD)
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("vdo_session="))
        assert "Secure" in session
        assert all("Secure" in c for c in client.get("/sign-in").headers.get_list("set-cookie"))


def test_a_form_post_without_the_csrf_token_is_refused(web: TestClient, engine: Engine) -> None:
    account(engine, "officer@example.org", "secretariat")
    web.get("/sign-in")  # the CSRF cookie, but no token in the form
    response = web.post(
        "/sign-in",
        data={"email": "officer@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "vdo_session" not in response.headers.get("set-cookie", "")


def test_failed_sign_ins_are_limited_peraccount(web: TestClient, engine: Engine) -> None:
    account(engine, "target@example.org", "delegate")
    statuses = [sign_in(web, "target@example.org", "wrong guess").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    refused = sign_in(web, "target@example.org", PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0


def test_a_malformed_form_is_refused_with_a_page_not_problem_json(web: TestClient) -> None:
    token = form_token(web)
    refused = web.post("/sign-in", data={"email": "x" * 300, "password": "p", "_csrf_token": token})
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("text/html")
    assert "<!doctype html>" in refused.text.lower()


def test_the_invite_url_shows_the_session_to_its_invitee_and_a_sign_in_page_to_others(
    web: TestClient, engine: Engine, booked: tuple[Network, int]
) -> None:
    network, session_id = booked
    signed_out = web.get(f"/sessions/{session_id}")
    assert signed_out.status_code == 200
    assert 'action="/sign-in"' in signed_out.text
    assert f'value="/sessions/{session_id}"' in signed_out.text
    assert "meet.example.org" not in signed_out.text

    account(engine, "outsider@example.org", "delegate", network.people["MM"])
    sign_in(web, "outsider@example.org", PASSWORD)
    outsider = web.get(f"/sessions/{session_id}")
    assert outsider.status_code == 403
    assert "meet.example.org" not in outsider.text

    account(engine, "delegate@th.example", "delegate", network.people["TH"])
    response = sign_in(web, "delegate@th.example", PASSWORD, f"/sessions/{session_id}")
    assert response.headers["location"] == f"/sessions/{session_id}"
    page = web.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Budget talks" in page.text
    assert "<script>alert" not in page.text
    assert "https://meet.example.org/" in page.text  # the invitee's join link
    assert "Asia/Singapore" in page.text
    assert "Asia/Bangkok" in page.text

    token = form_token(web, f"/sessions/{session_id}")
    answered = web.post(
        f"/sessions/{session_id}/answer",
        data={"answer": "accepted", "_csrf_token": token},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    assert "Accepted" in web.get(answered.headers["location"]).text


def test_the_public_schedule_shows_sessions_without_joining_details(
    web: TestClient, booked: tuple[Network, int]
) -> None:
    page = web.get("/", params={"zone": "Asia/Jakarta"})
    assert page.status_code == 200
    assert "Budget talks" in page.text
    assert "Asia/Jakarta" in page.text
    assert "meet.example.org" not in page.text
    assert "/feeds/public.ics" in page.text
    assert "/feeds/countries/TH.ics" in page.text
    remembered = web.get("/")
    assert '<option value="Asia/Jakarta" selected>' in remembered.text


def test_refusal_pages_show_the_signed_in_readers_navigation(
    web: TestClient, engine: Engine
) -> None:
    """Refused in the handler (404), by the CSRF check (403) and on reading the form (400):
    each page is the reader's, with the staff's links and signing out."""
    account(engine, "officer@example.org", "secretariat")
    assert sign_in(web, "officer@example.org", PASSWORD).status_code == 303
    token = form_token(web, "/")
    refusals = {
        404: web.get("/staff/sessions/999999"),
        403: web.post("/me/calendar-link", data={}),
        400: web.post("/sessions/1/answer", data={"answer": "perhaps", "_csrf_token": token}),
    }
    for status, refused in refusals.items():
        assert refused.status_code == status, refused.text
        assert "That did not work" in refused.text
        assert "(officer@example.org)" in refused.text, status
        assert 'href="/staff/planner"' in refused.text, status
        assert 'href="/sign-in"' not in refused.text, status
    web.cookies.clear()
    signed_out = web.post("/me/calendar-link", data={})
    assert signed_out.status_code == 403
    assert 'href="/sign-in"' in signed_out.text
