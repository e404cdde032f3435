"""Keeping official calendars: record and remove exceptions, import a year's announced list.

An import first shows what it would change against the days off the planner applies today
(package plus exceptions), and saves only when asked: the list's days replace the previous list of
that year and scope in one transaction, and the year counts as confirmed from then on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import Session, col, delete, select

from service.calendars.importer import ListedDay, parse_official_list
from service.calendars.models import WHOLE_COUNTRY, CalendarEntry, EntryKind, OfficialList
from service.calendars.queries import build_official_calendar, calendar_rows, official_calendar
from service.calendars.schemas import (
    CalendarRead,
    CoverageRead,
    DiffDay,
    EntryCreate,
    EntryRead,
    ListDiff,
    ListImport,
    OfficialListRead,
)
from service.directory.models import Country
from service.directory.service import check_office_hours, get_country
from service.errors import NotFound, invalid_field
from service.scheduling.holidays_calendar import Holiday, subdivisions
from service.scheduling.official_calendar import holidays_between

MAX_ENTRY_DAYS = 366


def _scope(country: Country, subdivision: str | None, field: str) -> str:
    """The subdivision as stored ("" for the whole country), checked against the package."""
    if subdivision is None:
        return WHOLE_COUNTRY
    subdivision = subdivision.strip().upper()
    known = subdivisions(country.holiday_code) if country.holiday_code else ()
    if subdivision not in known:
        listed = ", ".join(known) if known else "none"
        raise invalid_field(
            field, f"{subdivision!r} is not a subdivision of {country.name} (known: {listed})"
        )
    return subdivision


def calendar_of(db: Session, code: str) -> CalendarRead:
    country = get_country(db, code)
    entries = db.exec(
        select(CalendarEntry)
        .where(CalendarEntry.country_code == country.code)
        .order_by(col(CalendarEntry.first_day), col(CalendarEntry.id))
    )
    lists = db.exec(
        select(OfficialList)
        .where(OfficialList.country_code == country.code)
        .order_by(col(OfficialList.year), col(OfficialList.subdivision))
    )
    return CalendarRead(
        country_code=country.code,
        official_lists=[OfficialListRead.model_validate(row) for row in lists],
        entries=[EntryRead.model_validate(row) for row in entries],
    )


def add_entry(db: Session, code: str, data: EntryCreate, recorded_by: str) -> CalendarEntry:
    country = get_country(db, code)
    last_day = data.last_day or data.first_day
    if last_day < data.first_day:
        raise invalid_field("last_day", "must not be before first_day")
    if (last_day - data.first_day).days >= MAX_ENTRY_DAYS:
        raise invalid_field("last_day", f"an entry spans at most {MAX_ENTRY_DAYS} days")
    if (data.kind is EntryKind.hours) != (data.hours is not None):
        raise invalid_field("hours", "give office hours for kind hours, and only for it")
    entry = CalendarEntry(
        country_code=country.code,
        subdivision=_scope(country, data.subdivision, "subdivision"),
        kind=data.kind,
        first_day=data.first_day,
        last_day=last_day,
        name=data.name.strip(),
        source=data.source.strip(),
        hours=check_office_hours("hours", data.hours) if data.hours is not None else None,
        recorded_by=recorded_by,
    )
    db.add(entry)
    db.flush()
    return entry


def remove_entry(db: Session, code: str, entry_id: int) -> None:
    country = get_country(db, code)
    entry = db.get(CalendarEntry, entry_id)
    if entry is None or entry.country_code != country.code:
        raise NotFound(f"{country.name} has no calendar entry {entry_id}.")
    db.delete(entry)
    db.flush()


def days_off(db: Session, country: Country, first: date, last: date) -> list[Holiday]:
    """The country's days off from `first` to `last` (both included) as the planner applies
    them: the holidays package's, with the announced exceptions over them."""
    return holidays_between(
        country.holiday_code, first, last, None, official_calendar(db, country.code, None)
    )


