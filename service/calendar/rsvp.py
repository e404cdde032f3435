"""Answering an invitation without signing in: signed links per invitee and session.

A link's token is the pair (session id, person id) signed by itsdangerous under VDO_SECRET_KEY,
so nothing is stored and a token works only for that person and session. Tokens signed under a
key listed in VDO_OLD_SECRET_KEYS still verify, so a key can be rotated without breaking the
links in invites already sent. Opening a link (GET) only shows a page with a button; the answer
is recorded by the POST it sends, because mail scanners open every link in a message and would
otherwise accept for you.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode

import pytz
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, col, select

from service.db import utcnow
from service.directory.models import Person
from service.errors import Conflict, Forbidden, NotFound
from service.rendering.templates import render
from service.scheduling.models import PartStat, SessionParticipant, SessionStatus, VdoSession
from service.scheduling.schemas import Scope
from service.settings import Settings

# Separates these signatures from any other use of the secret key.
_RSVP_SALT = "vdo-rsvp"
_INVALID = "This answer link is not valid."


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


def _keys(settings: Settings) -> list[str]:
    """Every key a link may be signed with, the current one last (itsdangerous signs with it)."""
    return [*settings.old_secret_keys, settings.secret_key]


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(
        _keys(settings), salt=_RSVP_SALT, signer_kwargs={"digest_method": hashlib.sha256}
    )


def rsvp_token(settings: Settings, session_id: int, person_id: int) -> str:
    return _serializer(settings).dumps([session_id, person_id])


def read_rsvp_token(settings: Settings, token: str) -> tuple[int, int]:
    """(session id, person id) of a genuine token; anything else is "not found"."""
    try:
        payload = _serializer(settings).loads(token)
    except BadSignature:
        return _read_hmac_token(settings, token)
    match payload:
        case [int(session_id), int(person_id)]:
            return session_id, person_id
    raise NotFound(_INVALID)


def _read_hmac_token(settings: Settings, token: str) -> tuple[int, int]:
    """The ids of a link in the format used before itsdangerous: `<session>.<person>.<MAC>`.

    Kept so that invites already sent (a series' invite answers for up to its whole stored
    horizon) still work; links are no longer made in this form. Remove once the sessions booked
    before the switch are past."""
    session_part, _, rest = token.partition(".")
    person_part, _, mac = rest.partition(".")
    # ASCII only: `isdecimal` and `int` also take other scripts' digits (one link, many spellings).
    if not (token.isascii() and session_part.isdecimal() and person_part.isdecimal()):
        raise NotFound(_INVALID)
    message = b"vdo-rsvp-v1:%s:%s" % (session_part.encode(), person_part.encode())
    for key in _keys(settings):
        digest = hmac.new(key.encode(), message, hashlib.sha256).digest()[:16]
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if hmac.compare_digest(mac, expected):
            return int(session_part), int(person_part)
    raise NotFound(_INVALID)


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


def confirmation_page(invited: Invitation, answer: Answer | None, scope: Scope) -> str:
    """What opening a link shows: the session, the current answer, and buttons that POST."""
    session, person = invited.session, invited.person
    return render(
        "rsvp/confirm.html",
        title=session.title,
        person_name=person.name,
        when=_when(session, person),
        current=PartStat(invited.participant.partstat).value.lower().replace("-", " "),
        proposed=answer,
        answers=list(Answer),
        scope=scope.value,
        applies_to_following=scope is Scope.following and session.series_id is not None,
    )


def answered_page(invited: Invitation, answer: Answer, answered: int) -> str:
    return render(
        "rsvp/answered.html", title=invited.session.title, answer=answer, sessions=answered
    )
