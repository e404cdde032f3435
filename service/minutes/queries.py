"""Reads of agendas and minutes as `records` values, for circulars, emails and pages, and the
API's views of them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date, datetime

import pytz
from sqlalchemy import CompoundSelect
from sqlmodel import Session, col, select

from service.auth.models import User
from service.directory.models import Country, Person
from service.errors import NotFound
from service.minutes.access import Standing
from service.minutes.models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Minutes,
    MinutesComment,
    MinutesResponse,
    MinutesRevision,
    SessionAgenda,
)
from service.minutes.records import (
    STANDARD_AGENDA,
    ActionLine,
    ActionStatus,
    AgendaLine,
    Attendance,
    AttendanceLine,
    DecisionLine,
    MinutesItem,
    MinutesRecord,
    MinutesStatus,
)
from service.minutes.schemas import (
    ActionItemRead,
    ActionRead,
    AgendaItemRead,
    AgendaRead,
    AttendanceRead,
    CommentRead,
    DecisionRead,
    DiffRead,
    DocumentRead,
    MinutesContent,
    MinutesItemRead,
    MinutesRead,
    Position,
    ResponseRead,
    RevisionContentRead,
    RevisionRead,
)
from service.rendering.markdown import render_markdown
from service.scheduling import queries as sessions
from service.scheduling.models import PartStat, SessionCountry, SessionParticipant, VdoSession

MATTERS_ARISING = STANDARD_AGENDA.index("Matters arising from the last meeting")


def _owner_names(db: Session, actions: Iterable[ActionItem]) -> dict[tuple[str, str], str]:
    """Display names of action owners, keyed ("person", id) or ("country", code)."""
    actions = list(actions)
    people = {a.owner_person_id for a in actions if a.owner_person_id is not None}
    codes = {a.owner_country for a in actions if a.owner_country is not None}
    names: dict[tuple[str, str], str] = {}
    for person in db.exec(select(Person).where(col(Person.id).in_(people))):
        names[("person", str(person.id))] = person.name
    for country in db.exec(select(Country).where(col(Country.code).in_(codes))):
        names[("country", country.code)] = country.name
    return names


def _owner(names: dict[tuple[str, str], str], person_id: int | None, country: str | None) -> str:
    if person_id is not None:
        return names.get(("person", str(person_id)), f"person {person_id}")
    return names.get(("country", country or ""), country or "")


def previous_in_series(db: Session, session: VdoSession) -> VdoSession | None:
    if session.series_id is None:
        return None
    return db.exec(
        select(VdoSession)
        .where(
            VdoSession.series_id == session.series_id,
            col(VdoSession.start_utc) < session.start_utc,
        )
        .order_by(col(VdoSession.start_utc).desc())
    ).first()


def matters_arising(db: Session, session: VdoSession) -> list[ActionItem]:
    """The open action items of the previous session of the same series."""
    previous = previous_in_series(db, session)
    if previous is None:
        return []
    return list(
        db.exec(
            select(ActionItem)
            .where(ActionItem.session_id == previous.id, ActionItem.status == ActionStatus.open)
            .order_by(col(ActionItem.id))
        )
    )


def _standard_lines(db: Session, session: VdoSession) -> list[AgendaLine]:
    arising = matters_arising(db, session)
    names = _owner_names(db, arising)
    lines: list[AgendaLine] = []
    for n, title in enumerate(STANDARD_AGENDA, start=1):
        lines.append(AgendaLine(str(n), title))
        if n - 1 == MATTERS_ARISING:
            lines.extend(
                AgendaLine(
                    f"{n}.{m}",
                    action.text,
                    presenter=_owner(names, action.owner_person_id, action.owner_country),
                )
                for m, action in enumerate(arising, start=1)
            )
    return lines


def _stored_items(db: Session, session_id: int) -> list[AgendaItem]:
    return list(
        db.exec(
            select(AgendaItem)
            .where(AgendaItem.session_id == session_id)
            .order_by(col(AgendaItem.position))
        )
    )


def agenda_outline(db: Session, session_id: int) -> list[AgendaLine]:
    """The session's agenda in order; the standard agenda while staff have not set one, with
    the previous meeting's open action items under matters arising."""
    session = sessions.get_session(db, session_id)
    items = _stored_items(db, session_id)
    if not items:
        return _standard_lines(db, session)
    return [
        AgendaLine(i.number, i.title, i.description, i.presenter, i.minutes_allotted) for i in items
    ]


