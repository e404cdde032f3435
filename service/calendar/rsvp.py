"""Answering an invitation without signing in: signed links per invitee and session.

A link's token is `<session id>.<person id>.<HMAC-SHA256>` under VDO_SECRET_KEY, so nothing is
stored and a token works only for that person and session: changing either id breaks the MAC.
Opening a link (GET) only shows a page with a button; the answer is recorded by the POST it
sends, because mail scanners open every link in a message and would otherwise accept for you.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from html import escape
from urllib.parse import urlencode

import pytz
from sqlmodel import Session, col, select

from service.db import utcnow
from service.directory.models import Person
from service.errors import Conflict, Forbidden, NotFound
from service.scheduling.models import PartStat, SessionParticipant, SessionStatus, VdoSession
from service.scheduling.schemas import Scope
from service.settings import Settings

# Separates these MACs from any other use of the secret key.
_RSVP_CONTEXT = b"vdo-rsvp-v1"
_MAC_BYTES = 16  # 128 bits: unguessable, and the links stay short enough for every mail client
# `<session id>.<person id>.<MAC>` in ASCII digits and URL-safe base64, as `rsvp_token` writes it.
_TOKEN_SHAPE = re.compile(
    r"(?P<session>[0-9]{1,18})\.(?P<person>[0-9]{1,18})\.(?P<mac>[\w-]{1,64})", re.ASCII
)


class Answer(StrEnum):
    accepted = "accepted"
    tentative = "tentative"
    declined = "declined"

    @property
    def partstat(self) -> PartStat:
        return PartStat[self.name]

    @property
    def label(self) -> str:
        return {"accepted": "Accept", "tentative": "Tentative", "declined": "Decline"}[self.value]


def _mac(settings: Settings, session_id: int, person_id: int) -> str:
    message = b"%s:%d:%d" % (_RSVP_CONTEXT, session_id, person_id)
    digest = hmac.new(settings.secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_MAC_BYTES]).rstrip(b"=").decode()


def rsvp_token(settings: Settings, session_id: int, person_id: int) -> str:
    return f"{session_id}.{person_id}.{_mac(settings, session_id, person_id)}"


def read_rsvp_token(settings: Settings, token: str) -> tuple[int, int]:
    """(session id, person id) of a genuine token; anything else is "not found".

    Only the shape `rsvp_token` writes is read: `int` also takes other scripts' digits (giving
    one link many spellings) and `hmac.compare_digest` raises TypeError on non-ASCII text."""
    shape = _TOKEN_SHAPE.fullmatch(token)
    if shape is None:
        raise NotFound("This answer link is not valid.")
    session_id, person_id = int(shape["session"]), int(shape["person"])
    if not hmac.compare_digest(shape["mac"], _mac(settings, session_id, person_id)):
        raise NotFound("This answer link is not valid.")
    return session_id, person_id


def rsvp_links(settings: Settings, session: VdoSession, person: Person) -> dict[Answer, str]:
    """The person's accept/tentative/decline links for the session (for invites and emails).

    An invite of a series occurrence stands for the series from there on, so its links answer
    for the following occurrences too."""
    token = rsvp_token(settings, session.id or 0, person.id or 0)
    scope = Scope.following if session.series_id is not None else Scope.this
    return {
        answer: f"{settings.base_url}/rsvp/{token}?"
        + urlencode({"answer": answer.value, "scope": scope.value})
        for answer in Answer
    }


def rsvp_note(links: dict[Answer, str]) -> str:
    """The invite's personal note: the recipient's answer links."""
    lines = ["Your answer (no sign-in needed):"]
    lines += [f"{answer.label}: {url}" for answer, url in links.items()]
    return "\n".join(lines)


# --- recording ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    session: VdoSession
    person: Person
    participant: SessionParticipant


def invitation(db: Session, session_id: int, person_id: int) -> Invitation:
    session = db.get(VdoSession, session_id)
    row = db.exec(
        select(SessionParticipant, Person)
        .join(Person, col(Person.id) == SessionParticipant.person_id)
        .where(SessionParticipant.session_id == session_id)
        .where(SessionParticipant.person_id == person_id)
    ).first()
    if session is None or row is None:
        raise NotFound("You are not invited to this session.")
    return Invitation(session, row[1], row[0])


def invitation_of_user(db: Session, session_id: int, person_id: int | None) -> Invitation:
    """The signed-in user's own invitation: 404 without the session, 403 if not invited."""
    if db.get(VdoSession, session_id) is None:
        raise NotFound(f"No session with id {session_id}.")
    if person_id is None:
        raise Forbidden("Your account is not linked to a person in the directory.")
    try:
        return invitation(db, session_id, person_id)
    except NotFound:
        raise Forbidden("You are not invited to this session, so you cannot answer.") from None


