"""The meeting planner page: who, when and how long; the day's grid of everyone's hours and the
bridge's bookings; the ranked slots, each booked in one click as `POST /api/v1/sessions` books."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.response import Redirect
from pydantic import AwareDatetime, Field
from sqlmodel import Session

from service.auth.principal import Principal
from service.conferencing import service as bridges
from service.delivery.enqueue import Change, enqueue_session_change
from service.dependencies import AppClock, Db
from service.directory import service as directory
from service.errors import DomainError
from service.request_body import CountryCode
from service.scheduling import booking, planner_service
from service.scheduling.schemas import MAX_DURATION_MINUTES, SessionCreate
from service.web import staff_views
from service.web.controller import Form, HtmlResponse, page
from service.web.forms import BrowserForm, parse_form
from service.web.staff_access import refused, staff, staff_gate
from service.web.views import DEFAULT_ZONE

PLANNER_DAYS = 14  # the window the planner opens with
PLANNER_SLOTS = 10
PLANNER_STEP = timedelta(minutes=15)
GRID_CELL_MINUTES = 30
MAX_LISTED_PEOPLE = 500


class PlannerForm(BrowserForm):
    """Who should meet, when and for how long; the same for finding slots and booking one."""

    countries: list[CountryCode] = Field(
        default_factory=list, max_length=planner_service.MAX_COUNTRIES
    )
    people: list[int] = Field(default_factory=list, max_length=planner_service.MAX_PEOPLE)
    first_day: date | None = Field(default=None, alias="from")
    last_day: date | None = Field(default=None, alias="to")
    duration: int = Field(default=60, ge=5, le=MAX_DURATION_MINUTES)
    bridge: int | None = None
    day: date | None = None
    title: str = Field(default="", max_length=300)
    zone: str = Field(default=DEFAULT_ZONE, max_length=64)
    repeat: staff_views.Repeat = staff_views.Repeat.once
    occurrences: int = Field(default=6, ge=2, le=52)


class BookForm(PlannerForm):
    start: AwareDatetime
    acknowledge: bool = False


def _planner_page(
    db: Session,
    clock: AppClock,
    request: Request[Any, Any, Any],
    viewer: Principal,
    form: PlannerForm,
    *,
    error: str = "",
    status_code: int = 200,
) -> HtmlResponse:
    today = clock.now().date()
    first = form.first_day or today + timedelta(days=1)
    last = form.last_day or first + timedelta(days=PLANNER_DAYS - 1)
    all_bridges = [b for b in bridges.list_bridges(db) if b.active]
    bridge = form.bridge or (all_bridges[0].id if all_bridges else None)
    form = form.model_copy(update={"first_day": first, "last_day": last, "bridge": bridge})
    plan = grid = None
    asked = bool(form.countries or form.people)
    if asked:
        who: dict[str, Any] = {
            "countries": form.countries,
            "people": form.people,
            "viewer": viewer,
            "memory": request.app.state.planner_memory,
        }
        try:
            plan = planner_service.plan(
                db,
                **who,
                first_day=first,
                last_day=last,
                duration=timedelta(minutes=form.duration),
                step=PLANNER_STEP,
                bridge_id=bridge,
                limit=PLANNER_SLOTS,
            )
            day = form.day or (plan.slots[0].start.date() if plan.slots else first)
            grid = planner_service.grid(
                db, **who, day=day, cell_minutes=GRID_CELL_MINUTES, bridge_id=bridge
            )
        except DomainError as exc:
            error, status_code = str(exc), exc.status_code
    people, _ = directory.list_people(db, limit=MAX_LISTED_PEOPLE)
    return page(
        request,
        viewer,
        "staff/planner.html",
        status_code=status_code,
        form=form,
        error=error,
        countries=directory.list_countries(db),
        people=staff_views.by_country(people),
        bridges=all_bridges,
        zones=staff_views.zone_choices(directory.list_countries(db), form.zone),
        repeats=list(staff_views.Repeat),
        plan=plan,
        slots=[staff_views.slot_view(slot) for slot in plan.slots] if plan else [],
        grid=staff_views.grid_view(grid, plan.slots[0] if plan and plan.slots else None)
        if grid
        else None,
        day_links=staff_views.day_links(form, grid.day if grid else None),
        planner_link=staff_views.planner_link,
    )


class PlannerPages(Controller):
    path = "/staff/planner"
    guards = [staff_gate]

    @get(sync_to_thread=True, include_in_schema=False)
    def planner(self, db: Db, clock: AppClock, request: Request[Any, Any, Any]) -> HtmlResponse:
        viewer = staff(db, request)
        try:
            form = parse_form(PlannerForm, request.query_params.dict())
        except DomainError as exc:
            return _planner_page(
                db, clock, request, viewer, PlannerForm(), error=str(exc), status_code=422
            )
        return _planner_page(db, clock, request, viewer, form)

    @post("/book", sync_to_thread=True, include_in_schema=False)
    def book(
        self,
        db: Db,
        clock: AppClock,
        state: State,
        request: Request[Any, Any, Any],
        data: Annotated[BookForm, Form],
    ) -> Response[Any]:
        """One click on a slot: the session (or series) as `POST /api/v1/sessions` books it."""
        viewer = staff(db, request)
        try:
            request_body = parse_form(
                SessionCreate,
                {
                    "title": data.title,
                    "start": data.start,
                    "duration_minutes": data.duration,
                    "organiser_zone": data.zone,
                    "bridge_id": data.bridge or 0,
                    "people": data.people,
                    "countries": data.countries,
                    "recurrence": staff_views.recurrence(
                        data.repeat, data.occurrences, data.start, data.zone
                    ),
                    "acknowledge_problems": data.acknowledge,
                },
            )
            booked = booking.book(db, request_body, now=clock.now())
            enqueue_session_change(db, state.settings, booked, Change.booked)
        except DomainError as exc:
            return _planner_page(
                db,
                clock,
                request,
                viewer,
                data,
                error=f"Not booked: {refused(db, exc)}",
                status_code=exc.status_code,
            )
        return Redirect(path=f"/staff/sessions/{booked.id}?done=booked", status_code=303)
