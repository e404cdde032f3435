"""Latency of `find_common_slots` on a realistic network: run `python bench/planner.py`.

The scenario: the 11 member delegations from their capitals plus the Indonesian delegation in
Jayapura and the Malaysian one in Kuching (13 zones), and 20 people (ASEAN staff, ADB in Manila,
partners in Helsinki and New York), planning a one-hour session over four weeks at a 15-minute
step while 2,000 existing sessions keep people and the bridge busy. Jayapura shares no hour with
the capitals, so this scenario exercises the closest-miss path; a second run with the 11 capitals
alone exercises the fast path. `build_scenario` holds all the set-up, so the in-memory busy
intervals can later be swapped for a database query.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

import service.tables  # noqa: F401 - every table, and the calendar counter's flush hook
from service import migrations
from service.calendar.change_counter import ChangeCounter
from service.conferencing.models import Bridge, ProviderKind
from service.db import make_engine, session_scope
from service.directory.models import Country, Person
from service.directory.office_hours import WeeklyHours
from service.directory.reference import MEMBER_STATES, MEMBERS_BY_CODE
from service.directory.service import seed_member_countries
from service.scheduling import planner_service
from service.scheduling.availability import Participant
from service.scheduling.disclosure import SECRETARIAT
from service.scheduling.intervals import Interval
from service.scheduling.models import SessionParticipant, VdoSession
from service.scheduling.planner_service import PlannerMemory
from service.scheduling.schemas import PlanOut
from service.scheduling.slot_finder import PlanResult, find_common_slots

WINDOW_START = datetime(2026, 11, 2, tzinfo=UTC)  # four weeks across the US DST change
WINDOW = timedelta(weeks=4)
DURATION = timedelta(hours=1)
STEP = timedelta(minutes=15)
EXISTING_SESSIONS = 2_000
BRIDGE_SHARE = 0.1  # the other bookings are on the network's other bridges

_FIVE_DAYS = ("mon", "tue", "wed", "thu", "fri")
_PARTNER_HOURS = {
    "Europe/Helsinki": WeeklyHours.from_json({d: [["08:00", "16:00"]] for d in _FIVE_DAYS}),
    "America/New_York": WeeklyHours.from_json(
        {d: [["09:00", "12:30"], ["13:30", "17:30"]] for d in _FIVE_DAYS}
    ),
}
# (label, zone, holiday country, subdivision) of the 20 people; ASEAN people work their
# country's hours, partners their office's.
_PEOPLE = (
    *((f"{code} officer {n}", MEMBERS_BY_CODE[code].capital_zone, code, None)
      for code in ("TH", "VN", "PH", "SG", "ID", "MY", "KH", "LA") for n in (1, 2)),
    ("ADB adviser", "Asia/Manila", "PH", None),
    ("World Bank economist", "America/New_York", "US", "DC"),
    ("Helsinki professor", "Europe/Helsinki", "FI", None),
    ("Columbia researcher", "America/New_York", "US", "NY"),
)  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    participants: tuple[Participant, ...]
    window_start: datetime
    window_end: datetime
    duration: timedelta
    step: timedelta
    bridge_busy: tuple[Interval, ...]


def _delegations() -> list[Participant]:
    delegations = [
        Participant(
            f"country:{m.code}",
            m.name,
            m.capital_zone,
            WeeklyHours.from_json(m.office_hours),
            m.code,
        )
        for m in MEMBER_STATES
    ]
    indonesia, malaysia = MEMBERS_BY_CODE["ID"], MEMBERS_BY_CODE["MY"]
    delegations.append(
        Participant(
            "agency:ID-PA",
            "Indonesia (Papua)",
            "Asia/Jayapura",
            WeeklyHours.from_json(indonesia.office_hours),
            "ID",
        )
    )
    delegations.append(
        Participant(
            "agency:MY-13",
            "Malaysia (Sarawak)",
            "Asia/Kuching",
            WeeklyHours.from_json(malaysia.office_hours),
            "MY",
            "13",
        )
    )
    return delegations


def _random_sessions(rng: random.Random, start: datetime, end: datetime) -> list[Interval]:
    """Sessions on the 15-minute grid, mostly in ASEAN office hours (00:00-10:00 UTC)."""
    quarters = int((end - start) / STEP)
    sessions = []
    for number in range(EXISTING_SESSIONS):
        quarter = rng.randrange(quarters)
        if rng.random() < 0.8:  # pull four in five into the region's working day
            quarter = quarter - quarter % 96 + rng.randrange(40)
        begin = start + quarter * STEP
        length = rng.choice((30, 45, 60, 90, 120))
        sessions.append(Interval(begin, begin + timedelta(minutes=length), f"Session {number}"))
    return sessions


def build_scenario(seed: int = 2026) -> Scenario:
    """The benchmark inputs; busy intervals come from an in-memory list of sessions."""
    rng = random.Random(seed)
    window_end = WINDOW_START + WINDOW
    sessions = _random_sessions(rng, WINDOW_START, window_end)
    people = [
        Participant(
            f"person:{number}",
            label,
            zone,
            _PARTNER_HOURS.get(zone)
            or WeeklyHours.from_json(MEMBERS_BY_CODE[country].office_hours),
            country,
            subdivision,
        )
        for number, (label, zone, country, subdivision) in enumerate(_PEOPLE, start=1)
    ]
    busy_by_person: dict[str, list[Interval]] = {person.key: [] for person in people}
    bridge_busy = []
    for session in sessions:
        for person in rng.sample(people, k=rng.randint(1, 2)):
            busy_by_person[person.key].append(session)
        if rng.random() < BRIDGE_SHARE:
            bridge_busy.append(session)
    people = [replace(p, unavailable=tuple(busy_by_person[p.key])) for p in people]
    return Scenario(
        participants=(*_delegations(), *people),
        window_start=WINDOW_START,
        window_end=window_end,
        duration=DURATION,
        step=STEP,
        bridge_busy=tuple(bridge_busy),
    )


def _plan(scenario: Scenario) -> PlanResult:
    return find_common_slots(
        scenario.participants,
        scenario.window_start,
        scenario.window_end,
        scenario.duration,
        scenario.step,
        scenario.bridge_busy,
    )


def _fresh_copy(scenario: Scenario) -> Scenario:
    """New participant and interval objects, as a request would build them from the database.

    Their per-object caches (epoch spans, zone) start empty; the module-level caches (holiday
    calendars, day schedules) stay warm, as in a running server.
    """

    def copied(intervals: tuple[Interval, ...]) -> tuple[Interval, ...]:
        return tuple(Interval(i.start, i.end, i.reason) for i in intervals)

    return replace(
        scenario,
        participants=tuple(
            replace(p, unavailable=copied(p.unavailable)) for p in scenario.participants
        ),
        bridge_busy=copied(scenario.bridge_busy),
    )


def measure(name: str, scenario: Scenario, runs: int) -> None:
    started = time.perf_counter()
    result = _plan(scenario)  # the first run also loads holiday calendars and zone offsets
    first_ms = (time.perf_counter() - started) * 1000
    wall, cpu = [], []
    for _ in range(runs):
        inputs = _fresh_copy(scenario)
        started, started_cpu = time.perf_counter(), time.process_time()
        result = _plan(inputs)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    zones = len({p.zone for p in scenario.participants})
    print(
        f"{name}: {len(scenario.participants)} participants in {zones} zones, "
        f"{sum(len(p.unavailable) for p in scenario.participants)} busy intervals on people, "
        f"{len(scenario.bridge_busy)} on the bridge\n"
        f"  first run {first_ms:.1f} ms; over {runs} runs: "
        f"median {statistics.median(wall):.1f} ms, "
        f"p95 {statistics.quantiles(wall, n=20)[-1]:.1f} ms "
        f"(CPU time: median {statistics.median(cpu):.1f} ms)\n"
        f"  slots meeting every hard constraint: {result.slots_found}; "
        f"returned {len(result.slots)} (all constraints met: {result.all_constraints_met})"
    )


def _load_database(scenario: Scenario, url: str) -> tuple[Engine, list[int], int]:
    """The scenario's people and 2,000 sessions as rows, the way the service stores them."""
    engine = make_engine(url)
    migrations.upgrade(engine)
    rng = random.Random(7)
    with session_scope(engine) as db:
        seed_member_countries(db)
        for code, zone in (("FI", "Europe/Helsinki"), ("US", "America/New_York")):
            db.add(
                Country(
                    code=code,
                    name=code,
                    capital_zone=zone,
                    zones=[zone],
                    office_hours=_PARTNER_HOURS[zone].to_json(),
                    holiday_code=code,
                )
            )
        people = [
            Person(name=label, email=f"p{n}@example.org", country_code=country, zone=zone)
            for n, (label, zone, country, _) in enumerate(_PEOPLE)
        ]
        db.add_all(people)
        # PostgreSQL refuses overlapping sessions on one bridge: a tenth go on the planning
        # bridge where it is free, the others on the first of the network's bridges free then.
        bridges: list[tuple[Bridge, list[Interval]]] = []

        def free_bridge(busy: Interval, candidates: list[tuple[Bridge, list[Interval]]]) -> Bridge:
            for bridge, taken in candidates:
                if all(busy.end <= t.start or t.end <= busy.start for t in taken):
                    taken.append(busy)
                    return bridge
            bridge = Bridge(
                name=f"Bridge {len(bridges) + 1}",
                provider=ProviderKind.jitsi,
                settings={"base_url": "https://meet.example.org"},
            )
            db.add(bridge)
            bridges.append((bridge, [busy]))
            return bridge

        planning = Bridge(
            name="Planning bridge",
            provider=ProviderKind.jitsi,
            settings={"base_url": "https://meet.example.org"},
        )
        db.add(planning)
        bridges.append((planning, []))
        db.flush()
        for number, busy in enumerate(
            _random_sessions(rng, scenario.window_start, scenario.window_end)
        ):
            on_planning = rng.random() < BRIDGE_SHARE
            bridge = free_bridge(busy, bridges[:1] if on_planning else bridges[1:])
            db.flush()
            session = VdoSession(
                uid=f"{number}@bench",
                title=busy.reason,
                start_utc=busy.start,
                end_utc=busy.end,
                organiser_zone="Asia/Bangkok",
                bridge_id=bridge.id or 0,
            )
            db.add(session)
            db.flush()
            for person in rng.sample(people, k=rng.randint(1, 2)):
                db.add(SessionParticipant(session_id=session.id or 0, person_id=person.id or 0))
        planning_bridge = planning.id or 0
        person_ids = [p.id or 0 for p in people]
    return engine, person_ids, planning_bridge


