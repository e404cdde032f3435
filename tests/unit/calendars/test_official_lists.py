"""Reading announced lists, and which exceptions a subdivision plans with (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from service.calendars.importer import ListedDay, ListFormat, parse_official_list
from service.calendars.models import CalendarEntry, EntryKind, OfficialList
from service.calendars.queries import CalendarRows, build_official_calendar


def test_a_csv_list_reads_days_off_and_make_up_days_in_date_order() -> None:
    text = 'date,name,kind\n2026-04-11,"Thingyan, day 1"\n2026-01-10,Make-up day,working_day\n'
    assert parse_official_list(text, ListFormat.csv, 2026) == (
        ListedDay(date(2026, 1, 10), True, "Make-up day"),
        ListedDay(date(2026, 4, 11), False, "Thingyan, day 1"),
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-01-01", "line 1: expected date,name"),
        ("2026-01-01,", "line 1: the day needs a name"),
        ("2026-01-01,New Year\n2026-01-01,New Year,working_day", "both as a day off and"),
        ("", "names no day"),
    ],
)
def test_a_bad_csv_list_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_official_list(text, ListFormat.csv, 2026)


def _entry(subdivision: str, day: date, name: str, list_year: int | None = None) -> CalendarEntry:
    return CalendarEntry(
        country_code="MY",
        subdivision=subdivision,
        kind=EntryKind.day_off,
        first_day=day,
        last_day=day,
        name=name,
        source="Gazette",
        list_year=list_year,
        recorded_by="staff@example.org",
    )


def _list(subdivision: str, year: int) -> OfficialList:
    return OfficialList(
        country_code="MY", subdivision=subdivision, year=year, source="Gazette", recorded_by="s"
    )


def test_a_subdivision_plans_with_its_own_list_and_the_country_wide_entries() -> None:
    national = _entry("", date(2027, 8, 31), "Merdeka Day", list_year=2027)
    decided = _entry("", date(2027, 9, 1), "Extra day off")
    putrajaya = _entry("16", date(2027, 2, 1), "Federal Territory Day", list_year=2027)
    rows = CalendarRows(
        entries=(national, decided, putrajaya), lists=(_list("", 2027), _list("16", 2027))
    )
    in_putrajaya = build_official_calendar(rows, "MY", "16")
    assert set(in_putrajaya.days_off) == {date(2027, 9, 1), date(2027, 2, 1)}
    assert in_putrajaya.confirms(2027)
    in_kedah = build_official_calendar(rows, "MY", "02")
    assert set(in_kedah.days_off) == {date(2027, 8, 31), date(2027, 9, 1)}
    assert build_official_calendar(rows, "ID", None).days_off == {}
