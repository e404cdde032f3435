"""Commands on agendas and minutes: save, comment, circulate, adopt, correct.

Racing saves are settled by the database: each save is a conditional UPDATE of the stored
revision (`... WHERE revision = :base`), so of two saves based on the same revision exactly one
wins and the other is a 409 carrying the current text, on PostgreSQL as on SQLite.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, delete, select

from service.directory.models import Country, Person
from service.errors import Conflict, Forbidden, invalid_field
from service.minutes.access import Standing, invited_members
from service.minutes.models import (
    ActionItem,
    AgendaItem,
    Minutes,
    MinutesComment,
    MinutesResponse,
    MinutesRevision,
    SessionAgenda,
)
from service.minutes.records import MinutesStatus
from service.minutes.schemas import (
    AgendaIn,
    CommentIn,
    CorrigendumIn,
    MinutesContent,
    MinutesSave,
    Position,
    ResponseIn,
)
from service.minutes.workflow import (
    IllegalStep,
    Step,
    check_before_deadline,
    check_deadline_ahead,
    check_staff_may_adopt,
    next_status,
    silence_adopts,
)
from service.scheduling import queries as sessions

CONTENT_FIELDS = set(MinutesContent.model_fields)


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _insert_if_absent(db: Session, model: type[SQLModel], **values: Any) -> None:
    """Create the row unless it exists; two racing callers both succeed, one row results."""
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.connection().execute(insert(_table(model)).values(**values).on_conflict_do_nothing())


def _conditional_update(db: Session, model: type[SQLModel], where: Any, **values: Any) -> bool:
    """One UPDATE guarded by `where`; False when no row matched (someone got there first)."""
    result = db.connection().execute(update(_table(model)).where(*where).values(**values))
    db.expire_all()
    return bool(result.rowcount)


def _conflict(error: IllegalStep) -> Conflict:
    return Conflict(str(error))


# --- agenda ------------------------------------------------------------------------------------


def save_agenda(db: Session, session_id: int, data: AgendaIn, now: datetime) -> None:
    """Replace the agenda; items naming an existing id keep it (and their documents).

    After the notice of meeting went out, any change marks the notice as due again."""
    sessions.get_session(db, session_id)
    _insert_if_absent(db, SessionAgenda, session_id=session_id, revision=0, updated_at=now)
    agenda = _table(SessionAgenda).c
    saved = _conditional_update(
        db,
        SessionAgenda,
        [agenda.session_id == session_id, agenda.revision == data.revision],
        revision=agenda.revision + 1,
        updated_at=now,
        changed_after_notice=agenda.notice_issued_at.is_not(None),
    )
    if not saved:
        current = db.get(SessionAgenda, session_id)
        raise Conflict(
            f"The agenda changed since revision {data.revision}; reload it and apply your "
            "changes again.",
            current_revision=current.revision if current else 0,
        )
    existing = {
        item.id: item
        for item in db.exec(select(AgendaItem).where(AgendaItem.session_id == session_id))
    }
    rows: list[tuple[str, Any]] = []
    for n, item in enumerate(data.items, start=1):
        rows.append((str(n), item))
        rows.extend((f"{n}.{m}", sub) for m, sub in enumerate(item.subitems, start=1))
    kept = {item.id for _, item in rows if item.id is not None}
    unknown = kept - existing.keys()
    if unknown:
        raise invalid_field("items.id", f"not items of this agenda: {sorted(unknown)}")
    for item_id, row in existing.items():
        if item_id not in kept:
            db.delete(row)
    db.flush()
    for position, (number, item) in enumerate(rows):
        fields = {
            "position": position,
            "number": number,
            "title": item.title,
            "description": item.description,
            "presenter": item.presenter,
            "minutes_allotted": item.minutes_allotted,
        }
        if item.id is None:
            db.add(AgendaItem(session_id=session_id, **fields))
        else:
            db.add(existing[item.id].sqlmodel_update(fields))
    db.flush()


def mark_notice_issued(db: Session, session_id: int, at: datetime) -> None:
    """The notice of meeting went out at `at` with the agenda as it is now.

    For the circulars: a later change of the agenda marks the notice as needing re-issue."""
    sessions.get_session(db, session_id)
    _insert_if_absent(db, SessionAgenda, session_id=session_id, revision=0, updated_at=at)
    agenda = _table(SessionAgenda).c
    _conditional_update(
        db,
        SessionAgenda,
        [agenda.session_id == session_id],
        notice_issued_at=at,
        changed_after_notice=False,
    )


# --- minutes -----------------------------------------------------------------------------------


def _minutes(db: Session, session_id: int) -> Minutes:
    sessions.get_session(db, session_id)
    _insert_if_absent(db, Minutes, session_id=session_id, status=MinutesStatus.draft, revision=0)
    minutes = db.get(Minutes, session_id)
    assert minutes is not None  # noqa: S101 - inserted just above
    return minutes


def _stale(db: Session, session_id: int, base: int) -> Conflict:
    minutes = db.get(Minutes, session_id)
    current = _revision(db, session_id, minutes.revision) if minutes else None
    return Conflict(
        f"The minutes changed since revision {base}: the current revision is "
        f"{minutes.revision if minutes else 0}; merge your changes into it and save again.",
        current_revision=minutes.revision if minutes else 0,
        current=current.content if current else None,
    )


def _revision(db: Session, session_id: int, number: int) -> MinutesRevision | None:
    return db.exec(
        select(MinutesRevision).where(
            MinutesRevision.session_id == session_id, MinutesRevision.number == number
        )
    ).first()


def _check_references(db: Session, content: MinutesContent) -> None:
    people = {a.person_id for a in content.attendance} | {
        action.owner_person_id
        for item in content.items
        for action in item.actions
        if action.owner_person_id is not None
    }
    found = set(db.exec(select(Person.id).where(col(Person.id).in_(people))).all())
    if people - found:
        raise invalid_field("person_id", f"no such people: {sorted(people - found)}")
    countries = {
        action.owner_country
        for item in content.items
        for action in item.actions
        if action.owner_country is not None
    }
    known = set(db.exec(select(Country.code).where(col(Country.code).in_(countries))).all())
    if countries - known:
        raise invalid_field("owner_country", f"no such countries: {sorted(countries - known)}")


def _write_revision(
    db: Session,
    session_id: int,
    data: MinutesSave,
    step: Step,
    author_id: int,
    now: datetime,
    note: str = "",
) -> MinutesRevision:
    minutes = _minutes(db, session_id)
    try:
        next_status(minutes.status, step)
    except IllegalStep as error:
        raise _conflict(error) from None
    _check_references(db, data)
    table = _table(Minutes).c
    if not _conditional_update(
        db,
        Minutes,
        [
            table.session_id == session_id,
            table.revision == data.base_revision,
            table.status == minutes.status,
        ],
        revision=data.base_revision + 1,
    ):
        raise _stale(db, session_id, data.base_revision)
    content = MinutesContent.model_validate(data.model_dump(include=CONTENT_FIELDS))
    revision = MinutesRevision(
        session_id=session_id,
        number=data.base_revision + 1,
        author_id=author_id,
        created_at=now,
        content=content.model_dump(mode="json"),
        corrigendum_of=minutes.adopted_revision if step == Step.corrigendum else None,
        note=note,
    )
    db.add(revision)
    _mirror_action_items(db, session_id, content)
    db.flush()
    return revision


def _mirror_action_items(db: Session, session_id: int, content: MinutesContent) -> None:
    db.exec(delete(ActionItem).where(col(ActionItem.session_id) == session_id))
    for item in content.items:
        for action in item.actions:
            db.add(
                ActionItem(
                    session_id=session_id,
                    item_number=item.number,
                    text=action.text,
                    owner_person_id=action.owner_person_id,
                    owner_country=action.owner_country,
                    due=action.due,
                    status=action.status,
                )
            )


def save_minutes(
    db: Session, session_id: int, data: MinutesSave, author_id: int, now: datetime
) -> MinutesRevision:
    """A new revision of draft minutes; 409 with the current text when `base_revision` is stale."""
    return _write_revision(db, session_id, data, Step.edit, author_id, now)


def record_corrigendum(
    db: Session, session_id: int, data: CorrigendumIn, author_id: int, now: datetime
) -> MinutesRevision:
    """A correction of adopted minutes: a new revision that names the adopted one it amends."""
    return _write_revision(db, session_id, data, Step.corrigendum, author_id, now, note=data.note)


def _transition(db: Session, minutes: Minutes, step: Step, **values: Any) -> Minutes:
    """Move the minutes one step, atomically: a racing step from the same status loses."""
    try:
        status = next_status(minutes.status, step)
    except IllegalStep as error:
        raise _conflict(error) from None
    table = _table(Minutes).c
    if not _conditional_update(
        db,
        Minutes,
        [table.session_id == minutes.session_id, table.status == minutes.status],
        status=status,
        **values,
    ):
        raise Conflict("The minutes changed a moment ago; reload them and try again.")
    fresh = db.get(Minutes, minutes.session_id)
    assert fresh is not None  # noqa: S101 - the row the update just matched
    return fresh


def circulate(db: Session, session_id: int, deadline: datetime, now: datetime) -> Minutes:
    minutes = _minutes(db, session_id)
    try:
        next_status(minutes.status, Step.circulate)
        if minutes.revision == 0:
            raise IllegalStep("There is no text to circulate yet; save the minutes first.")
        check_deadline_ahead(deadline, now)
    except IllegalStep as error:
        raise _conflict(error) from None
    return _transition(db, minutes, Step.circulate, deadline=deadline, circulated_at=now)


def withdraw(db: Session, session_id: int) -> Minutes:
    """Back to draft for revision; the delegations' responses were to the old text and lapse."""
    minutes = _transition(db, _minutes(db, session_id), Step.withdraw, deadline=None)
    db.exec(delete(MinutesResponse).where(col(MinutesResponse.session_id) == session_id))
    return minutes