def agenda_read(db: Session, session_id: int) -> AgendaRead:
    state = db.get(SessionAgenda, session_id)
    items = _stored_items(db, session_id)
    documents: dict[int, list[DocumentRead]] = {item.id or 0: [] for item in items}
    for doc in db.exec(
        select(AgendaDocument)
        .where(col(AgendaDocument.agenda_item_id).in_(list(documents)))
        .order_by(col(AgendaDocument.id))
    ):
        documents[doc.agenda_item_id].append(
            DocumentRead(
                id=doc.id or 0,
                filename=doc.filename,
                media_type=doc.media_type,
                size=doc.size,
                uploaded_at=doc.uploaded_at,
            )
        )
    lines = agenda_outline(db, session_id)
    ids: list[int | None] = [item.id for item in items] if items else [None] * len(lines)
    return AgendaRead(
        session_id=session_id,
        revision=state.revision if state else 0,
        standard=not items,
        notice_issued_at=state.notice_issued_at if state else None,
        needs_reissued_notice=bool(state and state.changed_after_notice),
        items=[
            AgendaItemRead(
                id=item_id,
                number=line.number,
                title=line.title,
                description=line.description,
                description_html=str(render_markdown(line.description)),
                presenter=line.presenter,
                minutes_allotted=line.minutes_allotted,
                documents=documents.get(item_id or 0, []),
            )
            for item_id, line in zip(ids, lines, strict=True)
        ],
    )


# --- minutes -----------------------------------------------------------------------------------


def current_revision(db: Session, session_id: int) -> MinutesRevision | None:
    minutes = db.get(Minutes, session_id)
    if minutes is None or minutes.revision == 0:
        return None
    return revision(db, session_id, minutes.revision)


def revision(db: Session, session_id: int, number: int) -> MinutesRevision:
    found = db.exec(
        select(MinutesRevision).where(
            MinutesRevision.session_id == session_id, MinutesRevision.number == number
        )
    ).first()
    if found is None:
        raise NotFound(f"The minutes of session {session_id} have no revision {number}.")
    return found


_RSVP_ATTENDANCE = {PartStat.accepted: Attendance.present, PartStat.declined: Attendance.apologies}


def starting_content(db: Session, session_id: int) -> MinutesContent:
    """What the first draft starts from: the agenda's items and attendance from the RSVPs."""
    invited = db.exec(
        select(SessionParticipant).where(SessionParticipant.session_id == session_id)
    ).all()
    return MinutesContent.model_validate(
        {
            "items": [
                {"number": line.number, "title": line.title}
                for line in agenda_outline(db, session_id)
            ],
            "attendance": [
                {
                    "person_id": p.person_id,
                    "status": _RSVP_ATTENDANCE.get(p.partstat, Attendance.absent),
                }
                for p in invited
            ],
        }
    )


def _content(db: Session, session_id: int) -> tuple[MinutesContent, MinutesRevision | None]:
    current = current_revision(db, session_id)
    if current is None:
        return starting_content(db, session_id), None
    return MinutesContent.model_validate(current.content), current


def minutes_record(db: Session, session_id: int) -> MinutesRecord | None:
    """The latest revision of the session's minutes, or None while nobody has written any."""
    current = current_revision(db, session_id)
    minutes = db.get(Minutes, session_id)
    if current is None or minutes is None:
        return None
    content = MinutesContent.model_validate(current.content)
    items, attendance = _item_reads(db, content), _attendance_reads(db, content)
    return MinutesRecord(
        status=minutes.status,
        revision=current.number,
        items=tuple(
            MinutesItem(
                number=item.number,
                title=item.title,
                summary=item.summary,
                decisions=tuple(DecisionLine(d.number, d.text) for d in item.decisions),
                actions=tuple(
                    ActionLine(a.text, a.owner_name, a.due, a.status) for a in item.actions
                ),
            )
            for item in items
        ),
        attendance=tuple(AttendanceLine(a.name, a.country, a.status) for a in attendance),
        free_text=content.free_text,
        adopted_at=minutes.adopted_at,
        corrigendum_of=current.corrigendum_of,
    )


def _item_reads(db: Session, content: MinutesContent) -> list[MinutesItemRead]:
    actions = [
        ActionItem(
            session_id=0,
            item_number=item.number,
            text=a.text,
            owner_person_id=a.owner_person_id,
            owner_country=a.owner_country,
        )
        for item in content.items
        for a in item.actions
    ]
    names = _owner_names(db, actions)
    decision_numbers = iter(range(1, 1 + sum(len(item.decisions) for item in content.items)))
    return [
        MinutesItemRead(
            number=item.number,
            title=item.title,
            summary=item.summary,
            summary_html=str(render_markdown(item.summary)),
            decisions=[
                DecisionRead(
                    number=str(next(decision_numbers)),
                    text=text,
                    text_html=str(render_markdown(text)),
                )
                for text in item.decisions
            ],
            actions=[
                ActionRead(
                    text=a.text,
                    text_html=str(render_markdown(a.text)),
                    owner_person_id=a.owner_person_id,
                    owner_country=a.owner_country,
                    owner_name=_owner(names, a.owner_person_id, a.owner_country),
                    due=a.due,
                    status=a.status,
                )
                for a in item.actions
            ],
        )
        for item in content.items
    ]


