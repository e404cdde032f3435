"""The staff page of one session: reschedule and cancel, the agenda, the minutes and their
workflow, circulars. Each form posts to a handler calling what the JSON API calls, then comes
back to the page (303) saying what was done, or shows the page again with the refusal.

The minutes editor keeps the user's text when someone else saved first (409): the page shows
their text in the editor, based on the newer revision, beside the revision saved meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_200_OK
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from service.auth.principal import Principal
from service.circulars import operations as circulars
from service.circulars import queries as circular_queries
from service.circulars.controller import document_response, issued_document
from service.circulars.documents import CircularKind
from service.circulars.models import DocumentFormat
from service.circulars.render import render_as
from service.circulars.schemas import CircularRequest
from service.delivery.enqueue import (
    enqueue_cancellation,
    enqueue_reschedule,
)
from service.dependencies import AppClock, Db
from service.directory.models import Language
from service.errors import Conflict, DomainError
from service.minutes import documents
from service.minutes import operations as minutes_ops
from service.minutes import queries as minutes_queries
from service.minutes.access import standing
from service.minutes.records import MinutesStatus
from service.minutes.schemas import MinutesContent
from service.rendering.i18n import N_
from service.scheduling import changes
from service.scheduling import queries as sessions
from service.scheduling.models import SessionStatus, VdoSession
from service.scheduling.presenter import session_read
from service.scheduling.schemas import SessionUpdate
from service.web import views
from service.web.accounts import signed_in
from service.web.controller import Form, HtmlResponse, page, sign_in_page
from service.web.forms import parse_form
from service.web.language import reader_language
from service.web.session_forms import (
    AgendaForm,
    CancelForm,
    CircularForm,
    CirculateForm,
    MinutesForm,
    PageScope,
    RescheduleForm,
    ShownRevisions,
    api_scope,
    aware,
    datetime_input,
)
from service.web.staff_access import refused, staff, staff_gate

BLANK_AGENDA_ROWS = 2
SERIES_CHANGED = "The series changed since you read it; reload and try again."
DONE = {
    "booked": N_("The session is booked; the invitations are on their way."),
    "rescheduled": N_("The session is rescheduled; the invitees are told."),
    "cancelled": N_("The session is cancelled; the invitees are told."),
    "agenda": N_("The agenda is saved."),
    "paper": N_("The paper is attached to the agenda item."),
    "minutes": N_("The minutes are saved."),
    "circulated": N_("The minutes are circulated for comment."),
    "withdrawn": N_("The minutes are back in draft."),
    "adopted": N_("The minutes are adopted."),
    "issued": N_("The circular is issued."),
}


class PaperForm(BaseModel):
    """The paper upload as posted (multipart). The file is optional here so that a form without
    one is told so on the page, not refused as malformed."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: UploadFile | None = None


def _content_of(db: Session, session_id: int, number: int) -> MinutesContent:
    """What revision `number` of the minutes says (0: what the first draft starts from)."""
    if number == 0:
        return minutes_queries.starting_content(db, session_id)
    return MinutesContent.model_validate(minutes_queries.revision(db, session_id, number).content)


def _agenda_rows(db: Session, session_id: int) -> list[dict[str, Any]]:
    agenda = minutes_queries.agenda_read(db, session_id)
    rows = [
        {
            "id": item.id or "",
            "level": "sub" if "." in item.number else "item",
            "number": item.number,
            "title": item.title,
            "presenter": item.presenter or "",
            "minutes": item.minutes_allotted or "",
            "description": item.description,
        }
        for item in agenda.items
    ]
    blank = {"id": "", "level": "item", "number": "", "title": "", "presenter": ""}
    return rows + [blank | {"minutes": "", "description": ""}] * BLANK_AGENDA_ROWS


