"""Request and response bodies of the agenda, minutes and action-item API.

Request bodies refuse unknown fields by name and bound every string and list.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from service.minutes.records import ActionStatus, Attendance, MinutesStatus
from service.request_body import RequestBody


class StrictBody(RequestBody):
    model_config = ConfigDict(extra="forbid")


# --- agenda ------------------------------------------------------------------------------------


class AgendaSubItemIn(StrictBody):
    id: int | None = Field(default=None, description="An existing item's id keeps its documents")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10_000, description="Markdown")
    presenter: str | None = Field(default=None, max_length=200, description="Person or country")
    minutes_allotted: int | None = Field(default=None, ge=1, le=720)


class AgendaItemIn(AgendaSubItemIn):
    subitems: list[AgendaSubItemIn] = Field(default_factory=list, max_length=30)


class AgendaIn(StrictBody):
    revision: int = Field(ge=0, description="The agenda revision you last read (0: standard)")
    items: list[AgendaItemIn] = Field(min_length=1, max_length=60)


class DocumentRead(BaseModel):
    id: int
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime


class AgendaItemRead(BaseModel):
    id: int | None = Field(description="None on the standard agenda, before staff save one")
    number: str
    title: str
    description: str
    description_html: str
    presenter: str | None
    minutes_allotted: int | None
    documents: list[DocumentRead]


class AgendaRead(BaseModel):
    session_id: int
    revision: int
    standard: bool = Field(description="True while staff have not saved an agenda")
    notice_issued_at: datetime | None
    needs_reissued_notice: bool
    items: list[AgendaItemRead]


# --- minutes -----------------------------------------------------------------------------------


class ActionIn(StrictBody):
    text: str = Field(min_length=1, max_length=2000)
    owner_person_id: int | None = None
    owner_country: str | None = Field(default=None, min_length=2, max_length=2)
    due: date | None = None
    status: ActionStatus = ActionStatus.open

    @model_validator(mode="after")
    def one_owner(self) -> ActionIn:
        if (self.owner_person_id is None) == (self.owner_country is None):
            raise ValueError("give exactly one of owner_person_id and owner_country")
        if self.owner_country is not None:
            self.owner_country = self.owner_country.upper()
        return self


class MinutesItemIn(StrictBody):
    number: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=20_000, description="Markdown")
    decisions: list[str] = Field(default_factory=list, max_length=60)
    actions: list[ActionIn] = Field(default_factory=list, max_length=60)

    @model_validator(mode="after")
    def bounded_decisions(self) -> MinutesItemIn:
        if any(not 1 <= len(text) <= 5000 for text in self.decisions):
            raise ValueError("each decision must have 1 to 5000 characters")
        return self


class AttendanceIn(StrictBody):
    person_id: int
    status: Attendance


class MinutesContent(StrictBody):
    """What one revision says; stored as its JSON dump."""

    items: list[MinutesItemIn] = Field(default_factory=list, max_length=100)
    attendance: list[AttendanceIn] = Field(default_factory=list, max_length=1000)
    free_text: str = Field(default="", max_length=50_000, description="Markdown")


class MinutesSave(MinutesContent):
    base_revision: int = Field(
        ge=0, description="The revision you edited (0 for the first); a stale one is a 409"
    )


class CorrigendumIn(MinutesSave):
    note: str = Field(min_length=1, max_length=2000, description="What is corrected and why")


class CirculateIn(StrictBody):
    deadline: AwareDatetime = Field(description="Comments and objections close here")


class CommentIn(StrictBody):
    item_number: str | None = Field(default=None, max_length=20, description="None: the whole")
    body: str = Field(min_length=1, max_length=5000, description="Markdown")


class Position(StrEnum):
    no_objection = "no_objection"
    objection = "objection"


class ResponseIn(StrictBody):
    country: str | None = Field(
        default=None, min_length=2, max_length=2, description="Defaults to your own country"
    )
    position: Position
    comment: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def objection_says_why(self) -> ResponseIn:
        if self.position == Position.objection and not self.comment.strip():
            raise ValueError("an objection needs a comment saying what is objected to")
        return self


class DecisionRead(BaseModel):
    number: str
    text: str
    text_html: str


class ActionRead(BaseModel):
    text: str
    text_html: str
    owner_person_id: int | None
    owner_country: str | None
    owner_name: str
    due: date | None
    status: ActionStatus


class MinutesItemRead(BaseModel):
    number: str
    title: str
    summary: str
    summary_html: str
    decisions: list[DecisionRead]
    actions: list[ActionRead]


class AttendanceRead(BaseModel):
    person_id: int
    name: str
    country: str
    status: Attendance


class ResponseRead(BaseModel):
    country: str
    position: Position
    comment: str
    recorded_by: str = Field(description="Who recorded the position (the sign-off record)")
    recorded_at: datetime


class MinutesRead(BaseModel):
    session_id: int
    status: MinutesStatus
    revision: int
    deadline: datetime | None
    deadline_local: datetime | None = Field(description="The deadline in your own zone")
    deadline_zone: str
    circulated_at: datetime | None
    adopted_at: datetime | None
    adopted_by_silence: bool
    adopted_by: str | None = Field(description="The staff member who adopted them explicitly")
    adopted_revision: int | None
    items: list[MinutesItemRead]
    attendance: list[AttendanceRead]
    free_text: str
    free_text_html: str
    responses: list[ResponseRead]


class RevisionRead(BaseModel):
    number: int
    author: str
    created_at: datetime
    corrigendum_of: int | None
    note: str


class RevisionContentRead(RevisionRead):
    content: dict[str, Any]


class DiffRead(BaseModel):
    from_revision: int
    to_revision: int
    diff: str = Field(description="A unified diff of the two revisions' text")


class CommentRead(BaseModel):
    id: int
    item_number: str | None
    author: str
    country: str | None
    body: str
    body_html: str
    created_at: datetime


class ActionItemRead(BaseModel):
    id: int
    session_id: int
    session_title: str
    item_number: str
    text: str
    owner_person_id: int | None
    owner_country: str | None
    due: date | None
    status: ActionStatus
