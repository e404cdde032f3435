"""Builds the planner's `Participant`s from the directory and the bookings in the database.

A country takes part from the zone where its delegation sits: its member agency's zone (and
subdivision, for hours and holidays), by default the capital's. A person takes part from their own
zone, with their country's hours, holidays, their leave, and the sessions they are already in.
A delegation in the capital without a subdivision of its own keeps the capital's, where the
reference data names one (Malaysia: Putrajaya), since the package's holidays for a whole country
are only those common to every state. Everyone plans with their country's official calendar.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from sqlalchemy import and_
from sqlmodel import Session, col, select

from service.calendars.queries import official_calendar
from service.directory.models import Agency, AgencyKind, Country, Person
from service.directory.office_hours import WeeklyHours
from service.directory.reference import MEMBERS_BY_CODE
from service.errors import invalid_field
from service.scheduling.availability import Participant
from service.scheduling.intervals import Interval
from service.scheduling.models import (
    HOLDS_SLOT,
    PersonUnavailability,
    SessionParticipant,
    VdoSession,
)


def _hours(country: Country, subdivision: str | None) -> WeeklyHours:
    week = country.subdivision_hours.get(subdivision or "") or country.office_hours
    return WeeklyHours.from_json(week)


def subdivision_of(country: Country, zone: str, agency: Agency | None) -> str | None:
    """The subdivision whose holidays and hours apply: the agency's, else the capital's when
    working from the capital's zone."""
    if agency is not None and agency.subdivision:
        return agency.subdivision
    member = MEMBERS_BY_CODE.get(country.code)
    return member.capital_subdivision if member and zone == country.capital_zone else None


def load_countries(db: Session, codes: Collection[str]) -> list[Country]:
    codes = [code.strip().upper() for code in codes]
    found = {c.code: c for c in db.exec(select(Country).where(col(Country.code).in_(codes)))}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise invalid_field("countries", f"unknown country code(s): {', '.join(unknown)}")
    return [found[code] for code in codes]


def load_people(db: Session, ids: Collection[int]) -> list[Person]:
    found = {p.id: p for p in db.exec(select(Person).where(col(Person.id).in_(list(ids))))}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise invalid_field("people", f"unknown person id(s): {', '.join(unknown)}")
    return [found[i] for i in ids]


def delegation_agency(db: Session, country: Country) -> Agency | None:
    """The agency a country's delegation sits in: its first member agency."""
    return db.exec(
        select(Agency)
        .where(Agency.country_code == country.code, Agency.kind == AgencyKind.member_agency)
        .order_by(col(Agency.id))
    ).first()


def country_participant(db: Session, country: Country) -> Participant:
    agency = delegation_agency(db, country)
    zone = agency.zone if agency and agency.zone else country.capital_zone
    subdivision = subdivision_of(country, zone, agency)
    return Participant(
        key=f"country:{country.code}",
        label=country.name,
        zone=zone,
        hours=_hours(country, subdivision),
        holiday_country=country.holiday_code,
        holiday_subdivision=subdivision if country.holiday_code else None,
        official=official_calendar(db, country.code, subdivision),
    )


def people_participants(
    db: Session,
    people: Sequence[Person],
    window_start: datetime,
    window_end: datetime,
    *,
    ignore_session_ids: Collection[int] = (),
    leave_reason_shown: Callable[[int], bool] = lambda _: True,
) -> list[Participant]:
    """Participants for people, with their leave and booked sessions inside the window; the
    reasons for leave only of the people for whom `leave_reason_shown` (person id) is true."""
    ids = [p.id for p in people]
    busy: dict[int, list[Interval]] = defaultdict(list)
    leave = select(PersonUnavailability).where(
        col(PersonUnavailability.person_id).in_(ids),
        PersonUnavailability.start_utc < window_end,
        PersonUnavailability.end_utc > window_start,
    )
    for item in db.exec(leave):
        reason = item.reason if leave_reason_shown(item.person_id) else ""
        busy[item.person_id].append(Interval(item.start_utc, item.end_utc, reason))
    # Only the columns needed: whole rows would decode every session's JSON for nothing.
    booked = (
        select(
            SessionParticipant.person_id, VdoSession.start_utc, VdoSession.end_utc, VdoSession.title
        )
        .join(VdoSession, and_(col(VdoSession.id) == SessionParticipant.session_id))
        .where(
            col(SessionParticipant.person_id).in_(ids),
            col(VdoSession.status).in_(HOLDS_SLOT),
            VdoSession.start_utc < window_end,
            VdoSession.end_utc > window_start,
            col(VdoSession.id).not_in(list(ignore_session_ids)),
        )
    )
    for person_id, start, end, title in db.exec(booked):
        busy[person_id].append(Interval(start, end, f"in session {title!r}"))
    countries = {c.code: c for c in load_countries(db, {p.country_code for p in people})}
    agencies = {
        a.id: a
        for a in db.exec(
            select(Agency).where(col(Agency.id).in_([p.agency_id for p in people if p.agency_id]))
        )
    }
    participants = []
    for person in people:
        country = countries[person.country_code]
        agency = agencies.get(person.agency_id)
        subdivision = subdivision_of(country, person.zone, agency)
        participants.append(
            Participant(
                key=f"person:{person.id}",
                label=person.name,
                zone=person.zone,
                hours=_hours(country, subdivision),
                holiday_country=country.holiday_code,
                holiday_subdivision=subdivision if country.holiday_code else None,
                unavailable=tuple(busy[person.id or 0]),
                official=official_calendar(db, country.code, subdivision),
            )
        )
    return participants


def bridge_bookings(
    db: Session,
    bridge_id: int,
    window_start: datetime,
    window_end: datetime,
    *,
    ignore_session_ids: Collection[int] = (),
) -> list[Interval]:
    sessions = db.exec(
        select(VdoSession.start_utc, VdoSession.end_utc, VdoSession.title).where(
            VdoSession.bridge_id == bridge_id,
            col(VdoSession.status).in_(HOLDS_SLOT),
            VdoSession.start_utc < window_end,
            VdoSession.end_utc > window_start,
            col(VdoSession.id).not_in(list(ignore_session_ids)),
        )
    )
    return [Interval(start, end, title) for start, end, title in sessions]