def _session_page(
    db: Session,
    request: Request[Any, Any, Any],
    viewer: Principal,
    session_id: int,
    *,
    done: str = "",
    error: str = "",
    status_code: int = 200,
    editor: MinutesForm | None = None,
    conflict: dict[str, Any] | None = None,
) -> HtmlResponse:
    session = sessions.get_session(db, session_id)
    shown = session_read(db, session, viewer)
    who = standing(db, session_id, viewer)
    minutes = minutes_queries.minutes_read(db, session_id, who)
    if editor is None:
        editor = MinutesForm(
            base_revision=minutes.revision,
            number=[item.number for item in minutes.items],
            item_title=[item.title for item in minutes.items],
            summary=[item.summary for item in minutes.items],
            decisions=["\n".join(d.text for d in item.decisions) for item in minutes.items],
            free_text=minutes.free_text,
        )
    rows = circular_queries.session_circulars(db, session_id, viewer)
    circular_files = circular_queries.documents(db, [row.id or 0 for row in rows])
    language = reader_language(request)
    return page(
        request,
        viewer,
        "staff/session.html",
        status_code=status_code,
        session=shown,
        series_from=_first_to_come(db, session, request.app.state.clock.now()),
        done=DONE.get(done, ""),
        error=error,
        when=views.when(session.start_utc, session.organiser_zone, language),
        minutes_long=views.minutes(session),
        start_input=datetime_input(session.start_utc, session.organiser_zone),
        cancelled=session.status == SessionStatus.cancelled,
        scopes=list(PageScope) if session.series_id else [PageScope.this],
        agenda=minutes_queries.agenda_read(db, session_id),
        agenda_rows=_agenda_rows(db, session_id),
        file_kind=views.file_kind,
        file_size=views.file_size,
        paper_max_mb=documents.MAX_BYTES // (1024 * 1024),
        minutes=minutes,
        editable=minutes.status == MinutesStatus.draft,
        editor=editor,
        editor_items=list(
            zip(editor.number, editor.item_title, editor.summary, editor.decisions, strict=False)
        ),
        conflict=conflict,
        circulars=[
            {
                "row": row,
                "issued": views.when(row.issued_at, session.organiser_zone, language),
                "formats": sorted(fmt for fmt, _, _ in circular_files[row.id or 0]),
            }
            for row in rows
        ],
        kinds=list(CircularKind),
        circular_languages=list(Language),
    )


def _first_to_come(db: Session, session: VdoSession, now: datetime) -> VdoSession | None:
    """What moving the whole series would move from now; None outside a series, or when every
    session of it has taken place."""
    if session.series_id is None or session.status == SessionStatus.cancelled:
        return None
    try:
        return changes.first_to_come(db, session.id or 0, now)
    except Conflict:
        return None


def _changed_from(
    db: Session, session_id: int, data: ShownRevisions, now: datetime
) -> tuple[VdoSession, VdoSession, int]:
    """The session shown, the one the change starts from (itself, or for the whole series its
    first session still to come) and the revision to check on that one."""
    shown = sessions.get_session(db, session_id)
    if data.scope == PageScope.series:
        first, revision = _series_start(db, shown, data, now)
        return shown, first, revision
    return shown, shown, data.revision


def _series_start(
    db: Session, shown: VdoSession, data: ShownRevisions, now: datetime
) -> tuple[VdoSession, int]:
    """The occurrence to change the whole series from, and its revision when the page was shown
    (for `changes` to check under the row's lock). Refused if another occurrence is first now,
    or if the session shown changed since: a move is measured from its start.
    Both rows are locked in start order, as `changes.reschedule` locks occurrences."""
    first = changes.first_to_come(db, shown.id or 0, now)
    if first.id != data.series_from or data.series_revision is None:
        raise Conflict(SERIES_CHANGED)
    for row in sorted({first.id: first, shown.id: shown}.values(), key=lambda s: s.start_utc):
        sessions.get_session(db, row.id or 0, for_update=True)
    if shown.revision != data.revision:
        raise Conflict(SERIES_CHANGED)
    return first, data.series_revision


def _refused_page(
    db: Session,
    request: Request[Any, Any, Any],
    viewer: Principal,
    session_id: int,
    error: DomainError,
) -> HtmlResponse:
    return _session_page(
        db, request, viewer, session_id, error=refused(db, error), status_code=error.status_code
    )


def _perform(
    db: Session,
    request: Request[Any, Any, Any],
    session_id: int,
    done: str,
    command: Callable[[Principal], int | None],
) -> Response[Any]:
    """Run a staff command; back to the page (of the session it returns, else this one) saying
    it is `done`, or the page again with the refusal."""
    viewer = staff(db, request)
    try:
        shown = command(viewer) or session_id
    except DomainError as exc:
        return _refused_page(db, request, viewer, session_id, exc)
    return Redirect(path=f"/staff/sessions/{shown}?done={done}", status_code=303)