def invitation_for_token(db: Session, settings: Settings, token: str) -> Invitation:
    return invitation(db, *read_rsvp_token(settings, token))


def record_answer(
    db: Session, invited: Invitation, answer: Answer, scope: Scope = Scope.this
) -> list[SessionParticipant]:
    """Set the person's PARTSTAT; a later answer replaces an earlier one.

    With scope "following", also for the later confirmed occurrences of the series they are
    invited to. Returns the participant rows changed, earliest session first."""
    if invited.session.status == SessionStatus.cancelled:
        raise Conflict("This session was cancelled; there is nothing to answer.")
    rows = [invited.participant]
    session = invited.session
    if scope is Scope.following and session.series_id is not None:
        rows = list(
            db.exec(
                select(SessionParticipant)
                .join(VdoSession, col(VdoSession.id) == SessionParticipant.session_id)
                .where(VdoSession.series_id == session.series_id)
                .where(VdoSession.start_utc >= session.start_utc)
                .where(VdoSession.status == SessionStatus.confirmed)
                .where(SessionParticipant.person_id == invited.person.id)
                .order_by(col(VdoSession.start_utc))
            )
        )
    now = utcnow()
    for row in rows:
        row.partstat = answer.partstat
        row.responded_at = now
        db.add(row)
    db.flush()
    return rows


# --- pages -------------------------------------------------------------------------------------


def _when(session: VdoSession, person: Person) -> str:
    local: datetime = session.start_utc.astimezone(pytz.timezone(person.zone))
    return f"{local:%A %d %B %Y, %H:%M} ({person.zone})"


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title></head><body>{body}</body></html>"
    )


def confirmation_page(invited: Invitation, answer: Answer | None, scope: Scope) -> str:
    """What opening a link shows: the session, the current answer, and buttons that POST."""
    session, person = invited.session, invited.person
    current = PartStat(invited.participant.partstat)
    buttons = "".join(
        f'<form method="post" action="?{escape(urlencode({"answer": a.value, "scope": scope}))}"'
        f' style="display:inline"><button type="submit"{" autofocus" if a is answer else ""}>'
        f"{escape(a.label)}</button></form> "
        for a in Answer
    )
    series_note = (
        "<p>Your answer also applies to the later sessions of this series.</p>"
        if scope is Scope.following and session.series_id is not None
        else ""
    )
    prompt = ""
    if answer is not None:
        prompt = f"<p>Confirm your answer: <strong>{escape(answer.label)}</strong></p>"
    return _page(
        session.title,
        f"<h1>{escape(session.title)}</h1>"
        f"<p>{escape(person.name)}, {escape(_when(session, person))}</p>"
        f"<p>Your answer so far: {escape(current.value.lower().replace('-', ' '))}</p>"
        f"{prompt}{series_note}<p>{buttons}</p>",
    )


def answered_page(invited: Invitation, answer: Answer, answered: int) -> str:
    sessions_text = f" for {answered} sessions" if answered > 1 else ""
    return _page(
        "Answer recorded",
        f"<h1>Thank you</h1><p>Your answer <strong>{escape(answer.label)}</strong> to "
        f"&ldquo;{escape(invited.session.title)}&rdquo; is recorded{sessions_text}. "
        "You can change it with the links in the invitation at any time.</p>",
    )
