from __future__ import annotations

import functools
import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
import pytz

from service.directory.reference import MEMBER_STATES
from service.scheduling.availability import (
    NIGHT_END_HOUR,
    NIGHT_START_HOUR,
    Availability,
    OffHours,
    Timeline,
    status_during,
)
from service.scheduling.intervals import Interval, span_between, to_epoch
from service.scheduling.slot_finder import day_grid, find_common_slots

HOUR = timedelta(hours=1)
QUARTER = timedelta(minutes=15)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def plan(participants, first_day: date, last_day: date, duration=HOUR, **options):
    """Plan over whole UTC days, first to last included, asking for every slot."""
    start = datetime.combine(first_day, time(), tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC)
    options.setdefault("limit", 1000)
    return find_common_slots(participants, start, end, duration, QUARTER, **options)


def local_days(result) -> set[date]:
    """The local dates of the slots, as the first participant sees them."""
    return {slot.participants[0].local_start.date() for slot in result.slots}


def test_all_eleven_capitals_share_only_07_to_08_utc_on_mon_to_thu(capitals) -> None:
    # A holiday-free week; Brunei's Friday weekend removes Friday.
    result = plan(capitals, date(2026, 11, 16), date(2026, 11, 22), duration=QUARTER)
    assert result.all_constraints_met
    starts = sorted(slot.start for slot in result.slots)
    expected = [
        datetime.combine(date(2026, 11, day), time(7, minute), tzinfo=UTC)
        for day in (16, 17, 18, 19)
        for minute in (0, 15, 30, 45)
    ]
    assert starts == expected
    assert result.slots_found == len(expected)


def test_plan_agrees_with_status_of_every_participant_at_every_start(capitals) -> None:
    # Independent check of the interval arithmetic: ask each participant about each start.
    window_start, window_end = utc(2026, 11, 17), utc(2026, 11, 18, 12)
    result = find_common_slots(capitals, window_start, window_end, HOUR, QUARTER, limit=1000)
    brute_force = []
    start = window_start
    while start + HOUR <= window_end:
        if all(
            status_during(p, start, start + HOUR).status is Availability.WORKING for p in capitals
        ):
            brute_force.append(start)
        start += QUARTER
    assert brute_force  # the week has common time, so this check compares something
    assert sorted(slot.start for slot in result.slots) == brute_force


def test_no_slot_on_thai_holidays_including_the_day_in_lieu(member) -> None:
    result = plan([member("TH"), member("VN")], date(2026, 12, 7), date(2026, 12, 11))
    assert local_days(result) == {date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 11)}


def test_no_slot_on_malaysian_or_indonesian_holidays(member) -> None:
    result = plan([member("MY"), member("ID")], date(2026, 8, 17), date(2026, 8, 31))
    days = local_days(result)
    assert date(2026, 8, 17) not in days  # Indonesian Independence Day
    assert date(2026, 8, 25) not in days  # the Prophet's Birthday in both
    assert date(2026, 8, 31) not in days  # Malaysian National Day
    assert date(2026, 8, 18) in days
    assert date(2026, 8, 28) in days


def test_brunei_meets_on_saturday_but_not_friday_or_sunday(member) -> None:
    result = plan([member("BN")], date(2026, 11, 15), date(2026, 11, 22))
    weekdays = {day.strftime("%a") for day in local_days(result)}
    assert weekdays == {"Mon", "Tue", "Wed", "Thu", "Sat"}


def test_local_times_in_yangon_are_at_plus_0630(capitals) -> None:
    result = plan(capitals, date(2026, 11, 17), date(2026, 11, 17))
    (slot,) = result.slots
    myanmar = next(p for p in slot.participants if p.key == "country:MM")
    assert myanmar.local_start.isoformat() == "2026-11-17T13:30:00+06:30"
    assert myanmar.local_end.isoformat() == "2026-11-17T14:30:00+06:30"
    thailand = next(p for p in slot.participants if p.key == "country:TH")
    assert thailand.local_start.isoformat() == "2026-11-17T14:00:00+07:00"