def measure_through_database(scenario: Scenario, runs: int) -> None:
    """The whole planner request minus HTTP: DB queries, participants, slot finding; then as
    requests make it, with the planner's memory and a new duration each time (participants and
    their timelines from memory, the slot finder and the answer afresh)."""
    with tempfile.TemporaryDirectory() as folder:
        engine, person_ids, bridge_id = _load_database(
            scenario, f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        )
        first_day = scenario.window_start.date()
        members = [m.code for m in MEMBER_STATES]
        memory = PlannerMemory(ChangeCounter(engine))

        def plan_once(minutes: int = 60, memory: PlannerMemory | None = None) -> PlanOut:
            with session_scope(engine) as db:
                return planner_service.plan(
                    db,
                    countries=members,
                    people=person_ids,
                    first_day=first_day,
                    last_day=first_day + WINDOW - timedelta(days=1),
                    duration=timedelta(minutes=minutes),
                    step=STEP,
                    bridge_id=bridge_id,
                    limit=20,
                    viewer=SECRETARIAT,
                    memory=memory,
                )

        def timed(ask: Callable[[int], PlanOut]) -> list[float]:
            ask(60)
            wall = []
            for minutes in range(61, 61 + runs):
                started = time.perf_counter()
                ask(minutes)
                wall.append((time.perf_counter() - started) * 1000)
            return wall

        from_database = timed(plan_once)
        from_memory = timed(lambda minutes: plan_once(minutes, memory))
        result = plan_once()
        engine.dispose()
    print("through the service and SQLite (11 members, 20 people, 2,000 stored sessions):")
    for name, wall in (("all from the database", from_database),
                       ("a new duration, with memory", from_memory)):  # fmt: skip
        print(
            f"  {name}, over {runs} runs: median {statistics.median(wall):.1f} ms, "
            f"p95 {statistics.quantiles(wall, n=20)[-1]:.1f} ms"
        )
    print(
        f"  {len(result.slots)} slots returned (all constraints met: {result.all_constraints_met})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    scenario = build_scenario()
    measure("13 delegations + 20 people, 2,000 sessions", scenario, args.runs)
    # With this many bookings the 20 people are never all free, so no slot meets every hard
    # constraint; the delegations alone (without Jayapura) do share an hour on most weekdays.
    capitals_only = replace(
        scenario,
        participants=tuple(p for p in scenario.participants if p.key.startswith("country:")),
    )
    measure("11 capitals, bridge bookings only", capitals_only, args.runs)
    measure_through_database(scenario, args.runs)


if __name__ == "__main__":
    main()
