"""The pages: thin handlers over the same service functions as the JSON API.

Every form posts with the CSRF token (Litestar's CSRF middleware refuses a post without it);
every page gets the security headers (`security.SecurityHeadersMiddleware`).
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.enums import MediaType, RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_429_TOO_MANY_REQUESTS,
)
from pydantic import BaseModel, Field
from sqlmodel import Session

from service.auth.principal import Principal
from service.calendar import feeds, rsvp
from service.clock import Clock
from service.delivery.enqueue import enqueue_answer
from service.dependencies import AppClock, Db
from service.directory.service import get_person, list_countries
from service.errors import DomainError, NotFound
from service.http.abuse_limits import (
    SIGN_IN_PER_ACCOUNT,
    SIGN_IN_PER_CLIENT,
    AbuseLimits,
    client_of,
)
from service.minutes import access as minutes_access
from service.minutes import documents
from service.minutes import queries as minutes_queries
from service.rendering.i18n import LANGUAGE_NAMES, N_
from service.rendering.templates import render
from service.scheduling import queries as sessions
from service.scheduling.models import SessionStatus, VdoSession
from service.scheduling.presenter import session_read
from service.scheduling.schemas import Scope, SessionRead
from service.settings import Settings
from service.web import delegate_work, views
from service.web.accounts import SESSION_USER_KEY, authenticate, reader, signed_in
from service.web.language import LANGUAGE_COOKIE, reader_language
from service.web.security import CSRF_FIELD, csrf_token, served_over_https

STATIC_DIR = Path(__file__).parent / "static"
SCHEDULE_DAYS = 90
PAGE_LIMIT = 100
HtmlResponse = Response[str]


def page(
    request: Request[Any, Any, Any],
    viewer: Principal | None,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HtmlResponse:
    """A page from templates/web/, with what the layout needs: who reads, and the form token."""
    body = render(
        f"web/{template}",
        interface_language=reader_language(request),
        interface_languages=LANGUAGE_NAMES,
        viewer=viewer,
        csrf_field=CSRF_FIELD,
        csrf_token=csrf_token(request.scope),
        path=request.url.path,
        **context,
    )
    return Response(body, media_type=MediaType.HTML, status_code=status_code)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/"
    return target


def sign_in_page(
    request: Request[Any, Any, Any],
    viewer: Principal | None,
    next_path: str,
    *,
    status_code: int = 200,
    error: str = "",
    error_args: dict[str, Any] | None = None,
    email: str = "",
) -> HtmlResponse:
    """The sign-in form; `error` is a message id (marked `N_`), `error_args` its placeholders."""
    return page(
        request,
        viewer,
        "sign_in.html",
        status_code=status_code,
        next_path=safe_next(next_path),
        error=error,
        error_args=error_args or {},
        email=email,
    )


def coming_sessions(db: Session, clock: Clock, days: int) -> tuple[list[VdoSession], int]:
    """The confirmed sessions of the next `days` days (at most PAGE_LIMIT), and how many."""
    now = clock.now()
    return sessions.list_sessions(
        db,
        start=now,
        end=now + timedelta(days=days),
        status=SessionStatus.confirmed,
        limit=PAGE_LIMIT,
    )


class SignInForm(BaseModel):
    email: str = Field(default="", max_length=254)
    password: str = Field(default="", max_length=200)
    next: str = Field(default="/", max_length=2000)


class AnswerForm(BaseModel):
    answer: rsvp.Answer
    scope: Scope = Scope.this
    next: str = Field(default="", max_length=2000)


Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class PublicPages(Controller):
    """Pages anyone may read."""

    path = "/"

    @get(sync_to_thread=True, summary="The public schedule", include_in_schema=False)
    def schedule(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        zone: FromQuery[str | None] = None,
    ) -> HtmlResponse:
        viewer = signed_in(db, request)
        reader_zone = views.chosen_zone(zone, request.cookies.get(views.ZONE_COOKIE))
        rows, _ = coming_sessions(db, clock, SCHEDULE_DAYS)
        countries = sessions.countries_of(db, [row.id or 0 for row in rows])
        settings: Settings = request.app.state.settings
        all_countries = list_countries(db)
        response = page(
            request,
            viewer,
            "schedule.html",
            zone=reader_zone,
            zones=sorted({c.capital_zone for c in all_countries} | {"UTC", reader_zone}),
            days=SCHEDULE_DAYS,
            sessions=[
                {
                    "id": row.id,
                    "title": row.title,
                    "when": views.when(row.start_utc, reader_zone, reader_language(request)),
                    "minutes": views.minutes(row),
                    "countries": countries[row.id or 0],
                }
                for row in rows
            ],
            public_feed=views.Subscribe(
                "ASEAN Pubs sessions",
                **feeds.feed_links(settings, feeds.PUBLIC_FEED_PATH).model_dump(),
            ),
            country_feeds=[
                views.Subscribe(
                    country.name,
                    **feeds.feed_links(
                        settings, feeds.country_feed_path(country.code)
                    ).model_dump(),
                )
                for country in all_countries
            ],
        )
        if zone and zone == reader_zone:
            response.set_cookie(
                Cookie(
                    key=views.ZONE_COOKIE, value=reader_zone, max_age=365 * 86400, samesite="lax"
                )
            )
        return response

    @get("/sign-in", sync_to_thread=True, include_in_schema=False)
    def sign_in_form(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        next_path: Annotated[str, QueryParameter(name="next", max_length=2000)] = "/",
    ) -> HtmlResponse:
        return sign_in_page(request, signed_in(db, request), next_path)

    @post("/sign-in", sync_to_thread=True, include_in_schema=False)
    def sign_in(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        data: Annotated[SignInForm, Form],
    ) -> Response[Any]:
        limits: AbuseLimits = request.app.state.abuse_limits
        account = data.email.strip().lower()
        counts = ((SIGN_IN_PER_CLIENT, client_of(request)), (SIGN_IN_PER_ACCOUNT, account))
        waits = [wait for limit, key in counts if (wait := limits.retry_after(limit, key))]
        if waits:
            wait = max(waits)
            response = sign_in_page(
                request,
                None,
                data.next,
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                error=N_("Too many failed sign-ins. Try again in %(minutes)s minutes."),
                error_args={"minutes": math.ceil(wait / 60)},
                email=data.email,
            )
            response.headers["retry-after"] = str(wait)
            return response
        user = authenticate(db, data.email, data.password)
        if user is None:
            for limit, key in counts:
                limits.failed(limit, key)
            return sign_in_page(
                request,
                None,
                data.next,
                status_code=HTTP_401_UNAUTHORIZED,
                error=N_("The email or password is wrong."),
                email=data.email,
            )
        limits.forget(SIGN_IN_PER_ACCOUNT, account)
        request.set_session({SESSION_USER_KEY: user.id})
        return Redirect(path=safe_next(data.next), status_code=303)

    @get("/language/{code:str}", include_in_schema=False)
    async def pick_language(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        next_path: Annotated[str, QueryParameter(name="next", max_length=2000)] = "/",
    ) -> Redirect:
        """The reader's pick of language, kept for a year; back to the page it was made on."""
        response = Redirect(path=safe_next(next_path), status_code=303)
        if code in LANGUAGE_NAMES:
            response.set_cookie(
                Cookie(
                    key=LANGUAGE_COOKIE,
                    value=code,
                    max_age=365 * 86400,
                    httponly=True,
                    samesite="lax",
                    secure=served_over_https(request.app.state.settings),
                )
            )
        return response

    @post("/sign-out", include_in_schema=False)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect(path="/", status_code=303)