def _objections(db: Session, session_id: int) -> dict[str, bool]:
    rows = db.exec(select(MinutesResponse).where(MinutesResponse.session_id == session_id))
    return {row.country_code: row.objection for row in rows}


def adopt(db: Session, session_id: int, user_id: int, now: datetime) -> Minutes:
    """Explicit adoption by staff: refused while a member delegation's objection stands."""
    minutes = _minutes(db, session_id)
    try:
        next_status(minutes.status, Step.adopt)
        check_staff_may_adopt(_objections(db, session_id), invited_members(db, session_id))
    except IllegalStep as error:
        raise _conflict(error) from None
    return _transition(
        db,
        minutes,
        Step.adopt,
        adopted_at=now,
        adopted_by=user_id,
        adopted_revision=minutes.revision,
    )


def apply_silence_procedure(db: Session, now: datetime) -> list[int]:
    """Adopt every circulated minutes whose deadline passed with no objection outstanding.

    Run lazily when minutes are read and by `vdo minutes settle`; returns the adopted
    sessions' ids. A concurrent run adopts each session once (conditional update)."""
    due = db.exec(
        select(Minutes).where(
            Minutes.status == MinutesStatus.circulated, col(Minutes.deadline) <= now
        )
    ).all()
    adopted: list[int] = []
    for minutes in due:
        if not silence_adopts(
            status=minutes.status,
            deadline=minutes.deadline,
            now=now,
            invited=invited_members(db, minutes.session_id),
            objections=_objections(db, minutes.session_id),
        ):
            continue
        table = _table(Minutes).c
        if _conditional_update(
            db,
            Minutes,
            [table.session_id == minutes.session_id, table.status == MinutesStatus.circulated],
            status=MinutesStatus.adopted,
            adopted_at=minutes.deadline,
            adopted_by=None,
            adopted_revision=minutes.revision,
        ):
            adopted.append(minutes.session_id)
    return adopted


