"""Calendar tables: the secret tokens of people's private feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


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
