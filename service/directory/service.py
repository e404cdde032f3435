"""Directory logic: countries, agencies, people and the CSV import of people.

Functions take a SQLModel session and plain values, raise `service.errors` exceptions with
messages a person understands, and flush (the caller's unit of work commits).
"""

from __future__ import annotations

from typing import Any

import pytz
from sqlalchemy import func
from sqlmodel import Session, select

from service.auth.models import User
from service.directory.models import Agency, AgencyKind, Country, Person
from service.directory.office_hours import WeeklyHours
from service.directory.reference import WEEKDAYS, member_seed_rows
from service.directory.schemas import (
    AgencyUpdate,
    AgencyWrite,
    CountryCreate,
    CountryUpdate,
    PersonUpdate,
    PersonWrite,
)
from service.email_address import check_email
from service.errors import Conflict, NotFound, field_error, invalid_field
from service.queries import check_name_free, get_or_404, paginate, text_search

PARTNER_DEFAULT_HOURS = {
    day: ([["09:00", "17:00"]] if day in WEEKDAYS[:5] else []) for day in WEEKDAYS
}


# --- validation shared by the API and the CSV import ------------------------------------------


def check_zone(field: str, zone: str) -> str:
    zone = zone.strip()
    if zone not in pytz.all_timezones_set:
        raise invalid_field(field, f"{zone!r} is not an IANA time zone (e.g. Asia/Bangkok)")
    return zone


def check_office_hours(field: str, hours: dict[str, Any]) -> dict[str, Any]:
    try:
        return WeeklyHours.from_json(hours).to_json()
    except ValueError as exc:
        raise invalid_field(field, str(exc)) from None


# --- countries ---------------------------------------------------------------------------------


def seed_member_countries(db: Session) -> int:
    """Insert the ASEAN members that are missing; never overwrite what staff edited."""
    existing = set(db.exec(select(Country.code)).all())
    added = 0
    for row in member_seed_rows():
        if row["code"] not in existing:
            db.add(Country(**row))
            added += 1
    db.flush()
    return added


def list_countries(db: Session, *, members_only: bool = False) -> list[Country]:
    query = select(Country).order_by(Country.is_member.desc(), Country.name)  # type: ignore[attr-defined]
    if members_only:
        query = query.where(Country.is_member)
    return list(db.exec(query).all())


def get_country(db: Session, code: str) -> Country:
    country = db.get(Country, code.upper())
    if country is None:
        raise NotFound(f"No country with code {code!r}.")
    return country


def create_country(db: Session, data: CountryCreate) -> Country:
    code = data.code.upper()
    if not code.isalpha():
        raise invalid_field("code", "must be two letters (ISO 3166-1 alpha-2)")
    if db.get(Country, code) is not None:
        raise Conflict(f"Country {code} already exists.", errors=[field_error("code", "taken")])
    capital_zone = check_zone("capital_zone", data.capital_zone)
    zones = [check_zone("zones", zone) for zone in data.zones or [capital_zone]]
    country = Country(
        code=code,
        name=data.name.strip(),
        is_member=False,
        capital_zone=capital_zone,
        zones=zones,
        office_hours=check_office_hours("office_hours", data.office_hours or PARTNER_DEFAULT_HOURS),
        holiday_code=data.holiday_code.upper() if data.holiday_code else None,
    )
    db.add(country)
    db.flush()
    return country


def update_country(db: Session, code: str, data: CountryUpdate) -> Country:
    country = get_country(db, code)
    if data.name is not None:
        country.name = data.name.strip()
    if data.office_hours is not None:
        country.office_hours = check_office_hours("office_hours", data.office_hours)
    if data.subdivision_hours is not None:
        country.subdivision_hours = {
            str(subdivision): check_office_hours(f"subdivision_hours.{subdivision}", hours)
            for subdivision, hours in data.subdivision_hours.items()
        }
    if data.hours_note is not None:
        country.hours_note = data.hours_note
    db.add(country)
    db.flush()
    return country


# --- agencies ----------------------------------------------------------------------------------


def list_agencies(
    db: Session,
    *,
    country: str | None = None,
    kind: AgencyKind | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Agency], int]:
    query = select(Agency).order_by(Agency.country_code, Agency.name)
    if country:
        query = query.where(Agency.country_code == country.upper())
    if kind:
        query = query.where(Agency.kind == kind)
    if q:
        query = query.where(text_search(q, Agency.name, Agency.acronym))
    return paginate(db, query, limit, offset)


def get_agency(db: Session, agency_id: int) -> Agency:
    return get_or_404(db, Agency, agency_id, "agency")


def create_agency(db: Session, data: AgencyWrite) -> Agency:
    name = data.name.strip()
    check_name_free(db, Agency, name, "An agency")
    country = _known_country(db, "country_code", data.country_code)
    agency = Agency(
        name=name,
        acronym=data.acronym.strip(),
        country_code=country.code,
        kind=data.kind,
        zone=check_zone("zone", data.zone) if data.zone else None,
        subdivision=data.subdivision,
    )
    db.add(agency)
    db.flush()
    return agency


