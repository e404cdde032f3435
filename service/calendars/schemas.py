"""Request and response bodies of the official-calendar API (`/countries/{code}/calendar`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.calendars.importer import ListFormat
from service.calendars.models import EntryKind
from service.request_body import RequestBody

MAX_LIST_TEXT = 100_000  # characters: a year's list is a few kilobytes
_STRICT = ConfigDict(extra="forbid")


class EntryCreate(RequestBody):
    """One announced exception; `hours` (a week of periods) only for `kind: hours`."""

    model_config = _STRICT

    kind: EntryKind
    first_day: date
    last_day: date | None = Field(default=None, description="Defaults to first_day")
    name: str = Field(min_length=1, max_length=200, description="e.g. Thingyan, Ramadan hours")
    source: str = Field(min_length=1, max_length=500, description="Gazette, circular or link")
    subdivision: str | None = Field(
        default=None, min_length=1, max_length=10, description="e.g. 16 (Putrajaya)"
    )
    hours: dict[str, Any] | None = Field(
        default=None, description="Weekday -> [[start, end], ...], for kind hours"
    )


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    country_code: str
    subdivision: str
    kind: EntryKind
    first_day: date
    last_day: date
    name: str
    source: str
    hours: dict[str, Any] | None
    list_year: int | None
    recorded_by: str
    recorded_at: datetime


class OfficialListRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    subdivision: str
    source: str
    recorded_by: str
    recorded_at: datetime


class CalendarRead(BaseModel):
    country_code: str
    official_lists: list[OfficialListRead]  # the years whose days off are confirmed
    entries: list[EntryRead]


class ListImport(RequestBody):
    """An announced list for a year; without `save` only the difference is shown."""

    model_config = _STRICT

    year: int = Field(ge=2000, le=2100)
    format: ListFormat
    content: str = Field(min_length=1, max_length=MAX_LIST_TEXT)
    source: str = Field(min_length=1, max_length=500)
    subdivision: str | None = Field(default=None, min_length=1, max_length=10)
    save: bool = False


class DiffDay(BaseModel):
    date: date
    kind: EntryKind  # day_off or working_day
    name: str


class ListDiff(BaseModel):
    year: int
    subdivision: str
    saved: bool
    added: list[DiffDay]
    removed: list[DiffDay]
    unchanged: list[DiffDay]


class CoverageRead(BaseModel):
    code: str
    name: str
    confirmed_years: list[int]  # years an official list confirmed, country-wide
    # The last day of the unbroken run of confirmed years from this year on; None when this
    # year's days off are not confirmed.
    confirmed_through: date | None
