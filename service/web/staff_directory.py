"""The directory pages (countries with office hours and days off, agencies, people, the CSV
import of people with its row-by-row report), the bridges and the outbox with retry.

Thin handlers over the functions behind `/api/v1/countries`, `/agencies`, `/people`,
`/people/import`, `/bridges` and `/outbox`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, Parameter, QueryParameter
from litestar.response import Redirect
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from service.auth.principal import Principal
from service.calendars.service import days_off
from service.conferencing import service as bridges
from service.delivery import service as delivery
from service.delivery.models import MessageState
from service.dependencies import AppClock, Db
from service.directory import importer
from service.directory import service as directory
from service.errors import DomainError, InvalidInput
from service.queries import SearchText
from service.web import staff_views
from service.web.controller import HtmlResponse, page
from service.web.staff_access import refused, staff, staff_gate

LIST_LIMIT = 100
DAYS_OFF_AHEAD = 365
Offset = Annotated[int, Parameter(ge=0)]
CountryCodeQuery = Annotated[str | None, Parameter(max_length=2)]


class ImportForm(BaseModel):
    """The import form as posted. A model rather than a bare `UploadFile`: Litestar fails (500)
    on a bare one when the form comes without a file."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    data: UploadFile | None = None


def _agency_names(db: Session) -> dict[int, str]:
    rows, _ = directory.list_agencies(db, limit=500)
    return {agency.id or 0: agency.acronym or agency.name for agency in rows}


def _listing(
    db: Session,
    request: Request[Any, Any, Any],
    template: str,
    listed: Callable[..., tuple[list[Any], int]],
    country: str | None,
    q: str | None,
    offset: int,
) -> HtmlResponse:
    """A page of a filtered directory list (`listed`: the directory's `list_agencies` or
    `list_people`), with links to the pages before and after it."""
    viewer = staff(db, request)
    rows, total = listed(db, country=country or None, q=q or None, limit=LIST_LIMIT, offset=offset)
    return page(
        request,
        viewer,
        template,
        rows=rows,
        total=total,
        agencies=_agency_names(db),
        countries=directory.list_countries(db),
        country=country or "",
        q=q or "",
        pages=staff_views.pages(
            request.url.path, dict(request.query_params), total, offset, LIST_LIMIT
        ),
    )


