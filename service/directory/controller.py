"""Directory JSON API: thin handlers translating HTTP to `service.directory.service` calls."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service.auth.guards import AuthenticatedRequest, staff_only
from service.dependencies import Db
from service.directory import importer
from service.directory import service as directory
from service.directory.models import AgencyKind
from service.directory.schemas import (
    AgencyRead,
    AgencyUpdate,
    AgencyWrite,
    CountryCreate,
    CountryRead,
    CountryUpdate,
    ImportReport,
    PersonRead,
    PersonUpdate,
    PersonWrite,
)
from service.queries import CountryFilter, Page, SearchText
from service.scheduling import invitations

Limit = Annotated[int, Parameter(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Parameter(ge=0, description="Items to skip")]


class CountryController(Controller):
    path = "/countries"
    tags = ["directory"]

    @get(sync_to_thread=True, summary="ASEAN members first, then partners' countries")
    def list_countries(self, db: Db, members_only: FromQuery[bool] = False) -> list[CountryRead]:
        return [
            CountryRead.model_validate(c)
            for c in directory.list_countries(db, members_only=members_only)
        ]

    @get("/{code:str}", sync_to_thread=True)
    def get_country(self, db: Db, code: FromPath[str]) -> CountryRead:
        return CountryRead.model_validate(directory.get_country(db, code))

    @post(guards=[staff_only], sync_to_thread=True, summary="Add a partner's country")
    def create_country(self, db: Db, data: JSONBody[CountryCreate]) -> CountryRead:
        return CountryRead.model_validate(directory.create_country(db, data))

    @patch(
        "/{code:str}",
        guards=[staff_only],
        sync_to_thread=True,
        summary="Edit a country's office hours, subdivision hours or note",
    )
    def update_country(
        self, db: Db, code: FromPath[str], data: JSONBody[CountryUpdate]
    ) -> CountryRead:
        return CountryRead.model_validate(directory.update_country(db, code, data))


class AgencyController(Controller):
    path = "/agencies"
    tags = ["directory"]

    @get(sync_to_thread=True)
    def list_agencies(
        self,
        db: Db,
        country: CountryFilter = None,
        kind: FromQuery[AgencyKind | None] = None,
        q: SearchText = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[AgencyRead]:
        rows, total = directory.list_agencies(
            db, country=country, kind=kind, q=q, limit=limit, offset=offset
        )
        items = [AgencyRead.model_validate(a) for a in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{agency_id:int}", sync_to_thread=True)
    def get_agency(self, db: Db, agency_id: FromPath[int]) -> AgencyRead:
        return AgencyRead.model_validate(directory.get_agency(db, agency_id))

    @post(guards=[staff_only], sync_to_thread=True)
    def create_agency(self, db: Db, data: JSONBody[AgencyWrite]) -> AgencyRead:
        return AgencyRead.model_validate(directory.create_agency(db, data))

    @patch("/{agency_id:int}", guards=[staff_only], sync_to_thread=True)
    def update_agency(
        self, db: Db, agency_id: FromPath[int], data: JSONBody[AgencyUpdate]
    ) -> AgencyRead:
        return AgencyRead.model_validate(directory.update_agency(db, agency_id, data))

    @delete("/{agency_id:int}", guards=[staff_only], sync_to_thread=True)
    def delete_agency(self, db: Db, agency_id: FromPath[int]) -> None:
        directory.delete_agency(db, agency_id)


class PersonController(Controller):
    path = "/people"
    tags = ["directory"]

    @get(sync_to_thread=True)
    def list_people(
        self,
        db: Db,
        country: CountryFilter = None,
        agency: FromQuery[int | None] = None,
        q: SearchText = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[PersonRead]:
        rows, total = directory.list_people(
            db, country=country, agency=agency, q=q, limit=limit, offset=offset
        )
        items = [PersonRead.model_validate(p) for p in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{person_id:int}", sync_to_thread=True)
    def get_person(self, db: Db, person_id: FromPath[int]) -> PersonRead:
        return PersonRead.model_validate(directory.get_person(db, person_id))

    @post(guards=[staff_only], sync_to_thread=True)
    def create_person(self, db: Db, data: JSONBody[PersonWrite]) -> PersonRead:
        return PersonRead.model_validate(directory.create_person(db, data))

    @patch("/{person_id:int}", guards=[staff_only], sync_to_thread=True)
    def update_person(
        self, db: Db, person_id: FromPath[int], data: JSONBody[PersonUpdate]
    ) -> PersonRead:
        return PersonRead.model_validate(directory.update_person(db, person_id, data))

    @delete(
        "/{person_id:int}",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_204_NO_CONTENT,
    )
    def delete_person(self, db: Db, person_id: FromPath[int]) -> None:
        invitations.check_not_invited(db, person_id)
        directory.delete_person(db, person_id)

    @post(
        "/import",
        guards=[staff_only],
        status_code=HTTP_201_CREATED,
        summary="Import people from CSV, all or nothing",
        request_max_body_size=importer.MAX_FILE_BYTES,
        description="Send the CSV file as the request body (Content-Type: text/csv), "
        f"at most {importer.MAX_FILE_BYTES:,} bytes and {importer.MAX_ROWS:,} rows. "
        "Columns: name, email, agency, country, zone, language, title, position.",
    )
    async def import_people(self, db: Db, request: AuthenticatedRequest) -> ImportReport:
        text = importer.decode_csv(await request.body())
        imported = await anyio.to_thread.run_sync(importer.import_people, db, text)
        return ImportReport(imported=imported, errors=[])
