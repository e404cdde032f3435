"""Tables of official calendars: dated entries, and the years an official list confirmed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow

WHOLE_COUNTRY = ""  # the subdivision of an entry that applies across the country


class EntryKind(StrEnum):
    day_off = "day_off"  # an extra day off (a government decision, a listed holiday)
    not_off = "not_off"  # a day the package calls a holiday that is worked after all
    working_day = "working_day"  # a make-up working day, e.g. a Saturday worked
    hours = "hours"  # office hours that replace the weekly ones over the dates (Ramadan)


class CalendarEntry(SQLModel, table=True):
    """One exception over the dates `first_day` to `last_day`, both included (local dates)."""

    __tablename__ = "calendar_entry"

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    subdivision: str = Field(default=WHOLE_COUNTRY, max_length=10)
    kind: EntryKind = Field(sa_column=Column(String(20), nullable=False))
    first_day: date
    last_day: date
    name: str = Field(max_length=200)
    source: str = Field(max_length=500)
    # The week of working periods in force, for `hours` entries only (the office-hours JSON form).
    hours: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Set on the days of an official list imported for that year; re-importing replaces them.
    list_year: int | None = Field(default=None)
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OfficialList(SQLModel, table=True):
    """A year whose days off an imported official list settled, for a country or subdivision."""

    __tablename__ = "official_list"
    __table_args__ = (UniqueConstraint("country_code", "subdivision", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    subdivision: str = Field(default=WHOLE_COUNTRY, max_length=10)
    year: int
    source: str = Field(max_length=500)
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