class DirectoryPages(Controller):
    path = "/staff/directory"
    guards = [staff_gate]

    @get(sync_to_thread=True, include_in_schema=False)
    def countries(self, db: Db, clock: AppClock, request: Request[Any, Any, Any]) -> HtmlResponse:
        viewer = staff(db, request)
        today = clock.now().date()
        rows = []
        for country in directory.list_countries(db):
            upcoming = days_off(db, country, today, today + timedelta(days=DAYS_OFF_AHEAD))
            rows.append(
                {
                    "country": country,
                    "hours": staff_views.week_summary(country.office_hours),
                    "next_day_off": upcoming[0] if upcoming else None,
                }
            )
        return page(request, viewer, "staff/countries.html", countries=rows)

    @get("/countries/{code:str}", sync_to_thread=True, include_in_schema=False)
    def country(
        self, db: Db, clock: AppClock, request: Request[Any, Any, Any], code: FromPath[str]
    ) -> HtmlResponse:
        viewer = staff(db, request)
        country = directory.get_country(db, code)
        today = clock.now().date()
        return page(
            request,
            viewer,
            "staff/country.html",
            country=country,
            hours=staff_views.office_hours(country.office_hours),
            subdivision_hours={
                name: staff_views.office_hours(week)
                for name, week in country.subdivision_hours.items()
            },
            days_off=days_off(db, country, today, today + timedelta(days=DAYS_OFF_AHEAD)),
            days=DAYS_OFF_AHEAD,
        )

    @get("/agencies", sync_to_thread=True, include_in_schema=False)
    def agencies(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        country: Annotated[CountryCodeQuery, QueryParameter(name="country")] = None,
        q: SearchText = None,
        offset: Offset = 0,
    ) -> HtmlResponse:
        listed = directory.list_agencies
        return _listing(db, request, "staff/agencies.html", listed, country, q, offset)

    @get("/people", sync_to_thread=True, include_in_schema=False)
    def people(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        country: Annotated[CountryCodeQuery, QueryParameter(name="country")] = None,
        q: SearchText = None,
        offset: Offset = 0,
    ) -> HtmlResponse:
        listed = directory.list_people
        return _listing(db, request, "staff/people.html", listed, country, q, offset)

    @get("/import", sync_to_thread=True, include_in_schema=False)
    def import_form(self, db: Db, request: Request[Any, Any, Any]) -> HtmlResponse:
        return self._import_page(request, staff(db, request))

    def _import_page(
        self,
        request: Request[Any, Any, Any],
        viewer: Principal,
        *,
        status_code: int = 200,
        imported: int | None = None,
        error: str = "",
        problems: list[dict[str, Any]] | None = None,
    ) -> HtmlResponse:
        return page(
            request,
            viewer,
            "staff/import.html",
            status_code=status_code,
            imported=imported,
            error=error,
            problems=problems or [],
            columns=importer.KNOWN_COLUMNS,
            max_rows=importer.MAX_ROWS,
        )

    @post(
        "/import",
        include_in_schema=False,
        request_max_body_size=importer.MAX_FILE_BYTES + 64 * 1024,
    )
    async def import_people(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> HtmlResponse:
        """All or nothing, as `POST /api/v1/people/import`: a refused file is reported row by
        row and nothing is added."""
        viewer = await anyio.to_thread.run_sync(staff, db, request)
        try:
            if data.data is None:
                raise InvalidInput("Choose a CSV file to import.")
            text = importer.decode_csv(await data.data.read())
            imported = await anyio.to_thread.run_sync(importer.import_people, db, text)
        except InvalidInput as exc:
            message = await anyio.to_thread.run_sync(refused, db, exc)
            return self._import_page(
                request,
                viewer,
                status_code=exc.status_code,
                error=message,
                problems=exc.errors,
            )
        return self._import_page(request, viewer, imported=imported)


class BridgePages(Controller):
    path = "/staff/bridges"
    guards = [staff_gate]

    @get(sync_to_thread=True, include_in_schema=False)
    def bridges(self, db: Db, request: Request[Any, Any, Any]) -> HtmlResponse:
        viewer = staff(db, request)
        return page(request, viewer, "staff/bridges.html", bridges=bridges.list_bridges(db))


class OutboxPages(Controller):
    path = "/staff/outbox"
    guards = [staff_gate]

    @get(sync_to_thread=True, include_in_schema=False)
    def outbox(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        message_state: Annotated[MessageState | None, QueryParameter(name="state")] = None,
        offset: Offset = 0,
        retried: FromQuery[int | None] = None,
    ) -> HtmlResponse:
        viewer = staff(db, request)
        return self._page(db, request, viewer, message_state, offset, retried=retried)

    def _page(
        self,
        db: Session,
        request: Request[Any, Any, Any],
        viewer: Principal,
        message_state: MessageState | None,
        offset: int,
        *,
        retried: int | None = None,
        error: str = "",
        status_code: int = 200,
    ) -> HtmlResponse:
        rows, total = delivery.list_messages(db, message_state, LIST_LIMIT, offset)
        return page(
            request,
            viewer,
            "staff/outbox.html",
            status_code=status_code,
            messages=rows,
            total=total,
            counts=delivery.count_by_state(db),
            states=list(MessageState),
            chosen=message_state,
            retried=retried,
            error=error,
            pages=staff_views.pages(
                request.url.path, dict(request.query_params), total, offset, LIST_LIMIT
            ),
        )

    @post("/{message_id:int}/retry", sync_to_thread=True, include_in_schema=False)
    def retry(
        self, db: Db, request: Request[Any, Any, Any], message_id: FromPath[int]
    ) -> Response[Any]:
        viewer = staff(db, request)
        try:
            delivery.retry(db, message_id)
        except DomainError as exc:
            return self._page(
                db,
                request,
                viewer,
                MessageState.dead,
                0,
                error=refused(db, exc),
                status_code=exc.status_code,
            )
        return Redirect(path=f"/staff/outbox?state=dead&retried={message_id}", status_code=303)
