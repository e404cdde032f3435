"""Issuing, previewing and reading circulars through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from service.auth import service as auth
from service.circulars import operations
from service.circulars.models import Circular
from service.circulars.render import RenderedCircular
from service.circulars.schemas import CircularRequest
from service.db import session_scope
from service.minutes.records import MinutesRecord, MinutesStatus
from service.settings import Settings
from tests.integration.network import Network, book, make_bridge

pytestmark = pytest.mark.db


def _session(client: TestClient, headers: dict[str, str], person_id: int) -> int:
    start = (datetime.now(UTC) + timedelta(days=9)).replace(hour=7, minute=0, second=0)
    response = book(
        client,
        headers,
        Network(bridge_id=make_bridge(client, headers)),
        start=start.isoformat(),
        people=[person_id],
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def invitee(client: TestClient, staff_headers: dict[str, str]) -> int:
    response = client.post(
        "/api/v1/people",
        headers=staff_headers,
        json={"name": "Somchai", "email": "somchai@opdc.example.th", "country_code": "TH"},
    )
    return response.json()["id"]


@pytest.fixture
def session_id(client: TestClient, staff_headers: dict[str, str], invitee: int) -> int:
    return _session(client, staff_headers, invitee)


def _headers_for_person(engine: Engine, person_id: int) -> dict[str, str]:
    with session_scope(engine) as db:
        user = auth.create_user(
            db,
            email=f"p{person_id}@example.th",
            name="Person",
            role="delegate",
            person_id=person_id,
        )
        return {"Authorization": f"Bearer {auth.issue_token(db, user)[1]}"}


def test_issue_numbers_stores_and_serves_the_circular_as_issued(
    client: TestClient, staff_headers: dict[str, str], session_id: int
) -> None:
    url = f"/api/v1/sessions/{session_id}/circulars"
    first = client.post(url, headers=staff_headers, json={"kind": "notice", "language": "th"})
    assert first.status_code == 201, first.text
    second = client.post(url, headers=staff_headers, json={"kind": "notice"})
    year = datetime.now(UTC).year  # the Bangkok year, but tests do not run at New Year's Eve
    assert first.json()["reference"] == f"ASEAN-PUBS/C/{year}/001"
    assert second.json()["reference"] == f"ASEAN-PUBS/C/{year}/002"

    documents = first.json()["documents"]
    assert set(documents) == {"html", "txt", "pdf", "docx"}
    html = client.get(documents["html"]["url"], headers=staff_headers)
    assert html.status_code == 200
    assert "ที่ ASEAN-PUBS/ว 1" in html.text
    assert hashlib.sha256(html.content).hexdigest() == documents["html"]["sha256"]
    pdf = client.get(documents["pdf"]["url"], headers=staff_headers)
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == documents["pdf"]["sha256"]


def test_a_circulars_record_is_served_at_its_id(
    client: TestClient, staff_headers: dict[str, str], session_id: int
) -> None:
    # The record's route sits beside the documents' {id}.{format} one, which once took it over.
    issued = client.post(
        f"/api/v1/sessions/{session_id}/circulars", headers=staff_headers, json={"kind": "notice"}
    ).json()
    record = client.get(f"/api/v1/circulars/{issued['id']}", headers=staff_headers)
    assert record.status_code == 200, record.text
    assert record.json() == issued
    arabic_indic_one = "\u0661"  # a digit to str.isdecimal, no id
    assert (
        client.get(f"/api/v1/circulars/{arabic_indic_one}", headers=staff_headers).status_code
        == 404
    )


def test_stored_circular_has_no_joining_details(
    client: TestClient, staff_headers: dict[str, str], session_id: int
) -> None:
    meeting = client.get(f"/api/v1/sessions/{session_id}", headers=staff_headers).json()["meeting"]
    issued = client.post(
        f"/api/v1/sessions/{session_id}/circulars", headers=staff_headers, json={"kind": "notice"}
    ).json()
    text = client.get(issued["documents"]["txt"]["url"], headers=staff_headers).text
    assert meeting["join_url"]
    assert meeting["join_url"] not in text


def test_preview_renders_without_taking_a_number(
    client: TestClient, staff_headers: dict[str, str], session_id: int
) -> None:
    url = f"/api/v1/sessions/{session_id}/circulars"
    preview = client.post(
        f"{url}/preview?format=txt", headers=staff_headers, json={"kind": "notice"}
    )
    assert preview.status_code == 200, preview.text
    assert "PREVIEW: not issued" in preview.text
    docx = client.post(f"{url}/preview?format=docx", headers=staff_headers, json={"kind": "notice"})
    assert docx.content[:2] == b"PK"
    issued = client.post(url, headers=staff_headers, json={"kind": "notice"}).json()
    assert issued["reference"].endswith("/001")


def test_minutes_circular_needs_adopted_minutes(
    client: TestClient, staff_headers: dict[str, str], session_id: int
) -> None:
    response = client.post(
        f"/api/v1/sessions/{session_id}/circulars", headers=staff_headers, json={"kind": "minutes"}
    )
    assert response.status_code == 409
    assert "not adopted" in response.json()["detail"]


def test_minutes_circular_of_a_draft_is_refused(
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    staff_headers: dict[str, str],
    session_id: int,
) -> None:
    draft = MinutesRecord(status=MinutesStatus.draft, revision=1)
    monkeypatch.setattr(operations, "minutes_record", lambda db, session_id: draft)
    response = client.post(
        f"/api/v1/sessions/{session_id}/circulars", headers=staff_headers, json={"kind": "minutes"}
    )
    assert response.status_code == 409


def test_bad_requests_are_refused_by_field_and_change_nothing(
    client: TestClient, staff_headers: dict[str, str], session_id: int, engine: Engine
) -> None:
    url = f"/api/v1/sessions/{session_id}/circulars"
    unknown = client.post(url, headers=staff_headers, json={"kind": "notice", "colour": "red"})
    assert unknown.status_code == 400
    assert "colour" in unknown.text
    long = client.post(url, headers=staff_headers, json={"kind": "notice", "message": "x" * 6000})
    assert long.status_code == 400
    assert "message" in long.text
    wrong = client.post(url, headers=staff_headers, json={"kind": "notice", "corrects": 999})
    assert wrong.status_code == 422
    assert "corrects" in wrong.text
    assert client.get("/api/v1/circulars/1.exe", headers=staff_headers).status_code == 404
    with session_scope(engine) as db:
        assert db.exec(select(Circular)).all() == []


def test_a_correction_is_a_new_circular_referencing_the_old_one(
    client: TestClient, staff_headers: dict[str, str], session_id: int
) -> None:
    url = f"/api/v1/sessions/{session_id}/circulars"
    old = client.post(url, headers=staff_headers, json={"kind": "notice"}).json()
    new = client.post(url, headers=staff_headers, json={"kind": "notice", "corrects": old["id"]})
    assert new.status_code == 201, new.text
    assert new.json()["corrects_id"] == old["id"]
    text = client.get(new.json()["documents"]["txt"]["url"], headers=staff_headers).text
    assert f"corrects circular {old['reference']}" in text
    again = client.get(old["documents"]["txt"]["url"], headers=staff_headers)
    assert hashlib.sha256(again.content).hexdigest() == old["documents"]["txt"]["sha256"]


def test_delegates_read_circulars_of_their_sessions_and_public_ones(
    client: TestClient,
    staff_headers: dict[str, str],
    delegate_headers: dict[str, str],
    session_id: int,
    invitee: int,
    engine: Engine,
) -> None:
    url = f"/api/v1/sessions/{session_id}/circulars"
    private = client.post(url, headers=staff_headers, json={"kind": "notice"}).json()
    public = client.post(url, headers=staff_headers, json={"kind": "notice", "public": True}).json()
    invited = _headers_for_person(engine, invitee)

    assert client.get(private["documents"]["html"]["url"], headers=invited).status_code == 200
    assert (
        client.get(private["documents"]["html"]["url"], headers=delegate_headers).status_code == 403
    )
    assert (
        client.get(public["documents"]["pdf"]["url"], headers=delegate_headers).status_code == 200
    )
    listed = client.get(url, headers=delegate_headers).json()
    assert [c["id"] for c in listed] == [public["id"]]
    assert len(client.get(url, headers=invited).json()) == 2
    refused = client.post(url, headers=delegate_headers, json={"kind": "notice"})
    assert refused.status_code == 403


PARALLEL = 20


def _cheap(circular: object) -> RenderedCircular:
    # The counter is under test here, not WeasyPrint: a PDF per thread would only slow it down.
    return RenderedCircular(b"<p>x</p>", b"x", b"%PDF", b"PK")


def test_numbers_stay_gap_free_and_unique_under_concurrent_issues(
    client: TestClient,
    staff_headers: dict[str, str],
    session_id: int,
    engine: Engine,
    settings: Settings,
) -> None:
    user_id = _staff_user(engine)
    barrier = threading.Barrier(PARALLEL)
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait()
            with session_scope(engine) as db:
                operations.issue(
                    db,
                    session_id,
                    CircularRequest(kind="notice"),
                    issued_by=user_id,
                    now=datetime.now(UTC),
                    settings=settings,
                    renderer=_cheap,
                )
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with session_scope(engine) as db:
        numbers = sorted(row.sequence for row in db.exec(select(Circular)))
    assert numbers == list(range(1, PARALLEL + 1))


def _staff_user(engine: Engine) -> int:
    with session_scope(engine) as db:
        user = auth.create_user(db, email="issuer@example.org", name="Issuer", role="secretariat")
        return user.id or 0
