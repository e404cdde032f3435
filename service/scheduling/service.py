"""Booking, rescheduling and cancelling sessions; the rules that keep bookings honest.

- Nobody is booked outside office hours, on a weekend or holiday, or during their leave unless
  the request acknowledges it; the refusal lists every reason in words.
- A bridge never carries two confirmed sessions at once: checked here with a clear 409, and
  enforced by the database under concurrency (PostgreSQL exclusion constraint; serialized
  writers on SQLite).
- Nothing waits on a video provider inside a transaction: a booking reserves its slot (pending
  sessions, committed), asks the provider for a room, then confirms (`confirm_reservation`).
- Every change goes through `record_change`, the one place that raises REVISION and, for changes
  of time or status, the iCalendar SEQUENCE.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytz
from sqlalchemy import ColumnElement, and_, delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.conferencing.models import Bridge
from service.conferencing.providers import MeetingDetails, ProviderError, provider_for
from service.db import utcnow
from service.directory.models import Agency, AgencyKind, Country, Person
from service.directory.service import check_zone
from service.errors import Conflict, InvalidInput, NotFound, UpstreamError, invalid_field
from service.queries import paginate
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
from service.scheduling.recurrence import Continuation, RecurrenceRule, continue_series
from service.scheduling.schemas import MAX_INVITEES, Scope, SessionCreate, SessionUpdate

UID_DOMAIN = "aseanpubs-vdo"


def new_uid() -> str:
    return f"{secrets.token_hex(16)}@{UID_DOMAIN}"


def record_change(session: VdoSession, *, schedule_changed: bool) -> None:
    """The one place a session's REVISION and iCalendar SEQUENCE are raised (RFC 5545 3.8.7.4)."""
    session.revision += 1
    if schedule_changed:
        session.sequence += 1
    session.updated_at = utcnow()


def record_series_change(series: Series, *, schedule_changed: bool) -> None:
    """The one place a series master's SEQUENCE is raised: when its rule, DTSTART, duration
    or EXDATEs changed, so that calendar clients take the update."""
    if schedule_changed:
        series.sequence += 1
    series.updated_at = utcnow()


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


def meeting_valid_until(bridge: Bridge, meeting: dict[str, Any], end: datetime) -> dict[str, Any]:
    """A stored meeting with joining credentials still valid at `end` (a Jitsi token minted
    anew, say); made here without calling the provider, so fine inside a transaction."""
    provider = provider_for(bridge.provider, bridge.settings)
    return provider.renew_credentials(MeetingDetails.from_json(meeting), end).to_json()


def end_meeting_quietly(bridge: Bridge, details: MeetingDetails, http: httpx.Client | None) -> None:
    # Best effort: a room left open on the provider is harmless; a lost booking is not.
    with contextlib.suppress(ProviderError):
        provider_for(bridge.provider, bridge.settings, http=http).end_meeting(details)


# --- reserving, then confirming ------------------------------------------------------------------

# A booking that crashed between reserving and confirming leaves pending sessions behind; after
# this long (far beyond any provider's timeout) the next booking or change releases them.
RESERVATION_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class Reservation:
    """Pending sessions (and their pending series) holding a bridge slot while the provider makes
    their room; they share a UID."""

    bridge: Bridge
    sessions: list[VdoSession]
    series: Series | None = None


def release_stale_reservations(db: Session) -> None:
    """Release reservations older than RESERVATION_LIFETIME, so that they cannot hold a bridge
    forever. Measured on the clock that stamped them (`created_at`).

    Plain DELETEs, so that two bookings releasing the same rows at once cannot trip over each
    other; reservations are in no feed, so the calendar counter need not move."""
    cutoff = utcnow() - RESERVATION_LIFETIME
    db.exec(
        delete(VdoSession).where(
            col(VdoSession.status) == SessionStatus.pending, col(VdoSession.created_at) < cutoff
        )
    )
    occurrences = select(VdoSession.id).where(col(VdoSession.series_id) == Series.id)
    db.exec(
        delete(Series).where(
            col(Series.status) == SessionStatus.pending,
            col(Series.created_at) < cutoff,
            ~occurrences.exists(),
        )
    )


def _release(db: Session, reservation: Reservation) -> None:
    """Delete what is left of the reservation (invitees go with it: ON DELETE CASCADE)."""
    db.exec(delete(VdoSession).where(_reserved(reservation)))
    if reservation.series is not None:
        db.exec(
            delete(Series).where(
                col(Series.id) == reservation.series.id,
                col(Series.uid) == reservation.series.uid,
                col(Series.status) == SessionStatus.pending,
            )
        )


