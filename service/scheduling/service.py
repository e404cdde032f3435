"""Booking, rescheduling and cancelling sessions; the rules that keep bookings honest.

- Nobody is booked outside office hours, on a weekend or holiday, or during their leave unless
  the request acknowledges it; the refusal lists every reason in words.
- A bridge never carries two confirmed sessions at once: checked here with a clear 409, and
  enforced by the database under concurrency (PostgreSQL exclusion constraint; serialized
  writers on SQLite).
- Every change goes through `record_change`, the one place that raises REVISION and, for changes
  of time or status, the iCalendar SEQUENCE.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import httpx
import pytz
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.conferencing.models import Bridge
from service.conferencing.providers import MeetingDetails, ProviderError, provider_for
from service.db import utcnow
from service.directory.models import Agency, AgencyKind, Country, Person
from service.directory.service import check_zone
from service.errors import Conflict, InvalidInput, UpstreamError, invalid_field
from service.queries import get_or_404, paginate
from service.scheduling.availability import (
    Availability,
    Participant,
    ParticipantStatus,
    status_during,
)
from service.scheduling.models import (
    ParticipantRole,
    Series,
    SessionCountry,
    SessionParticipant,
    SessionStatus,
    VdoSession,
)
from service.scheduling.participants import (
    bridge_bookings,
    country_participant,
    load_countries,
    load_people,
    people_participants,
)
from service.scheduling.recurrence import RecurrenceRule
from service.scheduling.schemas import Scope, SessionCreate, SessionUpdate

UID_DOMAIN = "aseanpubs-vdo"


def new_uid() -> str:
    return f"{secrets.token_hex(16)}@{UID_DOMAIN}"


def record_change(session: VdoSession, *, schedule_changed: bool) -> None:
    """The one place a session's REVISION and iCalendar SEQUENCE are raised (RFC 5545 3.8.7.4)."""
    session.revision += 1
    if schedule_changed:
        session.sequence += 1
    session.updated_at = utcnow()


# --- who takes part ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    countries: list[Country]
    people: list[Person]  # named people and the invited countries' delegations, no duplicates
    participants: list[Participant]  # countries and people, for availability checks


def delegation_members(db: Session, codes: Sequence[str]) -> list[Person]:
    """People of the countries' own agencies (partner organisations' staff are not a delegation)."""
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
) -> Invitation:
    countries = load_countries(db, list(dict.fromkeys(country_codes)))
    people: dict[int, Person] = {}
    for person in load_people(db, list(dict.fromkeys(people_ids))):
        people[person.id or 0] = person
    for person in delegation_members(db, [c.code for c in countries]):
        people.setdefault(person.id or 0, person)
    if not countries and not people:
        raise invalid_field("people", "invite at least one person or country")
    participants = [country_participant(db, c) for c in countries]
    participants += people_participants(
        db, list(people.values()), start, end, ignore_session_ids=ignore_session_ids
    )
    return Invitation(countries, list(people.values()), participants)


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


# --- bridge and provider -----------------------------------------------------------------------


def active_bridge(db: Session, bridge_id: int) -> Bridge:
    bridge = db.get(Bridge, bridge_id)
    if bridge is None:
        raise invalid_field("bridge_id", f"unknown bridge {bridge_id}")
    if not bridge.active:
        raise invalid_field("bridge_id", f"bridge {bridge.name!r} is not in service")
    return bridge


def check_bridge_free(
    db: Session, bridge: Bridge, start: datetime, end: datetime, ignore: Sequence[int] = ()
) -> None:
    clashes = bridge_bookings(db, bridge.id or 0, start, end, ignore_session_ids=ignore)
    if clashes:
        clash = clashes[0]
        raise Conflict(
            f"Bridge {bridge.name!r} is already booked for {clash.reason!r} from "
            f"{clash.start:%Y-%m-%d %H:%M} to {clash.end:%H:%M} UTC.",
            conflicting_session=clash.reason,
        )


def create_meeting(
    bridge: Bridge, title: str, start: datetime, end: datetime, http: httpx.Client | None
) -> MeetingDetails:
    try:
        provider = provider_for(bridge.provider, bridge.settings, http=http)
        return provider.create_meeting(secrets.token_hex(8), title, start, end, bridge.capacity)
    except ProviderError as exc:
        raise UpstreamError(
            f"The session was not booked: {exc.message}", transient=exc.transient
        ) from None