def test_jayapura_shares_no_hour_so_the_closest_slots_come_with_reasons(member, capitals) -> None:
    papua = member("ID", key="agency:ID-PA", label="Indonesia (Papua)", zone="Asia/Jayapura")
    result = plan([*capitals, papua], date(2026, 11, 16), date(2026, 11, 20), limit=5)
    assert not result.all_constraints_met
    assert result.slots_found == 0
    assert len(result.slots) == 5
    best = result.slots[0]
    # Half an hour of Phnom Penh's lunch (until 14:00) and half an hour after Jayapura's closing
    # (16:00) is closer than a whole hour of either: 06:30 UTC is 13:30 and 15:30 there.
    assert best.start.time() == time(6, 30)
    assert best.hard_problems == (
        "Cambodia (Asia/Phnom_Penh): in the 12:00-14:00 break (13:30-14:30 local)",
        "Indonesia (Papua) (Asia/Jayapura): outside office hours (15:30-16:30 local)",
    )
    for slot in result.slots:
        assert slot.hard_problems


def test_closest_slots_prefer_after_hours_to_a_holiday(member) -> None:
    # From 16:30 on 9 Dec (after hours) to 17:00 on 10 Dec (Constitution Day) in Bangkok.
    result = find_common_slots(
        [member("TH")], utc(2026, 12, 9, 9, 30), utc(2026, 12, 10, 10), HOUR, QUARTER, limit=3
    )
    assert not result.all_constraints_met
    for slot in result.slots:
        assert slot.start < utc(2026, 12, 9, 16)  # before midnight in Bangkok
        assert "outside office hours" in slot.hard_problems[0]
    only_holiday = find_common_slots(
        [member("TH")], utc(2026, 12, 9, 17), utc(2026, 12, 10, 1), HOUR, QUARTER, limit=1
    )
    assert only_holiday.slots[0].hard_problems == (
        "Thailand (Asia/Bangkok): public holiday Constitution Day",
    )


def test_breaks_count_as_unavailable(member) -> None:
    # Phnom Penh works 08:00-12:00 and 14:00-17:00 (01:00-05:00 and 07:00-10:00 UTC).
    result = plan([member("KH")], date(2026, 11, 17), date(2026, 11, 17), duration=3 * HOUR)
    starts = sorted(slot.start.strftime("%H:%M") for slot in result.slots)
    assert starts == ["01:00", "01:15", "01:30", "01:45", "02:00", "07:00"]


def test_busy_bridge_and_people_are_avoided(member) -> None:
    busy = Interval(utc(2026, 11, 17, 7), utc(2026, 11, 17, 8), "Weekly ASEAN sync")
    leave = Interval(utc(2026, 11, 18), utc(2026, 11, 19), "annual leave")
    thailand = member("TH", unavailable=(leave,))
    result = plan([thailand], date(2026, 11, 17), date(2026, 11, 18), bridge_busy=[busy])
    starts = {slot.start for slot in result.slots}
    assert all(slot.start.date() == date(2026, 11, 17) for slot in result.slots)
    assert not any(utc(2026, 11, 17, 6) < start < utc(2026, 11, 17, 8) for start in starts)
    assert utc(2026, 11, 17, 6) in starts
    assert utc(2026, 11, 17, 8) in starts


def test_a_busy_bridge_is_named_when_nothing_fits(member) -> None:
    all_day = Interval(utc(2026, 11, 17), utc(2026, 11, 18), "Annual workshop")
    result = plan([member("TH")], date(2026, 11, 17), date(2026, 11, 17), bridge_busy=[all_day])
    assert not result.all_constraints_met
    assert result.slots[0].hard_problems == ("Bridge: busy with Annual workshop",)


def test_ranking_shares_the_inconvenience(member, helsinki_partner) -> None:
    # Bangkok's day (01:30-09:30 UTC) and Helsinki's (06:00-14:00 UTC in winter) overlap from
    # 06:00 to 09:30 UTC. Their middles are 05:30 and 10:00 UTC, so the fairest hour is centred
    # between them at 07:45, and the earliest or latest possible hour rank below it.
    result = plan([member("TH"), helsinki_partner], date(2026, 11, 17), date(2026, 11, 17))
    assert result.slots[0].start == utc(2026, 11, 17, 7, 15)
    assert result.slots[0].score == pytest.approx(100 * (1 - 2.25 / 4), abs=0.1)
    ranked = [slot.start for slot in result.slots]
    assert ranked.index(utc(2026, 11, 17, 6)) > 0
    assert ranked.index(utc(2026, 11, 17, 8, 30)) > 0


