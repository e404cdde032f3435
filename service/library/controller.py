"""Library JSON API: anyone searches and downloads public documents; staff (with a token) also
the others, and add, describe, publish and remove them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Response
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service.auth.guards import (
    READABLE_BY_ANYONE,
    TOKEN_OPTIONAL,
    AuthenticatedRequest,
    caller_is_staff,
    staff_only,
)
from service.dependencies import AppClock, Db
from service.library import operations, queries
from service.library.models import MAX_FILE_BYTES
from service.library.schemas import DocumentRead, DocumentUpdate, DocumentUpload, FromCircular
from service.minutes.documents import disposition
from service.queries import CountryFilter, Page, SearchText

Limit = Annotated[int, Parameter(ge=1, le=200)]
Offset = Annotated[int, Parameter(ge=0)]


def file_response(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": disposition(filename)}
    )


class LibraryController(Controller):
    path = "/library"
    tags = ["library"]

    @get(
        sync_to_thread=True,
        opt=READABLE_BY_ANYONE,
        security=TOKEN_OPTIONAL,
        summary="Search public documents (staff: all)",
    )
    def search(
        self,
        db: Db,
        request: Request[Any, Any, State],
        q: SearchText = None,
        country: CountryFilter = None,
        year: FromQuery[int | None] = None,
        language: Annotated[str | None, Parameter(max_length=8)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[DocumentRead]:
        found, total = queries.search(
            db,
            queries.Search(q=q, country=country, year=year, language=language),
            include_private=caller_is_staff(request),
            limit=limit,
            offset=offset,
        )
        return Page(
            items=[queries.document_read(d) for d in found],
            total=total,
            limit=limit,
            offset=offset,
        )

    @get(
        "/{document_id:int}",
        sync_to_thread=True,
        opt=READABLE_BY_ANYONE,
        security=TOKEN_OPTIONAL,
        summary="One document",
    )
    def read_document(
        self, db: Db, request: Request[Any, Any, State], document_id: FromPath[int]
    ) -> DocumentRead:
        found = queries.get_document(db, document_id, include_private=caller_is_staff(request))
        return queries.document_read(found)

    @get(
        "/{document_id:int}/file",
        sync_to_thread=True,
        opt=READABLE_BY_ANYONE,
        security=TOKEN_OPTIONAL,
        summary="Download the file",
        media_type="application/octet-stream",
    )
    def download(
        self, db: Db, request: Request[Any, Any, State], document_id: FromPath[int]
    ) -> Response[bytes]:
        found = queries.get_document(db, document_id, include_private=caller_is_staff(request))
        return file_response(queries.file_of(db, found), found.media_type, found.filename)

    @post(
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Upload a PDF, DOCX, XLSX, PNG or JPEG (20 MB at most) with what it is",
        request_max_body_size=MAX_FILE_BYTES + 64 * 1024,  # room for the multipart framing
    )
    def upload(
        self,
        db: Db,
        clock: AppClock,
        request: AuthenticatedRequest,
        data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> DocumentRead:
        content = data.file.file.read(MAX_FILE_BYTES + 1)
        added = operations.add_document(
            db, data, data.file.filename, content, request.user.user_id, clock.now()
        )
        return queries.document_read(added)

    @post(
        "/circulars",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Add an adopted minutes' circular (its PDF as issued)",
    )
    def add_circular(
        self,
        db: Db,
        clock: AppClock,
        request: AuthenticatedRequest,
        data: JSONBody[FromCircular],
    ) -> DocumentRead:
        added = operations.add_circular(db, data, request.user.user_id, clock.now())
        return queries.document_read(added)

    @patch(
        "/{document_id:int}",
        guards=[staff_only],
        sync_to_thread=True,
        summary="Describe, publish or withdraw a document",
    )
    def update_document(
        self,
        db: Db,
        clock: AppClock,
        document_id: FromPath[int],
        data: JSONBody[DocumentUpdate],
    ) -> DocumentRead:
        return queries.document_read(operations.update_document(db, document_id, data, clock.now()))

    @delete(
        "/{document_id:int}",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_204_NO_CONTENT,
    )
    def delete_document(self, db: Db, document_id: FromPath[int]) -> None:
        operations.delete_document(db, document_id)
