"""Turning stored sessions into API responses, joining details only for those allowed
(`service.scheduling.disclosure`)."""

from __future__ import annotations

from collections.abc import Sequence

import pytz
from sqlmodel import Session

from service.auth.principal import Principal
from service.scheduling import queries as sessions
from service.scheduling.disclosure import meeting_for
from service.scheduling.models import VdoSession
from service.scheduling.schemas import AttendeeRead, SessionRead


def session_reads(
    db: Session, rows: Sequence[VdoSession], principal: Principal
) -> list[SessionRead]:
    """API views of a page of sessions: invitees and countries in two queries, not per row."""
    ids = [session.id or 0 for session in rows]
    invitees, countries = sessions.invitees_of(db, ids), sessions.countries_of(db, ids)
    return [
        _session_read(session, invitees[session.id or 0], countries[session.id or 0], principal)
        for session in rows
    ]


def session_read(db: Session, session: VdoSession, principal: Principal) -> SessionRead:
    return session_reads(db, [session], principal)[0]


def _session_read(
    session: VdoSession,
    invited: list[sessions.Invitee],
    countries: list[str],
    principal: Principal,
) -> SessionRead:
    attendees = [
        AttendeeRead(
            person_id=person.id or 0,
            name=person.name,
            email=person.email,
            country_code=person.country_code,
            zone=person.zone,
            role=participant.role,
            partstat=participant.partstat,
            local_start=session.start_utc.astimezone(pytz.timezone(person.zone)),
        )
        for participant, person in invited
    ]
    meeting = meeting_for(principal, {a.person_id for a in attendees}, session.meeting)
    return SessionRead(
        id=session.id or 0,
        uid=session.uid,
        title=session.title,
        description=session.description,
        start=session.start_utc,
        end=session.end_utc,
        organiser_zone=session.organiser_zone,
        local_start=session.start_utc.astimezone(pytz.timezone(session.organiser_zone)),
        bridge_id=session.bridge_id,
        status=session.status,
        sequence=session.sequence,
        revision=session.revision,
        chair_country=session.chair_country,
        series_id=session.series_id,
        recurrence_id=session.recurrence_id,
        countries=countries,
        attendees=attendees,
        meeting=meeting,
        flags=session.flags,
        # What staff accepted when booking quotes people's leave reasons (`may_see_leave_reason`).
        acknowledged=session.acknowledged if principal.is_staff else [],
    )