def _attendance_reads(db: Session, content: MinutesContent) -> list[AttendanceRead]:
    ids = [a.person_id for a in content.attendance]
    people = {p.id: p for p in db.exec(select(Person).where(col(Person.id).in_(ids)))}
    return [
        AttendanceRead(
            person_id=a.person_id,
            name=people[a.person_id].name if a.person_id in people else f"person {a.person_id}",
            country=people[a.person_id].country_code if a.person_id in people else "",
            status=a.status,
        )
        for a in content.attendance
    ]


def minutes_read(db: Session, session_id: int, who: Standing) -> MinutesRead:
    """The minutes as `who` sees them, with the deadline in their own zone; delegates see them
    once circulated."""
    session = sessions.get_session(db, session_id)
    minutes = db.get(Minutes, session_id) or Minutes(session_id=session_id)
    if not who.is_staff and minutes.status == MinutesStatus.draft:
        raise NotFound("The minutes of this session have not been circulated yet.")
    content, _ = _content(db, session_id)
    zone = who.person.zone if who.person else session.organiser_zone
    responses = db.exec(
        select(MinutesResponse)
        .where(MinutesResponse.session_id == session_id)
        .order_by(col(MinutesResponse.country_code))
    ).all()
    names = author_names(db, [r.user_id for r in responses] + [minutes.adopted_by or 0])
    return MinutesRead(
        session_id=session_id,
        status=minutes.status,
        revision=minutes.revision,
        deadline=minutes.deadline,
        deadline_local=minutes.deadline.astimezone(pytz.timezone(zone))
        if minutes.deadline
        else None,
        deadline_zone=zone,
        circulated_at=minutes.circulated_at,
        adopted_at=minutes.adopted_at,
        adopted_by_silence=minutes.status == MinutesStatus.adopted and minutes.adopted_by is None,
        adopted_by=names.get(minutes.adopted_by) if minutes.adopted_by else None,
        adopted_revision=minutes.adopted_revision,
        items=_item_reads(db, content),
        attendance=_attendance_reads(db, content),
        free_text=content.free_text,
        free_text_html=str(render_markdown(content.free_text)),
        responses=[response_read(r, names) for r in responses],
    )


def response_read(row: MinutesResponse, names: dict[int, str]) -> ResponseRead:
    return ResponseRead(
        country=row.country_code,
        recorded_by=names.get(row.user_id, ""),
        position=Position.objection if row.objection else Position.no_objection,
        comment=row.comment,
        recorded_at=row.recorded_at,
    )


def author_names(db: Session, ids: Iterable[int]) -> dict[int, str]:
    return {u.id or 0: u.name for u in db.exec(select(User).where(col(User.id).in_(set(ids))))}


def revisions(db: Session, session_id: int) -> list[RevisionRead]:
    rows = db.exec(
        select(MinutesRevision)
        .where(MinutesRevision.session_id == session_id)
        .order_by(col(MinutesRevision.number))
    ).all()
    authors = author_names(db, (r.author_id for r in rows))
    return [_revision_read(r, authors) for r in rows]


def _revision_read(row: MinutesRevision, authors: dict[int, str]) -> RevisionRead:
    return RevisionRead(
        number=row.number,
        author=authors.get(row.author_id, ""),
        created_at=row.created_at,
        corrigendum_of=row.corrigendum_of,
        note=row.note,
    )


def revision_read(db: Session, session_id: int, number: int) -> RevisionContentRead:
    row = revision(db, session_id, number)
    summary = _revision_read(row, author_names(db, [row.author_id]))
    return RevisionContentRead(**summary.model_dump(), content=row.content)


def as_text(content: MinutesContent) -> list[str]:
    """The revision as plain lines, the form a diff is taken of."""
    lines = [f"Attendance: person {a.person_id}: {a.status}" for a in content.attendance]
    for item in content.items:
        lines.append(f"## {item.number} {item.title}")
        lines.extend(item.summary.splitlines())
        lines.extend(f"Decision: {text}" for text in item.decisions)
        lines.extend(
            f"Action ({a.owner_country or f'person {a.owner_person_id}'}, due {a.due}, "
            f"{a.status}): {a.text}"
            for a in item.actions
        )
    lines.extend(content.free_text.splitlines())
    return lines


