"""A delegate's part in the minutes: reading circulated minutes, commenting on an item, and
recording their delegation's no objection or objection before the deadline.

The same operations as `/api/v1/sessions/{id}/minutes/comments` and `.../responses`; the rules
(invited only, own country only, before the deadline) live there, not here.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from pydantic import BaseModel, Field, ValidationError

from service.dependencies import AppClock, Db
from service.errors import invalid_field
from service.minutes import operations
from service.minutes import queries as minutes_queries
from service.minutes.access import standing
from service.minutes.records import MinutesStatus
from service.minutes.schemas import CommentIn, Position, ResponseIn
from service.scheduling import queries as sessions
from service.web import views
from service.web.accounts import signed_in
from service.web.controller import Form, HtmlResponse, page, sign_in_page
from service.web.language import reader_language


class CommentForm(BaseModel):
    item_number: str = Field(default="", max_length=20)
    body: str = Field(default="", max_length=5000)


class ResponseForm(BaseModel):
    position: Position
    comment: str = Field(default="", max_length=5000)


class MinutesReviewPages(Controller):
    """`/me/minutes/{id}`: the circulated minutes of a session the delegate was invited to."""

    path = "/me/minutes/{session_id:int}"

    @get(sync_to_thread=True, include_in_schema=False)
    def review_page(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        done: FromQuery[str] = "",
    ) -> HtmlResponse:
        viewer = signed_in(db, request)
        if viewer is None:
            return sign_in_page(request, None, request.url.path)
        who = standing(db, session_id, viewer)
        shown = minutes_queries.minutes_read(db, session_id, who)
        session = sessions.get_session(db, session_id)
        mine = next((r for r in shown.responses if r.country == who.country), None)
        language = reader_language(request)
        return page(
            request,
            viewer,
            "minutes_review.html",
            session=session,
            when=views.when(session.start_utc, shown.deadline_zone, language),
            minutes=shown,
            deadline=views.when(shown.deadline, shown.deadline_zone, language)
            if shown.deadline
            else "",
            open=shown.status == MinutesStatus.circulated
            and shown.deadline is not None
            and shown.deadline > clock.now(),
            comments=minutes_queries.comments(db, session_id),
            country=who.country,
            my_response=mine,
            done=done if done in ("comment", "response") else "",
        )

    @post("/comments", sync_to_thread=True, include_in_schema=False)
    def add_comment(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[CommentForm, Form],
    ) -> Response[Any]:
        viewer = signed_in(db, request)
        if viewer is None:
            return sign_in_page(request, None, f"/me/minutes/{session_id}")
        if not data.body.strip():
            raise invalid_field("body", "write a comment before sending it")
        who = standing(db, session_id, viewer)
        body = CommentIn(item_number=data.item_number or None, body=data.body)
        operations.comment(db, session_id, body, who, clock.now())
        return Redirect(path=f"/me/minutes/{session_id}?done=comment", status_code=303)

    @post("/response", sync_to_thread=True, include_in_schema=False)
    def record_response(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[ResponseForm, Form],
    ) -> Response[Any]:
        viewer = signed_in(db, request)
        if viewer is None:
            return sign_in_page(request, None, f"/me/minutes/{session_id}")
        who = standing(db, session_id, viewer)
        try:
            position = ResponseIn(position=data.position, comment=data.comment)
        except ValidationError:
            raise invalid_field(
                "comment", "an objection needs a comment saying what is objected to"
            ) from None
        operations.respond(db, session_id, position, who, clock.now())
        return Redirect(path=f"/me/minutes/{session_id}?done=response", status_code=303)
