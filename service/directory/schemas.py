"""Request and response bodies of the directory API (never table models as request bodies)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.directory.models import AgencyKind, Language
from service.request_body import CountryCode, RequestBody, ZoneName

# Philippine provinces (82) are the most subdivisions with hours of their own in the region.
MAX_SUBDIVISIONS = 100
MAX_ZONES = 50  # the United States has 29


class CountryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    is_member: bool
    capital_zone: str
    zones: list[str]
    office_hours: dict[str, Any]
    subdivision_hours: dict[str, Any]
    hours_note: str
    holiday_code: str | None


class CountryCreate(RequestBody):
    """A partner's country (members are reference data)."""

    code: CountryCode
    name: str = Field(min_length=1, max_length=100)
    capital_zone: ZoneName
    zones: list[ZoneName] | None = Field(default=None, max_length=MAX_ZONES)
    office_hours: dict[str, Any] | None = Field(
        default=None, description="Weekday -> [[start, end], ...]; default Mon-Fri 09:00-17:00"
    )
    holiday_code: CountryCode | None = Field(
        default=None, description="`holidays` package country code"
    )


class CountryUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    office_hours: dict[str, Any] | None = None
    subdivision_hours: dict[str, Any] | None = Field(
        default=None,
        max_length=MAX_SUBDIVISIONS,
        description="Subdivision code (as the `holidays` package has it) -> office hours",
    )
    hours_note: str | None = Field(default=None, max_length=500)


class AgencyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    acronym: str
    country_code: str
    kind: AgencyKind
    zone: str | None
    subdivision: str | None


class AgencyWrite(RequestBody):
    name: str = Field(min_length=1, max_length=200)
    acronym: str = Field(min_length=1, max_length=30)
    country_code: CountryCode
    kind: AgencyKind
    zone: ZoneName | None = None
    subdivision: str | None = Field(default=None, max_length=10)


class AgencyUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    acronym: str | None = Field(default=None, min_length=1, max_length=30)
    kind: AgencyKind | None = None
    zone: ZoneName | None = None
    subdivision: str | None = Field(default=None, max_length=10)


class PersonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    agency_id: int | None
    country_code: str
    zone: str
    language: Language
    title: str
    position: str


class PersonWrite(RequestBody):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    agency_id: int | None = None
    country_code: CountryCode | None = Field(
        default=None, description="Default: the agency's country"
    )
    zone: ZoneName | None = Field(default=None, description="Default: the agency's zone")
    language: Language = Language.en
    title: str = Field(default="", max_length=50)
    position: str = Field(default="", max_length=200)


class PersonUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, min_length=3, max_length=254)
    agency_id: int | None = None
    country_code: CountryCode | None = None
    zone: ZoneName | None = None
    language: Language | None = None
    title: str | None = Field(default=None, max_length=50)
    position: str | None = Field(default=None, max_length=200)


class RowError(BaseModel):
    row: int = Field(description="1-based line number in the file, the header being line 1")
    column: str
    reason: str


class ImportReport(BaseModel):
    imported: int
    errors: list[RowError]