def diff(db: Session, session_id: int, older: int, newer: int) -> DiffRead:
    before = MinutesContent.model_validate(revision(db, session_id, older).content)
    after = MinutesContent.model_validate(revision(db, session_id, newer).content)
    text = "\n".join(
        difflib.unified_diff(
            as_text(before),
            as_text(after),
            fromfile=f"revision {older}",
            tofile=f"revision {newer}",
            lineterm="",
        )
    )
    return DiffRead(from_revision=older, to_revision=newer, diff=text)


def comments(db: Session, session_id: int) -> list[CommentRead]:
    rows = db.exec(
        select(MinutesComment)
        .where(MinutesComment.session_id == session_id)
        .order_by(col(MinutesComment.id))
    ).all()
    authors = author_names(db, (r.author_id for r in rows))
    return [comment_read(row, authors) for row in rows]


def comment_read(row: MinutesComment, authors: dict[int, str]) -> CommentRead:
    return CommentRead(
        id=row.id or 0,
        item_number=row.item_number,
        author=authors.get(row.author_id, ""),
        country=row.country_code,
        body=row.body,
        body_html=str(render_markdown(row.body)),
        created_at=row.created_at,
    )


def action_items(
    db: Session,
    viewer: Standing,
    *,
    owner_country: str | None,
    owner_person: int | None,
    status: ActionStatus | None,
    due_before: date | None,
    due_after: date | None,
    limit: int,
    offset: int,
) -> tuple[list[ActionItemRead], int]:
    """Action items across sessions; delegates see those of sessions they were invited to,
    once the minutes were circulated."""
    from service.queries import paginate

    query = select(ActionItem, VdoSession.title).join(
        VdoSession, col(VdoSession.id) == ActionItem.session_id
    )
    if owner_country:
        query = query.where(ActionItem.owner_country == owner_country.upper())
    if owner_person is not None:
        query = query.where(ActionItem.owner_person_id == owner_person)
    if status is not None:
        query = query.where(ActionItem.status == status)
    if due_before is not None:
        query = query.where(col(ActionItem.due) < due_before)
    if due_after is not None:
        query = query.where(col(ActionItem.due) >= due_after)
    if not viewer.is_staff:
        if viewer.person is None:
            return [], 0
        query = query.where(col(ActionItem.session_id).in_(_sessions_of(viewer.person)))
        shown = select(Minutes.session_id).where(Minutes.status != MinutesStatus.draft)
        query = query.where(col(ActionItem.session_id).in_(shown))
    ordered = query.order_by(col(ActionItem.due), col(ActionItem.id))
    rows, total = paginate(db, ordered, limit, offset)  # type: ignore[arg-type]
    return [
        ActionItemRead(
            id=item.id or 0,
            session_id=item.session_id,
            session_title=title,
            item_number=item.item_number,
            text=item.text,
            owner_person_id=item.owner_person_id,
            owner_country=item.owner_country,
            due=item.due,
            status=item.status,
        )
        for item, title in rows
    ], total


def _sessions_of(person: Person) -> CompoundSelect[int]:
    """The sessions the person was invited to, in person or with their delegation."""
    in_person = select(SessionParticipant.session_id).where(
        SessionParticipant.person_id == person.id
    )
    with_delegation = select(SessionCountry.session_id).where(
        SessionCountry.country_code == person.country_code
    )
    return in_person.union(with_delegation)


def document(db: Session, session_id: int, document_id: int) -> AgendaDocument:
    found = db.exec(
        select(AgendaDocument)
        .join(AgendaItem, col(AgendaItem.id) == AgendaDocument.agenda_item_id)
        .where(AgendaDocument.id == document_id, AgendaItem.session_id == session_id)
    ).first()
    if found is None:
        raise NotFound(f"Session {session_id} has no agenda document {document_id}.")
    return found


def circulated_to(db: Session, person: Person, now: datetime) -> list[tuple[int, str, datetime]]:
    """Sessions the person was invited to whose minutes are out for comment and still open:
    (session id, title, deadline), the nearest deadline first."""
    rows = db.exec(
        select(VdoSession.id, VdoSession.title, Minutes.deadline)
        .join(Minutes, col(Minutes.session_id) == VdoSession.id)
        .where(Minutes.status == MinutesStatus.circulated)
        .where(col(Minutes.deadline) > now)
        .where(col(VdoSession.id).in_(_sessions_of(person)))
        .order_by(col(Minutes.deadline))
    ).all()
    return [(session_id or 0, title, deadline) for session_id, title, deadline in rows if deadline]
