"""Agenda, minutes and action-item JSON API: thin handlers over service.minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from litestar import Controller, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK

from service.auth.guards import AuthenticatedRequest, staff_only
from service.dependencies import AppClock, Db
from service.minutes import documents, operations, queries
from service.minutes.access import standing, viewer
from service.minutes.records import ActionStatus
from service.minutes.schemas import (
    ActionItemRead,
    AgendaIn,
    AgendaRead,
    CirculateIn,
    CommentIn,
    CommentRead,
    CorrigendumIn,
    DiffRead,
    DocumentRead,
    MinutesRead,
    MinutesSave,
    ResponseIn,
    ResponseRead,
    RevisionContentRead,
    RevisionRead,
)
from service.queries import Page

Limit = Annotated[int, Parameter(ge=1, le=500)]
Offset = Annotated[int, Parameter(ge=0)]


@dataclass
class DocumentUpload:
    """The form of an upload: the file in the field `data`. Named, so that a form without it is
    a 400 (a bare UploadFile parameter made Litestar fail with a 500 on a form with no file)."""

    data: UploadFile


class AgendaController(Controller):
    path = "/sessions/{session_id:int}/agenda"
    tags = ["agenda"]

    @get(sync_to_thread=True, summary="The agenda (the standard one until staff save one)")
    def read_agenda(
        self, db: Db, request: AuthenticatedRequest, session_id: FromPath[int]
    ) -> AgendaRead:
        standing(db, session_id, request.user)
        return queries.agenda_read(db, session_id)

    @put(guards=[staff_only], sync_to_thread=True, summary="Replace the agenda (409 if stale)")
    def save_agenda(
        self, db: Db, clock: AppClock, session_id: FromPath[int], data: JSONBody[AgendaIn]
    ) -> AgendaRead:
        operations.save_agenda(db, session_id, data, clock.now())
        return queries.agenda_read(db, session_id)

    @post(
        "/items/{item_id:int}/documents",
        guards=[staff_only],
        sync_to_thread=True,
        summary="Attach a PDF, DOCX, XLSX, PNG or JPEG (10 MB at most) to an agenda item",
        # Room for the multipart framing around a file of the largest size taken.
        request_max_body_size=documents.MAX_BYTES + 64 * 1024,
    )
    def attach(
        self,
        db: Db,
        clock: AppClock,
        session_id: FromPath[int],
        item_id: FromPath[int],
        data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> DocumentRead:
        upload = data.data
        content = upload.file.read(documents.MAX_BYTES + 1)
        return documents.attach(db, session_id, item_id, upload.filename, content, clock.now())

    @get(
        "/documents/{document_id:int}",
        sync_to_thread=True,
        summary="Download a document (staff and invitees)",
        media_type="application/octet-stream",
    )
    def download(
        self,
        db: Db,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        document_id: FromPath[int],
    ) -> Response[bytes]:
        standing(db, session_id, request.user)
        found = queries.document(db, session_id, document_id)
        return Response(
            found.content,
            media_type=found.media_type,
            headers={"Content-Disposition": documents.disposition(found.filename)},
        )


class MinutesController(Controller):
    path = "/sessions/{session_id:int}/minutes"
    tags = ["minutes"]

    @get(sync_to_thread=True, summary="The current minutes, deadline in your own zone")
    def read_minutes(
        self, db: Db, clock: AppClock, request: AuthenticatedRequest, session_id: FromPath[int]
    ) -> MinutesRead:
        operations.apply_silence_procedure(db, clock.now())
        return queries.minutes_read(db, session_id, standing(db, session_id, request.user))

    @put(
        guards=[staff_only],
        sync_to_thread=True,
        summary="Save a new revision (409 with the current text if base_revision is stale)",
    )
    def save_minutes(
        self,
        db: Db,
        clock: AppClock,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[MinutesSave],
    ) -> MinutesRead:
        who = standing(db, session_id, request.user)
        operations.save_minutes(db, session_id, data, who.user_id, clock.now())
        return queries.minutes_read(db, session_id, who)

    @get("/revisions", guards=[staff_only], sync_to_thread=True, summary="Every revision")
    def list_revisions(self, db: Db, session_id: FromPath[int]) -> list[RevisionRead]:
        return queries.revisions(db, session_id)

    @get("/revisions/{number:int}", guards=[staff_only], sync_to_thread=True)
    def read_revision(
        self, db: Db, session_id: FromPath[int], number: FromPath[int]
    ) -> RevisionContentRead:
        return queries.revision_read(db, session_id, number)

    @get("/diff", guards=[staff_only], sync_to_thread=True, summary="Unified diff of two revisions")
    def diff(
        self,
        db: Db,
        session_id: FromPath[int],
        older: Annotated[int, QueryParameter(name="from", ge=1)],
        newer: Annotated[int, QueryParameter(name="to", ge=1)],
    ) -> DiffRead:
        return queries.diff(db, session_id, older, newer)

    @post(
        "/circulate",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Circulate for comment until a deadline",
    )
    def circulate(
        self,
        db: Db,
        clock: AppClock,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[CirculateIn],
    ) -> MinutesRead:
        operations.circulate(db, session_id, data.deadline, clock.now())
        return queries.minutes_read(db, session_id, standing(db, session_id, request.user))

    @post(
        "/withdraw",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Back to draft for revision; responses lapse",
    )
    def withdraw(
        self, db: Db, request: AuthenticatedRequest, session_id: FromPath[int]
    ) -> MinutesRead:
        operations.withdraw(db, session_id)
        return queries.minutes_read(db, session_id, standing(db, session_id, request.user))

    @post(
        "/adopt",
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Adopt explicitly (409 while an objection stands)",
    )
    def adopt(
        self, db: Db, clock: AppClock, request: AuthenticatedRequest, session_id: FromPath[int]
    ) -> MinutesRead:
        who = standing(db, session_id, request.user)
        operations.adopt(db, session_id, who.user_id, clock.now())
        return queries.minutes_read(db, session_id, who)

    @post(
        "/corrigenda",
        guards=[staff_only],
        sync_to_thread=True,
        summary="Record a corrigendum to adopted minutes",
    )
    def corrigendum(
        self,
        db: Db,
        clock: AppClock,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[CorrigendumIn],
    ) -> RevisionRead:
        who = standing(db, session_id, request.user)
        row = operations.record_corrigendum(db, session_id, data, who.user_id, clock.now())
        return queries.revision_read(db, session_id, row.number)

    @get("/comments", sync_to_thread=True, summary="Comments per item")
    def list_comments(
        self, db: Db, request: AuthenticatedRequest, session_id: FromPath[int]
    ) -> list[CommentRead]:
        standing(db, session_id, request.user)
        return queries.comments(db, session_id)

    @post("/comments", sync_to_thread=True, summary="Comment while circulated, until the deadline")
    def add_comment(
        self,
        db: Db,
        clock: AppClock,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[CommentIn],
    ) -> CommentRead:
        who = standing(db, session_id, request.user)
        row = operations.comment(db, session_id, data, who, clock.now())
        return queries.comment_read(row, queries.author_names(db, [row.author_id]))

    @post(
        "/responses",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Record your delegation's no objection or objection",
    )
    def respond(
        self,
        db: Db,
        clock: AppClock,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[ResponseIn],
    ) -> ResponseRead:
        who = standing(db, session_id, request.user)
        row = operations.respond(db, session_id, data, who, clock.now())
        return queries.response_read(row, queries.author_names(db, [row.user_id]))


class ActionItemController(Controller):
    path = "/action-items"
    tags = ["minutes"]

    @get(sync_to_thread=True, summary="Action items across sessions")
    def list_action_items(
        self,
        db: Db,
        request: AuthenticatedRequest,
        owner_country: FromQuery[str | None] = None,
        owner_person: FromQuery[int | None] = None,
        status: FromQuery[ActionStatus | None] = None,
        due_before: FromQuery[date | None] = None,
        due_after: FromQuery[date | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ActionItemRead]:
        items, total = queries.action_items(
            db,
            viewer(db, request.user),
            owner_country=owner_country,
            owner_person=owner_person,
            status=status,
            due_before=due_before,
            due_after=due_after,
            limit=limit,
            offset=offset,
        )
        return Page(items=items, total=total, limit=limit, offset=offset)
