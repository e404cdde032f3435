"""Stored sessions as iCalendar: the invite of a session or series, and the events of feeds.

Rows are mapped to the pure builder's plain data (`service.calendar.ics`), which applies the
rules of docs/domain.md. A standalone session is one VEVENT with its stored UID and
SEQUENCE. A series is its master VEVENT (RRULE from the first occurrence, EXDATE for each
cancelled occurrence) plus one override VEVENT per occurrence that was moved or edited, carrying
the occurrence's stored RECURRENCE-ID.

An occurrence's SEQUENCE is its series' SEQUENCE plus its own: it rises with every change of the
occurrence (its own counter) and never falls below the master's, so clients comparing the
override with the master they hold never take it for stale.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from enum import Enum
from typing import Any, Literal, cast

import pytz
from sqlmodel import Session

from service.auth.principal import Principal
from service.calendar.ics import (
    Attendee,
    AttendeeRole,
    EventData,
    Organizer,
    ParticipationStatus,
    build_cancel,
    build_request,
)
from service.calendar.rsvp import rsvp_links, rsvp_note
from service.conferencing.details import MeetingDetails
from service.scheduling import queries as sessions
from service.scheduling.disclosure import Viewer, may_see_joining_details
from service.scheduling.models import Series, SessionStatus, VdoSession
from service.scheduling.recurrence import RecurrenceRule
from service.scheduling.series import series_occurrences
from service.settings import Settings


class Joining(Enum):
    """Whether an audience gets a session's joining details (`may_see_joining_details`)."""

    # Invitees and staff: join link, meeting ID, passcode, dial-ins and the bridge staff's notes.
    full = "full"
    # Everyone else: nothing. Join links are themselves credentials (an unguessable Jitsi room,
    # a JWT, a checksummed BigBlueButton link), so they go with the passcodes and PINs.
    none = "none"

    @classmethod
    def for_viewer(cls, viewer: Viewer | None, invitee_ids: Collection[int]) -> Joining:
        return cls.full if may_see_joining_details(viewer, invitee_ids) else cls.none


def organizer(settings: Settings) -> Organizer:
    """The secretariat mailbox that sends invites (VDO_MAIL_FROM, "Name <address>")."""
    name, address = parseaddr(settings.mail_from)
    return Organizer(email=address, name=name or address)


def session_page_url(settings: Settings, session: VdoSession) -> str:
    return f"{settings.base_url}/sessions/{session.id}"


def conference(meeting: Mapping[str, Any], joining: Joining) -> MeetingDetails | None:
    if joining is Joining.none or not meeting:
        return None
    return MeetingDetails.from_json(meeting)


def attendees(db: Session, session: VdoSession) -> tuple[Attendee, ...]:
    return tuple(
        Attendee(
            email=person.email,
            name=person.name,
            # Stored as text: the database hands back plain strings of these values.
            role=cast(AttendeeRole, str(participant.role)),
            partstat=cast(ParticipationStatus, str(participant.partstat)),
        )
        for participant, person in sessions.invitees(db, session)
    )


def _status(status: str) -> Literal["CONFIRMED", "CANCELLED"]:
    return "CANCELLED" if status == SessionStatus.cancelled else "CONFIRMED"


def session_event(
    session: VdoSession,
    settings: Settings,
    joining: Joining,
    *,
    attendees: tuple[Attendee, ...] = (),
    series_sequence: int = 0,
) -> EventData:
    """A standalone session, or an occurrence of a series as an override of its master."""
    return EventData(
        uid=session.uid,
        sequence=series_sequence + session.sequence,
        title=session.title,
        description=session.description,
        start_utc=session.start_utc,
        end_utc=session.end_utc,
        zone=session.organiser_zone,
        organizer=organizer(settings),
        created=session.created_at,
        last_modified=session.updated_at,
        status=_status(session.status),
        attendees=attendees,
        conference=conference(session.meeting, joining),
        url=session_page_url(settings, session),
        recurrence_id=session.recurrence_id if session.series_id is not None else None,
    )


def is_override(occurrence: VdoSession) -> bool:
    """A confirmed occurrence that no longer looks as its series' rule would make it."""
    return occurrence.status == SessionStatus.confirmed and occurrence.detached


@dataclass(frozen=True)
class SeriesEvents:
    master: EventData
    overrides: tuple[EventData, ...]