def _year_days(db: Session, country: Country, subdivision: str, year: int) -> dict[date, DiffDay]:
    """The days off and make-up working days the planner applies in the year, by date."""
    official = build_official_calendar(calendar_rows(db, [country.code]), country.code, subdivision)
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = {
        day: DiffDay(date=day, kind=EntryKind.working_day, name=name)
        for day, name in official.working_days.items()
        if day.year == year
    }
    for holiday in holidays_between(
        country.holiday_code, first, last, subdivision or None, official
    ):
        days[holiday.date] = DiffDay(date=holiday.date, kind=EntryKind.day_off, name=holiday.name)
    return days


def _diff(
    current: dict[date, DiffDay], listed: Iterable[ListedDay], year: int, subdivision: str
) -> ListDiff:
    announced = {
        d.day: DiffDay(
            date=d.day,
            kind=EntryKind.working_day if d.working else EntryKind.day_off,
            name=d.name,
        )
        for d in listed
    }
    same = [d for day, d in announced.items() if day in current and current[day].kind == d.kind]
    return ListDiff(
        year=year,
        subdivision=subdivision,
        saved=False,
        added=[d for d in announced.values() if d not in same],
        removed=[
            d
            for day, d in sorted(current.items())
            if day not in announced or announced[day].kind != d.kind
        ],
        unchanged=same,
    )


def import_list(db: Session, code: str, data: ListImport, recorded_by: str) -> ListDiff:
    """The difference the list makes; saved (replacing the year's previous list) if asked."""
    country = get_country(db, code)
    subdivision = _scope(country, data.subdivision, "subdivision")
    try:
        listed = parse_official_list(data.content, data.format, data.year)
    except ValueError as error:
        raise invalid_field("content", str(error)) from None
    diff = _diff(_year_days(db, country, subdivision, data.year), listed, data.year, subdivision)
    if not data.save:
        return diff
    in_scope = (
        col(CalendarEntry.country_code) == country.code,
        col(CalendarEntry.subdivision) == subdivision,
        col(CalendarEntry.list_year) == data.year,
    )
    db.exec(delete(CalendarEntry).where(*in_scope))
    db.exec(
        delete(OfficialList).where(
            col(OfficialList.country_code) == country.code,
            col(OfficialList.subdivision) == subdivision,
            col(OfficialList.year) == data.year,
        )
    )
    source = data.source.strip()
    db.add_all(
        CalendarEntry(
            country_code=country.code,
            subdivision=subdivision,
            kind=EntryKind.working_day if d.working else EntryKind.day_off,
            first_day=d.day,
            last_day=d.day,
            name=d.name,
            source=source,
            list_year=data.year,
            recorded_by=recorded_by,
        )
        for d in listed
    )
    db.add(
        OfficialList(
            country_code=country.code,
            subdivision=subdivision,
            year=data.year,
            source=source,
            recorded_by=recorded_by,
        )
    )
    db.flush()
    return diff.model_copy(update={"saved": True})


def coverage(db: Session, today: date) -> list[CoverageRead]:
    """How far ahead each country's days off are confirmed by official lists (country-wide)."""
    countries = db.exec(select(Country).order_by(col(Country.is_member).desc(), col(Country.name)))
    years: dict[str, set[int]] = {}
    for row in db.exec(select(OfficialList).where(OfficialList.subdivision == WHOLE_COUNTRY)):
        years.setdefault(row.country_code, set()).add(row.year)
    result = []
    for country in countries:
        confirmed = years.get(country.code, set())
        year = today.year
        while year in confirmed:
            year += 1
        through = date(year, 1, 1) - timedelta(days=1) if year > today.year else None
        result.append(
            CoverageRead(
                code=country.code,
                name=country.name,
                confirmed_years=sorted(confirmed),
                confirmed_through=through,
            )
        )
    return result
