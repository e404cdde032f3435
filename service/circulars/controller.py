"""Circulars API: thin handlers over `operations` (write) and `queries` (read)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlmodel import Session

from service.auth.guards import AuthenticatedRequest, staff_only
from service.circulars import operations, queries
from service.circulars.models import MEDIA_TYPES, Circular, DocumentFormat
from service.circulars.render import render_as
from service.circulars.schemas import CircularRead, CircularRequest, DocumentRead
from service.dependencies import AppClock, Db
from service.errors import NotFound
from service.scheduling.disclosure import Viewer

API_PATH = "/api/v1/circulars"
# Issued HTML is shown as it was issued, in a page that can run nothing.
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _reads(db: Db, rows: list[Circular]) -> list[CircularRead]:
    docs = queries.documents(db, [row.id or 0 for row in rows])
    return [
        CircularRead(
            id=row.id or 0,
            session_id=row.session_id,
            kind=row.kind,  # type: ignore[arg-type]
            language=row.language,  # type: ignore[arg-type]
            reference=row.reference,
            title=row.title,
            public=row.public,
            corrects_id=row.corrects_id,
            issued_at=row.issued_at,
            documents={
                fmt: DocumentRead(url=f"{API_PATH}/{row.id}.{fmt}", sha256=sha, size=size)
                for fmt, sha, size in docs[row.id or 0]
            },
        )
        for row in rows
    ]


def document_response(content: bytes, fmt: DocumentFormat, file_name: str) -> Response[bytes]:
    headers = {"Content-Disposition": f'inline; filename="{file_name}"'}
    if fmt == DocumentFormat.html:
        headers["Content-Security-Policy"] = HTML_POLICY
    return Response(content, media_type=MEDIA_TYPES[fmt], headers=headers)


class SessionCircularController(Controller):
    path = "/sessions/{session_id:int}/circulars"
    tags = ["circulars"]

    @get(sync_to_thread=True, summary="The session's circulars the caller may read")
    def list_circulars(
        self, db: Db, request: AuthenticatedRequest, session_id: FromPath[int]
    ) -> list[CircularRead]:
        return _reads(db, queries.session_circulars(db, session_id, request.user))

    @post(
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Issue a numbered circular (stored as issued, without joining details)",
    )
    def issue(
        self,
        db: Db,
        state: State,
        clock: AppClock,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[CircularRequest],
    ) -> CircularRead:
        row = operations.issue(
            db,
            session_id,
            data,
            issued_by=request.user.user_id,
            now=clock.now(),
            settings=state.settings,
        )
        return _reads(db, [row])[0]

    @post(
        "/preview",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Render a circular without issuing it or taking a number",
    )
    def preview(
        self,
        db: Db,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[CircularRequest],
        fmt: Annotated[DocumentFormat, QueryParameter(name="format")] = DocumentFormat.html,
    ) -> Response[bytes]:
        circular = operations.build_circular(db, session_id, data, clock.now())
        return document_response(render_as(circular, fmt), fmt, f"preview.{fmt.value}")


class CircularController(Controller):
    path = "/circulars"
    tags = ["circulars"]

    @get(
        "/{name:str}",
        sync_to_thread=True,
        summary="One circular: {id} gives its record, {id}.html, .txt, .pdf or .docx a document",
        responses={200: ResponseSpec(CircularRead, description="The record, for {id}")},
    )
    def get_circular(
        self, db: Db, request: AuthenticatedRequest, name: FromPath[str]
    ) -> Response[Any]:
        # One route for both: beside a `{name:str}` route Litestar never picks a `{id:int}` one
        # (litestar-org/litestar#3622), which left the record unreachable.
        if "." in name:
            return issued_document(db, name, request.user)
        if not (name.isascii() and name.isdecimal()):
            raise NotFound(f"No circular {name!r}: use {{id}} or {{id}}.html|txt|pdf|docx.")
        return Response(_reads(db, [queries.readable_circular(db, int(name), request.user)])[0])


def issued_document(db: Session, document: str, viewer: Viewer) -> Response[bytes]:
    """`{id}.{format}` of an issued circular, as stored, if `viewer` may read it."""
    stem, _, suffix = document.partition(".")
    if not (stem.isascii() and stem.isdecimal()) or suffix not in DocumentFormat.__members__:
        raise NotFound(f"No circular document {document!r}: use {{id}}.html|txt|pdf|docx.")
    fmt = DocumentFormat(suffix)
    circular = queries.readable_circular(db, int(stem), viewer)
    stored = queries.document(db, circular.id or 0, fmt)
    return document_response(stored.content, fmt, circular.file_name(fmt))