class SessionManagement(Controller):
    path = "/staff/sessions/{session_id:int}"
    guards = [staff_gate]

    @get(sync_to_thread=True, include_in_schema=False)
    def manage(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        done: FromQuery[str] = "",
    ) -> HtmlResponse:
        return _session_page(db, request, staff(db, request), session_id, done=done)

    @post("/reschedule", sync_to_thread=True, include_in_schema=False)
    def reschedule(
        self,
        db: Db,
        clock: AppClock,
        state: State,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[RescheduleForm, Form],
    ) -> Response[Any]:
        def command(_: Principal) -> int | None:
            session, target, revision = _changed_from(db, session_id, data, clock.now())
            # The move as asked of the session shown, made from `target` (the same session,
            # or the series' first still to come).
            start = target.start_utc + (
                aware(data.start, session.organiser_zone) - session.start_utc
            )
            update = parse_form(
                SessionUpdate,
                {
                    # Checked by `changes.reschedule` under the row's lock, as the API's is.
                    "revision": revision,
                    "start": start,
                    "duration_minutes": data.duration,
                    "title": data.title,
                    "scope": api_scope(data.scope),
                    "acknowledge_problems": data.acknowledge,
                },
            )
            rescheduled = changes.reschedule(db, target.id or 0, update, now=clock.now())
            enqueue_reschedule(db, state.settings, rescheduled)
            return rescheduled.session.id

        return _perform(db, request, session_id, "rescheduled", command)

    @post("/cancel", sync_to_thread=True, include_in_schema=False)
    def cancel(
        self,
        db: Db,
        clock: AppClock,
        state: State,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[CancelForm, Form],
    ) -> Response[Any]:
        def command(_: Principal) -> None:
            if not data.confirm:
                raise Conflict("Tick the box to confirm the cancellation; nothing was cancelled.")
            target, revision = _changed_from(db, session_id, data, clock.now())[1:]
            # Checked by `changes.cancel` under the row's lock, as the reschedule's is.
            cancelled = changes.cancel(db, target.id or 0, api_scope(data.scope), revision)
            enqueue_cancellation(db, state.settings, cancelled)

        return _perform(db, request, session_id, "cancelled", command)

    @post("/agenda", sync_to_thread=True, include_in_schema=False)
    def save_agenda(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[AgendaForm, Form],
    ) -> Response[Any]:
        return _perform(
            db,
            request,
            session_id,
            "agenda",
            lambda _: minutes_ops.save_agenda(db, session_id, data.as_request(), clock.now()),
        )

    @post(
        "/agenda/items/{item_id:int}/papers",
        sync_to_thread=True,
        include_in_schema=False,
        # Room for the multipart framing around a file of the largest size taken, as the API's.
        request_max_body_size=documents.MAX_BYTES + 64 * 1024,
    )
    def attach_paper(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        item_id: FromPath[int],
        data: Annotated[PaperForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[Any]:
        def command(_: Principal) -> None:
            # No file chosen is an empty one: refused by `attach` as such.
            upload = data.file
            content = upload.file.read(documents.MAX_BYTES + 1) if upload else b""
            name = upload.filename if upload else ""
            documents.attach(db, session_id, item_id, name, content, clock.now())

        return _perform(db, request, session_id, "paper", command)

    @post("/minutes", sync_to_thread=True, include_in_schema=False)
    def save_minutes(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[MinutesForm, Form],
    ) -> Response[Any]:
        viewer = staff(db, request)
        try:
            base = _content_of(db, session_id, data.base_revision)
            minutes_ops.save_minutes(
                db, session_id, data.as_request(base), viewer.user_id, clock.now()
            )
        except Conflict as exc:
            if "current_revision" not in exc.extra:
                return _refused_page(db, request, viewer, session_id, exc)
            return self._conflict(db, request, viewer, session_id, data, exc)
        except DomainError as exc:
            return _refused_page(db, request, viewer, session_id, exc)
        return Redirect(path=f"/staff/sessions/{session_id}?done=minutes", status_code=303)

    def _conflict(
        self,
        db: Session,
        request: Request[Any, Any, Any],
        viewer: Principal,
        session_id: int,
        mine: MinutesForm,
        exc: Conflict,
    ) -> HtmlResponse:
        """The editor again with the user's text, now based on the revision saved meanwhile,
        and that revision beside it."""
        message = refused(db, exc)
        current: int = exc.extra["current_revision"]
        theirs = _content_of(db, session_id, current)
        yours = mine.as_content(theirs)
        return _session_page(
            db,
            request,
            viewer,
            session_id,
            error=message,
            status_code=exc.status_code,
            editor=mine.model_copy(update={"base_revision": current}),
            conflict={"revision": current, "pairs": _side_by_side(yours, theirs)},
        )

    @post("/minutes/circulate", sync_to_thread=True, include_in_schema=False)
    def circulate(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[CirculateForm, Form],
    ) -> Response[Any]:
        def command(_: Principal) -> None:
            zone = sessions.get_session(db, session_id).organiser_zone
            minutes_ops.circulate(db, session_id, aware(data.deadline, zone), clock.now())

        return _perform(db, request, session_id, "circulated", command)

    @post("/minutes/withdraw", sync_to_thread=True, include_in_schema=False)
    def withdraw(
        self, db: Db, request: Request[Any, Any, Any], session_id: FromPath[int]
    ) -> Response[Any]:
        def command(_: Principal) -> None:
            minutes_ops.withdraw(db, session_id)

        return _perform(db, request, session_id, "withdrawn", command)

    @post("/minutes/adopt", sync_to_thread=True, include_in_schema=False)
    def adopt(
        self, db: Db, clock: AppClock, request: Request[Any, Any, Any], session_id: FromPath[int]
    ) -> Response[Any]:
        def command(viewer: Principal) -> None:
            minutes_ops.adopt(db, session_id, viewer.user_id, clock.now())

        return _perform(db, request, session_id, "adopted", command)

    @post(
        "/circulars/preview",
        sync_to_thread=True,
        include_in_schema=False,
        status_code=HTTP_200_OK,
    )
    def preview_circular(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[CircularForm, Form],
        fmt: Annotated[DocumentFormat, QueryParameter(name="format")] = DocumentFormat.html,
    ) -> Response[bytes]:
        """The circular as it would be issued now, unnumbered; refusals as an error page."""
        staff(db, request)
        wanted = parse_form(CircularRequest, data.model_dump())
        circular = circulars.build_circular(db, session_id, wanted, clock.now())
        return document_response(render_as(circular, fmt), fmt, f"preview.{fmt.value}")

    @post("/circulars", sync_to_thread=True, include_in_schema=False)
    def issue_circular(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: Annotated[CircularForm, Form],
    ) -> Response[Any]:
        def command(viewer: Principal) -> None:
            wanted = parse_form(CircularRequest, data.model_dump())
            circulars.issue(
                db,
                session_id,
                wanted,
                issued_by=viewer.user_id,
                now=clock.now(),
                settings=request.app.state.settings,
            )

        return _perform(db, request, session_id, "issued", command)


def _side_by_side(yours: MinutesContent, theirs: MinutesContent) -> list[dict[str, str]]:
    """Each part's text in both versions (items of either in order, then the free text),
    leaving out parts empty in both."""

    def text(content: MinutesContent) -> dict[str, str]:
        return {
            f"{item.number} {item.title}": "\n".join(
                [item.summary, *(f"Decision: {d}" for d in item.decisions)]
            ).strip()
            for item in content.items
        } | {"": content.free_text}  # the free text: headed "Other notes" on the page

    mine, saved = text(yours), text(theirs)
    return [
        {"heading": heading, "yours": mine.get(heading, ""), "theirs": saved.get(heading, "")}
        for heading in dict.fromkeys([*saved, *mine])
        if mine.get(heading) or saved.get(heading)
    ]


class CircularDocuments(Controller):
    """An issued circular as stored, for anyone who may read it (staff, invitees, everyone for
    a public one): the pages' counterpart of `GET /api/v1/circulars/{id}.{format}`."""

    path = "/circulars"

    @get("/{document:str}", sync_to_thread=True, include_in_schema=False)
    def document(
        self, db: Db, request: Request[Any, Any, Any], document: FromPath[str]
    ) -> Response[Any]:
        viewer = signed_in(db, request)
        if viewer is None:
            return sign_in_page(request, None, request.url.path)
        return issued_document(db, document, viewer)
