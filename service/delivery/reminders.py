"""Reminders before sessions: at the configured offsets (VDO_REMINDER_OFFSETS, default one day
and one hour), to every invitee who has not declined, once each.

"Once" is the outbox's unique dedupe key per session, offset and person: scanning again, or two
workers scanning at once, adds nothing. A reminder is only due if the session was booked before
its time (no "one day before" for a session booked this morning), and after a pause of the
worker only the nearest due offset is sent, not every missed one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from service.calendar.service import session_page_url
from service.db import utcnow
from service.delivery import mail
from service.delivery.content import local_time, render
from service.delivery.enqueue import add_messages, email_message, join_url
from service.delivery.models import OutboxMessage
from service.directory.models import Person
from service.scheduling import queries as sessions
from service.scheduling.models import PartStat, SessionStatus, VdoSession
from service.settings import Settings


def due_offset(
    session: VdoSession, offsets: tuple[timedelta, ...], now: datetime
) -> timedelta | None:
    """The nearest offset whose reminder time has passed, for a session not started yet."""
    due = [
        offset
        for offset in offsets
        if session.start_utc - offset <= now < session.start_utc
        and session.created_at <= session.start_utc - offset
    ]
    return min(due) if due else None


def _key(session: VdoSession, offset: timedelta, person: Person) -> str:
    return f"reminder:{session.id}:{int(offset.total_seconds() // 60)}m:p{person.id}"


def _reminder(settings: Settings, session: VdoSession, person: Person, key: str) -> OutboxMessage:
    subject, body = render(
        person.language,
        "reminder",
        {
            "name": person.name,
            "title": session.title,
            "start": local_time(session.start_utc, person.zone),
            "zone": person.zone,
            "join_url": join_url(session),
            "page_url": session_page_url(settings, session),
        },
    )
    sender = mail.Mailbox.parse(settings.mail_from)
    to = mail.Mailbox(person.name, person.email)
    unsubscribe = f"mailto:{sender.email}?subject=unsubscribe%20reminders"
    return email_message(
        settings,
        key,
        to,
        lambda message_id: mail.plain_email(
            mail.Envelope(sender, to, subject, message_id, utcnow(), unsubscribe), body
        ),
    )


def enqueue_due_reminders(db: Session, settings: Settings, now: datetime | None = None) -> int:
    """Enqueue the reminders due now; returns how many were new."""
    now = now or utcnow()
    offsets = settings.delivery.reminder_offsets
    if not offsets:
        return 0
    upcoming = db.exec(
        select(VdoSession)
        .where(VdoSession.status == SessionStatus.confirmed)
        .where(col(VdoSession.start_utc) > now)
        .where(col(VdoSession.start_utc) <= now + max(offsets))
    )
    wanted: dict[str, tuple[VdoSession, Person]] = {}
    for session in upcoming:
        offset = due_offset(session, offsets, now)
        if offset is None:
            continue
        for participant, person in sessions.invitees(db, session):
            if participant.partstat != PartStat.declined:
                wanted[_key(session, offset, person)] = (session, person)
    if not wanted:
        return 0
    known = set(
        db.exec(select(OutboxMessage.dedupe_key).where(col(OutboxMessage.dedupe_key).in_(wanted)))
    )
    return add_messages(
        db,
        [
            _reminder(settings, session, person, key)
            for key, (session, person) in wanted.items()
            if key not in known
        ],
    )
