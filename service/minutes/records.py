"""What an agenda and a set of minutes say, as plain values.

These are the read model that circulars, emails and pages render: no database, no HTTP.
`service.minutes.queries` builds them from stored rows; the renderers never see a table.
Text fields hold the user's Markdown (render it with `service.rendering.markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True)
class AgendaLine:
    """One numbered agenda item ("1", "1.1", ...), in order."""

    number: str
    title: str
    description: str = ""
    presenter: str | None = None  # a person's name or a country's short name
    minutes_allotted: int | None = None


# A new session's agenda until staff change it: the order intergovernmental meetings follow.
STANDARD_AGENDA: tuple[str, ...] = (
    "Opening remarks",
    "Adoption of the agenda",
    "Matters arising from the last meeting",
    "Substantive items",
    "Other matters",
    "Date and venue of the next meeting",
    "Closing",
)


class Attendance(StrEnum):
    present = "present"
    apologies = "apologies"
    absent = "absent"


class ActionStatus(StrEnum):
    open = "open"
    done = "done"
    dropped = "dropped"


class MinutesStatus(StrEnum):
    draft = "draft"
    circulated = "circulated"
    adopted = "adopted"


@dataclass(frozen=True)
class AttendanceLine:
    name: str
    country: str  # ISO code
    status: Attendance


@dataclass(frozen=True)
class DecisionLine:
    number: str  # numbered within the minutes: "1", "2", ...
    text: str


@dataclass(frozen=True)
class ActionLine:
    text: str
    owner: str  # a person's name or a country's short name
    due: date | None
    status: ActionStatus = ActionStatus.open


@dataclass(frozen=True)
class MinutesItem:
    """The record of one agenda item: what was said, decided and who does what next."""

    number: str
    title: str
    summary: str = ""
    decisions: tuple[DecisionLine, ...] = ()
    actions: tuple[ActionLine, ...] = ()


@dataclass(frozen=True)
class MinutesRecord:
    """One revision of a session's minutes, as a whole."""

    status: MinutesStatus
    revision: int
    items: tuple[MinutesItem, ...] = ()
    attendance: tuple[AttendanceLine, ...] = ()
    free_text: str = ""
    adopted_at: datetime | None = None
    corrigendum_of: int | None = field(default=None)  # the revision a correction amends
