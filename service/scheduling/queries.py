"""Reading sessions: one, a filtered page, and their invitees and countries for a page at once.

Reservations (pending sessions) are not sessions yet and never show here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from service.directory.models import Person
from service.errors import NotFound
from service.queries import paginate
from service.scheduling.models import (
    SessionCountry,
    SessionParticipant,
    SessionStatus,
    VdoSession,
)

# --- reading -----------------------------------------------------------------------------------


def get_session(db: Session, session_id: int, *, for_update: bool = False) -> VdoSession:
    """The session (a reservation is not one yet); `for_update` locks its row until the
    transaction ends, so that two changes read from the same revision cannot both pass the
    revision check (PostgreSQL: a row lock; SQLite serializes writers already)."""
    query = select(VdoSession).where(
        col(VdoSession.id) == session_id, VdoSession.status != SessionStatus.pending
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    session = db.exec(query).first()
    if session is None:
        raise NotFound(f"No session with id {session_id}.")
    return session


def list_sessions(
    db: Session,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    country: str | None = None,
    person: int | None = None,
    status: SessionStatus | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[VdoSession], int]:
    query = (
        select(VdoSession)
        .where(VdoSession.status != SessionStatus.pending)
        .order_by(col(VdoSession.start_utc), col(VdoSession.id))
    )
    if start:
        query = query.where(VdoSession.end_utc > start)
    if end:
        query = query.where(VdoSession.start_utc < end)
    if status:
        query = query.where(VdoSession.status == status)
    if country:
        invited = select(SessionCountry.session_id).where(
            SessionCountry.country_code == country.upper()
        )
        via_people = (
            select(SessionParticipant.session_id)
            .join(Person, col(Person.id) == SessionParticipant.person_id)
            .where(Person.country_code == country.upper())
        )
        query = query.where(
            or_(col(VdoSession.id).in_(invited), col(VdoSession.id).in_(via_people))
        )
    if person:
        query = query.where(
            col(VdoSession.id).in_(
                select(SessionParticipant.session_id).where(SessionParticipant.person_id == person)
            )
        )
    return paginate(db, query, limit, offset)


Invitee = tuple[SessionParticipant, Person]


def invitees_of(db: Session, session_ids: Sequence[int]) -> dict[int, list[Invitee]]:
    """Each session's invitees (by country, then name), for a whole page in one query."""
    found: dict[int, list[Invitee]] = {session_id: [] for session_id in session_ids}
    rows = db.exec(
        select(SessionParticipant, Person)
        .join(Person, col(Person.id) == SessionParticipant.person_id)
        .where(col(SessionParticipant.session_id).in_(list(session_ids)))
        .order_by(col(Person.country_code), col(Person.name))
    )
    for participant, person in rows:
        found[participant.session_id].append((participant, person))
    return found


def countries_of(db: Session, session_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each session's invited countries, for a whole page in one query."""
    found: dict[int, list[str]] = {session_id: [] for session_id in session_ids}
    rows = db.exec(
        select(SessionCountry.session_id, SessionCountry.country_code)
        .where(col(SessionCountry.session_id).in_(list(session_ids)))
        .order_by(col(SessionCountry.country_code))
    )
    for session_id, code in rows:
        found[session_id].append(code)
    return found


def invitees(db: Session, session: VdoSession) -> list[Invitee]:
    return invitees_of(db, [session.id or 0])[session.id or 0]


def invited_countries(db: Session, session: VdoSession) -> list[str]:
    return countries_of(db, [session.id or 0])[session.id or 0]
