"""Sessions and planner JSON API: thin handlers over service.scheduling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlmodel import Session

from service.auth.guards import AuthenticatedRequest, staff_only
from service.auth.principal import Principal
from service.calendar.change_counter import ChangeCounter, CounterCache
from service.delivery.enqueue import (
    Change,
    enqueue_cancellation,
    enqueue_reschedule,
    enqueue_session_change,
)
from service.dependencies import AppClock, Db
from service.errors import invalid_field
from service.queries import CountryFilter, Page
from service.scheduling import booking, changes, planner_service, unavailability
from service.scheduling import queries as sessions
from service.scheduling.models import SessionStatus
from service.scheduling.presenter import session_read, session_reads
from service.scheduling.schemas import (
    CancelRequest,
    GridOut,
    PlanOut,
    SessionCreate,
    SessionRead,
    SessionUpdate,
    UnavailabilityIn,
    UnavailabilityRead,
)

Limit = Annotated[int, Parameter(ge=1, le=500)]
Offset = Annotated[int, Parameter(ge=0)]
PlannerCountries = Annotated[
    str | None,
    Parameter(description=f"e.g. TH,MM,ID; at most {planner_service.MAX_COUNTRIES} country codes"),
]
PlannerPeople = Annotated[
    str | None, Parameter(description=f"e.g. 3,7; at most {planner_service.MAX_PEOPLE} person ids")
]


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=UTC) if day else None


def _json(body: bytes) -> Response[Any]:
    # Encoded already: Litestar sends bytes as they are.
    return Response(body, media_type=MediaType.JSON)


# The session list's pages as JSON, by who asks (role, person) and what they ask, under one
# counter value.
SessionListPages = CounterCache[tuple[object, ...], bytes]


@dataclass(frozen=True)
class SessionListQuery:
    start: datetime | None
    end: datetime | None
    country: str | None
    person: int | None
    status: SessionStatus | None
    limit: int
    offset: int


def _session_list_page(db: Session, query: SessionListQuery, viewer: Principal) -> bytes:
    rows, total = sessions.list_sessions(
        db,
        start=query.start,
        end=query.end,
        country=query.country,
        person=query.person,
        status=query.status,
        limit=query.limit,
        offset=query.offset,
    )
    page = Page(
        items=session_reads(db, rows, viewer), total=total, limit=query.limit, offset=query.offset
    )
    return page.model_dump_json().encode()


class SessionController(Controller):
    path = "/sessions"
    tags = ["sessions"]

    @get(summary="Sessions overlapping [from, to), by country or person")
    async def list_sessions(
        self,
        db: Db,
        state: State,
        request: AuthenticatedRequest,
        from_date: Annotated[date | None, QueryParameter(name="from")] = None,
        to_date: Annotated[date | None, QueryParameter(name="to")] = None,
        country: CountryFilter = None,
        person: FromQuery[int | None] = None,
        status: FromQuery[SessionStatus | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[Page[SessionRead]]:
        # A page depends on the sessions, their invitees and the viewer's role and person only,
        # all of which raise the change counter: kept in memory, encoded, while it stands
        # still, and then answered without a thread or the database.
        pages: SessionListPages = state.session_list_pages
        counter: ChangeCounter = state.change_counter
        viewer = request.user
        query = SessionListQuery(
            start=_day_start(from_date),
            end=_day_start(to_date + timedelta(days=1)) if to_date else None,
            country=country,
            person=person,
            status=status,
            limit=limit,
            offset=offset,
        )
        key = (viewer.role, viewer.person_id, query)
        known = counter.known()
        if known is not None and (body := pages.lookup(known, [key]).get(key)) is not None:
            return _json(body)

        def read() -> bytes:
            value = counter.current(db.connection())
            return pages.store(value, {key: _session_list_page(db, query, viewer)})[key]

        return _json(await anyio.to_thread.run_sync(read))

    @get("/{session_id:int}", sync_to_thread=True)
    def get_session(
        self, db: Db, request: AuthenticatedRequest, session_id: FromPath[int]
    ) -> SessionRead:
        return session_read(db, sessions.get_session(db, session_id), request.user)

    @post(
        guards=[staff_only],
        sync_to_thread=True,
        summary="Book a session or a recurring series (409 when the bridge is taken)",
    )
    def book(
        self,
        db: Db,
        state: State,
        clock: AppClock,
        request: AuthenticatedRequest,
        data: JSONBody[SessionCreate],
    ) -> SessionRead:
        booked = booking.book(db, data, now=clock.now())
        # In the confirmation's transaction (booking commits its reservation before that).
        enqueue_session_change(db, state.settings, booked, Change.booked)
        return session_read(db, booked, request.user)

    @patch(
        "/{session_id:int}",
        guards=[staff_only],
        sync_to_thread=True,
        summary="Reschedule or edit (scope: this or following occurrences)",
    )
    def update(
        self,
        db: Db,
        clock: AppClock,
        state: State,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[SessionUpdate],
    ) -> SessionRead:
        rescheduled = changes.reschedule(db, session_id, data, now=clock.now())
        enqueue_reschedule(db, state.settings, rescheduled)
        return session_read(db, rescheduled.session, request.user)

    @post(
        "/{session_id:int}/cancel",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Cancel (scope: this or following occurrences)",
    )
    def cancel(
        self,
        db: Db,
        state: State,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[CancelRequest | None] = None,
    ) -> list[SessionRead]:
        asked = data or CancelRequest()
        cancelled = changes.cancel(db, session_id, asked.scope, asked.revision)
        enqueue_cancellation(db, state.settings, cancelled)
        return session_reads(db, cancelled, request.user)


class UnavailabilityController(Controller):
    path = "/people/{person_id:int}/unavailability"
    tags = ["planner"]

    @get(sync_to_thread=True, summary="Leave and blackouts; reasons only for staff and the person")
    def list_unavailability(
        self, db: Db, request: AuthenticatedRequest, person_id: FromPath[int]
    ) -> list[UnavailabilityRead]:
        return unavailability.list_for_person(db, person_id, request.user)

    @post(guards=[staff_only], sync_to_thread=True, summary="Record leave or a blackout")
    def add_unavailability(
        self, db: Db, person_id: FromPath[int], data: JSONBody[UnavailabilityIn]
    ) -> UnavailabilityRead:
        return unavailability.add(db, person_id, data)

    @delete(
        "/{item_id:int}", guards=[staff_only], sync_to_thread=True, status_code=HTTP_204_NO_CONTENT
    )
    def remove_unavailability(
        self, db: Db, person_id: FromPath[int], item_id: FromPath[int]
    ) -> None:
        unavailability.remove(db, person_id, item_id)


def _codes(raw: str | None) -> list[str]:
    return [c.strip().upper() for c in (raw or "").split(",") if c.strip()]


def _ids(raw: str | None) -> list[int]:
    try:
        return [int(i) for i in (raw or "").split(",") if i.strip()]
    except ValueError:
        raise invalid_field("people", "must be person ids separated by commas") from None


class PlannerController(Controller):
    path = "/planner"
    tags = ["planner"]

    @get(sync_to_thread=True, summary="Candidate slots, best first, or the closest misses")
    def plan(
        self,
        db: Db,
        state: State,
        request: AuthenticatedRequest,
        from_date: Annotated[date, QueryParameter(name="from")],
        to_date: Annotated[date, QueryParameter(name="to")],
        duration: Annotated[int, Parameter(ge=5, le=720, description="minutes")] = 60,
        step: Annotated[int, Parameter(ge=5, le=240, description="minutes")] = 15,
        countries: PlannerCountries = None,
        people: PlannerPeople = None,
        bridge: FromQuery[int | None] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> PlanOut:
        return planner_service.plan(
            db,
            countries=_codes(countries),
            people=_ids(people),
            first_day=from_date,
            last_day=to_date,
            duration=timedelta(minutes=duration),
            step=timedelta(minutes=step),
            bridge_id=bridge,
            limit=limit,
            viewer=request.user,
            memory=state.planner_memory,
        )

    @get(
        "/day",
        sync_to_thread=True,
        summary="Per-participant status grid over one UTC day, with the bridge's bookings",
    )
    def day(
        self,
        db: Db,
        state: State,
        request: AuthenticatedRequest,
        day: FromQuery[date],
        countries: PlannerCountries = None,
        people: PlannerPeople = None,
        cell: Annotated[int, Parameter(ge=15, le=60, description="cell minutes")] = 30,
        bridge: Annotated[
            int | None, Parameter(description="Adds a row of this bridge's bookings")
        ] = None,
    ) -> GridOut:
        return planner_service.grid(
            db,
            countries=_codes(countries),
            people=_ids(people),
            day=day,
            cell_minutes=cell,
            viewer=request.user,
            bridge_id=bridge,
            memory=state.planner_memory,
        )
