"""Circular values for rendering tests: a meeting a week from now, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytz

from service.circulars.documents import (
    SECRETARIAT_BODY,
    Circular,
    CircularKind,
    CircularNumber,
    ZoneTime,
)
from service.directory.models import Language
from service.minutes.records import (
    ActionLine,
    AgendaLine,
    Attendance,
    AttendanceLine,
    DecisionLine,
    MinutesItem,
    MinutesRecord,
    MinutesStatus,
)

SCRIPT = "<script>alert('x')</script>"


def zone_times(start: datetime, zones: dict[str, str]) -> tuple[ZoneTime, ...]:
    end = start + timedelta(hours=2)
    return tuple(
        ZoneTime(
            zone, who, start.astimezone(pytz.timezone(zone)), end.astimezone(pytz.timezone(zone))
        )
        for zone, who in zones.items()
    )


def adopted_minutes(decision: str = "The meeting agreed to meet monthly.") -> MinutesRecord:
    today = datetime.now(UTC).date()
    return MinutesRecord(
        status=MinutesStatus.adopted,
        revision=3,
        items=(
            MinutesItem(
                "1",
                "Opening remarks",
                summary="The chair welcomed the delegations.",
                decisions=(DecisionLine("1", decision),),
                actions=(ActionLine("Circulate the report", "Thailand", today + timedelta(14)),),
            ),
        ),
        attendance=(AttendanceLine("Somchai", "TH", Attendance.present),),
        adopted_at=datetime.now(UTC),
    )


def circular(
    kind: CircularKind = CircularKind.notice,
    language: Language = Language.en,
    *,
    sequence: int | None = 7,
    minutes: MinutesRecord | None = None,
) -> Circular:
    now = datetime.now(UTC)
    start = (now + timedelta(days=7)).replace(hour=7, minute=0, second=0, microsecond=0)
    return Circular(
        kind=kind,
        language=language,
        body=SECRETARIAT_BODY,
        issued_on=now.date(),
        number=CircularNumber(SECRETARIAT_BODY.code, now.year, sequence) if sequence else None,
        session_title="Digital Government Working Group",
        organiser_zone="Asia/Bangkok",
        zone_times=zone_times(start, {"Asia/Bangkok": "Thailand", "Asia/Dili": "Timor-Leste"}),
        agenda=(AgendaLine("1", "Opening remarks"), AgendaLine("2", "Adoption of the agenda")),
        minutes=minutes,
    )
