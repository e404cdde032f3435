"""The bridge and its video provider: a booking reserves its slot, then confirms with a room.

- A bridge never carries two confirmed sessions at once: checked here with a clear 409, and
  enforced by the database under concurrency (PostgreSQL exclusion constraint; serialized
  writers on SQLite).
- Nothing waits on a video provider inside a transaction: a booking reserves its slot (pending
  sessions, committed), asks the provider for a room, then confirms (`confirm_reservation`).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import ColumnElement, and_, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.conferencing.models import Bridge
from service.conferencing.providers import MeetingDetails, ProviderError, provider_for
from service.db import utcnow
from service.errors import Conflict, UpstreamError, invalid_field
from service.scheduling.models import (
    Series,
    SessionStatus,
    VdoSession,
)
from service.scheduling.participants import (
    bridge_bookings,
)

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
    other. Reservations are in no feed, but the planner sees the slots they hold: the calendar
    counter moves when a row goes (`service.calendar.models`), and only then."""
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
