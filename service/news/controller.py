"""News JSON API: anyone reads published posts; staff (with a token) also drafts, and write."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service.auth.guards import (
    READABLE_BY_ANYONE,
    TOKEN_OPTIONAL,
    AuthenticatedRequest,
    caller_is_staff,
    staff_only,
)
from service.dependencies import AppClock, Db
from service.directory.models import Language
from service.news import operations, queries
from service.news.schemas import PostCreate, PostRead, PostUpdate
from service.queries import Page

Limit = Annotated[int, Parameter(ge=1, le=100)]
Offset = Annotated[int, Parameter(ge=0)]
# Readable without a token: the public site's posts are public.


class NewsController(Controller):
    path = "/news"
    tags = ["news"]

    @get(
        sync_to_thread=True,
        opt=READABLE_BY_ANYONE,
        security=TOKEN_OPTIONAL,
        summary="Published posts, newest first (staff: drafts too)",
    )
    def list_posts(
        self,
        db: Db,
        request: Request[Any, Any, State],
        language: FromQuery[Language | None] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> Page[PostRead]:
        posts, total = queries.list_posts(
            db,
            include_drafts=caller_is_staff(request),
            language=language,
            limit=limit,
            offset=offset,
        )
        base_url = request.app.state.settings.base_url
        return Page(
            items=[queries.post_read(p, base_url) for p in posts],
            total=total,
            limit=limit,
            offset=offset,
        )

    @get(
        "/{slug:str}",
        sync_to_thread=True,
        opt=READABLE_BY_ANYONE,
        security=TOKEN_OPTIONAL,
        summary="One post (drafts: staff only)",
    )
    def read_post(self, db: Db, request: Request[Any, Any, State], slug: FromPath[str]) -> PostRead:
        found = queries.get_post(db, slug, include_drafts=caller_is_staff(request))
        return queries.post_read(found, request.app.state.settings.base_url)

    @post(
        guards=[staff_only],
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Write a post, as a draft or published at once",
    )
    def create_post(
        self, db: Db, clock: AppClock, request: AuthenticatedRequest, data: JSONBody[PostCreate]
    ) -> PostRead:
        created = operations.create_post(db, data, request.user.user_id, clock.now())
        return queries.post_read(created, request.app.state.settings.base_url)

    @patch(
        "/{slug:str}",
        guards=[staff_only],
        sync_to_thread=True,
        summary="Edit, publish or withdraw a post (its address stays)",
    )
    def update_post(
        self,
        db: Db,
        clock: AppClock,
        request: AuthenticatedRequest,
        slug: FromPath[str],
        data: JSONBody[PostUpdate],
    ) -> PostRead:
        changed = operations.update_post(db, slug, data, clock.now())
        return queries.post_read(changed, request.app.state.settings.base_url)

    @delete(
        "/{slug:str}", guards=[staff_only], sync_to_thread=True, status_code=HTTP_204_NO_CONTENT
    )
    def delete_post(self, db: Db, slug: FromPath[str]) -> None:
        operations.delete_post(db, slug)