def _seen(
    db: Session, request: Request[Any, Any, Any], session_id: int
) -> tuple[Principal, VdoSession, SessionRead] | HtmlResponse:
    """The reader, the session and what they see of it, if they may see it: staff and its
    invitees. Anyone else gets the page saying so: to sign in and come back here (telling
    someone signed out nothing, not even whether the session exists), not found, not invited.
    One rule for the session page and its papers."""
    viewer = signed_in(db, request)
    if viewer is None:
        return sign_in_page(request, None, request.url.path)
    try:
        session = sessions.get_session(db, session_id)
    except NotFound:
        return page(request, viewer, "not_found.html", status_code=HTTP_404_NOT_FOUND)
    shown = session_read(db, session, viewer)
    invited = {attendee.person_id for attendee in shown.attendees}
    if not (viewer.is_staff or viewer.person_id in invited):
        return sign_in_page(
            request,
            viewer,
            request.url.path,
            status_code=HTTP_403_FORBIDDEN,
            error=N_(
                "You are signed in, but not invited to this session. "
                "Sign in with the account the invite was sent to."
            ),
        )
    return viewer, session, shown


class SessionPages(Controller):
    """The session URL every invite prints, for its invitees and the secretariat."""

    path = "/sessions/{session_id:int}"

    @get(sync_to_thread=True, include_in_schema=False)
    def session_page(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        answered: FromQuery[bool] = False,
    ) -> HtmlResponse:
        seen = _seen(db, request, session_id)
        if isinstance(seen, Response):
            return seen
        viewer, session, shown = seen
        mine = next((a for a in shown.attendees if a.person_id == viewer.person_id), None)
        language = reader_language(request)
        return page(
            request,
            viewer,
            "session.html",
            session=shown,
            minutes=views.minutes(session),
            zones=views.start_in_zones(
                session.start_utc, [(a.name, a.zone) for a in shown.attendees], language
            ),
            organiser_time=views.when(session.start_utc, session.organiser_zone, language),
            mine=mine,
            answer_label=views.answer_label,
            answers=views.ANSWERS,
            scope=(Scope.following if session.series_id is not None else Scope.this).value,
            answered=answered,
            cancelled=session.status == SessionStatus.cancelled,
            agenda=minutes_queries.agenda_read(db, session_id),
            file_kind=views.file_kind,
            file_size=views.file_size,
        )

    @get("/papers/{document_id:int}", sync_to_thread=True, include_in_schema=False)
    def paper(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        document_id: FromPath[int],
    ) -> Response[Any]:
        """A paper of the agenda, for whoever may see the session page: the page's counterpart
        of `GET /api/v1/sessions/{id}/agenda/documents/{document_id}`."""
        seen = _seen(db, request, session_id)
        if isinstance(seen, Response):
            return seen
        found = minutes_queries.document(db, session_id, document_id)
        return Response(
            found.content,
            media_type=found.media_type,
            headers={"Content-Disposition": documents.disposition(found.filename)},
        )

    @post("/answer", sync_to_thread=True, include_in_schema=False)
    def answer(
        self,
        db: Db,
        state: State,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[AnswerForm, Form],
    ) -> Response[Any]:
        viewer = signed_in(db, request)
        if viewer is None:
            return sign_in_page(request, None, request.url.path.removesuffix("/answer"))
        invited = rsvp.invitation_of_user(db, session_id, viewer.person_id)
        rsvp.record_answer(db, invited, data.answer, data.scope)
        enqueue_answer(db, state.settings, invited, data.answer.partstat)
        back = safe_next(data.next) if data.next else f"/sessions/{session_id}"
        separator = "&" if "?" in back else "?"
        return Redirect(path=f"{back}{separator}answered=1", status_code=303)


