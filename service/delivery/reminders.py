"""Reminders before sessions: at the configured offsets (VDO_REMINDER_OFFSETS, default one day
and one hour), to every invitee who has not declined, once each. And reminders of open action
items due within three days or overdue, to their owners, once each.

"Once" is the outbox's unique dedupe key per session, offset and person (per action item and
person): scanning again, or two workers scanning at once, adds nothing. A reminder is only due
if the session was booked before its time (no "one day before" for a session booked this
morning), and after a pause of the worker only the nearest due offset is sent, not every missed
one.

An action item is reminded once its minutes are circulated (delegates see it from then on). Its
owner is a person, or a country: then that country's delegates invited to the session. Action
items are stored again on each save of the minutes, so one is known by what it says (agenda item,
text, owner, due date), not by its row: a changed due date is reminded again, a save is not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

import pytz
from sqlmodel import Session, col, select

from service.calendar.service import session_page_url
from service.circulars.render import long_date
from service.db import utcnow
from service.delivery import mail
from service.delivery.content import local_time, render
from service.delivery.enqueue import add_messages, email_message, join_url
from service.delivery.models import OutboxMessage
from service.directory.models import Language, Person
from service.minutes.models import ActionItem, Minutes
from service.minutes.records import ActionStatus, MinutesStatus
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
    context = {
        "name": person.name,
        "title": session.title,
        "start": local_time(session.start_utc, person.zone),
        "zone": person.zone,
        "join_url": join_url(session),
        "page_url": session_page_url(settings, session),
    }
    return _reminder_email(settings, person, key, "reminder", context)


def _reminder_email(
    settings: Settings, person: Person, key: str, template: str, context: dict[str, Any]
) -> OutboxMessage:
    """A reminder in the person's language, with List-Unsubscribe (unlike invites)."""
    subject, body = render(person.language, template, context)
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
    """Enqueue the reminders of sessions and of action items due now; returns how many were
    new."""
    now = now or utcnow()
    return _session_reminders(db, settings, now) + _action_reminders(db, settings, now)


def _new_only(db: Session, wanted: Collection[str]) -> set[str]:
    """The keys of `wanted` not in the outbox yet (so that only their emails are rendered)."""
    known = db.exec(
        select(OutboxMessage.dedupe_key).where(col(OutboxMessage.dedupe_key).in_(wanted))
    )
    return set(wanted) - set(known)


def _session_reminders(db: Session, settings: Settings, now: datetime) -> int:
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
    new = _new_only(db, wanted)
    return add_messages(
        db,
        [
            _reminder(settings, session, person, key)
            for key, (session, person) in wanted.items()
            if key in new
        ],
    )


# An action item is reminded from this many days before its due date (and while overdue).
ACTION_NOTICE = timedelta(days=3)


def _action_key(action: ActionItem, person: Person) -> str:
    what = "\x1f".join(
        (
            action.item_number,
            action.text,
            str(action.owner_person_id or action.owner_country),
            str(action.due),
        )
    )
    digest = hashlib.sha256(what.encode()).hexdigest()[:24]
    return f"action:{action.session_id}:{digest}:p{person.id}"


def _owners(db: Session, action: ActionItem) -> list[Person]:
    """The person who owns the action, or the owning country's delegates for the session."""
    if action.owner_person_id is not None:
        owner = db.get(Person, action.owner_person_id)
        return [owner] if owner else []
    return [
        person
        for _, person in sessions.invitees_of(db, [action.session_id])[action.session_id]
        if person.country_code == action.owner_country
    ]


def _action_reminder(
    settings: Settings,
    session: VdoSession,
    action: ActionItem,
    person: Person,
    key: str,
    today: date,
) -> OutboxMessage:
    due = action.due or today
    context = {
        "name": person.name,
        "title": session.title,
        "item_number": action.item_number,
        "text": action.text,
        "due": long_date(Language(person.language))(due),
        "overdue": due < today,
        "page_url": session_page_url(settings, session),
    }
    return _reminder_email(settings, person, key, "action_reminder", context)


def _action_reminders(db: Session, settings: Settings, now: datetime) -> int:
    """Open action items of circulated or adopted minutes, due within `ACTION_NOTICE` of the
    owner's today (in their zone) or overdue."""
    latest_due = now.date() + ACTION_NOTICE + timedelta(days=1)  # every zone's today
    rows = db.exec(
        select(ActionItem, VdoSession)
        .join(Minutes, col(Minutes.session_id) == ActionItem.session_id)
        .join(VdoSession, col(VdoSession.id) == ActionItem.session_id)
        .where(ActionItem.status == ActionStatus.open)
        .where(Minutes.status != MinutesStatus.draft)
        .where(col(ActionItem.due).is_not(None), col(ActionItem.due) <= latest_due)
        .order_by(col(ActionItem.due), col(ActionItem.id))
    ).all()
    wanted: dict[str, tuple[VdoSession, ActionItem, Person, date]] = {}
    for action, session in rows:
        for person in _owners(db, action):
            today = now.astimezone(pytz.timezone(person.zone)).date()
            if action.due is not None and action.due <= today + ACTION_NOTICE:
                wanted[_action_key(action, person)] = (session, action, person, today)
    new = _new_only(db, wanted)
    return add_messages(
        db,
        [
            _action_reminder(settings, session, action, person, key, today)
            for key, (session, action, person, today) in wanted.items()
            if key in new
        ],
    )
