"""Agendas through the API on both databases: the standard agenda with matters arising, saving
with revisions, the notice that must be re-issued, attachments, and who may do what."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.db import session_scope
from service.directory.models import Agency, AgencyKind, Person
from service.errors import NotFound
from service.minutes import operations
from service.minutes.records import STANDARD_AGENDA
from tests.integration.calendar_network import headers_of_person
from tests.integration.minutes_world import World, build_world

MINUTES_WITH_ACTIONS = {
    "base_revision": 0,
    "items": [
        {
            "number": "4",
            "title": "Substantive items",
            "actions": [
                {
                    "text": "Circulate the survey",
                    "owner_country": "th",
                    "due": str(datetime.now(UTC).date() + timedelta(days=60)),
                },
                {"text": "Draft the report", "owner_country": "VN", "status": "done"},
            ],
        }
    ],
}


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)


def _agenda(client: TestClient, headers: dict[str, str], session: int) -> dict:
    response = client.get(f"/api/v1/sessions/{session}/agenda", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _save(client: TestClient, headers: dict[str, str], session: int, body: dict):
    return client.put(f"/api/v1/sessions/{session}/agenda", headers=headers, json=body)


AGENDA = {
    "revision": 0,
    "items": [
        {"title": "Opening remarks", "presenter": "Thailand", "minutes_allotted": 5},
        {
            "title": "Substantive items",
            "description": "**Budget** <script>alert(1)</script>",
            "subitems": [{"title": "Budget 2031"}, {"title": "Work plan"}],
        },
        {"title": "Closing"},
    ],
}


def test_a_new_session_has_the_standard_agenda_with_last_meetings_open_actions(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    saved = client.put(
        f"/api/v1/sessions/{world.previous}/minutes",
        headers=staff_headers,
        json=MINUTES_WITH_ACTIONS,
    )
    assert saved.status_code == 200, saved.text
    agenda = _agenda(client, world.headers["TH"], world.session)
    assert agenda["standard"] is True
    assert agenda["revision"] == 0
    numbers = [(i["number"], i["title"]) for i in agenda["items"]]
    assert numbers[:3] == [(str(n), t) for n, t in enumerate(STANDARD_AGENDA[:3], start=1)]
    # Only the open action, under matters arising (item 3), with its owner.
    assert numbers[3] == ("3.1", "Circulate the survey")
    assert agenda["items"][3]["presenter"] == "Thailand"
    assert numbers[4] == ("4", "Substantive items")
    assert len(numbers) == len(STANDARD_AGENDA) + 1


def test_staff_save_a_numbered_agenda_and_a_stale_save_is_409(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    saved = _save(client, staff_headers, world.session, AGENDA)
    assert saved.status_code == 200, saved.text
    agenda = saved.json()
    assert [i["number"] for i in agenda["items"]] == ["1", "2", "2.1", "2.2", "3"]
    assert agenda["revision"] == 1
    assert agenda["standard"] is False
    html = agenda["items"][1]["description_html"]
    assert "<strong>Budget</strong>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    stale = _save(client, staff_headers, world.session, AGENDA)
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == 1
    # Keeping an item by id, dropping others.
    kept = agenda["items"][0]["id"]
    again = _save(
        client,
        staff_headers,
        world.session,
        {"revision": 1, "items": [{"id": kept, "title": "Welcome"}, {"title": "Closing"}]},
    )
    assert again.status_code == 200, again.text
    assert [(i["id"] == kept, i["title"]) for i in again.json()["items"]] == [
        (True, "Welcome"),
        (False, "Closing"),
    ]


def test_changing_the_agenda_after_the_notice_needs_a_new_notice(
    client: TestClient, staff_headers: dict[str, str], world: World, engine: Engine
) -> None:
    assert _save(client, staff_headers, world.session, AGENDA).status_code == 200
    assert _agenda(client, staff_headers, world.session)["needs_reissued_notice"] is False
    with session_scope(engine) as db:
        operations.mark_notice_issued(db, world.session, datetime.now(UTC))
    agenda = _agenda(client, staff_headers, world.session)
    assert agenda["notice_issued_at"] is not None
    assert agenda["needs_reissued_notice"] is False
    assert _save(client, staff_headers, world.session, AGENDA | {"revision": 1}).status_code == 200
    assert _agenda(client, staff_headers, world.session)["needs_reissued_notice"] is True
    with session_scope(engine) as db:
        operations.mark_notice_issued(db, world.session, datetime.now(UTC))
    assert _agenda(client, staff_headers, world.session)["needs_reissued_notice"] is False
    with pytest.raises(NotFound), session_scope(engine) as db:
        operations.mark_notice_issued(db, 999_999, datetime.now(UTC))


def test_who_may_read_and_write_the_agenda(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    assert _save(client, world.headers["TH"], world.session, AGENDA).status_code == 403
    outsider = client.get(f"/api/v1/sessions/{world.session}/agenda", headers=world.headers["MY"])
    assert outsider.status_code == 403
    assert client.get("/api/v1/sessions/999999/agenda", headers=staff_headers).status_code == 404


def test_a_partner_officer_in_an_invited_country_is_not_its_delegation(
    client: TestClient, world: World, engine: Engine
) -> None:
    """Thailand is invited as a whole; an officer of a partner organisation based in Bangkok
    is not in Thailand's delegation (nor invited with it), so may not read the agenda, while a
    Thai official added to the delegation later may."""
    with session_scope(engine) as db:
        partner = Agency(
            name="Development partner", acronym="DP", country_code="TH", kind=AgencyKind.partner
        )
        ministry = Agency(
            name="Thai ministry", acronym="TM", country_code="TH", kind=AgencyKind.member_agency
        )
        db.add_all([partner, ministry])
        db.flush()
        officers = [
            Person(
                name=name, email=email, country_code="TH", zone="Asia/Bangkok", agency_id=agency.id
            )
            for name, email, agency in [
                ("Partner officer", "officer@partner.example", partner),
                ("Thai official", "official@ministry.example.th", ministry),
            ]
        ]
        db.add_all(officers)
        db.flush()
        partner_id, official_id = (officer.id or 0 for officer in officers)
    path = f"/api/v1/sessions/{world.session}/agenda"
    assert client.get(path, headers=headers_of_person(engine, partner_id)).status_code == 403
    assert client.get(path, headers=headers_of_person(engine, official_id)).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (AGENDA | {"colour": "red"}, "colour"),
        ({"revision": 0, "items": [{"title": "x", "extra": 1}]}, "extra"),
        ({"revision": 0, "items": [{"title": "x" * 301}]}, "title"),
        ({"revision": 0, "items": [{"title": "x"}] * 61}, "items"),
    ],
)
def test_bad_agenda_bodies_are_refused_by_field(
    client: TestClient, staff_headers: dict[str, str], world: World, body: dict, field: str
) -> None:
    response = _save(client, staff_headers, world.session, body)
    assert response.status_code == 400, response.text
    assert field in response.text
    assert _agenda(client, staff_headers, world.session)["standard"] is True


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_documents_are_sniffed_and_only_staff_and_invitees_download_them(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    item = _save(client, staff_headers, world.session, AGENDA).json()["items"][1]["id"]
    url = f"/api/v1/sessions/{world.session}/agenda/items/{item}/documents"
    pdf = client.post(url, headers=staff_headers, files={"data": ("budget.pdf", b"%PDF-1.7 ...")})
    assert pdf.status_code == 201, pdf.text
    assert pdf.json()["media_type"] == "application/pdf"
    docx = client.post(url, headers=staff_headers, files={"data": ("plan.docx", _docx())})
    assert docx.json()["media_type"].endswith("wordprocessingml.document")
    fake = client.post(url, headers=staff_headers, files={"data": ("x.pdf", b"<html>hi</html>")})
    assert fake.status_code == 422
    assert "file" in fake.text
    by_delegate = client.post(url, headers=world.headers["TH"], files={"data": ("a.pdf", b"%PDF-")})
    assert by_delegate.status_code == 403
    # A form without the file (found by tests/integration/test_fuzzing.py, once a 500).
    for form in ({"other": ("a.pdf", b"%PDF-")}, {"data": (None, b"no file, a field")}):
        missing = client.post(url, headers=staff_headers, files=form)
        assert missing.status_code == 400, missing.text
        assert "data" in missing.json()["detail"]
    listed = _agenda(client, world.headers["TH"], world.session)["items"][1]["documents"]
    assert [d["filename"] for d in listed] == ["budget.pdf", "plan.docx"]
    download = f"/api/v1/sessions/{world.session}/agenda/documents/{pdf.json()['id']}"
    got = client.get(download, headers=world.headers["VN"])
    assert got.status_code == 200
    assert got.content == b"%PDF-1.7 ..."
    assert got.headers["content-type"] == "application/pdf"
    assert client.get(download, headers=world.headers["MY"]).status_code == 403


def test_documents_over_ten_megabytes_are_refused(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    item = _save(client, staff_headers, world.session, AGENDA).json()["items"][0]["id"]
    url = f"/api/v1/sessions/{world.session}/agenda/items/{item}/documents"
    exactly = b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5)
    assert client.post(url, headers=staff_headers, files={"data": ("a.pdf", exactly)}).is_success
    too_big = client.post(url, headers=staff_headers, files={"data": ("b.pdf", exactly + b"0")})
    assert too_big.status_code == 422
    assert "10 MB" in too_big.json()["detail"]
    assert len(_agenda(client, staff_headers, world.session)["items"][0]["documents"]) == 1