def series_events(
    series: Series,
    occurrences: Sequence[VdoSession],
    settings: Settings,
    joining: Joining,
    *,
    attendees_of: Callable[[VdoSession], tuple[Attendee, ...]] = lambda _: (),
    master_attendees: tuple[Attendee, ...] = (),
) -> SeriesEvents:
    """The master VEVENT and its overrides, from the series and all its stored occurrences."""
    ordered = sorted(occurrences, key=lambda o: o.recurrence_id or o.start_utc)
    first = ordered[0]  # gives the page URL
    # The occurrences share one meeting; the last one stored carries the joining credentials
    # minted last, which are valid for every earlier occurrence too (a token's expiry covers
    # the occurrences it was made for).
    latest = ordered[-1]
    cancelled = [o for o in ordered if o.status == SessionStatus.cancelled]
    zone = pytz.timezone(series.organiser_zone)
    start = zone.localize(datetime.fromisoformat(series.first_start_local)).astimezone(UTC)
    everything_cancelled = series.status == SessionStatus.cancelled or len(cancelled) == len(
        ordered
    )
    master = EventData(
        uid=series.uid,
        sequence=series.sequence,
        title=series.title,
        description=series.description,
        start_utc=start,
        end_utc=start + timedelta(minutes=series.duration_minutes),
        zone=series.organiser_zone,
        organizer=organizer(settings),
        created=series.created_at,
        # The master changes when an occurrence is cancelled (it gains an EXDATE).
        last_modified=max([series.updated_at, *(o.updated_at for o in cancelled)]),
        status="CANCELLED" if everything_cancelled else "CONFIRMED",
        attendees=master_attendees,
        conference=conference(latest.meeting, joining),
        url=session_page_url(settings, first),
        rrule=RecurrenceRule.from_json(series.rule).as_ical(series.organiser_zone),
        exdates=tuple(o.recurrence_id for o in cancelled if o.recurrence_id is not None),
    )
    overrides = tuple(
        session_event(
            o, settings, joining, attendees=attendees_of(o), series_sequence=series.sequence
        )
        for o in ordered
        if is_override(o)
    )
    return SeriesEvents(master, overrides)


# --- invites ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invite:
    """What the invitation email carries as its text/calendar part."""

    method: Literal["REQUEST", "CANCEL"]
    body: bytes

    @property
    def content_type(self) -> str:
        # RFC 6047 section 2.4: the MIME method parameter must equal the METHOD inside.
        return f"text/calendar; charset=utf-8; method={self.method}"


def session_invite(
    db: Session,
    settings: Settings,
    session: VdoSession,
    joining: Joining,
    *,
    personal_note: str = "",
) -> Invite:
    """The iMIP invite of a session as it would be emailed now: REQUEST, or CANCEL once
    cancelled. For an occurrence of a series: the whole series, or the CANCEL of that one
    occurrence (with its RECURRENCE-ID) once it alone is cancelled."""
    session_attendees = attendees(db, session)
    if session.series_id is None:
        event = session_event(session, settings, joining, attendees=session_attendees)
        if event.status == "CANCELLED":
            return Invite("CANCEL", build_cancel(event))
        return Invite("REQUEST", build_request(event, personal_note=personal_note))
    series = db.get(Series, session.series_id)
    assert series is not None  # noqa: S101 - a foreign key
    events = series_events(
        series,
        series_occurrences(db, series.id or 0),
        settings,
        joining,
        attendees_of=lambda occurrence: attendees(db, occurrence),
        master_attendees=session_attendees,
    )
    if events.master.status == "CANCELLED":
        return Invite("CANCEL", build_cancel(events.master))
    if session.status == SessionStatus.cancelled:
        occurrence_sequence = series.sequence + session.sequence
        return Invite(
            "CANCEL",
            build_cancel(
                replace(
                    events.master,
                    sequence=occurrence_sequence,
                    last_modified=session.updated_at,
                    url=session_page_url(settings, session),
                ),
                occurrence_start_utc=session.recurrence_id,
            ),
        )
    return Invite(
        "REQUEST", build_request(events.master, events.overrides, personal_note=personal_note)
    )


def invite_for_viewer(
    db: Session, settings: Settings, session_id: int, viewer: Principal
) -> Invite:
    """The invite as `GET /sessions/{id}/invite.ics` serves it to a signed-in user.

    Staff and invitees get the joining details; anyone else who may read the session gets the
    same invite without them. An invitee's copy carries their own answer links."""
    session = sessions.get_session(db, session_id)
    invited = {person.id or 0: person for _, person in sessions.invitees(db, session)}
    joining = Joining.for_viewer(viewer, invited)
    viewer_invited = invited.get(viewer.person_id) if viewer.person_id is not None else None
    note = rsvp_note(rsvp_links(settings, session, viewer_invited)) if viewer_invited else ""
    return session_invite(db, settings, session, joining, personal_note=note)
