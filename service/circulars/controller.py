"""Circulars API: thin handlers over `operations` (write) and `queries` (read)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.auth.guards import AuthenticatedRequest, staff_only
from service.circulars import operations, queries
from service.circulars.models import MEDIA_TYPES, Circular, DocumentFormat
from service.circulars.render import render_as
from service.circulars.schemas import CircularRead, CircularRequest, DocumentRead
from service.db import utcnow
from service.dependencies import Db
from service.errors import NotFound

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


def _document_response(content: bytes, fmt: DocumentFormat, name: str) -> Response[bytes]:
    headers = {"Content-Disposition": f'inline; filename="{name}.{fmt.value}"'}
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
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[CircularRequest],
    ) -> CircularRead:
        row = operations.issue(db, session_id, data, issued_by=request.user.user_id, now=utcnow())
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
        session_id: FromPath[int],
        data: JSONBody[CircularRequest],
        fmt: Annotated[DocumentFormat, QueryParameter(name="format")] = DocumentFormat.html,
    ) -> Response[bytes]:
        circular = operations.build_circular(db, session_id, data, utcnow())
        return _document_response(render_as(circular, fmt), fmt, "preview")


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
        stem, dot, suffix = name.partition(".")
        if not (stem.isascii() and stem.isdecimal()) or (
            dot and suffix not in DocumentFormat.__members__
        ):
            raise NotFound(f"No circular {name!r}: use {{id}} or {{id}}.html|txt|pdf|docx.")
        circular = queries.readable_circular(db, int(stem), request.user)
        if not dot:
            return Response(_reads(db, [circular])[0])
        fmt = DocumentFormat(suffix)
        stored = queries.document(db, circular.id or 0, fmt)
        return _document_response(stored.content, fmt, circular.reference.replace("/", "-"))