def end_meeting_quietly(bridge: Bridge, details: MeetingDetails, http: httpx.Client | None) -> None:
    # Best effort: a room left open on the provider is harmless; a lost booking is not.
    with contextlib.suppress(ProviderError):
        provider_for(bridge.provider, bridge.settings, http=http).end_meeting(details)


def insert_session(db: Session, session: VdoSession, bridge: Bridge) -> None:
    """Insert and flush; the database's overlap guard turns into the same 409 as the check."""
    try:
        # A savepoint, so that a lost race leaves the request's transaction usable for the 409.
        with db.begin_nested():
            db.add(session)
            db.flush()
    except IntegrityError:
        check_bridge_free(db, bridge, session.start_utc, session.end_utc, ignore=[])
        raise Conflict(f"Bridge {bridge.name!r} was booked by someone else just now.") from None


# --- booking -----------------------------------------------------------------------------------


def check_times(start: datetime, duration_minutes: int, now: datetime) -> datetime:
    if start < now - timedelta(minutes=5):
        raise invalid_field("start", f"{start.isoformat()} is in the past")
    if start > now + timedelta(days=3 * 366):
        raise invalid_field("start", "is more than three years ahead")
    return start + timedelta(minutes=duration_minutes)


def book_session(
    db: Session,
    data: SessionCreate,
    *,
    now: datetime,
    http: httpx.Client | None = None,
) -> VdoSession:
    """Book one session (a series goes through `service.scheduling.series.book_series`)."""
    start = data.start.astimezone(pytz.UTC)
    end = check_times(start, data.duration_minutes, now)
    zone = check_zone("organiser_zone", data.organiser_zone)
    if data.chair_country:
        load_countries(db, [data.chair_country])
    bridge = active_bridge(db, data.bridge_id)
    invitation = resolve_invitation(db, data.people, data.countries, start, end)
    check_chair(invitation, data.chair_person_id)
    problems = availability_problems(invitation.participants, start, end)
    if problems and not data.acknowledge_problems:
        raise InvalidInput(
            "Not booked: "
            + "; ".join(problems)
            + ". Choose another time or send acknowledge_problems: true.",
            problems=problems,
        )
    check_bridge_free(db, bridge, start, end)
    meeting = create_meeting(bridge, data.title, start, end, http)
    session = VdoSession(
        uid=new_uid(),
        title=data.title.strip(),
        description=data.description,
        start_utc=start,
        end_utc=end,
        organiser_zone=zone,
        bridge_id=bridge.id or 0,
        chair_country=data.chair_country.upper() if data.chair_country else None,
        meeting=meeting.to_json(),
        acknowledged=problems,
    )
    try:
        insert_session(db, session, bridge)
    except Conflict:
        end_meeting_quietly(bridge, meeting, http)
        raise
    add_invitees(db, session, invitation, data.chair_person_id)
    return session


def check_chair(invitation: Invitation, chair_person_id: int | None) -> None:
    """Before anything is made at the video provider: the chair must be an invitee."""
    if chair_person_id is not None and chair_person_id not in {p.id for p in invitation.people}:
        raise invalid_field("chair_person_id", "the chair must be one of the invited people")


def add_invitees(
    db: Session, session: VdoSession, invitation: Invitation, chair_person_id: int | None
) -> None:
    for country in invitation.countries:
        db.add(SessionCountry(session_id=session.id or 0, country_code=country.code))
    for person in invitation.people:
        role = ParticipantRole.chair if person.id == chair_person_id else ParticipantRole.required
        db.add(SessionParticipant(session_id=session.id or 0, person_id=person.id or 0, role=role))
    db.flush()


# --- reading -----------------------------------------------------------------------------------


def get_session(db: Session, session_id: int) -> VdoSession:
    return get_or_404(db, VdoSession, session_id, "session")


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
    query = select(VdoSession).order_by(col(VdoSession.start_utc), col(VdoSession.id))
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


# --- changing ----------------------------------------------------------------------------------


def _affected(db: Session, session: VdoSession, scope: Scope) -> list[VdoSession]:
    """The session alone, or it and the later confirmed occurrences of its series."""
    if scope == Scope.this or session.series_id is None:
        return [session]
    return list(
        db.exec(
            select(VdoSession)
            .where(
                VdoSession.series_id == session.series_id,
                VdoSession.start_utc >= session.start_utc,
                VdoSession.status == SessionStatus.confirmed,
            )
            .order_by(col(VdoSession.start_utc))
        )
    )