class DelegatePages(Controller):
    path = "/me"

    @get(sync_to_thread=True, include_in_schema=False)
    def my_page(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        answered: FromQuery[bool] = False,
    ) -> HtmlResponse:
        viewer = signed_in(db, request)
        if viewer is None:
            return sign_in_page(request, None, "/me")
        return self._render(db, clock, request, viewer, answered=answered, new_link=None)

    @post("/calendar-link", sync_to_thread=True, include_in_schema=False)
    def rotate_calendar_link(
        self, db: Db, clock: AppClock, request: Request[Any, Any, Any]
    ) -> HtmlResponse:
        """A new private calendar link; the old one stops working. Shown once, on this page."""
        viewer = signed_in(db, request)
        if viewer is None:
            return sign_in_page(request, None, "/me")
        if viewer.person_id is None:
            raise NotFound("Your account is not linked to a person in the directory.")
        _, token = feeds.issue_feed_token(db, viewer.person_id)
        settings: Settings = request.app.state.settings
        links = feeds.feed_links(settings, feeds.personal_feed_path(token))
        new_link = views.Subscribe("My ASEAN Pubs sessions", **links.model_dump())
        return self._render(db, clock, request, viewer, answered=False, new_link=new_link)

    def _render(
        self,
        db: Session,
        clock: AppClock,
        request: Request[Any, Any, Any],
        viewer: Principal,
        *,
        answered: bool,
        new_link: views.Subscribe | None,
    ) -> HtmlResponse:
        settings: Settings = request.app.state.settings
        person = None if viewer.person_id is None else get_person(db, viewer.person_id)
        if person is None:
            return page(request, viewer, "me.html", person=None, answered=False)
        rows, _ = sessions.list_sessions(
            db,
            start=clock.now(),
            person=person.id,
            status=SessionStatus.confirmed,
            limit=PAGE_LIMIT,
        )
        invitees = sessions.invitees_of(db, [row.id or 0 for row in rows])
        my_answers = {
            session_id: participant.partstat
            for session_id, invited in invitees.items()
            for participant, _ in invited
            if participant.person_id == person.id
        }
        mine = feeds.feeds_of(db, settings, person.id)
        subscriptions = [views.Subscribe("ASEAN Pubs sessions", **mine.public.model_dump())]
        if mine.country is not None:
            subscriptions.insert(
                0, views.Subscribe(f"{person.country_code} sessions", **mine.country.model_dump())
            )
        return page(
            request,
            viewer,
            "me.html",
            person=person,
            answered=answered,
            sessions=[
                {
                    "id": row.id,
                    "title": row.title,
                    "when": views.when(row.start_utc, person.zone, reader_language(request)),
                    "minutes": views.minutes(row),
                    "answer": views.answer_label(my_answers.get(row.id or 0, "NEEDS-ACTION")),
                    "scope": (Scope.following if row.series_id else Scope.this).value,
                }
                for row in rows
            ],
            answers=views.ANSWERS,
            personal=mine.personal,
            new_link=new_link,
            subscriptions=subscriptions,
            reviews=delegate_work.reviews(db, person, clock.now(), reader_language(request)),
            action_items=delegate_work.action_items(
                db, minutes_access.viewer(db, viewer), person, clock.now()
            ),
        )


def error_page(request: Request[Any, Any, Any], exc: Exception) -> HtmlResponse:
    """A refusal as a page rather than problem+json: the reader is a person."""
    if isinstance(exc, DomainError):
        status, message = exc.status_code, str(exc)
    elif isinstance(exc, HTTPException):
        status, message = exc.status_code, exc.detail
    else:
        raise exc
    return page(
        request,
        reader(request),
        "error.html",
        status_code=status,
        message=message,
        # Said in the reader's language: the one refusal a reader meets without doing wrong.
        form_expired=status == HTTP_403_FORBIDDEN and "CSRF" in message,
        too_large=status == HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )
