"""Official calendars as the planner's plain values, read once per request.

A planner request builds dozens of participants from a handful of countries; the exceptions are a
few hundred rows at most, so they are read in one query the first time a database session asks and
kept on that session (`Session.info`) for the rest of it. Writes happen in other sessions.

Equal calendars are handed out as one object, across requests too: the planner's per-day cache
compares them for every participant-day, and the same object compares at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlmodel import Session, col, select

from service.calendars.models import WHOLE_COUNTRY, CalendarEntry, EntryKind, OfficialList
from service.directory.office_hours import WeeklyHours
from service.scheduling.official_calendar import DatedHours, OfficialCalendar

_SESSION_KEY = "official_calendar_rows"


@dataclass(frozen=True)
class CalendarRows:
    entries: tuple[CalendarEntry, ...]
    lists: tuple[OfficialList, ...]


def calendar_rows(db: Session, country_codes: Iterable[str] | None = None) -> CalendarRows:
    """The entries and lists of the countries (all countries when None), freshly read."""
    entries = select(CalendarEntry)
    lists = select(OfficialList)
    if country_codes is not None:
        codes = list(country_codes)
        entries = entries.where(col(CalendarEntry.country_code).in_(codes))
        lists = lists.where(col(OfficialList.country_code).in_(codes))
    return CalendarRows(tuple(db.exec(entries)), tuple(db.exec(lists)))


def official_calendar(db: Session, country_code: str, subdivision: str | None) -> OfficialCalendar:
    """The official calendar a participant of the country (and subdivision) plans with."""
    if _SESSION_KEY not in db.info:
        db.info[_SESSION_KEY] = (calendar_rows(db), {})
    rows, built = db.info[_SESSION_KEY]
    key = (country_code, subdivision)
    if key not in built:
        built[key] = _interned(build_official_calendar(rows, country_code, subdivision))
    calendar: OfficialCalendar = built[key]
    return calendar


@lru_cache(maxsize=256)
def _interned(calendar: OfficialCalendar) -> OfficialCalendar:
    return calendar


def _days(entry: CalendarEntry) -> Iterable[date]:
    for offset in range((entry.last_day - entry.first_day).days + 1):
        yield entry.first_day + timedelta(days=offset)


def build_official_calendar(
    rows: CalendarRows, country_code: str, subdivision: str | None
) -> OfficialCalendar:
    """The exceptions of a country that apply in a subdivision (or across the country).

    Entries for the whole country apply everywhere in it, a subdivision's only there. For each
    year, the subdivision's own official list wins over the country's: a list replaces the
    package's holidays, so a country-wide list must not wipe out a state's own days off where the
    state has a list of its own.
    """
    scopes = {WHOLE_COUNTRY, subdivision or WHOLE_COUNTRY}
    lists = [r for r in rows.lists if r.country_code == country_code and r.subdivision in scopes]
    years_listed_locally = {r.year for r in lists if r.subdivision != WHOLE_COUNTRY}
    days_off: dict[date, str] = {}
    not_off: set[date] = set()
    working_days: dict[date, str] = {}
    hours: list[DatedHours] = []
    for entry in rows.entries:
        if entry.country_code != country_code or entry.subdivision not in scopes:
            continue
        if entry.list_year in years_listed_locally and entry.subdivision == WHOLE_COUNTRY:
            continue  # the subdivision's own list for that year replaces the country's
        if entry.kind == EntryKind.hours:
            week = WeeklyHours.from_json(entry.hours or {})
            hours.append(DatedHours(entry.first_day, entry.last_day, week, entry.name))
            continue
        for day in _days(entry):
            if entry.kind == EntryKind.day_off:
                days_off[day] = entry.name
            elif entry.kind == EntryKind.not_off:
                not_off.add(day)
            else:
                working_days[day] = entry.name
    return OfficialCalendar(
        days_off=days_off,
        not_off=frozenset(not_off),
        working_days=working_days,
        hours=tuple(sorted(hours, key=lambda period: (period.first, period.last))),
        confirmed_years=frozenset(r.year for r in lists),
    )
