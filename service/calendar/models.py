"""Calendar tables: the secret tokens of people's private feeds, and the feeds' change counter."""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, event, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from service.db import UTCDateTime, utcnow
from service.directory.models import Country, Person
from service.scheduling.models import Series, SessionCountry, SessionParticipant, VdoSession


class FeedToken(SQLModel, table=True):
    """A person's private feed token; only its SHA-256 is stored, the token is shown once.

    One per person: rotating replaces it, revoking deletes it (the old URL then answers 404).
    """

    __tablename__ = "feed_token"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarVersion(SQLModel, table=True):
    """One counter, raised in the same transaction as any change that can alter some feed.

    Calendar clients poll feeds far more often than anything changes: while the counter stands
    still, a feed request is answered from memory after reading this single row.
    """

    __tablename__ = "calendar_version"

    id: int = Field(default=1, primary_key=True)
    value: int = 0


# What feeds are rendered from (or name): a change to any of these raises the counter.
_FEED_SOURCES: tuple[type[SQLModel], ...] = (
    VdoSession,
    Series,
    SessionParticipant,
    SessionCountry,
    FeedToken,
    Country,
    Person,
)


@event.listens_for(Session, "before_flush")
def _raise_calendar_version(session: Session, _context: Any, _instances: Any) -> None:
    """The one place the counter moves; ORM changes only (the services make no bulk updates)."""
    changed = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(row, _FEED_SOURCES) for row in changed):
        session.execute(
            update(CalendarVersion)
            .where(col(CalendarVersion.id) == 1)
            .values(value=CalendarVersion.value + 1)
        )
