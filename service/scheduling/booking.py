"""Booking: the one entry point for a single session and a recurring series alike.

`book` checks the request (times, chair, invitees' availability, a free bridge), reserves the
slot with pending rows, and confirms them once the video provider has made the room (see
`reservations.confirm_reservation`). A series is expanded and booked by `series.book_series`.
"""

from __future__ import annotations

from datetime import datetime

import httpx
import pytz
from sqlmodel import Session

from service.directory.service import check_zone
from service.scheduling.invitations import (
    add_invitees,
    availability_problems,
    check_chair,
    check_chair_country,
    check_times,
    refuse_unacknowledged,
    resolve_invitation,
)
from service.scheduling.models import (
    SessionStatus,
    VdoSession,
)
from service.scheduling.participants import (
    load_countries,
)
from service.scheduling.reservations import (
    Reservation,
    active_bridge,
    check_bridge_free,
    confirm_reservation,
    insert_session,
    release_stale_reservations,
)
from service.scheduling.revisions import new_uid
from service.scheduling.schemas import MAX_INVITEES, SessionCreate
from service.scheduling.series import book_series


def book(
    db: Session,
    data: SessionCreate,
    *,
    now: datetime,
    http: httpx.Client | None = None,
) -> VdoSession:
    """Book a session, or a series (returning its first occurrence) when `data` recurs.

    Commits `db` on the way (see `confirm_reservation`); what follows runs in a new transaction.
    """
    if data.recurrence is not None:
        return book_series(db, data, now=now, http=http)
    return _book_session(db, data, now=now, http=http)


def _book_session(
    db: Session, data: SessionCreate, *, now: datetime, http: httpx.Client | None
) -> VdoSession:
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
    check_chair_country(invitation, data.chair_country)
    problems = availability_problems(invitation.participants, start, end)
    refuse_unacknowledged(problems, data.acknowledge_problems, "Not booked")
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
