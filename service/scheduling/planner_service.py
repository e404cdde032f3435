"""The planner behind `GET /api/v1/planner`: loads participants (or recalls them from memory),
runs the pure slot finder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from service.calendar.change_counter import ChangeCounter, CounterCache
from service.conferencing.service import get_bridge
from service.errors import invalid_field
from service.scheduling.availability import Availability, Participant, Timeline
from service.scheduling.disclosure import Viewer, may_see_leave_reason
from service.scheduling.intervals import Interval, Span
from service.scheduling.participants import (
    bridge_bookings,
    country_participant,
    load_countries,
    load_people,
    people_participants,
)
from service.scheduling.schemas import (
    GridCellOut,
    GridOut,
    GridRowOut,
    PlanOut,
    SlotOut,
    SlotParticipantOut,
)
from service.scheduling.slot_finder import day_grid, find_common_slots

MAX_WINDOW_DAYS = 92
# Each participant is checked at every step of the window, so the lists stay modest.
MAX_COUNTRIES = 50
MAX_PEOPLE = 100


# A person as a participant: who, over which window, and whether the viewer may read the
# reasons for their leave.
PersonKey = tuple[int, datetime, datetime, bool]
# A bridge's bookings: which bridge, over which window.
BridgeKey = tuple[int, datetime, datetime]
# A participant's timeline: whose (the participant's key), over which window.
TimelineKey = tuple[str, Span]
# A planner question: countries, people (with whether their leave reasons are shown), window,
# duration, step, bridge and limit.
PlanKey = tuple[
    tuple[str, ...],
    tuple[tuple[int, bool], ...],
    datetime,
    datetime,
    timedelta,
    timedelta,
    int | None,
    int,
]


@dataclass(frozen=True)
class PlannerMemory:
    """Participants, with their busy spans, and bridge bookings as the database had them under
    the current change counter (which leave, agency, directory and calendar changes raise too),
    so that a new planner question costs about what the slot finder costs; and the answers
    themselves, so that the same question asked again (a page reloaded, several people
    planning the same meeting) costs nothing until something changes. Participants' timelines
    over a window (their blocks, day by day) are kept too: they do not depend on the duration
    or step, so a new question over the same weeks skips building them."""

    counter: ChangeCounter
    countries: CounterCache[str, Participant] = field(default_factory=CounterCache)
    people: CounterCache[PersonKey, Participant] = field(default_factory=CounterCache)
    bridges: CounterCache[BridgeKey, list[Interval]] = field(default_factory=CounterCache)
    # A timeline holds a block per break, evening and leave: a few hundred, so fewer are kept.
    timelines: CounterCache[TimelineKey, Timeline] = field(
        default_factory=lambda: CounterCache(512)
    )
    plans: CounterCache[PlanKey, PlanOut] = field(default_factory=lambda: CounterCache(256))


def _remembered_countries(
    db: Session, memory: PlannerMemory, counter: int, codes: list[str]
) -> list[Participant]:
    codes = [code.strip().upper() for code in codes]
    known = memory.countries.lookup(counter, codes)
    missing = [code for code in codes if code not in known]
    if missing:
        loaded = {c.code: country_participant(db, c) for c in load_countries(db, missing)}
        known |= memory.countries.store(counter, loaded)
    return [known[code] for code in codes]


def _remembered_people(
    db: Session,
    memory: PlannerMemory,
    counter: int,
    ids: list[int],
    start: datetime,
    end: datetime,
    viewer: Viewer,
) -> list[Participant]:
    keys = [(i, start, end, may_see_leave_reason(viewer, i)) for i in ids]
    known = memory.people.lookup(counter, keys)
    missing = [key for key in keys if key not in known]
    if missing:
        loaded = people_participants(
            db,
            load_people(db, [key[0] for key in missing]),
            start,
            end,
            leave_reason_shown=lambda person_id: may_see_leave_reason(viewer, person_id),
        )
        known |= memory.people.store(counter, dict(zip(missing, loaded, strict=True)))
    return [known[key] for key in keys]


def _participants(
    db: Session,
    countries: list[str],
    people: list[int],
    start: datetime,
    end: datetime,
    viewer: Viewer,
    memory: PlannerMemory | None,
) -> list[Participant]:
    if not countries and not people:
        raise invalid_field("countries", "name at least one country or person")
    if len(countries) > MAX_COUNTRIES:
        raise invalid_field("countries", f"name at most {MAX_COUNTRIES} countries")
    if len(people) > MAX_PEOPLE:
        raise invalid_field("people", f"name at most {MAX_PEOPLE} people")
    if memory is not None:
        counter = memory.counter.current(db.connection())
        return _remembered_countries(db, memory, counter, countries) + _remembered_people(
            db, memory, counter, people, start, end, viewer
        )
    found = [country_participant(db, c) for c in load_countries(db, countries)]
    return found + people_participants(
        db,
        load_people(db, people),
        start,
        end,
        leave_reason_shown=lambda person_id: may_see_leave_reason(viewer, person_id),
    )


def _bridge_busy(
    db: Session, bridge_id: int, start: datetime, end: datetime, memory: PlannerMemory | None
) -> list[Interval]:
    if memory is None:
        return bridge_bookings(db, bridge_id, start, end)
    counter = memory.counter.current(db.connection())
    key = (bridge_id, start, end)
    known = memory.bridges.lookup(counter, [key])
    if key in known:
        return known[key]
    return memory.bridges.store(counter, {key: bridge_bookings(db, bridge_id, start, end)})[key]


def _remembered_timeline(
    memory: PlannerMemory, counter: int
) -> Callable[[Participant, Span], Timeline]:
    """A participant's timeline over a window, from memory when it was built for this very
    participant: one person's key may stand for two participants (whether the viewer may read
    the reasons for their leave), so the one kept is checked by identity."""

    def timeline_of(participant: Participant, window: Span) -> Timeline:
        key = (participant.key, window)
        known = memory.timelines.lookup(counter, [key]).get(key)
        if known is not None and known.participant is participant:
            return known
        return memory.timelines.store(counter, {key: Timeline(participant, window)})[key]

    return timeline_of


def plan(
    db: Session,
    *,
    countries: list[str],
    people: list[int],
    first_day: date,
    last_day: date,
    duration: timedelta,
    step: timedelta,
    bridge_id: int | None,
    limit: int,
    viewer: Viewer,
    memory: PlannerMemory | None = None,
) -> PlanOut:
    """The best slots; with `memory`, participants and bookings come from it where it has
    them (requests), without it all from `db` (which may hold changes not yet committed)."""
    if last_day < first_day:
        raise invalid_field("to", "must not be before from")
    if (last_day - first_day).days >= MAX_WINDOW_DAYS:
        raise invalid_field("to", f"the window may span at most {MAX_WINDOW_DAYS} days")
    start = datetime.combine(first_day, time(0), tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=UTC)
    if memory is None:
        return _plan(db, countries, people, start, end, duration, step, bridge_id, limit, viewer)
    # The same question under the same counter has the same answer: what the viewer may read
    # of leave is part of the question.
    counter = memory.counter.current(db.connection())
    asked: PlanKey = (
        tuple(countries),
        tuple((person, may_see_leave_reason(viewer, person)) for person in people),
        start,
        end,
        duration,
        step,
        bridge_id,
        limit,
    )
    known = memory.plans.lookup(counter, [asked])
    if asked in known:
        return known[asked]
    answer = _plan(
        db, countries, people, start, end, duration, step, bridge_id, limit, viewer, memory
    )
    return memory.plans.store(counter, {asked: answer})[asked]


def _plan(
    db: Session,
    countries: list[str],
    people: list[int],
    start: datetime,
    end: datetime,
    duration: timedelta,
    step: timedelta,
    bridge_id: int | None,
    limit: int,
    viewer: Viewer,
    memory: PlannerMemory | None = None,
) -> PlanOut:
    participants = _participants(db, countries, people, start, end, viewer, memory)
    busy = _bridge_busy(db, bridge_id, start, end, memory) if bridge_id else []
    timeline_of = (
        _remembered_timeline(memory, memory.counter.current(db.connection()))
        if memory
        else Timeline
    )
    try:
        result = find_common_slots(
            participants, start, end, duration, step, busy, limit, timeline_of
        )
    except ValueError as exc:
        raise invalid_field("planner", str(exc)) from None
    return PlanOut(
        all_constraints_met=result.all_constraints_met,
        slots_found=result.slots_found,
        slots=tuple(
            SlotOut(
                start=slot.start,
                end=slot.end,
                score=round(slot.score, 1),
                hard_problems=slot.hard_problems,
                soft_problems=slot.soft_problems,
                participants=tuple(
                    SlotParticipantOut(
                        key=p.key,
                        label=p.label,
                        zone=p.zone,
                        local_start=p.local_start,
                        local_end=p.local_end,
                        status=p.status.value,
                        detail=p.detail,
                        soft_problems=p.soft_problems,
                    )
                    for p in slot.participants
                ),
            )
            for slot in result.slots
        ),
    )


def grid(
    db: Session,
    *,
    countries: list[str],
    people: list[int],
    day: date,
    cell_minutes: int,
    viewer: Viewer,
    bridge_id: int | None = None,
    memory: PlannerMemory | None = None,
) -> GridOut:
    """Each participant's day in cells, and with `bridge_id` a last row of the bridge's
    bookings (a cell is "unavailable" where a session holds the bridge)."""
    start = datetime.combine(day, time(0), tzinfo=UTC)
    end = start + timedelta(days=1)
    participants = _participants(db, countries, people, start, end, viewer, memory)
    try:
        rows = day_grid(participants, day, cell_minutes)
    except ValueError as exc:
        raise invalid_field("cell", str(exc)) from None
    bridge_rows = [_bridge_row(db, bridge_id, start, cell_minutes, memory)] if bridge_id else []
    return GridOut(
        day=day.isoformat(),
        rows=[
            GridRowOut(
                key=row.key,
                label=row.label,
                zone=row.zone,
                days_off_confirmed=bool(p.official and p.official.confirms(day.year)),
                cells=[
                    GridCellOut(start=c.start, end=c.end, status=c.status.value, detail=c.detail)
                    for c in row.cells
                ],
            )
            for row, p in zip(rows, participants, strict=True)
        ]
        + bridge_rows,
    )


def _bridge_row(
    db: Session,
    bridge_id: int,
    day_start: datetime,
    cell_minutes: int,
    memory: PlannerMemory | None,
) -> GridRowOut:
    bridge = get_bridge(db, bridge_id)
    cell = timedelta(minutes=cell_minutes)
    booked = _bridge_busy(db, bridge_id, day_start, day_start + timedelta(days=1), memory)
    out = []
    for index in range(24 * 60 // cell_minutes):
        start = day_start + index * cell
        clash = next((b for b in booked if b.start < start + cell and b.end > start), None)
        out.append(
            GridCellOut(
                start=start,
                end=start + cell,
                status=(Availability.UNAVAILABLE if clash else Availability.WORKING).value,
                detail=f"busy with {clash.reason}" if clash else "",
            )
        )
    return GridRowOut(
        key=f"bridge:{bridge_id}",
        label=f"Bridge {bridge.name}",
        zone="UTC",
        days_off_confirmed=True,
        cells=out,
    )
