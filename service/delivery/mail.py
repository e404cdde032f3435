"""Pure MIME builders: rendered text in, one `EmailMessage` per recipient out. No DB, no SMTP.

Messages are serialised with a 7-bit SMTP policy: non-ASCII headers (Thai subjects and names)
become RFC 2047 encoded words and bodies are quoted-printable or base64, so any relay takes them
without needing SMTPUTF8 or 8BITMIME.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

SMTP_7BIT = policy.SMTP.clone(cte_type="7bit")


@dataclass(frozen=True)
class Mailbox:
    name: str
    email: str

    @classmethod
    def parse(cls, value: str) -> Mailbox:
        """From "Name <address>" (VDO_MAIL_FROM)."""
        name, address = parseaddr(value)
        return cls(name=name, email=address)

    def address(self) -> Address:
        username, _, domain = self.email.rpartition("@")
        return Address(display_name=self.name, username=username, domain=domain)


@dataclass(frozen=True)
class Envelope:
    """What every message has: who, what, and a Message-ID that stays the same on every attempt
    (so a copy sent twice after a crash is recognisable as the same message)."""

    sender: Mailbox
    to: Mailbox
    subject: str
    message_id: str  # "<...@...>"
    date: datetime
    list_unsubscribe: str | None = None  # reminders and news; not invites (iMIP)


@dataclass(frozen=True)
class Body:
    text: str
    html: str


def _message(envelope: Envelope) -> EmailMessage:
    message = EmailMessage(policy=SMTP_7BIT)
    message["From"] = envelope.sender.address()
    message["To"] = envelope.to.address()
    message["Subject"] = envelope.subject
    message["Date"] = format_datetime(envelope.date)
    message["Message-ID"] = envelope.message_id
    if envelope.list_unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{envelope.list_unsubscribe}>"
    return message


def plain_email(envelope: Envelope, body: Body) -> EmailMessage:
    """multipart/alternative: text/plain, text/html (reminders, answer copies)."""
    message = _message(envelope)
    message.set_content(body.text)
    message.add_alternative(body.html, subtype="html")
    return message


def calendar_email(envelope: Envelope, body: Body, method: str, calendar: bytes) -> EmailMessage:
    """An iMIP message (RFC 6047): multipart/alternative with text/plain, text/html and
    text/calendar whose `method` parameter equals the METHOD inside the calendar."""
    inside = _calendar_method(calendar)
    if inside != method:
        raise ValueError(f"the MIME method {method} differs from the calendar's METHOD {inside}")
    message = plain_email(envelope, body)
    message.add_alternative(calendar.decode("utf-8"), subtype="calendar", params={"method": method})
    return message


def circular_email(envelope: Envelope, body: Body, pdf: bytes, filename: str) -> EmailMessage:
    """A circular: the HTML body with its text alternative, and the PDF attached."""
    message = plain_email(envelope, body)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message


def serialise(message: EmailMessage) -> str:
    """The message as 7-bit text with CRLF line ends, ready to store and to send."""
    return message.as_bytes(policy=SMTP_7BIT).decode("ascii")


def _calendar_method(calendar: bytes) -> str | None:
    for line in calendar.decode("utf-8").splitlines():
        if line.startswith("METHOD:"):
            return line.removeprefix("METHOD:").strip()
        if line.startswith("BEGIN:VEVENT"):
            break
    return None