def reschedule(db: Session, session_id: int, data: SessionUpdate, *, now: datetime) -> VdoSession:
    """Edit a session (or it and the following occurrences); time changes raise SEQUENCE."""
    session = get_session(db, session_id)
    if session.status == SessionStatus.cancelled:
        raise Conflict("A cancelled session cannot be changed; book a new one.")
    if data.revision != session.revision:
        raise Conflict(
            f"Session {session_id} changed since you read it (revision {session.revision}, "
            f"you sent {data.revision}); reload and try again.",
            current_revision=session.revision,
        )
    shift = timedelta(0)
    if data.start is not None:
        shift = data.start.astimezone(pytz.UTC) - session.start_utc
    length = (
        timedelta(minutes=data.duration_minutes)
        if data.duration_minutes
        else session.end_utc - session.start_utc
    )
    bridge = active_bridge(db, session.bridge_id)
    affected = _affected(db, session, data.scope)
    ids = [s.id or 0 for s in affected]
    # First check every new time, changing nothing yet.
    problems: list[str] = []
    new_times = []
    for target in affected:
        new_start = target.start_utc + shift
        new_end = new_start + length
        if (new_start, new_end) != (target.start_utc, target.end_utc):
            check_times(new_start, int(length.total_seconds() // 60), now)
            people = [p.id or 0 for _, p in invitees(db, target)]
            invitation = resolve_invitation(
                db,
                people,
                invited_countries(db, target),
                new_start,
                new_end,
                ignore_session_ids=ids,
            )
            problems += availability_problems(invitation.participants, new_start, new_end)
            check_bridge_free(db, bridge, new_start, new_end, ignore=ids)
        new_times.append((new_start, new_end))
    if problems and not data.acknowledge_problems:
        raise InvalidInput(
            "Not changed: "
            + "; ".join(problems)
            + ". Choose another time or send acknowledge_problems: true.",
            problems=problems,
        )
    # Then move them one at a time, each onto a slot the one ahead of it has already left, so
    # the database's overlap guard never sees the series overlap itself halfway through.
    moves = list(zip(affected, new_times, strict=True))
    if shift > timedelta(0):
        moves.reverse()
    try:
        with db.begin_nested():
            for target, (new_start, new_end) in moves:
                timing_changed = (new_start, new_end) != (target.start_utc, target.end_utc)
                target.start_utc, target.end_utc = new_start, new_end
                if data.title is not None:
                    target.title = data.title.strip()
                if data.description is not None:
                    target.description = data.description
                # An occurrence edited apart from its series becomes an override.
                target.detached = target.series_id is not None
                record_change(target, schedule_changed=timing_changed)
                db.add(target)
                db.flush()
    except IntegrityError:
        raise Conflict(f"Bridge {bridge.name!r} was booked by someone else just now.") from None
    return session


def cancel(db: Session, session_id: int, scope: Scope) -> list[VdoSession]:
    """Cancel a session (or it and the following occurrences); frees the bridge."""
    session = get_session(db, session_id)
    if session.status == SessionStatus.cancelled:
        raise Conflict(f"Session {session_id} is already cancelled.")
    affected = _affected(db, session, scope)
    for target in affected:
        target.status = SessionStatus.cancelled
        record_change(target, schedule_changed=True)
        db.add(target)
    if session.series_id is not None:
        series = db.get(Series, session.series_id)
        assert series is not None  # a foreign key
        if scope == Scope.following:
            _end_series_before(db, series, session)
        # The master's EXDATEs (or its UNTIL) changed: clients must take the update.
        series.sequence += 1
        series.updated_at = utcnow()
        db.add(series)
    db.flush()
    return affected


def _end_series_before(db: Session, series: Series, occurrence: VdoSession) -> None:
    """The series stops before `occurrence`: its rule ends at the last earlier occurrence, so
    neither calendar clients nor `extend_series` make later ones again."""
    earlier = db.exec(
        select(VdoSession.recurrence_id)
        .where(VdoSession.series_id == series.id)
        .where(col(VdoSession.recurrence_id) < occurrence.recurrence_id)
        .order_by(col(VdoSession.recurrence_id).desc())
    ).first()
    if earlier is None:
        series.status = SessionStatus.cancelled
        return
    rule = RecurrenceRule.from_json(series.rule)
    series.rule = replace(rule, count=None, until=earlier).to_json()
