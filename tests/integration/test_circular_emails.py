"""Issuing a circular emails it to the session's invitees through the outbox (a real SMTP server
in process): HTML body, text alternative, the issued PDF attached, each in their language where
it exists, joining details only in the invitees' own copies."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.delivery import worker
from service.settings import Settings
from tests.integration.outbox_world import (
    PASSCODE,
    book,
    build_world,
    states,
    worker_settings,
)
from tests.support.mail_catcher import MailCatcher


def _issue(client: TestClient, staff: dict[str, str], session_id: int, **body: object) -> dict:
    response = client.post(f"/api/v1/sessions/{session_id}/circulars", headers=staff, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _circulars(catcher: MailCatcher) -> dict[str, list[EmailMessage]]:
    """The circular emails that arrived, by recipient (invitations are left out)."""
    found: dict[str, list[EmailMessage]] = {}
    for message in catcher.messages():
        if message.get_content_type() == "multipart/mixed":
            found.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return found


def _parts(message: EmailMessage) -> tuple[str, str, bytes, str]:
    """(text, html, attachment bytes, attachment file name) of a circular email."""
    alternative, attachment = list(message.iter_parts())
    text, html = list(alternative.iter_parts())  # type: ignore[attr-defined]
    assert alternative.get_content_type() == "multipart/alternative"
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content_disposition() == "attachment"
    return (
        text.get_content(),
        html.get_content(),
        attachment.get_content(),
        str(attachment.get_filename()),
    )


@pytest.fixture
def session_id(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> int:
    """A session of Somchai (reads Thai) and Wei (reads English), its invitations delivered."""
    world = build_world(client, staff_headers)
    session = book(
        client, staff_headers, world, [world.somchai, world.wei], title="ประชุมคณะกรรมการ"
    )
    worker.drain(engine, worker_settings(settings, catcher))
    catcher.arrived.clear()
    return int(session["id"])


def test_an_issued_notice_reaches_each_invitee_with_the_issued_pdf(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
    session_id: int,
) -> None:
    issued = _issue(client, staff_headers, session_id, kind="notice")
    assert states(engine) == {"sent": 2, "pending": 2}  # queued with the issue itself
    assert worker.drain(engine, worker_settings(settings, catcher)) == 2

    mails = _circulars(catcher)
    # Somchai reads Thai, but no Thai notice exists yet: he gets the English one.
    assert set(mails) == {"somchai@opdc.example.th", "wei@psd.example.sg"}
    stored_pdf = client.get(issued["documents"]["pdf"]["url"], headers=staff_headers).content
    stored_html = client.get(issued["documents"]["html"]["url"], headers=staff_headers).text
    stored_text = client.get(issued["documents"]["txt"]["url"], headers=staff_headers).text
    for (message,) in mails.values():
        assert message["Subject"] == f"{issued['title']} ({issued['reference']})"
        text, html, pdf, filename = _parts(message)
        assert pdf == stored_pdf  # the issued bytes, not a new rendering
        assert filename == issued["reference"].replace("/", "-") + ".pdf"
        assert issued["reference"] in text
        assert "Provisional agenda" in html
        # The invitees' own copies carry the joining details; the issued circular does not.
        assert PASSCODE in text
        assert PASSCODE in html
    assert PASSCODE not in stored_text
    assert PASSCODE not in stored_html


def test_the_thai_circular_goes_to_thai_readers_with_an_encoded_subject(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
    session_id: int,
) -> None:
    _issue(client, staff_headers, session_id, kind="notice")
    worker.drain(engine, worker_settings(settings, catcher))
    catcher.arrived.clear()

    thai = _issue(client, staff_headers, session_id, kind="notice", language="th")
    worker.drain(engine, worker_settings(settings, catcher))

    mails = _circulars(catcher)
    # Wei reads English and has the English notice already: only the Thai reader gets this one.
    assert set(mails) == {"somchai@opdc.example.th"}
    (message,) = mails["somchai@opdc.example.th"]
    sequence = int(thai["reference"].rsplit("/", 1)[1])
    assert message["Subject"] == f"หนังสือเชิญประชุม: ประชุมคณะกรรมการ (ที่ ASEAN-PUBS/ว {sequence})"
    raw = next(a.raw for a in catcher.arrived if "somchai" in a.recipients[0])
    assert b"Subject: =?utf-8?" in raw  # RFC 2047 on the wire
    text, _, pdf, _ = _parts(message)
    assert f"ที่ ASEAN-PUBS/ว {sequence}" in text
    assert "ระเบียบวาระการประชุม:" in text
    assert pdf.startswith(b"%PDF")
    assert PASSCODE in text


def test_a_circular_of_the_first_language_issued_second_goes_to_its_readers_only(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
    session_id: int,
) -> None:
    _issue(client, staff_headers, session_id, kind="notice", language="th")
    _issue(client, staff_headers, session_id, kind="notice", language="en")
    worker.drain(engine, worker_settings(settings, catcher))

    mails = _circulars(catcher)
    # The Thai notice went to both (no English one yet); the English one to Wei alone.
    assert {address: len(found) for address, found in mails.items()} == {
        "somchai@opdc.example.th": 1,
        "wei@psd.example.sg": 2,
    }
    assert mails["somchai@opdc.example.th"][0]["Subject"].startswith("หนังสือเชิญประชุม")