def test_soft_problems_near_closing_time_and_around_estimated_holidays(member) -> None:
    result = plan([member("TL")], date(2026, 5, 25), date(2026, 5, 29))
    assert date(2026, 5, 27) not in local_days(result)  # Eid al-Adha (estimated)
    late = next(s for s in result.slots if s.start == utc(2026, 5, 26, 6, 45))  # 15:45 in Dili
    assert "ends within 30 min of Timor-Leste's closing time (17:00)" in late.soft_problems
    assert any("Eid al-Adha (estimated) on 2026-05-27 is only an estimated date" in problem
               for problem in late.soft_problems)  # fmt: skip
    far = next(s for s in result.slots if s.start == utc(2026, 5, 25, 2))
    assert not any("estimated" in problem for problem in far.soft_problems)


def test_helsinki_and_new_york_meet_only_while_one_of_them_is_on_dst(
    helsinki_partner, new_york_partner
) -> None:
    partners = [helsinki_partner, new_york_partner]
    # The US moves its clocks three weeks before the EU in March and a week after it in
    # autumn; only then does 09:00 in New York fall before 16:00 in Helsinki.
    for first, last in [
        (date(2026, 3, 2), date(2026, 3, 6)),
        (date(2026, 3, 30), date(2026, 4, 2)),
        (date(2026, 10, 19), date(2026, 10, 23)),
        (date(2026, 11, 2), date(2026, 11, 6)),
        (date(2027, 3, 1), date(2027, 3, 12)),
        (date(2027, 3, 29), date(2027, 4, 2)),
    ]:
        assert not plan(partners, first, last).all_constraints_met, first
    for first, last, days in [
        (date(2026, 3, 9), date(2026, 3, 27), 15),
        (date(2026, 10, 26), date(2026, 10, 30), 5),
        (date(2027, 3, 15), date(2027, 3, 26), 9),  # Friday 26 March 2027 is Good Friday
    ]:
        result = plan(partners, first, last)
        assert result.all_constraints_met
        assert len(result.slots) == days
        for slot in result.slots:
            assert slot.start.time() == time(13)
            helsinki, new_york = slot.participants
            assert helsinki.local_start.strftime("%H:%M") == "15:00"
            assert new_york.local_start.strftime("%H:%M") == "09:00"


def test_day_grid_shows_yangon_on_the_half_hour_and_holidays(member) -> None:
    myanmar, thailand = day_grid([member("MM"), member("TH")], date(2026, 12, 10))
    assert len(myanmar.cells) == 48
    working = [cell.start.strftime("%H:%M") for cell in myanmar.cells if cell.status == "working"]
    assert working[0] == "03:00"
    assert working[-1] == "09:30"
    assert len(working) == 14
    assert thailand.cells[6].status is Availability.HOLIDAY
    assert thailand.cells[6].detail == "public holiday Constitution Day"
    assert thailand.cells[-1].status is Availability.OFF  # 06:30 on Friday 11 Dec in Bangkok


def test_day_grid_marks_breaks(member) -> None:
    (malaysia,) = day_grid([member("MY")], date(2026, 12, 4))  # Friday: 12:15-14:45 prayers
    statuses = {cell.start.strftime("%H:%M"): cell.status for cell in malaysia.cells}
    assert statuses["03:30"] is Availability.WORKING
    assert statuses["04:00"] is Availability.BREAK  # 12:00-12:30 local includes 12:15
    assert statuses["06:30"] is Availability.BREAK
    assert statuses["07:00"] is Availability.WORKING


def test_bad_requests_are_refused(member) -> None:
    thailand = member("TH")
    with pytest.raises(ValueError, match="must come after"):
        find_common_slots([thailand], utc(2026, 12, 9), utc(2026, 12, 8), HOUR, QUARTER)
    with pytest.raises(ValueError, match="duration must be a positive"):
        find_common_slots([thailand], utc(2026, 12, 8), utc(2026, 12, 9), timedelta(), QUARTER)
    with pytest.raises(ValueError, match="invited once; repeated: country:TH"):
        find_common_slots([thailand, thailand], utc(2026, 12, 8), utc(2026, 12, 9), HOUR, QUARTER)
    with pytest.raises(ValueError, match="divide the day evenly"):
        day_grid([thailand], date(2026, 12, 8), cell_minutes=7)


