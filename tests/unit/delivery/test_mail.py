"""The pure MIME builders: structure, iMIP method, circular attachments, Thai headers."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from typing import cast

import pytest

from service.delivery import mail

SENDER = mail.Mailbox("ASEAN Pubs Secretariat", "secretariat@aseanpubs.example.org")
THAI = mail.Mailbox("สมชาย ใจดี", "somchai@opdc.example.th")
BODY = mail.Body(text="สวัสดีครับ\nHello", html="<p>สวัสดีครับ</p>")
CALENDAR = b"BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def _envelope(subject: str = "หนังสือเวียน: การประชุมประจำปี") -> mail.Envelope:
    return mail.Envelope(
        sender=SENDER,
        to=THAI,
        subject=subject,
        message_id="<abc123@aseanpubs.example.org>",
        date=datetime.now(UTC),
        list_unsubscribe="mailto:secretariat@aseanpubs.example.org?subject=unsubscribe",
    )


def _read_back(message: EmailMessage) -> EmailMessage:
    wire = mail.serialise(message)
    wire.encode("ascii")  # 7-bit: any relay takes it
    return cast(EmailMessage, message_from_string(wire, policy=policy.default))


def test_a_circular_carries_html_text_and_the_pdf() -> None:
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 4
    message = _read_back(mail.circular_email(_envelope(), BODY, pdf, "circular-2026-07.pdf"))

    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "circular-2026-07.pdf"
    assert attachment.get_content() == pdf
    assert "สวัสดีครับ" in cast(EmailMessage, message.get_body(("html",))).get_content()
    assert message["Subject"] == "หนังสือเวียน: การประชุมประจำปี"
    assert message["To"].addresses[0].display_name == "สมชาย ใจดี"
    assert message["Message-ID"] == "<abc123@aseanpubs.example.org>"
    assert message["List-Unsubscribe"].strip() == (
        "<mailto:secretariat@aseanpubs.example.org?subject=unsubscribe>"
    )


def test_the_calendar_part_names_the_method_inside() -> None:
    message = _read_back(mail.calendar_email(_envelope(), BODY, "CANCEL", CALENDAR))

    part = list(message.iter_parts())[2]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "CANCEL"
    assert part.get_content_charset() == "utf-8"
    assert "METHOD:CANCEL" in part.get_content()


def test_a_method_that_differs_from_the_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="differs"):
        mail.calendar_email(_envelope(), BODY, "REQUEST", CALENDAR)
