"""Announced exceptions over the package: the facts of issue 13, checked against the planner.

Fixed dates are fine here: these are facts of past and announced years, not "the near future".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from service.directory.office_hours import WeeklyHours
from service.directory.reference import MEMBERS_BY_CODE
from service.scheduling.availability import Availability, status_during
from service.scheduling.official_calendar import DatedHours, OfficialCalendar, holiday_on
from service.scheduling.slot_finder import find_common_slots
from tests.integration.relative_dates import local_start

HOUR = timedelta(hours=1)
PUTRAJAYA_2027 = (
    date(2027, 1, 1),  # New Year's Day
    date(2027, 1, 22),  # Thaipusam
    date(2027, 2, 1),  # Federal Territory Day
    date(2027, 2, 24),  # Nuzul Al-Quran
    date(2027, 10, 28),  # Deepavali
)


def status(participant, day: date, hour: int, minute: int = 0) -> Availability:
    start = local_start(day, hour, participant.zone, minute)
    return status_during(participant, start, start + HOUR).status


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_putrajaya_has_five_2027_days_off_that_malaysia_as_a_whole_works(member) -> None:
    federal, putrajaya = member("MY"), member("MY", holiday_subdivision="16")
    for day in PUTRAJAYA_2027:
        assert status(federal, day, 10) is Availability.WORKING, day
        assert status(putrajaya, day, 10) is Availability.HOLIDAY, day


def test_an_imported_myanmar_list_replaces_thingyan_and_works_its_make_up_saturday(
    member,
) -> None:
    listed = {day: "Thingyan" for day in days_between(date(2026, 4, 11), date(2026, 4, 19))}
    official = OfficialCalendar(
        days_off=listed,
        working_days={date(2026, 1, 10): "Make-up working day"},
        confirmed_years=frozenset({2026}),
    )
    package, announced = member("MM"), member("MM", official=official)
    assert status(package, date(2026, 4, 20), 10) is Availability.HOLIDAY  # package: 13-21
    assert status(announced, date(2026, 4, 20), 10) is Availability.WORKING
    assert status(announced, date(2026, 4, 21), 10) is Availability.WORKING
    assert status(announced, date(2026, 4, 13), 10) is Availability.HOLIDAY
    # The list replaces the package for the year: Independence Day is off only if listed.
    assert status(announced, date(2026, 1, 5), 10) is Availability.WORKING
    saturday = date(2026, 1, 10)
    assert status(package, saturday, 10) is Availability.OFF
    assert status(announced, saturday, 10) is Availability.WORKING
    # Worked with Monday's hours, 09:30-16:30 in Yangon.
    start = datetime(2026, 1, 10, tzinfo=UTC)
    plan = find_common_slots([announced], start, start + timedelta(days=1), HOUR, HOUR, limit=50)
    assert plan.all_constraints_met
    local_starts = sorted(slot.participants[0].local_start.hour for slot in plan.slots)
    assert local_starts == [9, 10, 11, 12, 13, 14, 15]  # each at :30


def test_brunei_ramadan_hours_refuse_a_15_00_start_during_ramadan_and_accept_it_after(
    member,
) -> None:
    ramadan_week = WeeklyHours.from_json(
        {day: [["08:00", "14:00"]] for day in ("mon", "tue", "wed", "thu", "sat")}
    )
    official = OfficialCalendar(
        hours=(DatedHours(date(2027, 2, 8), date(2027, 3, 9), ramadan_week, "Ramadan hours"),)
    )
    brunei = member("BN", official=official)
    assert status(brunei, date(2027, 2, 15), 15) is Availability.OFF  # a Monday in Ramadan
    assert status(brunei, date(2027, 2, 15), 12) is Availability.WORKING  # no lunch break
    assert status(brunei, date(2027, 3, 15), 15) is Availability.WORKING  # a Monday after
    assert status(member("BN"), date(2027, 2, 15), 15) is Availability.WORKING


def test_a_viet_nam_swap_moves_the_working_day_from_friday_to_saturday(member) -> None:
    official = OfficialCalendar(
        days_off={date(2026, 1, 2): "New Year holiday (swapped)"},
        working_days={date(2026, 1, 10): "Make-up working day for 2 January"},
    )
    package, announced = member("VN"), member("VN", official=official)
    assert status(package, date(2026, 1, 2), 10) is Availability.WORKING
    assert status(package, date(2026, 1, 10), 10) is Availability.OFF
    assert status(announced, date(2026, 1, 2), 10) is Availability.HOLIDAY
    assert status(announced, date(2026, 1, 10), 10) is Availability.WORKING
    assert status(announced, date(2026, 1, 10), 12) is Availability.BREAK  # Monday's lunch


def test_a_package_holiday_declared_worked_is_a_working_day() -> None:
    official = OfficialCalendar(not_off=frozenset({date(2026, 1, 1)}))
    assert holiday_on("VN", date(2026, 1, 1)) is not None
    assert holiday_on("VN", date(2026, 1, 1), official=official) is None


def test_an_estimated_date_is_flagged_until_an_official_list_confirms_the_year(member) -> None:
    day_before_eid = datetime(2027, 3, 9, tzinfo=UTC)  # Eid al-Fitr (estimated) on 10 March

    def problems(official: OfficialCalendar | None) -> tuple[str, ...]:
        plan = find_common_slots(
            [member("BN", official=official)],
            day_before_eid,
            day_before_eid + timedelta(days=1),
            HOUR,
            HOUR,
        )
        assert plan.all_constraints_met
        return plan.slots[0].soft_problems

    assert any("Eid al-Fitr (estimated)" in problem for problem in problems(None))
    unconfirmed = problems(OfficialCalendar())
    assert any("no official list confirms the days off of 2027" in p for p in unconfirmed)
    listed = OfficialCalendar(
        days_off={date(2027, 3, 10): "Hari Raya Aidilfitri"}, confirmed_years=frozenset({2027})
    )
    assert problems(listed) == ()


def test_kedah_kelantan_terengganu_thursday_and_indonesia_friday_hours() -> None:
    malaysia, indonesia = MEMBERS_BY_CODE["MY"], MEMBERS_BY_CODE["ID"]
    for state in ("02", "03", "11"):
        week = WeeklyHours.from_json(malaysia.subdivision_hours[state])
        assert [str(p) for p in week.periods_on(date(2027, 1, 7))] == [  # a Thursday
            "08:00-13:00",
            "14:00-15:30",
        ]
    friday = WeeklyHours.from_json(indonesia.office_hours).periods_on(date(2027, 1, 8))
    assert [str(p) for p in friday] == ["07:30-11:30", "13:00-16:30"]
    worked = sum(
        p.end - p.start
        for day in days_between(date(2027, 1, 4), date(2027, 1, 10))
        for p in WeeklyHours.from_json(indonesia.office_hours).periods_on(day)
    )
    assert worked == 37.5 * 60
