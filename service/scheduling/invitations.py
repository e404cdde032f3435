"""Who is invited to a session, and whether they (and the time) can be booked.

- The people named and the invited countries' delegations, bounded by MAX_INVITEES.
- Nobody is booked outside office hours, on a weekend or holiday, or during their leave unless
  the request acknowledges it; `availability_problems` gives every reason in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from service.directory.models import Agency, AgencyKind, Country, Person
from service.directory.service import get_person
from service.errors import Conflict, InvalidInput, invalid_field
from service.scheduling.availability import (
    Availability,
    Participant,
    ParticipantStatus,
    status_during,
)
from service.scheduling.models import (
    ParticipantRole,
    SessionCountry,
    SessionParticipant,
    VdoSession,
)
from service.scheduling.participants import (
    country_participant,
    load_countries,
    load_people,
    people_participants,
)
from service.scheduling.rotation import countries_taking_part

# --- who takes part ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    countries: list[Country]
    people: list[Person]  # named people and the invited countries' delegations, no duplicates
    participants: list[Participant]  # countries and people, for availability checks

    def countries_taking_part(self) -> set[str]:
        """The countries that may chair (see `rotation.countries_taking_part`)."""
        return countries_taking_part(
            [country.code for country in self.countries],
            [person.country_code for person in self.people],
        )


def in_delegation(db: Session, person: Person) -> bool:
    """Whether `person` belongs to their country's delegation: `delegation_members` for one."""
    agency = db.get(Agency, person.agency_id) if person.agency_id is not None else None
    return agency is None or agency.kind != AgencyKind.partner


def delegation_members(db: Session, codes: Sequence[str]) -> list[Person]:
    """People of the countries' own agencies (partner organisations' staff are not a delegation;
    `in_delegation` asks it of one person)."""
    if not codes:
        return []
    query = (
        select(Person)
        .outerjoin(Agency, col(Agency.id) == Person.agency_id)
        .where(col(Person.country_code).in_(list(codes)))
        .where(or_(col(Person.agency_id).is_(None), col(Agency.kind) != AgencyKind.partner))
        .order_by(col(Person.id))
    )
    return list(db.exec(query))


def resolve_invitation(
    db: Session,
    people_ids: Sequence[int],
    country_codes: Sequence[str],
    start: datetime,
    end: datetime,
    ignore_session_ids: Sequence[int] = (),
    *,
    max_people: int | None = None,
) -> Invitation:
    """Who is invited: the people named and the countries' delegations, at most `max_people`.

    A booking passes MAX_INVITEES; a session already booked keeps its invitees when a
    delegation grows later, so checks of its new times pass no limit."""
    countries = load_countries(db, list(dict.fromkeys(country_codes)))
    people: dict[int, Person] = {}
    for person in load_people(db, list(dict.fromkeys(people_ids))):
        people[person.id or 0] = person
    for person in delegation_members(db, [c.code for c in countries]):
        people.setdefault(person.id or 0, person)
    if not countries and not people:
        raise invalid_field("people", "invite at least one person or country")
    if max_people is not None and len(people) > max_people:
        raise invalid_field(
            "countries",
            f"the people named and these delegations come to {len(people)} people; "
            f"a session may have at most {max_people}",
        )
    participants = [country_participant(db, c) for c in countries]
    participants += people_participants(
        db, list(people.values()), start, end, ignore_session_ids=ignore_session_ids
    )
    return Invitation(countries, list(people.values()), participants)


def refuse_unacknowledged(problems: Sequence[str], acknowledged: bool, refusal: str) -> None:
    """Availability problems refuse a booking or change unless the request acknowledged them."""
    if problems and not acknowledged:
        raise InvalidInput(
            f"{refusal}: "
            + "; ".join(problems)
            + ". Choose another time or send acknowledge_problems: true.",
            problems=list(problems),
        )


def check_not_invited(db: Session, person_id: int) -> None:
    """Before a person leaves the directory: nobody invited to a session does, so that the
    sessions' records keep them (404 for an unknown person, as for any look-up)."""
    person = get_person(db, person_id)
    invited = db.exec(select(func.count()).where(SessionParticipant.person_id == person_id)).one()
    if invited:
        raise Conflict(
            f"{person.name} is invited to {invited} session(s) and stays in their records; "
            "remove them from those sessions first."
        )


def unavailable(
    participants: Sequence[Participant], start: datetime, end: datetime
) -> list[tuple[Participant, ParticipantStatus]]:
    """The participants who cannot attend [start, end), with why."""
    statuses = ((p, status_during(p, start, end)) for p in participants)
    return [(p, status) for p, status in statuses if status.status != Availability.WORKING]


def describe(participant: Participant, status: ParticipantStatus) -> str:
    return f"{participant.title}: {status.detail or status.status.value}"


def availability_problems(
    participants: Sequence[Participant], start: datetime, end: datetime
) -> list[str]:
    """Every participant who cannot attend [start, end), in words."""
    return [describe(p, status) for p, status in unavailable(participants, start, end)]


def check_times(start: datetime, duration_minutes: int, now: datetime) -> datetime:
    if start < now - timedelta(minutes=5):
        raise invalid_field("start", f"{start.isoformat()} is in the past")
    if start > now + timedelta(days=3 * 366):
        raise invalid_field("start", "is more than three years ahead")
    return start + timedelta(minutes=duration_minutes)


def check_chair(invitation: Invitation, chair_person_id: int | None) -> None:
    """Before anything is made at the video provider: the chair must be an invitee."""
    if chair_person_id is not None and chair_person_id not in {p.id for p in invitation.people}:
        raise invalid_field("chair_person_id", "the chair must be one of the invited people")


def check_chair_country(invitation: Invitation, chair_country: str | None) -> None:
    """A session is chaired by a country taking part in it, as a series' rotation is."""
    if chair_country is None:
        return
    taking_part = invitation.countries_taking_part()
    if chair_country.upper() not in taking_part:
        raise invalid_field(
            "chair_country",
            f"{chair_country.upper()} does not take part in this session; "
            f"the chair is one of {', '.join(sorted(taking_part))}",
        )


def add_invitees(
    db: Session, session: VdoSession, invitation: Invitation, chair_person_id: int | None
) -> None:
    for country in invitation.countries:
        db.add(SessionCountry(session_id=session.id or 0, country_code=country.code))
    for person in invitation.people:
        role = ParticipantRole.chair if person.id == chair_person_id else ParticipantRole.required
        db.add(SessionParticipant(session_id=session.id or 0, person_id=person.id or 0, role=role))
    db.flush()
