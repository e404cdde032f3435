"""Official-calendar JSON API: thin handlers over `service.calendars.service`."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service.auth.guards import AuthenticatedRequest, staff_only
from service.calendars import service as calendars
from service.calendars.schemas import (
    CalendarRead,
    CoverageRead,
    EntryCreate,
    EntryRead,
    ListDiff,
    ListImport,
)
from service.db import utcnow
from service.dependencies import Db


class OfficialCalendarController(Controller):
    path = "/countries/{code:str}/calendar"
    tags = ["official calendars"]

    @get(sync_to_thread=True, summary="A country's announced exceptions and confirmed years")
    def get_calendar(self, db: Db, code: FromPath[str]) -> CalendarRead:
        return calendars.calendar_of(db, code)

    @post(
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Record a day off, a day not off, a make-up working day or dated hours",
    )
    def add_entry(
        self,
        db: Db,
        request: AuthenticatedRequest,
        code: FromPath[str],
        data: JSONBody[EntryCreate],
    ) -> EntryRead:
        entry = calendars.add_entry(db, code, data, request.user.email)
        return EntryRead.model_validate(entry)

    @delete(
        "/{entry_id:int}",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_204_NO_CONTENT,
    )
    def remove_entry(self, db: Db, code: FromPath[str], entry_id: FromPath[int]) -> None:
        calendars.remove_entry(db, code, entry_id)

    @post(
        "/import",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Compare a year's official list (CSV or iCalendar) and, with save, apply it",
    )
    def import_list(
        self,
        db: Db,
        request: AuthenticatedRequest,
        code: FromPath[str],
        data: JSONBody[ListImport],
    ) -> ListDiff:
        return calendars.import_list(db, code, data, request.user.email)


@get(
    "/official-calendars",
    sync_to_thread=True,
    tags=["official calendars"],
    summary="How far ahead each country's days off are confirmed by an official list",
)
def calendar_coverage(db: Db) -> list[CoverageRead]:
    return calendars.coverage(db, utcnow().date())
