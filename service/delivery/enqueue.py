"""Writing outbox messages, inside the caller's transaction (the change and its messages commit
or roll back together). Called once per operation by the scheduling and calendar controllers.

Each invitee gets their own email: their own answer links, times in their own zone, in their own
language, with the invite exactly as `GET /sessions/{id}/invite.ics` gives it to them. Webhook
events and provider side effects are rows too. Joining details go to invitees only: webhook
events carry none.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from service.calendar.rsvp import Invitation, rsvp_links, rsvp_note
from service.calendar.service import Invite, Joining, session_invite, session_page_url
from service.conferencing import bigbluebutton
from service.conferencing.details import MeetingDetails
from service.conferencing.models import Bridge
from service.db import utcnow
from service.delivery import mail
from service.delivery.content import local_time, render
from service.delivery.models import MessageKind, OutboxMessage, WebhookReceiver
from service.directory.models import Person
from service.scheduling import queries as sessions
from service.scheduling.changes import Rescheduled
from service.scheduling.models import PartStat, SessionStatus, VdoSession
from service.settings import Settings


class Change(StrEnum):
    booked = "booked"
    updated = "updated"
    cancelled = "cancelled"


def new_message_id(settings: Settings) -> str:
    """A Message-ID of our own domain, made once per message and recipient."""
    domain = mail.Mailbox.parse(settings.mail_from).email.rpartition("@")[2] or "localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


def add_messages(db: Session, messages: list[OutboxMessage]) -> int:
    """Insert the messages; one whose dedupe key exists already is skipped. Returns how many
    were new (a reminder run twice, or by two workers, enqueues each reminder once)."""
    if not messages:
        return 0
    rows = [m.model_dump(exclude={"id"}) for m in messages]
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else postgresql_insert
    statement = (
        insert(OutboxMessage)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(col(OutboxMessage.id))
    )
    return len(list(db.exec(statement)))


def email_message(
    settings: Settings,
    dedupe_key: str,
    to: mail.Mailbox,
    build: Callable[[str], EmailMessage],
) -> OutboxMessage:
    """An email row; `build(message_id)` makes the `EmailMessage` with the row's
    Message-ID, so that the stored message and the row agree."""
    message_id = new_message_id(settings)
    message = build(message_id)
    return OutboxMessage(
        kind=MessageKind.email,
        dedupe_key=dedupe_key,
        payload={"mime": mail.serialise(message)},
        recipient=to.email,
        message_id=message_id,
    )


def _envelope(
    settings: Settings,
    to: mail.Mailbox,
    subject: str,
    message_id: str,
    list_unsubscribe: str | None = None,
) -> mail.Envelope:
    return mail.Envelope(
        sender=mail.Mailbox.parse(settings.mail_from),
        to=to,
        subject=subject,
        message_id=message_id,
        date=utcnow(),
        list_unsubscribe=list_unsubscribe,
    )


def join_url(session: VdoSession) -> str | None:
    if session.status != SessionStatus.confirmed or not session.meeting:
        return None
    return MeetingDetails.from_json(session.meeting).join_url


def _invite_email(
    db: Session, settings: Settings, session: VdoSession, person: Person, change: Change, key: str
) -> OutboxMessage:
    links = rsvp_links(settings, session, person) if change != Change.cancelled else {}
    # The same invite the person downloads from invite.ics (their answer links included).
    invite: Invite = session_invite(
        db, settings, session, Joining.full, personal_note=rsvp_note(links) if links else ""
    )
    subject, body = render(
        person.language,
        "session",
        {
            "change": change.value,
            "name": person.name,
            "title": session.title,
            "description": session.description,
            "start": local_time(session.start_utc, person.zone),
            "end": local_time(session.end_utc, person.zone),
            "zone": person.zone,
            "join_url": join_url(session),
            "links": [(answer.label, url) for answer, url in links.items()],
            "page_url": session_page_url(settings, session),
        },
    )
    to = mail.Mailbox(person.name, person.email)
    return email_message(
        settings,
        f"{change.value}:{key}:p{person.id}",
        to,
        lambda message_id: mail.calendar_email(
            _envelope(settings, to, subject, message_id), body, invite.method, invite.body
        ),
    )


def public_session_data(session: VdoSession) -> dict[str, Any]:
    """What webhook receivers learn about a session: no joining details."""
    return {
        "session_id": session.id,
        "uid": session.uid,
        "series_id": session.series_id,
        "title": session.title,
        "start": session.start_utc.isoformat(),
        "end": session.end_utc.isoformat(),
        "status": str(session.status),
        "sequence": session.sequence,
    }


def webhook_messages(
    db: Session, settings: Settings, event_type: str, data: dict[str, Any], event_key: str
) -> list[OutboxMessage]:
    """One row per active receiver that asked for `event_type` (or for "*")."""
    receivers = db.exec(select(WebhookReceiver).where(col(WebhookReceiver.active)))
    body = json.dumps(
        {"type": event_type, "timestamp": utcnow().isoformat(), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return [
        OutboxMessage(
            kind=MessageKind.webhook,
            dedupe_key=f"webhook:{receiver.id}:{event_key}",
            payload={"receiver_id": receiver.id, "type": event_type, "body": body},
            recipient=receiver.url,
            message_id=f"msg_{secrets.token_hex(12)}",
        )
        for receiver in receivers
        if event_type in receiver.event_types or "*" in receiver.event_types
    ]


def _end_meeting_messages(db: Session, session: VdoSession) -> list[OutboxMessage]:
    """Ending a BigBlueButton room once no confirmed session uses it any more."""
    bridge = db.get(Bridge, session.bridge_id)
    if bridge is None or bridge.provider != bigbluebutton.KIND or not session.meeting:
        return []
    if session.series_id is not None:
        remaining = db.exec(
            select(func.count())
            .select_from(VdoSession)
            .where(VdoSession.series_id == session.series_id)
            .where(VdoSession.status == SessionStatus.confirmed)
        ).one()
        if remaining:
            return []
    return [
        OutboxMessage(
            kind=MessageKind.end_meeting,
            dedupe_key=f"end_meeting:{session.uid}",
            payload={"bridge_id": bridge.id, "meeting": session.meeting},
            recipient=f"bridge {bridge.name}",
            message_id=f"end_{secrets.token_hex(12)}",
        )
    ]


def _session_messages(
    db: Session,
    settings: Settings,
    session: VdoSession,
    change: Change,
    event: VdoSession,
    also: str = "",
) -> list[OutboxMessage]:
    """Each invitee's email showing `session`, and the webhook events, for a change of `event`
    (the session that changed: it keys the messages, so each change is enqueued once; `also`
    tells apart a second set of messages for the same change)."""
    key = f"{event.id}:r{event.revision}{also}"
    messages = [
        _invite_email(db, settings, session, person, change, key)
        for _, person in sessions.invitees(db, session)
    ]
    event_type = f"session.{change.value}"
    messages += webhook_messages(
        db, settings, event_type, public_session_data(event), f"{event_type}:{key}"
    )
    return messages


def enqueue_session_change(
    db: Session, settings: Settings, session: VdoSession, change: Change
) -> None:
    """The messages of a booking or an update of `session` (a series' first affected occurrence
    stands for the series, as in its invite)."""
    add_messages(db, _session_messages(db, settings, session, change, session))


def enqueue_reschedule(db: Session, settings: Settings, rescheduled: Rescheduled) -> None:
    """The update of a rescheduled session and, when it left its series ("this and following"
    with earlier occurrences), the update of that series, whose rule now ends before it."""
    changed = rescheduled.session
    messages = _session_messages(db, settings, changed, Change.updated, changed)
    if rescheduled.left_series_at is not None:
        messages += _session_messages(
            db, settings, rescheduled.left_series_at, Change.updated, changed, also=":left"
        )
    add_messages(db, messages)


def enqueue_cancellation(db: Session, settings: Settings, cancelled: Sequence[VdoSession]) -> None:
    """The messages of a cancellation: the CANCEL of the session, the series or the occurrence.

    A series cut short ("this and following" while earlier occurrences remain) is sent as an
    update of the series instead: its rule now ends earlier, so calendars drop every later
    occurrence (a CANCEL of the first one alone would leave the others in place)."""
    first = cancelled[0]
    shown, change = first, Change.cancelled
    if first.series_id is not None and len(cancelled) > 1:
        remaining = db.exec(
            select(VdoSession)
            .where(VdoSession.series_id == first.series_id)
            .where(VdoSession.status == SessionStatus.confirmed)
            .order_by(col(VdoSession.start_utc))
        ).first()
        if remaining is not None:
            shown, change = remaining, Change.updated
    messages = _session_messages(db, settings, shown, change, first)
    add_messages(db, messages + _end_meeting_messages(db, first))


def enqueue_answer(
    db: Session, settings: Settings, invited: Invitation, partstat: PartStat
) -> None:
    """The organiser's copy of an answer (to VDO_MAIL_FROM) and the `rsvp.received` event."""
    session, person = invited.session, invited.person
    answered_at = invited.participant.responded_at or utcnow()
    organiser = mail.Mailbox.parse(settings.mail_from)
    subject, body = render(
        "en",
        "answer",
        {
            "person": person.name,
            "email": person.email,
            "answer": str(partstat),
            "title": session.title,
            "start": f"{session.start_utc:%Y-%m-%d %H:%M}",
            "page_url": session_page_url(settings, session),
        },
    )
    key = f"{session.id}:p{person.id}:{answered_at.isoformat()}"
    messages = [
        email_message(
            settings,
            f"answer:{key}",
            organiser,
            lambda message_id: mail.plain_email(
                _envelope(settings, organiser, subject, message_id), body
            ),
        )
    ]
    data = public_session_data(session) | {"person_id": person.id, "partstat": str(partstat)}
    messages += webhook_messages(db, settings, "rsvp.received", data, f"rsvp:{key}")
    add_messages(db, messages)