# --- closest misses: how far outside office hours, nights far worse ------------------------------


def _local_hour(moment: datetime, zone: str) -> float:
    local = moment.astimezone(pytz.timezone(zone))
    return local.hour + local.minute / 60


def _at_night(moment: datetime, zone: str) -> bool:
    return not NIGHT_END_HOUR <= _local_hour(moment, zone) < NIGHT_START_HOUR


def test_a_night_hour_for_one_ranks_below_an_evening_for_four(
    member, helsinki_partner, new_york_partner
) -> None:
    # Issue 7: no hour suits Bangkok, Jakarta, Hanoi, Manila, Helsinki and New York at once.
    # The fewest people outside office hours would be New York alone, at 02:00; everyone can
    # instead stay out of the night, with the ASEAN delegations in their evening.
    participants = [*(member(code) for code in ("TH", "ID", "VN", "PH")),
                    helsinki_partner, new_york_partner]  # fmt: skip
    result = plan(participants, date(2027, 3, 1), date(2027, 3, 31), limit=1000)
    assert not result.all_constraints_met
    best = result.slots[0]
    # 13:00 UTC while New York is on summer time and Helsinki is not (15-26 March): New York
    # and Helsinki work; Bangkok, Jakarta and Hanoi are at 20:00, Manila at 21:00, all for an hour.
    assert best.start.time() == time(13)
    assert date(2027, 3, 15) <= best.start.date() <= date(2027, 3, 26)
    assert [p.off_hours.total for p in best.participants] == [3600] * 4 + [0, 0]
    for slot in result.slots[:20]:
        for p in slot.participants:
            assert not _at_night(p.local_start, p.zone), slot.start
            assert not p.off_hours.night, slot.start
    new_york_at_two = next(s for s in result.slots if s.start == utc(2027, 3, 30, 6))
    night_free = [s for s in result.slots if not any(p.off_hours.night for p in s.participants)]
    assert result.slots.index(new_york_at_two) >= len(night_free)
    assert new_york_at_two.hard_problems == (
        "Columbia researcher (America/New_York): outside office hours (02:00-03:00 local), "
        "at night",
    )


def test_the_reasons_say_how_much_of_a_session_falls_in_the_night(new_york_partner) -> None:
    # 05:30-06:30 in New York (winter): half an hour of night, then half an hour early.
    result = find_common_slots(
        [new_york_partner], utc(2026, 12, 8, 10, 30), utc(2026, 12, 8, 11, 30), HOUR, QUARTER
    )
    (slot,) = result.slots
    assert slot.hard_problems == (
        "Columbia researcher (America/New_York): outside office hours (05:30-06:30 local), "
        "30 min at night",
    )
    (new_york,) = slot.participants
    assert new_york.off_hours == OffHours(working_day=1800, day_off=0, night=1800)


def test_a_weekend_afternoon_ranks_between_an_evening_and_a_night(member) -> None:
    # Bangkok, from 17:00 on Friday 11 December 2026 to the end of Saturday (no holiday): a
    # Saturday afternoon minute counts double, an evening minute once, a night minute ten times.
    result = find_common_slots(
        [member("TH")], utc(2026, 12, 11, 10), utc(2026, 12, 12, 17), HOUR, QUARTER, limit=1000
    )
    ranked = [slot.start for slot in result.slots]
    friday_evening = utc(2026, 12, 11, 11)  # 18:00-19:00 in Bangkok
    friday_night = utc(2026, 12, 11, 16)  # 23:00-24:00
    saturday_afternoon = utc(2026, 12, 12, 7)  # 14:00-15:00
    assert (
        ranked.index(friday_evening) < ranked.index(saturday_afternoon) < ranked.index(friday_night)
    )


def test_holidays_and_leave_still_rank_below_any_hour_outside_office_hours(member) -> None:
    leave = Interval(utc(2026, 12, 9, 1), utc(2026, 12, 9, 9), "annual leave")
    thailand = member("TH", unavailable=(leave,))
    # 9 Dec: working day on leave; 10 Dec: Constitution Day; 11 Dec: free.
    result = find_common_slots(
        [thailand], utc(2026, 12, 9), utc(2026, 12, 11, 1, 30), HOUR, QUARTER, limit=1000
    )
    problems = [slot.hard_problems[0] for slot in result.slots]
    first_immovable = next(
        i for i, p in enumerate(problems) if "holiday" in p or "unavailable" in p
    )
    assert all("outside office hours" in p for p in problems[:first_immovable])
    assert any("at night" in p for p in problems[:first_immovable])


def _oracle_keys(participants, bridge_busy, start: datetime, length: timedelta):
    """A start's rank by brute force, minute by minute, through the public status functions.

    (participants on holiday or unavailable, and how badly; the worst and the total weighted
    minutes outside office hours, counted from a one-minute day grid without personal leave).
    """
    end = start + length
    statuses = [status_during(p, start, end).status for p in participants]
    immovable = [s for s in statuses if s in (Availability.UNAVAILABLE, Availability.HOLIDAY)]
    immovable += [Availability.UNAVAILABLE for busy in bridge_busy
                  if busy.start < end and start < busy.end]  # fmt: skip
    costs = [sum(_oracle_minute_costs(p, start, end)) for p in participants]
    return (len(immovable), sum(s.severity for s in immovable)), max(costs), sum(costs)


@functools.cache
def _minute_grid(participant, day: date):
    (row,) = day_grid([replace(participant, unavailable=())], day, cell_minutes=1)
    return row.cells


def _oracle_minute_costs(participant, start: datetime, end: datetime):
    minute = start
    while minute < end:
        cell = _minute_grid(participant, minute.date())[minute.hour * 60 + minute.minute]
        if cell.status is not Availability.WORKING:
            day_off = cell.status is Availability.HOLIDAY or "day off" in cell.detail
            yield 10 if _at_night(minute, participant.zone) else 2 if day_off else 1
        minute += timedelta(minutes=1)


def test_closest_misses_agree_with_a_minute_by_minute_oracle(
    member, helsinki_partner, new_york_partner
) -> None:
    leave = Interval(utc(2026, 12, 7, 14), utc(2026, 12, 8, 3), "annual leave")
    participants = [
        member("TH"),
        member("MM"),  # Yangon is at +06:30
        member("ID", key="agency:ID-PA", label="Indonesia (Papua)", zone="Asia/Jayapura"),
        replace(helsinki_partner, unavailable=(leave,)),
        new_york_partner,
    ]
    bridge_busy = [Interval(utc(2026, 12, 8, 12), utc(2026, 12, 8, 15), "Board meeting")]
    # Saturday 5 to Tuesday 8 December 2026: a weekend, Thailand's 7 Dec day in lieu, leave.
    # 100-minute sessions every 40 minutes: neither divides the other, and Yangon's edges fall
    # inside the planner's 20-minute cells.
    length, step = timedelta(minutes=100), timedelta(minutes=40)
    result = find_common_slots(
        participants, utc(2026, 12, 5), utc(2026, 12, 9), length, step, bridge_busy, limit=40
    )
    assert not result.all_constraints_met
    starts = [utc(2026, 12, 5) + step * i for i in range(142)]
    assert starts[-1] + length <= utc(2026, 12, 9) < starts[-1] + step + length
    oracle = sorted(_oracle_keys(participants, bridge_busy, s, length) for s in starts)
    ranked = [_oracle_keys(participants, bridge_busy, s.start, length) for s in result.slots]
    assert ranked == oracle[:40]
    for slot in result.slots:
        for p, spec in zip(slot.participants, participants, strict=True):
            minutes = list(_oracle_minute_costs(spec, slot.start, slot.end))
            assert p.off_hours.total == 60 * len(minutes)
            assert p.off_hours.night == 60 * minutes.count(10)


# Zones with half- and quarter-hour offsets, and with DST changes of an hour and of half an hour
# inside the windows below.
_ODD_ZONES = ("Asia/Yangon", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe",
              "Europe/Helsinki", "America/New_York")  # fmt: skip


