"""Booked sessions, recurring series, who takes part, and people's leave.

A recurring series is expanded into stored occurrences (`VdoSession` rows with `series_id` and
`recurrence_id`) over a horizon, so that conflicts, listings and feeds are plain queries.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class SessionStatus(StrEnum):
    # Reserved: holding its bridge slot while the video provider makes the room. Not booked
    # yet, so no list, feed or invite shows it; confirmed or deleted within seconds, or
    # released as stale after a crash (service.scheduling.reservations.RESERVATION_LIFETIME).
    pending = "pending"
    confirmed = "confirmed"
    cancelled = "cancelled"


# What occupies a bridge and its participants' time; the PostgreSQL exclusion constraint
# (migration 0006) covers the same statuses.
HOLDS_SLOT = (SessionStatus.confirmed, SessionStatus.pending)


class ParticipantRole(StrEnum):
    """iCalendar ROLE values (RFC 5545 section 3.2.16)."""

    chair = "CHAIR"
    required = "REQ-PARTICIPANT"
    optional = "OPT-PARTICIPANT"


class PartStat(StrEnum):
    needs_action = "NEEDS-ACTION"
    accepted = "ACCEPTED"
    tentative = "TENTATIVE"
    declined = "DECLINED"


class Series(SQLModel, table=True):
    """A recurrence rule anchored in the organiser's zone, and what its occurrences share."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=10_000)
    organiser_zone: str = Field(max_length=64)
    # Wall-clock start of the first occurrence in the organiser's zone, ISO "YYYY-MM-DDTHH:MM".
    first_start_local: str = Field(max_length=16)
    duration_minutes: int
    rule: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    bridge_id: int = Field(foreign_key="bridge.id", index=True)
    host_order: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    host_opt_outs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Occurrences are stored up to here; `extend_series` moves it as time passes.
    horizon_end: datetime = Field(sa_type=UTCDateTime)
    sequence: int = 0
    status: SessionStatus = Field(
        default=SessionStatus.confirmed, sa_column=Column(String(20), nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VdoSession(SQLModel, table=True):
    """One booked session: standalone, or one stored occurrence of a series."""

    __tablename__ = "vdo_session"
    __table_args__ = (UniqueConstraint("series_id", "recurrence_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # Stable iCalendar UID; occurrences share their series' UID and differ by recurrence_id.
    uid: str = Field(max_length=120, index=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=10_000)
    start_utc: datetime = Field(sa_type=UTCDateTime, index=True)
    end_utc: datetime = Field(sa_type=UTCDateTime)
    organiser_zone: str = Field(max_length=64)
    bridge_id: int = Field(foreign_key="bridge.id", index=True)
    status: SessionStatus = Field(
        default=SessionStatus.confirmed, sa_column=Column(String(20), nullable=False, index=True)
    )
    # Raised on every change of time, recurrence, status or cancellation (RFC 5545 SEQUENCE).
    sequence: int = 0
    # Raised on every change at all; a PATCH naming an older revision is refused (409).
    revision: int = 1
    chair_country: str | None = Field(default=None, foreign_key="country.code", max_length=2)
    series_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("series.id"), index=True)
    )
    # The occurrence's original start in its series (RECURRENCE-ID), kept when it is moved.
    recurrence_id: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # True once an occurrence was moved or edited apart from its series.
    detached: bool = False
    meeting: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Holidays and weekends the occurrence falls on, with a suggested next working day.
    flags: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    acknowledged: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionCountry(SQLModel, table=True):
    """A whole country's delegation invited to a session."""

    __tablename__ = "session_country"

    session_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("vdo_session.id", ondelete="CASCADE"), primary_key=True
        )
    )
    country_code: str = Field(foreign_key="country.code", primary_key=True, max_length=2)


class SessionParticipant(SQLModel, table=True):
    __tablename__ = "session_participant"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("vdo_session.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    person_id: int = Field(foreign_key="person.id", index=True)
    role: ParticipantRole = Field(
        default=ParticipantRole.required, sa_column=Column(String(20), nullable=False)
    )
    partstat: PartStat = Field(
        default=PartStat.needs_action, sa_column=Column(String(20), nullable=False)
    )
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PersonUnavailability(SQLModel, table=True):
    """Leave or a blackout: the person cannot be booked in this UTC interval."""

    __tablename__ = "person_unavailability"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    start_utc: datetime = Field(sa_type=UTCDateTime)
    end_utc: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(default="leave", max_length=200)
