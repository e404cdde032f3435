"""Agenda papers on the pages: the session page shows the agenda and its papers to the invitees
and staff, who download them with the page's sign-in; staff attach papers on the session's staff
page, and a refused file is told on that page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import Response
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.minutes import documents
from tests.dates import MovableClock, iso, working_start
from tests.integration.network import Network, book, build_network
from tests.integration.web_client import PASSWORD, account, form_token, sign_in

pytestmark = pytest.mark.db

API = "/api/v1/sessions"
PDF = b"%PDF-1.7\n% the budget paper\n"
PAPER_NAME = "งบประมาณ budget.pdf"  # a Thai name: kept whole in the Content-Disposition
AGENDA = {
    "revision": 0,
    "items": [
        {"title": "Opening remarks", "presenter": "Thailand", "minutes_allotted": 5},
        {
            "title": "Substantive items",
            "description": "**Budget** <script>alert(1)</script>",
            "subitems": [{"title": "Budget 2031"}],
        },
    ],
}


@pytest.fixture
def network(web: TestClient, staff_headers: dict[str, str]) -> Network:
    return build_network(web, staff_headers)


def _book(
    web: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock, n: int
) -> int:
    response = book(
        web,
        staff_headers,
        network,
        title=f"Budget talks {n}",
        start=iso(working_start(clock, ["TH", "SG"]) + timedelta(hours=2 * n)),
        people=[network.people["TH"], network.people["SG"]],
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _agenda(web: TestClient, staff_headers: dict[str, str], session_id: int) -> dict[str, Any]:
    response = web.get(f"{API}/{session_id}/agenda", headers=staff_headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _save_agenda(web: TestClient, staff_headers: dict[str, str], session_id: int) -> list[int]:
    """The agenda saved through the API; its items' ids."""
    response = web.put(f"{API}/{session_id}/agenda", headers=staff_headers, json=AGENDA)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _attach(web: TestClient, staff_headers: dict[str, str], session_id: int, item: int) -> int:
    response = web.post(
        f"{API}/{session_id}/agenda/items/{item}/documents",
        headers=staff_headers,
        files={"data": (PAPER_NAME, PDF, "application/pdf")},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _signed_in_as(web: TestClient, engine: Engine, email: str, person: int | None) -> None:
    web.cookies.clear()
    account(engine, email, "delegate" if person else "secretariat", person)
    assert sign_in(web, email, PASSWORD).status_code == 303


def _upload(web: TestClient, session_id: int, item: int, name: str, content: bytes) -> Response:
    token = form_token(web, f"/staff/sessions/{session_id}")
    return web.post(
        f"/staff/sessions/{session_id}/agenda/items/{item}/papers",
        data={"_csrf_token": token},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


@pytest.fixture
def session_id(
    web: TestClient, staff_headers: dict[str, str], network: Network, clock: MovableClock
) -> int:
    return _book(web, staff_headers, network, clock, 0)


def test_the_invitee_sees_the_agenda_and_downloads_its_papers(
    web: TestClient,
    engine: Engine,
    staff_headers: dict[str, str],
    network: Network,
    session_id: int,
) -> None:
    items = _save_agenda(web, staff_headers, session_id)
    paper = _attach(web, staff_headers, session_id, items[1])
    _signed_in_as(web, engine, "delegate@th.example", network.people["TH"])

    page = web.get(f"/sessions/{session_id}")
    assert page.status_code == 200, page.text
    for shown in ("Opening remarks", "Thailand", "5 min", "2.1", "Budget 2031"):
        assert shown in page.text, shown
    assert "<strong>Budget</strong>" in page.text  # the description, as sanitised HTML
    assert "<script>alert" not in page.text
    link = f'<a href="/sessions/{session_id}/papers/{paper}">{PAPER_NAME}</a>'
    assert link in page.text
    assert "(PDF, 1 KB)" in page.text
    assert "paper-upload" not in page.text  # attaching is the staff's

    download = web.get(f"/sessions/{session_id}/papers/{paper}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == documents.disposition(PAPER_NAME)


def test_only_invitees_and_staff_get_the_page_and_its_papers(
    web: TestClient,
    engine: Engine,
    staff_headers: dict[str, str],
    network: Network,
    session_id: int,
) -> None:
    items = _save_agenda(web, staff_headers, session_id)
    paper = _attach(web, staff_headers, session_id, items[0])
    paper_path = f"/sessions/{session_id}/papers/{paper}"

    for path in (f"/sessions/{session_id}", paper_path):
        signed_out = web.get(path)
        assert signed_out.status_code == 200
        assert 'action="/sign-in"' in signed_out.text
        assert f'value="{path}"' in signed_out.text  # back here once signed in
        assert "Opening remarks" not in signed_out.text

    _signed_in_as(web, engine, "outsider@mm.example", network.people["MM"])
    for path in (f"/sessions/{session_id}", paper_path):
        refused = web.get(path)
        assert refused.status_code == 403
        assert "not invited to this session" in refused.text
        assert PDF not in refused.content
        assert "Opening remarks" not in refused.text

    _signed_in_as(web, engine, "officer@example.org", None)
    assert web.get(paper_path).content == PDF


def test_a_paper_of_another_session_is_not_found(
    web: TestClient,
    engine: Engine,
    staff_headers: dict[str, str],
    network: Network,
    clock: MovableClock,
    session_id: int,
) -> None:
    items = _save_agenda(web, staff_headers, session_id)
    paper = _attach(web, staff_headers, session_id, items[0])
    other_session = _book(web, staff_headers, network, clock, 1)
    # The delegate is invited to both: the paper is still not the other session's.
    _signed_in_as(web, engine, "delegate@th.example", network.people["TH"])
    assert web.get(f"/sessions/{session_id}/papers/{paper}").status_code == 200
    elsewhere = web.get(f"/sessions/{other_session}/papers/{paper}")
    assert elsewhere.status_code == 404
    assert PDF not in elsewhere.content


def test_staff_attach_a_paper_to_a_saved_item_from_the_session_page(
    web: TestClient, engine: Engine, staff_headers: dict[str, str], session_id: int
) -> None:
    _signed_in_as(web, engine, "officer@example.org", None)
    standard = web.get(f"/staff/sessions/{session_id}")
    assert "Save the agenda to attach papers." in standard.text
    assert "paper-upload" not in standard.text

    items = _save_agenda(web, staff_headers, session_id)
    page = web.get(f"/staff/sessions/{session_id}").text
    action = f'action="/staff/sessions/{session_id}/agenda/items/{items[0]}/papers"'
    assert action in page
    assert 'accept=".pdf,.docx,.xlsx,.png,.jpg,.jpeg"' in page
    assert "Save the agenda to attach papers." not in page

    attached = _upload(web, session_id, items[0], "opening.pdf", PDF)
    assert attached.status_code == 303, attached.text
    assert attached.headers["location"] == f"/staff/sessions/{session_id}?done=paper"
    after = web.get(attached.headers["location"]).text
    assert "The paper is attached to the agenda item." in after
    [paper] = _agenda(web, staff_headers, session_id)["items"][0]["documents"]
    assert paper["filename"] == "opening.pdf"
    assert f'href="/sessions/{session_id}/papers/{paper["id"]}"' in after
    assert web.get(f"/sessions/{session_id}/papers/{paper['id']}").content == PDF


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 not a paper at all", "is not a PDF, DOCX, XLSX, PNG or JPEG file"),
        (b"", "is empty"),
        (b"%PDF-" + b"0" * documents.MAX_BYTES, "is larger than 10 MB"),
    ],
    ids=["junk", "empty", "too large"],
)
def test_a_refused_paper_is_told_on_the_page_and_nothing_is_kept(
    web: TestClient,
    engine: Engine,
    staff_headers: dict[str, str],
    session_id: int,
    content: bytes,
    message: str,
) -> None:
    items = _save_agenda(web, staff_headers, session_id)
    _signed_in_as(web, engine, "officer@example.org", None)
    refused = _upload(web, session_id, items[0], "paper.pdf", content)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert message in refused.text
    assert 'id="page-error"' in refused.text
    assert all(not item["documents"] for item in _agenda(web, staff_headers, session_id)["items"])


def test_a_paper_past_the_request_limit_gets_a_page_saying_so(
    web: TestClient, engine: Engine, staff_headers: dict[str, str], session_id: int
) -> None:
    items = _save_agenda(web, staff_headers, session_id)
    _signed_in_as(web, engine, "officer@example.org", None)
    huge = b"%PDF-" + b"0" * (documents.MAX_BYTES + 128 * 1024)
    refused = _upload(web, session_id, items[0], "paper.pdf", huge)
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("text/html")
    assert "The file is larger than this form takes" in refused.text
    assert all(not item["documents"] for item in _agenda(web, staff_headers, session_id)["items"])


def test_a_paper_is_attached_only_to_an_item_of_the_page_session(
    web: TestClient,
    engine: Engine,
    staff_headers: dict[str, str],
    network: Network,
    clock: MovableClock,
    session_id: int,
) -> None:
    items = _save_agenda(web, staff_headers, session_id)
    other_session = _book(web, staff_headers, network, clock, 1)
    _signed_in_as(web, engine, "officer@example.org", None)
    refused = _upload(web, other_session, items[0], "paper.pdf", PDF)
    assert refused.status_code == 404
    assert all(not item["documents"] for item in _agenda(web, staff_headers, session_id)["items"])


def test_a_form_without_a_file_is_told_to_choose_one(
    web: TestClient, engine: Engine, staff_headers: dict[str, str], session_id: int
) -> None:
    items = _save_agenda(web, staff_headers, session_id)
    _signed_in_as(web, engine, "officer@example.org", None)
    token = form_token(web, f"/staff/sessions/{session_id}")
    path = f"/staff/sessions/{session_id}/agenda/items/{items[0]}/papers"
    # As a browser sends a form whose file was not chosen: the part, with no name and no bytes.
    no_file = web.post(path, data={"_csrf_token": token}, files={"file": ("", b"")})
    assert no_file.status_code == 422, no_file.text
    assert "file: is empty" in no_file.text
    # A text field where the file should be: a malformed form, refused as such.
    as_text = web.post(
        path, data={"_csrf_token": token, "file": "paper.pdf"}, files={"other": ("", b"")}
    )
    assert as_text.status_code == 400
    assert as_text.headers["content-type"].startswith("text/html")
    assert all(not item["documents"] for item in _agenda(web, staff_headers, session_id)["items"])
