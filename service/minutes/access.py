"""Who may read a session's agenda and minutes and speak for which country.

Staff read and write everything. A delegate reads the agenda and minutes of a session they were
invited to (in person, or as a member of a delegation invited as a whole: partner organisations'
officers are not members), sees minutes only once circulated, and
comments or records their delegation's position only for their own country.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.auth.principal import Principal
from service.directory.models import Country, Person
from service.errors import Forbidden
from service.scheduling.invitations import in_delegation
from service.scheduling.models import SessionCountry, SessionParticipant


@dataclass(frozen=True)
class Standing:
    """The caller as far as one session is concerned."""

    is_staff: bool
    user_id: int
    person: Person | None

    @property
    def country(self) -> str | None:
        return self.person.country_code if self.person else None


def invited_countries(db: Session, session_id: int) -> set[str]:
    """Countries invited as a whole and the countries of the people invited."""
    whole = db.exec(
        select(SessionCountry.country_code).where(SessionCountry.session_id == session_id)
    ).all()
    of_people = db.exec(
        select(Person.country_code)
        .join(SessionParticipant, col(SessionParticipant.person_id) == Person.id)
        .where(SessionParticipant.session_id == session_id)
    ).all()
    return set(whole) | set(of_people)


def invited_members(db: Session, session_id: int) -> set[str]:
    """The invited ASEAN member countries: the delegations whose consent adoption needs."""
    codes = invited_countries(db, session_id)
    members = db.exec(select(Country.code).where(col(Country.is_member))).all()
    return codes & set(members)


def viewer(db: Session, principal: Principal) -> Standing:
    """The caller, before any session is in question."""
    person = db.get(Person, principal.person_id) if principal.person_id else None
    return Standing(principal.is_staff, principal.user_id, person)


def standing(db: Session, session_id: int, principal: Principal) -> Standing:
    """The caller's standing on the session; Forbidden for a delegate who was not invited."""
    who = viewer(db, principal)
    if not who.is_staff and (who.person is None or not _invited(db, session_id, who.person)):
        raise Forbidden("Only the secretariat and the session's invitees may see this.")
    return who


def _invited(db: Session, session_id: int, person: Person) -> bool:
    in_person = db.exec(
        select(SessionParticipant.id).where(
            SessionParticipant.session_id == session_id,
            SessionParticipant.person_id == person.id,
        )
    ).first()
    if in_person is not None:
        return True
    # A partner organisation's officer based in an invited country is not its delegation.
    with_delegation = db.get(SessionCountry, (session_id, person.country_code))
    return with_delegation is not None and in_delegation(db, person)
