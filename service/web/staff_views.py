"""What the staff pages show, worked out apart from HTTP: the planner's grid and slots in words,
recurrence choices as the API's rule, links that keep the planner's query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import groupby
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import pytz

from service.directory.models import Country, Person
from service.rendering.i18n import N_
from service.scheduling.recurrence import WEEKDAY_CODES
from service.scheduling.schemas import GridOut, SlotOut
from service.web.views import DEFAULT_ZONE, local_time

BRIDGE_KEY_PREFIX = "bridge:"
# Each cell carries a letter as well as a colour: colour alone tells nothing to some readers.
STATUS_LETTERS = {
    "working": ("W", N_("Working hours")),
    "break": ("B", N_("Break")),
    "off": ("O", N_("Off: outside office hours or a day off")),
    "unavailable": ("U", N_("Unavailable: leave or another session")),
    "holiday": ("H", N_("Public holiday")),
}
BRIDGE_LETTERS = {"working": ("", N_("Bridge free")), "unavailable": ("X", N_("Bridge booked"))}
CLOSED = N_("Closed")
STATUS_WORDS = {status: words for status, (_, words) in STATUS_LETTERS.items()}


class Repeat(StrEnum):
    once = "once"
    weekly = "weekly"
    fortnightly = "fortnightly"
    monthly = "monthly"

    @property
    def label(self) -> str:
        return {
            Repeat.once: N_("Does not repeat"),
            Repeat.weekly: N_("Every week"),
            Repeat.fortnightly: N_("Every two weeks"),
            Repeat.monthly: N_("Every month, on the same weekday"),
        }[self]


def recurrence(
    repeat: Repeat, occurrences: int, start: datetime, zone: str
) -> dict[str, Any] | None:
    """The API's recurrence rule for a choice on the planner (None: a single session).

    "Monthly" keeps the weekday and its place in the month in the organiser's zone: a start on
    the second Tuesday repeats on second Tuesdays, one in the fifth week on the last."""
    if repeat == Repeat.once:
        return None
    if repeat in (Repeat.weekly, Repeat.fortnightly):
        return {
            "freq": "WEEKLY",
            "interval": 2 if repeat == Repeat.fortnightly else 1,
            "count": occurrences,
        }
    local = local_time(start, zone if zone in pytz.all_timezones_set else "UTC")
    nth = (local.day - 1) // 7 + 1
    return {
        "freq": "MONTHLY",
        "byweekday": [WEEKDAY_CODES[local.weekday()]],
        "nth": -1 if nth == 5 else nth,
        "count": occurrences,
    }


def path_of(url: str) -> str:
    """The path and query of a URL (e.g. a Referer), to come back to it on this site."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") or "/"


def by_country(people: Iterable[Person]) -> list[tuple[str, list[Person]]]:
    """People grouped by country code, in the directory's order (country, then name)."""
    return [(code, list(group)) for code, group in groupby(people, key=lambda p: p.country_code)]


def zone_choices(countries: Iterable[Country], chosen: str) -> list[str]:
    return sorted({country.capital_zone for country in countries} | {DEFAULT_ZONE, "UTC", chosen})


_DAY_NAMES = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}


def office_hours(week: dict[str, Any]) -> list[tuple[str, str]]:
    """Each weekday's working periods in words, e.g. ("Monday", "08:30-12:00, 13:00-16:30")."""
    return [
        (name, ", ".join(f"{start}-{end}" for start, end in week.get(key, [])) or CLOSED)
        for key, name in _DAY_NAMES.items()
    ]


def week_summary(week: dict[str, Any]) -> list[tuple[str, str]]:
    """The working days' hours, consecutive days with the same hours together, e.g.
    ("Mon-Thu", "08:30-12:00, 13:00-16:30")."""
    summary = []
    for hours, group in groupby(office_hours(week), key=lambda day: day[1]):
        days = [name[:3] for name, _ in group]
        if hours != CLOSED:
            summary.append((days[0] if len(days) == 1 else f"{days[0]}-{days[-1]}", hours))
    return summary


def pages(path: str, query: dict[str, Any], total: int, offset: int, limit: int) -> dict[str, str]:
    """Links to the previous and next page of a list, keeping its filters."""
    links = {}
    if offset > 0:
        links["previous"] = f"{path}?{urlencode(query | {'offset': max(0, offset - limit)})}"
    if offset + limit < total:
        links["next"] = f"{path}?{urlencode(query | {'offset': offset + limit})}"
    return links


# --- the planner's slots --------------------------------------------------------------------------