def _open_for_delegations(db: Session, session_id: int, step: Step, now: datetime) -> Minutes:
    minutes = _minutes(db, session_id)
    try:
        next_status(minutes.status, step)
        check_before_deadline(step, minutes.deadline, now)
    except IllegalStep as error:
        raise _conflict(error) from None
    return minutes


def comment(
    db: Session, session_id: int, data: CommentIn, who: Standing, now: datetime
) -> MinutesComment:
    """A comment on one item (or the whole) while the minutes are circulated, until the deadline."""
    _open_for_delegations(db, session_id, Step.comment, now)
    row = MinutesComment(
        session_id=session_id,
        item_number=data.item_number,
        author_id=who.user_id,
        country_code=who.country,
        body=data.body,
        created_at=now,
    )
    db.add(row)
    db.flush()
    return row


def respond(
    db: Session, session_id: int, data: ResponseIn, who: Standing, now: datetime
) -> MinutesResponse:
    """A delegation's no objection or objection, replacing its earlier one; delegates speak
    only for their own country, staff record a position a delegation sent them."""
    country = (data.country or who.country or "").upper()
    if not country:
        raise invalid_field("country", "say which country's position this is")
    if not who.is_staff and country != who.country:
        raise Forbidden("Delegates record their own country's position only.")
    if country not in invited_members(db, session_id):
        raise invalid_field("country", f"{country} is not an invited member country")
    _open_for_delegations(db, session_id, Step.respond, now)
    row = db.get(MinutesResponse, (session_id, country)) or MinutesResponse(
        session_id=session_id, country_code=country, objection=False, user_id=who.user_id
    )
    row.objection = data.position == Position.objection
    row.comment, row.user_id, row.recorded_at = data.comment, who.user_id, now
    db.add(row)
    db.flush()
    return row
