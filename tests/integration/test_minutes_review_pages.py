"""A delegate's part in circulated minutes, through the pages: what waits on their page, a
comment on an item, their delegation's position, and who may do neither."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.dates import MovableClock
from tests.integration.minutes_world import World, circulated_for_review
from tests.integration.web_client import PASSWORD, form_token, sign_in

pytestmark = pytest.mark.db


@pytest.fixture
def circulated(web: TestClient, staff_headers: dict[str, str], engine: Engine) -> World:
    return circulated_for_review(web, staff_headers, engine)


def _post(web: TestClient, path: str, **fields: str):
    token = form_token(web, path.rsplit("/", 1)[0])
    return web.post(path, data={"_csrf_token": token, **fields}, follow_redirects=False)


def test_the_delegate_page_lists_minutes_to_review_and_overdue_action_items(
    web: TestClient, circulated: World
) -> None:
    sign_in(web, "th@minutes.example", PASSWORD)
    page = web.get("/me").text
    assert f'href="/me/minutes/{circulated.session}"' in page
    assert "Monthly coordination 2" in page
    assert "Send the survey" in page
    assert "(overdue)" in page


def test_a_delegate_comments_and_records_no_objection_through_the_page(
    web: TestClient, circulated: World, staff_headers: dict[str, str]
) -> None:
    sign_in(web, "th@minutes.example", PASSWORD)
    review = f"/me/minutes/{circulated.session}"
    page = web.get(review)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "(your time, Asia/Bangkok)" in page.text

    commented = _post(web, f"{review}/comments", item_number="4", body="Add the **dates**.")
    assert commented.status_code == 303
    assert "<strong>dates</strong>" in web.get(review).text
    comments = web.get(
        f"/api/v1/sessions/{circulated.session}/minutes/comments", headers=staff_headers
    ).json()
    assert [(c["item_number"], c["country"]) for c in comments] == [("4", "TH")]

    refused = _post(web, f"{review}/response", position="objection", comment="")
    assert refused.status_code == 422
    assert "objection needs a comment" in refused.text
    recorded = _post(web, f"{review}/response", position="no_objection")
    assert recorded.status_code == 303
    minutes = web.get(
        f"/api/v1/sessions/{circulated.session}/minutes", headers=staff_headers
    ).json()
    assert [(r["country"], r["position"]) for r in minutes["responses"]] == [("TH", "no_objection")]


def test_an_uninvited_delegate_can_neither_read_nor_comment(
    web: TestClient, circulated: World, staff_headers: dict[str, str]
) -> None:
    sign_in(web, "my@minutes.example", PASSWORD)
    review = f"/me/minutes/{circulated.session}"
    assert web.get(review).status_code == 403
    token = form_token(web, "/me")
    refused = web.post(
        f"{review}/comments", data={"_csrf_token": token, "item_number": "4", "body": "Hello"}
    )
    assert refused.status_code == 403
    comments = web.get(
        f"/api/v1/sessions/{circulated.session}/minutes/comments", headers=staff_headers
    ).json()
    assert comments == []


def test_after_the_deadline_the_forms_are_gone_and_a_late_comment_is_refused(
    web: TestClient, circulated: World, clock: MovableClock
) -> None:
    sign_in(web, "th@minutes.example", PASSWORD)
    review = f"/me/minutes/{circulated.session}"
    token = form_token(web, review)
    clock.advance(timedelta(days=8))
    page = web.get(review).text
    assert "The deadline has passed." in page
    assert "Send comment" not in page
    late = web.post(
        f"{review}/comments", data={"_csrf_token": token, "item_number": "4", "body": "Late"}
    )
    assert late.status_code == 409
    assert "No minutes are out for your comment." in web.get("/me").text
