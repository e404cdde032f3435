"""What a circular says, as plain values: no database, no HTTP, no markup.

`operations` builds a `Circular` from stored sessions, agendas and minutes; `render` turns it into
HTML, text, PDF and DOCX. A preview is the same value without a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from service.directory.models import Language
from service.minutes.records import ActionLine, AgendaLine, MinutesRecord


class CircularKind(StrEnum):
    notice = "notice"  # notice of meeting, with the agenda
    minutes = "minutes"  # the adopted minutes
    cancellation = "cancellation"  # the session is cancelled or moved
    reminder = "reminder"  # open action items


@dataclass(frozen=True)
class IssuingBody:
    """Who numbers circulars: its code starts every number, its zone decides the year."""

    code: str
    zone: str
    name_en: str
    name_th: str


SECRETARIAT_BODY = IssuingBody(
    code="ASEAN-PUBS",
    zone="Asia/Bangkok",
    name_en="ASEAN Pubs VDO-Conference Secretariat",
    name_th="สำนักเลขานุการเครือข่าย ASEAN Pubs",
)


@dataclass(frozen=True)
class CircularNumber:
    """The running number of a circular within its issuing body and year."""

    body: str
    year: int
    sequence: int

    @property
    def reference(self) -> str:
        """`ASEAN-PUBS/C/2026/007`: what English circulars print and the API shows."""
        return f"{self.body}/C/{self.year}/{self.sequence:03d}"

    @property
    def thai_line(self) -> str:
        """`ที่ ASEAN-PUBS/ว 7`: the number line of a Thai circular (หนังสือเวียน)."""
        return f"ที่ {self.body}/ว {self.sequence}"

    def line(self, language: Language) -> str:
        return self.thai_line if language == Language.th else f"No. {self.reference}"


@dataclass(frozen=True)
class ZoneTime:
    """The session's time where some of its participants are, for the notice's table."""

    zone: str
    who: str  # the countries or people in this zone, as the reader knows them
    start: datetime  # aware, in `zone`
    end: datetime


@dataclass(frozen=True)
class JoiningDetails:
    """How to join. Only recipients who may see them get a copy with these (see
    `service.scheduling.disclosure`); the issued, stored circular never holds them."""

    join_url: str | None
    meeting_id: str | None
    passcode: str | None
    dial_ins: tuple[str, ...] = ()


HEADINGS: dict[tuple[CircularKind, Language], str] = {
    (CircularKind.notice, Language.en): "Notice of Meeting",
    (CircularKind.notice, Language.th): "หนังสือเชิญประชุม",
    (CircularKind.minutes, Language.en): "Minutes of the Meeting",
    (CircularKind.minutes, Language.th): "รายงานการประชุม",
    (CircularKind.cancellation, Language.en): "Cancellation of the Meeting",
    (CircularKind.cancellation, Language.th): "แจ้งยกเลิกการประชุม",
    (CircularKind.reminder, Language.en): "Reminder of Action Items",
    (CircularKind.reminder, Language.th): "แจ้งเตือนการดำเนินการตามมติที่ประชุม",
}
RESCHEDULING_HEADINGS: dict[Language, str] = {
    Language.en: "Rescheduling of the Meeting",
    Language.th: "แจ้งเลื่อนการประชุม",
}


@dataclass(frozen=True)
class Circular:
    """One circular, ready to render in its language."""

    kind: CircularKind
    language: Language
    body: IssuingBody
    issued_on: date  # in the issuing body's zone
    number: CircularNumber | None  # None: a preview, not issued
    session_title: str
    organiser_zone: str
    zone_times: tuple[ZoneTime, ...]
    agenda: tuple[AgendaLine, ...] = ()
    minutes: MinutesRecord | None = None
    actions: tuple[ActionLine, ...] = ()  # a reminder's open action items
    cancelled: bool = False  # a cancellation notice; False for a rescheduling notice
    message: str = ""  # staff's Markdown note, e.g. why the meeting moved
    corrects: str | None = None  # the reference of the circular this one corrects
    joining: JoiningDetails | None = None

    @property
    def heading(self) -> str:
        if self.kind == CircularKind.cancellation and not self.cancelled:
            return RESCHEDULING_HEADINGS[self.language]
        return HEADINGS[(self.kind, self.language)]

    @property
    def title(self) -> str:
        """The heading and the session, as a list of circulars shows it."""
        return f"{self.heading}: {self.session_title}"
