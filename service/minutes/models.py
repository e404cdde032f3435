"""Stored agendas, minutes revisions, comments, sign-offs and action items.

A session's agenda is its `agenda_item` rows plus one `session_agenda` row holding the agenda's
revision and whether it changed after the notice of meeting went out. Minutes are one `minutes`
row (status, current revision, deadline, adoption record) and every save as an immutable
`minutes_revision`; `action_item` mirrors the current revision's action items so that they can
be listed across sessions with plain queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.minutes.records import ActionStatus, MinutesStatus

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _session_fk(*, primary_key: bool = False) -> Any:
    return Field(
        sa_column=Column(
            Integer,
            ForeignKey("vdo_session.id", ondelete="CASCADE"),
            primary_key=primary_key,
            nullable=False,
            index=not primary_key,
        )
    )


class SessionAgenda(SQLModel, table=True):
    """The agenda's own state: absent while the session still has the standard agenda."""

    __tablename__ = "session_agenda"

    session_id: int = _session_fk(primary_key=True)
    # Raised on every save; a save naming an older revision is refused (409).
    revision: int = 0
    notice_issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The agenda changed after the notice of meeting went out: the notice must be re-issued.
    changed_after_notice: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = _session_fk()
    position: int
    number: str = Field(max_length=20)
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=10_000)
    presenter: str | None = Field(default=None, max_length=200)
    minutes_allotted: int | None = None


class AgendaDocument(SQLModel, table=True):
    """A paper attached to an agenda item, kept in the database with what was sniffed of it."""

    __tablename__ = "agenda_document"

    id: int | None = Field(default=None, primary_key=True)
    agenda_item_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("agenda_item.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Minutes(SQLModel, table=True):
    """A session's minutes as a whole: where they are in the workflow and their current text."""

    session_id: int = _session_fk(primary_key=True)
    status: MinutesStatus = Field(
        default=MinutesStatus.draft, sa_column=Column(String(20), nullable=False)
    )
    # The number of the current `minutes_revision`; 0 before the first save.
    revision: int = 0
    # Comments and objections are taken until here; then the silence procedure applies.
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    circulated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    adopted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The staff user who adopted them, None when the silence procedure did.
    adopted_by: int | None = Field(default=None, foreign_key="app_user.id")
    adopted_revision: int | None = None


class MinutesRevision(SQLModel, table=True):
    __tablename__ = "minutes_revision"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = _session_fk()
    number: int
    author_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Items, attendance and free text, as `schemas.MinutesContent` dumps them.
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # For a corrigendum: the adopted revision it amends, and why.
    corrigendum_of: int | None = None
    note: str = Field(default="", max_length=2000)


class MinutesComment(SQLModel, table=True):
    __tablename__ = "minutes_comment"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = _session_fk()
    item_number: str | None = Field(default=None, max_length=20)  # None: on the whole
    author_id: int = Field(foreign_key="app_user.id")
    country_code: str | None = Field(default=None, foreign_key="country.code", max_length=2)
    body: str = Field(max_length=5000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MinutesResponse(SQLModel, table=True):
    """A member delegation's "no objection" or "objection": the record of who signed off."""

    __tablename__ = "minutes_response"

    session_id: int = _session_fk(primary_key=True)
    country_code: str = Field(foreign_key="country.code", primary_key=True, max_length=2)
    objection: bool
    comment: str = Field(default="", max_length=5000)
    user_id: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActionItem(SQLModel, table=True):
    """An action item of a session's current minutes, for the list across sessions."""

    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = _session_fk()
    item_number: str = Field(max_length=20)
    text: str = Field(max_length=5000)
    owner_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    owner_country: str | None = Field(
        default=None, foreign_key="country.code", max_length=2, index=True
    )
    due: date | None = None
    status: ActionStatus = Field(
        default=ActionStatus.open, sa_column=Column(String(20), nullable=False, index=True)
    )