def update_agency(db: Session, agency_id: int, data: AgencyUpdate) -> Agency:
    agency = get_agency(db, agency_id)
    if data.name is not None:
        check_name_free(db, Agency, data.name.strip(), "An agency", agency_id)
        agency.name = data.name.strip()
    if data.acronym is not None:
        agency.acronym = data.acronym.strip()
    if data.kind is not None:
        agency.kind = data.kind
    if "zone" in data.model_fields_set:
        agency.zone = check_zone("zone", data.zone) if data.zone else None
    if "subdivision" in data.model_fields_set:
        agency.subdivision = data.subdivision
    db.add(agency)
    db.flush()
    return agency


def delete_agency(db: Session, agency_id: int) -> None:
    agency = get_agency(db, agency_id)
    members = db.exec(select(func.count()).where(Person.agency_id == agency_id)).one()
    if members:
        raise Conflict(
            f"Agency {agency.acronym} still has {members} people; move or delete them first."
        )
    db.delete(agency)
    db.flush()


def agency_zone(db: Session, agency: Agency) -> str:
    """The zone where an agency's delegation sits: its own, else its country's capital's."""
    return agency.zone or get_country(db, agency.country_code).capital_zone


# --- people ------------------------------------------------------------------------------------


def list_people(
    db: Session,
    *,
    country: str | None = None,
    agency: int | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Person], int]:
    query = select(Person).order_by(Person.country_code, Person.name)
    if country:
        query = query.where(Person.country_code == country.upper())
    if agency:
        query = query.where(Person.agency_id == agency)
    if q:
        query = query.where(text_search(q, Person.name, Person.email))
    return paginate(db, query, limit, offset)


def get_person(db: Session, person_id: int) -> Person:
    return get_or_404(db, Person, person_id, "person")


def _known_country(db: Session, field: str, code: str) -> Country:
    country = db.get(Country, code.strip().upper())
    if country is None:
        raise invalid_field(field, f"unknown country {code!r}; add it under /api/v1/countries")
    return country


def _known_agency(db: Session, field: str, agency_id: int) -> Agency:
    agency = db.get(Agency, agency_id)
    if agency is None:
        raise invalid_field(field, f"unknown agency {agency_id}")
    return agency


def _check_email_free(db: Session, email: str, person_id: int | None = None) -> None:
    clash = db.exec(select(Person).where(Person.email == email)).first()
    if clash is not None and clash.id != person_id:
        raise Conflict(
            f"{email} already belongs to {clash.name} (person {clash.id}).",
            errors=[field_error("email", "already registered")],
        )


def create_person(db: Session, data: PersonWrite) -> Person:
    email = check_email("email", data.email)
    _check_email_free(db, email)
    agency = _known_agency(db, "agency_id", data.agency_id) if data.agency_id else None
    if data.country_code:
        country = _known_country(db, "country_code", data.country_code)
    elif agency is not None:
        country = get_country(db, agency.country_code)
    else:
        raise invalid_field("country_code", "is required when no agency is given")
    if data.zone:
        zone = check_zone("zone", data.zone)
    else:
        zone = agency_zone(db, agency) if agency is not None else country.capital_zone
    person = Person(
        name=data.name.strip(),
        email=email,
        agency_id=agency.id if agency else None,
        country_code=country.code,
        zone=zone,
        language=data.language,
        title=data.title.strip(),
        position=data.position.strip(),
    )
    db.add(person)
    db.flush()
    return person


def update_person(db: Session, person_id: int, data: PersonUpdate) -> Person:
    person = get_person(db, person_id)
    if data.email is not None:
        email = check_email("email", data.email)
        _check_email_free(db, email, person_id)
        person.email = email
    if "agency_id" in data.model_fields_set:
        person.agency_id = (
            _known_agency(db, "agency_id", data.agency_id).id if data.agency_id else None
        )
    if data.country_code is not None:
        person.country_code = _known_country(db, "country_code", data.country_code).code
    if data.zone is not None:
        person.zone = check_zone("zone", data.zone)
    for name in ("name", "language", "title", "position"):
        value = getattr(data, name)
        if value is not None:
            setattr(person, name, value.strip() if isinstance(value, str) else value)
    db.add(person)
    db.flush()
    return person


def delete_person(db: Session, person_id: int) -> None:
    """Delete someone with no account; accounts keep history.

    Sessions refer to people, not the other way round: the API asks scheduling first
    (`invitations.check_not_invited`), and the database refuses to drop an invitee anyway."""
    person = get_person(db, person_id)
    if db.exec(select(User.id).where(User.person_id == person_id)).first() is not None:
        raise Conflict(f"{person.name} has a user account; remove the account first.")
    db.delete(person)
    db.flush()
