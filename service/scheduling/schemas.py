"""Request and response bodies of the planner and sessions API."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from msgspec import Meta, Struct
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from service.request_body import CountryCode, RequestBody, ZoneName
from service.scheduling.models import ParticipantRole, PartStat, SessionStatus

MAX_DURATION_MINUTES = 12 * 60
# People named plus the members of the delegations invited: more would make every read of the
# session, its invite and its feeds slow for everyone.
MAX_INVITEES = 500
MAX_COUNTRIES = 100  # in any list of countries: ASEAN's members and partners' countries


class RecurrenceIn(RequestBody):
    """A recurrence rule in the organiser's zone (see service.scheduling.recurrence)."""

    freq: str = Field(max_length=20, description="WEEKLY or MONTHLY")
    interval: int = 1
    byweekday: list[str] = Field(default_factory=list, max_length=7, description='e.g. ["TH"]')
    nth: int | None = Field(default=None, description="MONTHLY: 2 = second, -1 = last weekday")
    count: int | None = None
    until: AwareDatetime | date | None = Field(
        default=None,
        description="The last day (included, in the organiser's zone), e.g. 2027-06-30, or an "
        "end time with an offset",
    )


class SessionCreate(RequestBody):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10_000)
    start: AwareDatetime = Field(description="With an offset or Z, e.g. 2026-12-03T07:00:00Z")
    duration_minutes: int = Field(ge=5, le=MAX_DURATION_MINUTES)
    organiser_zone: ZoneName = Field(
        description="IANA zone the session's wall-clock time is kept in"
    )
    bridge_id: int
    people: list[int] = Field(
        default_factory=list,
        max_length=MAX_INVITEES,
        description=f"Person ids invited; with the delegations, at most {MAX_INVITEES} people",
    )
    countries: list[CountryCode] = Field(
        default_factory=list,
        max_length=MAX_COUNTRIES,
        description="Countries whose whole delegation is invited",
    )
    chair_country: CountryCode | None = None
    chair_person_id: int | None = None
    recurrence: RecurrenceIn | None = None
    host_order: list[CountryCode] | None = Field(
        default=None,
        max_length=MAX_COUNTRIES,
        description="Series: host rotation order (default ASEAN's alphabetical)",
    )
    host_opt_outs: list[CountryCode] = Field(default_factory=list, max_length=MAX_COUNTRIES)
    acknowledge_problems: bool = Field(
        default=False, description="Book even if someone is outside office hours or on holiday"
    )


class Scope(StrEnum):
    this = "this"
    following = "following"


_EDITABLE = ("title", "description", "start", "duration_minutes")


class SessionUpdate(RequestBody):
    revision: int = Field(description="The revision you last read; a stale one is refused (409)")
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    start: AwareDatetime | None = None
    duration_minutes: int | None = Field(default=None, ge=5, le=MAX_DURATION_MINUTES)
    scope: Scope = Scope.this
    acknowledge_problems: bool = False

    @model_validator(mode="after")
    def changes_something(self) -> SessionUpdate:
        """An edit of nothing would still raise the revision and detach an occurrence."""
        if all(getattr(self, name) is None for name in _EDITABLE):
            raise ValueError("send at least one of title, description, start or duration_minutes")
        return self


class CancelRequest(RequestBody):
    scope: Scope = Scope.this
    revision: int | None = Field(
        default=None,
        description="The revision you last read: if sent, a stale one is refused (409)",
    )


class AttendeeRead(BaseModel):
    person_id: int
    name: str
    email: str
    country_code: str
    zone: str
    role: ParticipantRole
    partstat: PartStat
    local_start: datetime


class SessionRead(BaseModel):
    id: int
    uid: str
    title: str
    description: str
    start: datetime
    end: datetime
    organiser_zone: str
    local_start: datetime = Field(description="In the organiser's zone")
    bridge_id: int
    status: SessionStatus
    sequence: int
    revision: int
    chair_country: str | None
    series_id: int | None
    recurrence_id: datetime | None
    countries: list[str]
    attendees: list[AttendeeRead]
    meeting: dict[str, Any] = Field(
        description="Join URL, meeting ID, passcode, dial-in numbers and PINs, the bridge staff's "
        "notes, and `instructions` (all of it as the readable block invites carry): for staff "
        "and invitees only; anyone else gets the provider alone"
    )
    flags: dict[str, Any]
    acknowledged: list[str] = Field(
        description="The problems staff accepted when booking; empty for others"
    )


class UnavailabilityIn(RequestBody):
    start: AwareDatetime
    end: AwareDatetime
    reason: str = Field(default="leave", max_length=200)


class UnavailabilityRead(BaseModel):
    id: int
    person_id: int
    start: datetime
    end: datetime
    reason: str | None = Field(description="Only for staff and the person; null for others")


# The planner's answer is a tree of msgspec structs rather than pydantic models: hundreds of
# participant-slots are made for every new question, and structs build and encode as JSON in C.
# Frozen, with tuples, and untracked by the garbage collector (gc=False; a tree has no cycles),
# so that the answers the planner keeps in memory give a full collection nothing to walk.


class SlotParticipantOut(Struct, frozen=True, gc=False):
    key: str
    label: str
    zone: str
    local_start: datetime
    local_end: datetime
    status: str
    detail: str
    soft_problems: tuple[str, ...]


class SlotOut(Struct, frozen=True, gc=False):
    start: datetime
    end: datetime
    score: float
    participants: tuple[SlotParticipantOut, ...]
    hard_problems: tuple[str, ...]
    soft_problems: tuple[str, ...]


class PlanOut(Struct, frozen=True, gc=False):
    all_constraints_met: Annotated[
        bool,
        Meta(description="False: no slot suits everyone; these are the closest, with the reasons"),
    ]
    slots_found: int
    slots: tuple[SlotOut, ...]


class GridCellOut(BaseModel):
    start: datetime
    end: datetime
    status: str
    detail: str


class GridRowOut(BaseModel):
    key: str
    label: str
    zone: str
    # False: no official list confirmed the year's days off, so the holidays shown are the
    # package's forecast and an announced day off may still appear.
    days_off_confirmed: bool
    cells: list[GridCellOut]


class GridOut(BaseModel):
    day: str
    rows: list[GridRowOut]
