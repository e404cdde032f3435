"""Calendar HTTP: invites and answers under /api/v1; feeds and answer links without sign-in.

`/feeds/...` and `/rsvp/...` are authenticated by the secret in their URL, not by a bearer
token, so `public_calendar_router()` is mounted outside /api/v1 (no bearer middleware, no DB
lookup before the handler).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache, partial
from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, HttpMethod, Request, Response, Router, delete, get, post, route
from litestar.connection import ASGIConnection
from litestar.datastructures import Headers, State
from litestar.enums import MediaType, ScopeType
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT, HTTP_304_NOT_MODIFIED
from litestar.types import ASGIApp, Receive, Send
from litestar.types import Scope as AsgiScope

from service.auth.guards import AuthenticatedRequest, is_options_request
from service.auth.principal import Principal
from service.calendar import feeds, rsvp
from service.calendar.schemas import (
    MyFeeds,
    PersonalFeedIssued,
    RsvpIn,
    RsvpRead,
)
from service.calendar.service import invite_for_viewer
from service.clock import Clock
from service.delivery.enqueue import enqueue_answer
from service.dependencies import Db
from service.errors import Forbidden, NotFound
from service.http.abuse_limits import ANSWER_LINK, FEED_LINK, AbuseLimits, client_of
from service.scheduling.schemas import Scope

ICS_SUFFIX = ".ics"
FEED_NAME = re.compile(r"[\w-]{1,100}", re.ASCII)
# "scope" is Litestar's name for the ASGI scope, so the query parameter is mapped explicitly.
AnswerScope = Annotated[Scope, QueryParameter(name="scope")]


def staff_or_that_person(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if is_options_request(connection):
        return
    user: Principal = connection.user
    if not (user.is_staff or user.person_id == connection.path_params["person_id"]):
        raise Forbidden("Only secretariat staff or the person themselves may do this.")


class InviteController(Controller):
    path = "/sessions/{session_id:int}"
    tags = ["calendar"]

    @get(
        "/invite.ics",
        sync_to_thread=True,
        media_type="text/calendar",
        summary="The iMIP invite as emailed: METHOD:REQUEST, or CANCEL once cancelled",
        description="Passcodes, dial-in PINs and bridge notes only for staff and invitees; "
        "an invitee's copy carries their own answer links.",
    )
    def invite(
        self, db: Db, state: State, request: AuthenticatedRequest, session_id: FromPath[int]
    ) -> Response[bytes]:
        invite = invite_for_viewer(db, state.settings, session_id, request.user)
        return Response(
            invite.body,
            media_type="text/calendar",
            headers={
                "content-type": invite.content_type,
                "content-disposition": f'inline; filename="session-{session_id}.ics"',
            },
        )

    @post(
        "/rsvp",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Answer for yourself: accepted, tentative or declined (invitees only)",
    )
    def answer(
        self,
        db: Db,
        state: State,
        request: AuthenticatedRequest,
        session_id: FromPath[int],
        data: JSONBody[RsvpIn],
    ) -> RsvpRead:
        invited = rsvp.invitation_of_user(db, session_id, request.user.person_id)
        rows = rsvp.record_answer(db, invited, data.answer, data.scope)
        enqueue_answer(db, state.settings, invited, data.answer.partstat)
        return RsvpRead(
            person_id=invited.person.id or 0,
            partstat=data.answer.partstat,
            responded_at=invited.participant.responded_at,
            session_ids=[row.session_id for row in rows],
        )


class FeedTokenController(Controller):
    path = "/people/{person_id:int}/feed-token"
    tags = ["calendar"]
    guards = [staff_or_that_person]

    @post(
        sync_to_thread=True,
        summary="Issue (or replace) the person's private feed URL; shown only in this response",
    )
    def issue(self, db: Db, state: State, person_id: FromPath[int]) -> PersonalFeedIssued:
        row, token = feeds.issue_feed_token(db, person_id)
        links = feeds.feed_links(state.settings, feeds.personal_feed_path(token))
        return PersonalFeedIssued(
            person_id=person_id, created_at=row.created_at, **links.model_dump()
        )

    @delete(
        sync_to_thread=True, status_code=HTTP_204_NO_CONTENT, summary="Revoke the private feed URL"
    )
    def revoke(self, db: Db, person_id: FromPath[int]) -> None:
        feeds.revoke_feed_token(db, person_id)


class MyFeedController(Controller):
    path = "/me/feed"
    tags = ["calendar"]

    @get(
        sync_to_thread=True, summary="Your feeds: whether a private one exists; country and network"
    )
    def my_feeds(self, db: Db, state: State, request: AuthenticatedRequest) -> MyFeeds:
        return feeds.feeds_of(db, state.settings, request.user.person_id)


# --- outside /api/v1 ---------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _http_date(moment: datetime) -> str:
    """Formatted once per feed state rather than on every poll."""
    return format_datetime(moment, usegmt=True)


def _feed_headers(reply: feeds.FeedReply) -> dict[str, str]:
    headers = {
        "etag": reply.etag,
        # Clients may keep the feed but must ask (cheaply, with If-None-Match) before using it.
        "cache-control": ("private" if reply.private else "public") + ", no-cache",
    }
    if reply.last_modified is not None:
        headers["last-modified"] = _http_date(reply.last_modified)
    return headers


def _feed_response(reply: feeds.FeedReply) -> Response[bytes]:
    headers = _feed_headers(reply)
    if reply.body is None:
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(reply.body, media_type=FEED_MEDIA_TYPE, headers=headers)


def _conditions(request: Request[Any, Any, Any]) -> feeds.Conditions:
    return feeds.Conditions(
        if_none_match=request.headers.get("if-none-match"),
        if_modified_since=request.headers.get("if-modified-since"),
    )


def _without_suffix(file_name: str) -> str:
    """The feed's name: a country code or a token, both ASCII letters, digits, - and _.

    Anything else is no feed, found without asking the database (PostgreSQL would refuse a NUL
    character with an error where SQLite finds nothing)."""
    if not file_name.endswith(ICS_SUFFIX):
        raise NotFound("Feeds end in .ics.")
    name = file_name.removesuffix(ICS_SUFFIX)
    if not FEED_NAME.fullmatch(name):
        raise NotFound("No such feed: the link is wrong, or was replaced or revoked.")
    return name


FEED_METHODS = [HttpMethod.GET, HttpMethod.HEAD]
_FEED_METHOD_NAMES = frozenset(method.value for method in FEED_METHODS)
FEED_MEDIA_TYPE = "text/calendar"
_FEEDS_PREFIX = "/feeds/"
_COUNTRIES = "countries/"


def _feed_from_memory(
    source: feeds.FeedSource, path: str, conditions: feeds.Conditions, now: datetime
) -> feeds.FeedReply | None:
    """The reply to a feed's path when this process knows it unchanged; None for anything
    else, including paths that are no feed (the router answers those)."""
    name = path.removeprefix(_FEEDS_PREFIX)
    if name == "public.ics":
        return feeds.public_feed_from_memory(source, conditions, now)
    kind_of_feed, _, file_name = name.rpartition("/")
    stem = file_name.removesuffix(ICS_SUFFIX)
    if stem == file_name or not FEED_NAME.fullmatch(stem):
        return None
    if kind_of_feed == "":
        return feeds.personal_feed_from_memory(source, stem, conditions, now)
    if kind_of_feed + "/" == _COUNTRIES:
        return feeds.country_feed_from_memory(source, stem, conditions, now)
    return None


class UnchangedFeeds:
    """In front of the application's router: a GET or HEAD of a feed this process knows to be
    unchanged is answered here, as `FeedController` would answer it.

    Calendar clients poll feeds far more often than anything else is asked, and most polls find
    nothing new; routing, middleware and handler machinery cost several times what the answer
    does (bench/RESULTS.md). Anything else, and any feed that must be read, goes on to the
    router. Installed only without the request log, which these answers would bypass."""

    def __init__(
        self, app: ASGIApp, source: feeds.FeedSource, clock: Clock, limits: AbuseLimits
    ) -> None:
        self._app = app
        self._source = source
        self._clock = clock
        self._limits = limits

    def _may_look_up(self, scope: AsgiScope) -> bool:
        """A client over the feed-link limit is refused even a good link, as the router
        refuses it: it goes on to the router, which says 429."""
        client = scope.get("client")
        return self._limits.allows(FEED_LINK, client[0] if client else "unknown")

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == ScopeType.HTTP
            and scope["path"].startswith(_FEEDS_PREFIX)
            and scope["method"] in _FEED_METHOD_NAMES
        ):
            headers = Headers.from_scope(scope)
            conditions = feeds.Conditions(
                if_none_match=headers.get("if-none-match"),
                if_modified_since=headers.get("if-modified-since"),
            )
            now = self._clock.now()
            reply = _feed_from_memory(self._source, scope["path"], conditions, now)
            if reply is not None and self._may_look_up(scope):
                # Built as the router builds it (HEAD included: the server drops its body).
                answer = ASGIResponse(
                    body=reply.body or b"",
                    headers=_feed_headers(reply),
                    media_type=FEED_MEDIA_TYPE,
                    status_code=HTTP_304_NOT_MODIFIED if reply.body is None else HTTP_200_OK,
                )
                await answer(scope, receive, send)
                return
        await self._app(scope, receive, send)


async def _serve(
    from_memory: Callable[[], feeds.FeedReply | None], from_database: Callable[[], feeds.FeedReply]
) -> Response[bytes]:
    """An unchanged feed is answered on the event loop; anything else in a worker thread."""
    reply = from_memory()
    if reply is None:
        reply = await anyio.to_thread.run_sync(from_database)
    return _feed_response(reply)


def _source(request: Request[Any, Any, Any]) -> feeds.FeedSource:
    source: feeds.FeedSource = request.app.state.feed_source
    return source


def _now(request: Request[Any, Any, Any]) -> datetime:
    clock: Clock = request.app.state.clock
    return clock.now()


class FeedController(Controller):
    """Polled by calendar clients far more than anything else: the handlers take the request
    alone (no dependencies to resolve) and skip the web session's cookie middleware."""

    path = "/feeds"
    tags = ["feeds"]
    opt = {"skip_session": True}

    @route("/public.ics", http_method=FEED_METHODS, summary="The network's sessions, public")
    async def public_feed(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        asked = (_source(request), _conditions(request), _now(request))
        return await _serve(
            partial(feeds.public_feed_from_memory, *asked),
            partial(feeds.serve_public_feed, *asked),
        )

    @route(
        "/countries/{file_name:str}",
        http_method=FEED_METHODS,
        summary="A country's sessions, public",
    )
    async def country_feed(
        self, request: Request[Any, Any, Any], file_name: FromPath[str]
    ) -> Response[bytes]:
        code = _without_suffix(file_name)
        asked = (_source(request), code, _conditions(request), _now(request))
        return await _serve(
            partial(feeds.country_feed_from_memory, *asked),
            partial(feeds.serve_country_feed, *asked),
        )

    @route("/{file_name:str}", http_method=FEED_METHODS, summary="A person's private feed")
    async def personal_feed(
        self, request: Request[Any, Any, Any], file_name: FromPath[str]
    ) -> Response[bytes]:
        # Unknown links always reach this handler (only known feeds are answered in front of
        # the router), so guessing is counted here.
        limits: AbuseLimits = request.app.state.abuse_limits
        with limits.looking_up(FEED_LINK, client_of(request)):
            token = _without_suffix(file_name)
            asked = (_source(request), token, _conditions(request), _now(request))
            return await _serve(
                partial(feeds.personal_feed_from_memory, *asked),
                partial(feeds.serve_personal_feed, *asked),
            )


def _invitation_for_link(
    db: Db, state: State, request: Request[Any, Any, Any], token: str
) -> rsvp.Invitation:
    with state.abuse_limits.looking_up(ANSWER_LINK, client_of(request)):
        return rsvp.invitation_for_token(db, state.settings, token)


class RsvpController(Controller):
    """The answer links of invitations: GET shows a confirmation page, POST records."""

    path = "/rsvp/{token:str}"
    tags = ["calendar"]

    @get(
        sync_to_thread=True,
        media_type=MediaType.HTML,
        summary="Confirm an answer (records nothing)",
    )
    def confirm(
        self,
        db: Db,
        state: State,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        answer: FromQuery[rsvp.Answer | None] = None,
        answer_scope: AnswerScope = Scope.this,
    ) -> str:
        invited = _invitation_for_link(db, state, request, token)
        return rsvp.confirmation_page(invited, answer, answer_scope)

    @post(
        sync_to_thread=True,
        media_type=MediaType.HTML,
        status_code=HTTP_200_OK,
        summary="Record an answer; a later one replaces it",
    )
    def record(
        self,
        db: Db,
        state: State,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        answer: FromQuery[rsvp.Answer],
        answer_scope: AnswerScope = Scope.this,
    ) -> str:
        invited = _invitation_for_link(db, state, request, token)
        rows = rsvp.record_answer(db, invited, answer, answer_scope)
        enqueue_answer(db, state.settings, invited, answer.partstat)
        return rsvp.answered_page(invited, answer, len(rows))


def api_calendar_handlers() -> list[type[Controller]]:
    return [InviteController, FeedTokenController, MyFeedController]


def public_calendar_router() -> Router:
    """Feeds (from the application's `feed_source` state) and answer links."""
    return Router(path="/", route_handlers=[FeedController, RsvpController])