def _brute_force_keys(participants, bridge_busy, span):
    """A start's rank worked out alone: each participant's timeline over this session only.

    (immovable misses, how badly), the worst and the total weighted seconds off, as the planner
    ranks its closest misses; and whether every participant is working and the bridge free.
    """
    statuses, costs = [], []
    for participant in participants:
        timeline = Timeline(participant, span)
        statuses.append(timeline.status_of(span).status)
        off = timeline.off_hours(span)
        costs.append(off.working_day + 2 * off.day_off + 10 * off.night)
    if any(busy.span[0] < span[1] and span[0] < busy.span[1] for busy in bridge_busy):
        statuses.append(Availability.UNAVAILABLE)  # the bridge, however many bookings clash
    immovable = [s for s in statuses if s in (Availability.UNAVAILABLE, Availability.HOLIDAY)]
    key = (len(immovable), sum(s.severity for s in immovable)), max(costs), sum(costs)
    return key, all(s is Availability.WORKING for s in statuses)


@pytest.mark.parametrize("seed", range(16))
def test_plans_agree_with_each_start_worked_out_alone(seed, member) -> None:
    """Random participants, leave, windows, durations and steps (some of whole seconds only):
    the slots meeting every constraint are the right ones, and the closest misses ranked right."""
    rng = random.Random(seed)  # noqa: S311 - a test's inputs, not a secret
    codes = rng.sample([state.code for state in MEMBER_STATES], rng.randint(1, 4))
    participants = [
        member(code, zone=rng.choice(_ODD_ZONES)) if rng.random() < 0.4 else member(code)
        for code in codes
    ]
    # Around the northern autumn DST change, and a Lord Howe one (05 Apr 2026).
    start = rng.choice((utc(2026, 10, 23), utc(2026, 11, 29), utc(2026, 4, 2)))
    start += timedelta(minutes=rng.randrange(0, 24 * 60, 5), seconds=30 * (seed % 4 < 2))
    end = start + timedelta(hours=rng.randint(10, 72))

    def anytime() -> datetime:
        return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))

    participants = [
        replace(p, unavailable=tuple(
            Interval(moment, moment + timedelta(minutes=rng.randint(10, 600)), "leave")
            for moment in sorted(anytime() for _ in range(rng.randint(0, 3)))
        ))
        for p in participants
    ]  # fmt: skip
    bridge_busy = [Interval(m, m + timedelta(minutes=rng.randint(15, 180)), "Board")
                   for m in (anytime() for _ in range(rng.randint(0, 3)))]  # fmt: skip
    if seed % 2:  # the bridge taken throughout: every start a miss, ranked by the hours off
        bridge_busy.append(Interval(start, end, "Summit"))
    if seed % 3 == 0:  # neither a whole minute: cells of seconds
        length, step = timedelta(seconds=rng.randint(300, 9000)), timedelta(seconds=1170)
    else:
        length = timedelta(minutes=rng.choice((30, 45, 60, 61, 97, 100, 240, 629, 720)))
        step = timedelta(minutes=rng.choice((5, 15, 40, 60)))
    result = find_common_slots(participants, start, end, length, step, bridge_busy, limit=1000)

    window = span_between(start, end)
    seconds, stride = int(length.total_seconds()), int(step.total_seconds())
    first = -(-window[0] // stride) * stride
    keys = {
        at: _brute_force_keys(participants, bridge_busy, (at, at + seconds))
        for at in range(first, window[1] - seconds + 1, stride)
    }
    fitting = [at for at, (_, fits) in keys.items() if fits]
    assert result.slots_found == len(fitting)
    assert result.all_constraints_met == bool(fitting)
    offered = [to_epoch(slot.start) for slot in result.slots]
    if fitting:  # all of them, as the limit is above the number of starts
        assert sorted(offered) == fitting
    else:
        assert [keys[at][0] for at in offered] == sorted(key for key, _ in keys.values())
        for slot in result.slots:
            for p, spec in zip(slot.participants, participants, strict=True):
                span = (to_epoch(slot.start), to_epoch(slot.end))
                assert p.off_hours == Timeline(spec, span).off_hours(span)
