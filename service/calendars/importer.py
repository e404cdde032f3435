"""Reading a country's announced list of days off for a year, pasted as CSV or iCalendar.

Governments publish the list as a table or a calendar file; staff paste either. CSV rows are
`date,name[,kind]` (ISO dates; kind `day_off`, the default, or `working_day` for a make-up
working day; a header row is allowed). An iCalendar file has one all-day event per day off (an
event over several days counts each of them). Every date must lie in the year the list is for, so
that a list cannot silently change another year. Pure: text in, values out, errors name the line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

import icalendar

MAX_LISTED_DAYS = 400
MAX_NAME_LENGTH = 200


class ListFormat(StrEnum):
    csv = "csv"
    ics = "ics"


@dataclass(frozen=True, slots=True, order=True)
class ListedDay:
    day: date
    working: bool  # a make-up working day, not a day off
    name: str


def parse_official_list(text: str, list_format: ListFormat, year: int) -> tuple[ListedDay, ...]:
    """The listed days, in date order; a ValueError says which line or event is wrong."""
    days = _parse_csv(text) if list_format is ListFormat.csv else _parse_ics(text)
    outside = sorted({d.day.isoformat() for d in days if d.day.year != year})
    if outside:
        raise ValueError(f"the list is for {year}, but names {', '.join(outside[:5])}")
    if not days:
        raise ValueError("the list names no day")
    if len(days) > MAX_LISTED_DAYS:
        raise ValueError(f"a year's list may name at most {MAX_LISTED_DAYS} days")
    by_day: dict[date, ListedDay] = {}
    for listed in days:
        if listed.day in by_day and by_day[listed.day].working != listed.working:
            raise ValueError(f"{listed.day} is listed both as a day off and as a working day")
        by_day.setdefault(listed.day, listed)
    return tuple(sorted(by_day.values()))


_KINDS = {"": False, "day_off": False, "day off": False, "working_day": True, "working day": True}


def _parse_csv(text: str) -> list[ListedDay]:
    days = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() == "date":
            continue  # a header
        if len(cells) not in (2, 3):
            raise ValueError(f"line {number}: expected date,name[,kind], got {len(cells)} cells")
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            raise ValueError(f"line {number}: {cells[0]!r} is not a date (YYYY-MM-DD)") from None
        kind = cells[2].lower() if len(cells) == 3 else ""
        if kind not in _KINDS:
            raise ValueError(f"line {number}: kind {cells[2]!r} is not day_off or working_day")
        days.append(ListedDay(day, _KINDS[kind], _name(cells[1], f"line {number}")))
    return days


def _parse_ics(text: str) -> list[ListedDay]:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise ValueError(f"not an iCalendar file: {error}") from None
    days: list[ListedDay] = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        place = f"event {number}"
        start = _event_date(event.get("DTSTART"), place)
        end = _event_date(event.get("DTEND"), place) if event.get("DTEND") else None
        length = (end - start).days if end and end > start else 1
        if length > MAX_LISTED_DAYS:
            raise ValueError(f"{place}: lasts {length} days")
        name = _name(str(event.get("SUMMARY", "")), place)
        days.extend(ListedDay(start + timedelta(days=n), False, name) for n in range(length))
    return days


def _event_date(prop: object, place: str) -> date:
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError(f"{place}: has no DTSTART date")


def _name(text: str, place: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise ValueError(f"{place}: the day needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"{place}: the name is longer than {MAX_NAME_LENGTH} characters")
    return name