def _span(start: datetime, end: datetime, zone: str) -> str:
    """e.g. "Thu 3 Dec, 14:00-15:00" in `zone` (the day is named: it differs between zones)."""
    local_start, local_end = local_time(start, zone), local_time(end, zone)
    return f"{local_start:%a} {local_start.day} {local_start:%b, %H:%M}-{local_end:%H:%M}"


@dataclass(frozen=True)
class SlotPerson:
    label: str
    zone: str
    local: str
    status: str
    detail: str


@dataclass(frozen=True)
class SlotView:
    start: str  # ISO 8601, as the booking form sends it
    day: date  # its UTC date, for the grid
    heading: str
    score: float
    people: tuple[SlotPerson, ...]
    problems: tuple[str, ...]  # why someone cannot attend
    notes: tuple[str, ...]  # what to know, e.g. days off not yet confirmed


def slot_view(slot: SlotOut) -> SlotView:
    return SlotView(
        start=slot.start.isoformat(),
        day=slot.start.date(),
        heading=f"{_span(slot.start, slot.end, 'UTC')} UTC",
        score=slot.score,
        people=tuple(
            SlotPerson(
                label=p.label,
                zone=p.zone,
                local=_span(p.local_start, p.local_end, p.zone),
                status=STATUS_WORDS.get(p.status, p.status),
                detail=p.detail,
            )
            for p in slot.participants
        ),
        problems=tuple(slot.hard_problems),
        notes=tuple(slot.soft_problems),
    )


# --- the planner's grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCellView:
    status: str
    letter: str
    detail: str
    in_slot: bool


@dataclass(frozen=True)
class GridRowView:
    label: str
    zone: str
    note: str
    cells: tuple[GridCellView, ...]


@dataclass(frozen=True)
class GridView:
    day: date
    columns: tuple[str, ...]  # each cell's UTC start, "07:00"
    rows: tuple[GridRowView, ...]
    legend: tuple[tuple[str, str, str], ...]  # (status, letter, words)


def _offset(zone: str, moment: datetime) -> str:
    offset = local_time(moment, zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def grid_view(grid: GridOut, highlight: SlotOut | None) -> GridView:
    """The day's grid with the cells of `highlight` (the best slot) marked."""
    day = date.fromisoformat(grid.day)
    first_cells = grid.rows[0].cells if grid.rows else []

    def in_slot(start: datetime, end: datetime) -> bool:
        return highlight is not None and start < highlight.end and end > highlight.start

    rows = []
    for row in grid.rows:
        letters = BRIDGE_LETTERS if row.key.startswith(BRIDGE_KEY_PREFIX) else STATUS_LETTERS
        note = "" if row.days_off_confirmed else "holidays forecast, not yet confirmed"
        rows.append(
            GridRowView(
                label=row.label,
                zone=""
                if row.key.startswith(BRIDGE_KEY_PREFIX)
                else f"{row.zone}, {_offset(row.zone, row.cells[0].start)}",
                note=note,
                cells=tuple(
                    GridCellView(
                        status=(
                            "booked"
                            if row.key.startswith(BRIDGE_KEY_PREFIX)
                            and cell.status == "unavailable"
                            else cell.status
                        ),
                        letter=letters.get(cell.status, ("?", ""))[0],
                        detail=cell.detail,
                        in_slot=in_slot(cell.start, cell.end),
                    )
                    for cell in row.cells
                ),
            )
        )
    legend = tuple((status, letter, words) for status, (letter, words) in STATUS_LETTERS.items())
    return GridView(
        day=day,
        columns=tuple(f"{cell.start:%H:%M}" for cell in first_cells),
        rows=tuple(rows),
        legend=(*legend, ("booked", "X", N_("Bridge booked"))),
    )


class PlannerQuery(Protocol):
    countries: list[str]
    people: list[int]
    first_day: date | None
    last_day: date | None
    duration: int
    bridge: int | None


def planner_link(form: PlannerQuery, day: date) -> str:
    """The planner showing `day` on the grid, for the same people and window."""
    query: list[tuple[str, Any]] = [("countries", code) for code in form.countries]
    query += [("people", person) for person in form.people]
    query += [
        ("from", form.first_day),
        ("to", form.last_day),
        ("duration", form.duration),
        ("bridge", form.bridge or ""),
        ("day", day),
    ]
    return "/staff/planner?" + urlencode([(k, str(v)) for k, v in query])


def day_links(form: PlannerQuery, shown: str | None) -> dict[str, str]:
    """Links to the grid's previous and next day, within the planner's window."""
    if shown is None or form.first_day is None or form.last_day is None:
        return {}
    day = date.fromisoformat(shown)
    links = {}
    if day > form.first_day:
        links["previous"] = planner_link(form, day - timedelta(days=1))
    if day < form.last_day:
        links["next"] = planner_link(form, day + timedelta(days=1))
    return links
