"""Emailing an issued circular to the session's invitees, in the issuing transaction.

Each invitee gets their own message: the circular's HTML as the body, its text as the
alternative, and the issued PDF attached byte for byte as stored (never a re-render, so the
attachment is the document whose SHA-256 the API shows). The stored circular holds no joining
details; an invitee's copy of a notice of meeting is rendered again with them, under the one rule
of `service.scheduling.disclosure`.

Languages: the n-th circular of a kind for a session, in English and in Thai, are one text in
two languages. A circular goes to the invitees who read its language, and to the others only
while their language's counterpart has not been issued: when it has, they received that one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sqlmodel import Session, col, select

from service.circulars import models
from service.circulars.documents import Circular, CircularKind, JoiningDetails
from service.circulars.render import RenderedCircular, render_html, render_text
from service.conferencing.details import MeetingDetails
from service.db import utcnow
from service.delivery import mail
from service.delivery.content import subject_of
from service.delivery.enqueue import add_messages, email_message, join_url
from service.delivery.models import OutboxMessage
from service.directory.models import Person
from service.scheduling import queries as sessions
from service.scheduling.disclosure import Reader, may_see_joining_details
from service.scheduling.models import VdoSession
from service.settings import Settings

# The kinds whose templates print joining details for the readers who may see them.
JOINING_KINDS = frozenset({CircularKind.notice})


def joining_details(session: VdoSession) -> JoiningDetails | None:
    """How to join a confirmed session, as a notice prints it; None when there is no meeting."""
    if join_url(session) is None:
        return None
    meeting = MeetingDetails.from_json(session.meeting or {})
    return JoiningDetails(
        join_url=meeting.join_url,
        meeting_id=meeting.meeting_id,
        passcode=meeting.passcode,
        dial_ins=tuple(
            f"{d.label}: {d.readable_number}" + (f", PIN {d.readable_pin}#" if d.pin else "")
            for d in meeting.dial_ins
        ),
    )


def _languages_with_counterpart(db: Session, issued: models.Circular) -> set[str]:
    """The other languages in which the counterpart of `issued` (same session and kind, the
    same ordinal among that language's circulars) has been issued already."""
    languages = db.exec(
        select(models.Circular.language)
        .where(models.Circular.session_id == issued.session_id)
        .where(models.Circular.kind == issued.kind)
        .where(col(models.Circular.id) != issued.id)
        .order_by(col(models.Circular.id))
    ).all()
    counts = Counter(languages)
    ordinal = counts[issued.language] + 1  # every earlier one, then `issued`
    return {language for language, count in counts.items() if count >= ordinal}


def _recipients(db: Session, issued: models.Circular, invitees: list[Person]) -> list[Person]:
    covered = _languages_with_counterpart(db, issued)
    return [
        person
        for person in invitees
        if person.language == issued.language or person.language not in covered
    ]


def enqueue_circular(
    db: Session,
    settings: Settings,
    issued: models.Circular,
    circular: Circular,
    rendered: RenderedCircular,
) -> int:
    """One email per recipient of the circular just issued; returns how many were queued."""
    session = db.get(VdoSession, issued.session_id)
    if session is None:
        return 0
    invitees = [person for _, person in sessions.invitees(db, session)]
    invitee_ids = {person.id or 0 for person in invitees}
    joining = joining_details(session) if circular.kind in JOINING_KINDS else None
    with_joining = replace(circular, joining=joining) if joining else None
    subject = subject_of(
        circular.language.value,
        "circular",
        {
            "title": issued.title,
            "reference": issued.reference,
            "number_line": circular.number.line(circular.language) if circular.number else "",
        },
    )
    sender = mail.Mailbox.parse(settings.mail_from)
    stored = mail.Body(text=rendered.text.decode(), html=rendered.html.decode())
    own_copy = (
        mail.Body(text=render_text(with_joining), html=render_html(with_joining))
        if with_joining
        else stored
    )
    attachment = issued.file_name(models.DocumentFormat.pdf)

    def message_to(person: Person) -> OutboxMessage:
        to = mail.Mailbox(person.name, person.email)
        entitled = may_see_joining_details(Reader(person_id=person.id), invitee_ids)
        body = own_copy if entitled else stored
        return email_message(
            settings,
            f"circular:{issued.id}:p{person.id}",
            to,
            lambda message_id: mail.circular_email(
                mail.Envelope(sender, to, subject, message_id, utcnow()),
                body,
                rendered.pdf,
                attachment,
            ),
        )

    return add_messages(db, [message_to(person) for person in _recipients(db, issued, invitees)])
