"""Directory tables: countries (members and partners' countries), agencies and people."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class AgencyKind(StrEnum):
    member_agency = "member_agency"
    partner = "partner"
    secretariat = "secretariat"


class Language(StrEnum):
    en = "en"
    th = "th"


class Country(SQLModel, table=True):
    """A member state (seeded from reference data) or a partner's country (added by staff)."""

    code: str = Field(primary_key=True, max_length=2)
    name: str = Field(max_length=100)
    is_member: bool = False
    capital_zone: str = Field(max_length=64)
    zones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Weekday -> working periods, the JSON form documented in service/directory/reference.py.
    office_hours: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    subdivision_hours: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    hours_note: str = Field(default="", max_length=500)
    # Country code for the `holidays` package, None where no public-holiday calendar applies.
    holiday_code: str | None = Field(default=None, max_length=2)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    acronym: str = Field(max_length=30, index=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    kind: AgencyKind = Field(sa_column=Column(String(20), nullable=False))
    # Where the delegation sits; None means the country's capital zone.
    zone: str | None = Field(default=None, max_length=64)
    # A state or province whose own hours and holidays apply (e.g. Malaysia's Kedah, "02").
    subdivision: str | None = Field(default=None, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, unique=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    zone: str = Field(max_length=64)
    language: Language = Field(default=Language.en, sa_column=Column(String(2), nullable=False))
    title: str = Field(default="", max_length=50)
    position: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