def _reserved(reservation: Reservation) -> ColumnElement[bool]:
    # The UID too: SQLite may give a released row's id to a newer reservation.
    return and_(
        col(VdoSession.id).in_([s.id for s in reservation.sessions]),
        col(VdoSession.uid) == reservation.sessions[0].uid,
        col(VdoSession.status) == SessionStatus.pending,
    )


def _still_pending(db: Session, reservation: Reservation) -> list[VdoSession]:
    """The reservation's sessions that are still pending, locked until the transaction ends."""
    return list(
        db.exec(
            select(VdoSession)
            .where(_reserved(reservation))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def confirm_reservation(
    db: Session,
    reservation: Reservation,
    title: str,
    start: datetime,
    end: datetime,
    http: httpx.Client | None,
) -> None:
    """Commit the reservation, ask the provider for a room, then confirm the sessions with it.

    The provider is called with no transaction open (on SQLite: without the write lock), so a
    slow provider delays only this booking. If it fails, the reservation is deleted and
    committed before the 502: nothing is booked. If the reservation lapsed meanwhile (released
    as stale), the new room is ended and nothing is booked (409). `db` must not expire its
    objects on commit (`expire_on_commit=False`, as every session here is made).
    """
    db.commit()
    try:
        meeting = create_meeting(reservation.bridge, title, start, end, http)
    except Exception:
        _release(db, reservation)
        db.commit()
        raise
    held = _still_pending(db, reservation)
    if len(held) != len(reservation.sessions):
        _release(db, reservation)
        db.commit()
        end_meeting_quietly(reservation.bridge, meeting, http)
        raise Conflict(
            "The video provider took too long and the reservation of the bridge lapsed; "
            "nothing was booked. Please try again."
        )
    for session in held:
        session.status = SessionStatus.confirmed
        session.meeting = meeting.to_json()
        db.add(session)
    if reservation.series is not None:
        reservation.series.status = SessionStatus.confirmed
        db.add(reservation.series)
    db.flush()


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
    """Book one session (a series goes through `service.scheduling.series.book_series`).

    Commits `db` on the way (see `confirm_reservation`); what follows runs in a new transaction.
    """
    start = data.start.astimezone(pytz.UTC)
    end = check_times(start, data.duration_minutes, now)
    zone = check_zone("organiser_zone", data.organiser_zone)
    if data.chair_country:
        load_countries(db, [data.chair_country])
    bridge = active_bridge(db, data.bridge_id)
    invitation = resolve_invitation(
        db, data.people, data.countries, start, end, max_people=MAX_INVITEES
    )
    check_chair(invitation, data.chair_person_id)
    problems = availability_problems(invitation.participants, start, end)
    if problems and not data.acknowledge_problems:
        raise InvalidInput(
            "Not booked: "
            + "; ".join(problems)
            + ". Choose another time or send acknowledge_problems: true.",
            problems=problems,
        )
    release_stale_reservations(db)
    check_bridge_free(db, bridge, start, end)
    session = VdoSession(
        uid=new_uid(),
        title=data.title.strip(),
        description=data.description,
        start_utc=start,
        end_utc=end,
        organiser_zone=zone,
        bridge_id=bridge.id or 0,
        chair_country=data.chair_country.upper() if data.chair_country else None,
        status=SessionStatus.pending,
        acknowledged=problems,
    )
    insert_session(db, session, bridge)
    add_invitees(db, session, invitation, data.chair_person_id)
    confirm_reservation(db, Reservation(bridge, [session]), data.title, start, end, http)
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


# --- changing ----------------------------------------------------------------------------------


def _affected(db: Session, session: VdoSession, scope: Scope) -> list[VdoSession]:
    """The session alone, or it and the later confirmed occurrences of its series, locked like
    the session (in start order, so that two changes lock in the same order)."""
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
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


@dataclass(frozen=True)
class _Move:
    """Where an edit puts a session: its new times and, for an occurrence, its new slot."""

    session: VdoSession
    start: datetime
    end: datetime
    recurrence_id: datetime | None = None

    @property
    def changes_time(self) -> bool:
        return (self.start, self.end) != (self.session.start_utc, self.session.end_utc)

    @property
    def shift(self) -> timedelta:
        """How far the session (or, for an occurrence carried on, its slot) moves."""
        if self.recurrence_id is not None and self.session.recurrence_id is not None:
            return self.recurrence_id - self.session.recurrence_id
        return self.start - self.session.start_utc


def reschedule(db: Session, session_id: int, data: SessionUpdate, *, now: datetime) -> VdoSession:
    """Edit a session, or an occurrence and the following ones; time changes raise SEQUENCE.

    "This and following" splits the series at the occurrence (see `_carry_on_from`), so that
    the stored occurrences, the invites' rules and later extensions all agree.
    """
    session = get_session(db, session_id, for_update=True)
    if session.status == SessionStatus.cancelled:
        raise Conflict("A cancelled session cannot be changed; book a new one.")
    if data.revision != session.revision:
        raise Conflict(
            f"Session {session_id} changed since you read it (revision {session.revision}, "
            f"you sent {data.revision}); reload and try again.",
            current_revision=session.revision,
        )
    bridge = active_bridge(db, session.bridge_id)
    release_stale_reservations(db)
    series = db.get(Series, session.series_id) if session.series_id is not None else None
    if data.scope == Scope.this or series is None:
        start = data.start.astimezone(pytz.UTC) if data.start is not None else session.start_utc
        moves = [_Move(session, start, start + _length(session, data))]
        _check_moves(db, bridge, moves, data, now)
        _apply_moves(db, bridge, moves, data, None)
        return session
    rows = _occurrences_from(db, session)
    earlier = _count_earlier(db, session)
    continuation = _continuation(series, session, len(rows), earlier, data)
    moves = _following_moves(session, rows, continuation, data)
    _check_moves(db, bridge, moves, data, now)
    carrying_on = _carry_on_from(db, series, session, continuation, earlier, data)
    _apply_moves(db, bridge, moves, data, carrying_on)
    return session


def _length(session: VdoSession, data: SessionUpdate) -> timedelta:
    if data.duration_minutes:
        return timedelta(minutes=data.duration_minutes)
    return session.end_utc - session.start_utc


def _occurrences_from(db: Session, occurrence: VdoSession) -> list[VdoSession]:
    """The occurrence and every later one of its series, cancelled ones too (their EXDATEs move
    with them), by original start."""
    return list(
        db.exec(
            select(VdoSession)
            .where(
                VdoSession.series_id == occurrence.series_id,
                col(VdoSession.recurrence_id) >= occurrence.recurrence_id,
            )
            .order_by(col(VdoSession.recurrence_id))
            # Locked like the occurrence itself, in one order, so two changes cannot interleave.
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _count_earlier(db: Session, occurrence: VdoSession) -> int:
    """How many occurrences of its series come before `occurrence` (any status)."""
    return db.exec(
        select(func.count())
        .select_from(VdoSession)
        .where(
            VdoSession.series_id == occurrence.series_id,
            col(VdoSession.recurrence_id) < occurrence.recurrence_id,
        )
    ).one()


def _continuation(
    series: Series, occurrence: VdoSession, carried: int, earlier: int, data: SessionUpdate
) -> Continuation:
    """The rule from `occurrence` on (`carried` occurrences stored, `earlier` before it), moved
    to the new start on the organiser's wall clock."""
    assert occurrence.recurrence_id is not None  # noqa: S101 - an occurrence has its original start
    zone = pytz.timezone(series.organiser_zone)
    new_first = data.start or occurrence.recurrence_id
    try:
        return continue_series(
            RecurrenceRule.from_json(series.rule),
            series.organiser_zone,
            occurrence.recurrence_id,
            new_first.astimezone(zone).replace(tzinfo=None),
            carried,
            earlier,
        )
    except ValueError as exc:
        raise invalid_field("start", str(exc)) from None


def _following_moves(
    occurrence: VdoSession,
    rows: Sequence[VdoSession],
    continuation: Continuation,
    data: SessionUpdate,
) -> list[_Move]:
    """Each occurrence onto its new slot; one moved apart from the rule before keeps its offset
    from the slot (unless it is the one given a new start)."""
    moves = []
    for row, slot in zip(rows, continuation.starts, strict=True):
        assert row.recurrence_id is not None  # noqa: S101 - an occurrence has its original start
        offset = row.start_utc - row.recurrence_id
        if row is occurrence and data.start is not None:
            offset = timedelta(0)
        moves.append(_Move(row, slot + offset, slot + offset + _length(row, data), slot))
    return moves


def _check_moves(
    db: Session, bridge: Bridge, moves: Sequence[_Move], data: SessionUpdate, now: datetime
) -> None:
    """Every new time checked before anything changes: not past, people free, bridge free."""
    ids = [move.session.id or 0 for move in moves]
    problems: list[str] = []
    for move in moves:
        if not move.changes_time or move.session.status != SessionStatus.confirmed:
            continue
        check_times(move.start, int((move.end - move.start).total_seconds() // 60), now)
        people = [p.id or 0 for _, p in invitees(db, move.session)]
        invitation = resolve_invitation(
            db,
            people,
            invited_countries(db, move.session),
            move.start,
            move.end,
            ignore_session_ids=ids,
        )
        problems += availability_problems(invitation.participants, move.start, move.end)
        check_bridge_free(db, bridge, move.start, move.end, ignore=ids)
    if problems and not data.acknowledge_problems:
        raise InvalidInput(
            "Not changed: "
            + "; ".join(problems)
            + ". Choose another time or send acknowledge_problems: true.",
            problems=problems,
        )


def _carry_on_from(
    db: Session,
    series: Series,
    occurrence: VdoSession,
    continuation: Continuation,
    earlier: int,
    data: SessionUpdate,
) -> Series:
    """The series that carries on from `occurrence`: the series itself when nothing comes
    before it, else a new series with its own UID (RFC 5545 would also allow a RECURRENCE-ID
    range, which few clients understand), the old rule then ending before the occurrence."""
    carried_on: dict[str, Any] = {
        "title": data.title.strip() if data.title is not None else series.title,
        "description": data.description if data.description is not None else series.description,
        "duration_minutes": data.duration_minutes or series.duration_minutes,
        "first_start_local": continuation.first_start_local.isoformat(timespec="minutes"),
        "rule": continuation.rule.to_json(),
        # `extend_series` stores what comes after the last occurrence carried over.
        "horizon_end": continuation.starts[-1],
    }
    if earlier:
        _end_series_before(db, series, occurrence)
        record_series_change(series, schedule_changed=True)
        db.add(series)
        target = Series(
            uid=new_uid(),
            organiser_zone=series.organiser_zone,
            bridge_id=series.bridge_id,
            host_order=series.host_order,
            host_opt_outs=series.host_opt_outs,
            **carried_on,
        )
    else:
        schedule = ("first_start_local", "rule", "duration_minutes")
        changed = any(getattr(series, key) != carried_on[key] for key in schedule)
        target = series.sqlmodel_update(carried_on)
        record_series_change(target, schedule_changed=changed)
    db.add(target)
    db.flush()
    return target


def _apply_moves(
    db: Session,
    bridge: Bridge,
    moves: Sequence[_Move],
    data: SessionUpdate,
    series: Series | None,
) -> None:
    """Move each session, and re-file occurrences under `series` when one carries them on.

    One at a time, each onto a slot the one ahead of it has already left, so that neither the
    database's overlap guard nor the unique (series, RECURRENCE-ID) ever sees the moving
    occurrences clash with themselves halfway through."""
    ordered = sorted(moves, key=lambda move: move.session.start_utc)
    if ordered[0].shift > timedelta(0):
        ordered.reverse()
    try:
        with db.begin_nested():
            for move in ordered:
                target = move.session
                timing_changed = move.changes_time
                target.start_utc, target.end_utc = move.start, move.end
                if timing_changed and target.meeting:
                    target.meeting = meeting_valid_until(bridge, target.meeting, move.end)
                if data.title is not None:
                    target.title = data.title.strip()
                if data.description is not None:
                    target.description = data.description
                schedule_changed = timing_changed
                if series is None:
                    # An occurrence edited apart from its series becomes an override.
                    target.detached = target.series_id is not None
                else:
                    refiled = (series.id, move.recurrence_id)
                    schedule_changed |= refiled != (target.series_id, target.recurrence_id)
                    target.series_id, target.recurrence_id = refiled
                    target.uid = series.uid
                    target.detached = not _as_rule_makes_it(target, series)
                record_change(target, schedule_changed=schedule_changed)
                db.add(target)
                db.flush()
    except IntegrityError:
        raise Conflict(f"Bridge {bridge.name!r} was booked by someone else just now.") from None


def _as_rule_makes_it(occurrence: VdoSession, series: Series) -> bool:
    return (
        occurrence.start_utc == occurrence.recurrence_id
        and occurrence.end_utc - occurrence.start_utc == timedelta(minutes=series.duration_minutes)
        and (occurrence.title, occurrence.description) == (series.title, series.description)
    )


def cancel(db: Session, session_id: int, scope: Scope) -> list[VdoSession]:
    """Cancel a session (or it and the following occurrences); frees the bridge."""
    session = get_session(db, session_id, for_update=True)
    if session.status == SessionStatus.cancelled:
        raise Conflict(f"Session {session_id} is already cancelled.")
    affected = _affected(db, session, scope)
    for target in affected:
        target.status = SessionStatus.cancelled
        record_change(target, schedule_changed=True)
        db.add(target)
    if session.series_id is not None:
        series = db.get(Series, session.series_id)
        assert series is not None  # noqa: S101 - a foreign key
        if scope == Scope.following:
            _end_series_before(db, series, session)
        # The master's EXDATEs (or its UNTIL) changed.
        record_series_change(series, schedule_changed=True)
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
