"""What the pages show, worked out apart from HTTP: times in a reader's zone, answer counts,
calendar subscription links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

import pytz
from babel import Locale, UnknownLocaleError

from service.calendar.rsvp import Answer
from service.minutes.documents import DOCX, XLSX
from service.rendering.dates import written
from service.rendering.i18n import N_
from service.scheduling.models import PartStat, VdoSession

DEFAULT_ZONE = "Asia/Bangkok"
ZONE_COOKIE = "vdo_zone"


def chosen_zone(*candidates: str | None) -> str:
    """The first candidate that is a known IANA zone (query, then cookie), else Bangkok's."""
    for zone in candidates:
        if zone and zone in pytz.all_timezones_set:
            return zone
    return DEFAULT_ZONE


def local_time(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(pytz.timezone(zone))


def when(moment: datetime, zone: str, language: str = "en") -> str:
    """e.g. "Tue 3 Dec 2026, 14:00 (Asia/Bangkok, +07)", day and month named in `language`
    ("อ. 3 ธ.ค. 2569, 14:00 (Asia/Bangkok, +07)" in Thai)."""
    local = local_time(moment, zone)
    return f"{written(local, 'EEE d MMM y, HH:mm', language)} ({zone}, {local:%Z})"


def minutes(session: VdoSession) -> int:
    return int((session.end_utc - session.start_utc).total_seconds() // 60)


def day(moment: datetime, zone: str, language: str = "en") -> str:
    """e.g. "3 December 2026" ("3 ธันวาคม 2569" in Thai), the day it was in `zone`."""
    return written(local_time(moment, zone).date(), "d MMMM y", language)


def language_name(code: str, language: str = "en") -> str:
    """A language's name in the reader's language: "vi" is "Vietnamese", or "เวียดนาม" in Thai."""
    try:
        return Locale.parse(code).get_display_name(language) or code
    except (ValueError, UnknownLocaleError):
        return code


def file_size(size: int) -> str:
    """e.g. "2.4 MB", "18 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


# The office formats' media types name no extension; the others' subtypes do ("pdf", "png").
_KINDS = {DOCX: "DOCX", XLSX: "XLSX"}


def file_kind(media_type: str) -> str:
    """What a reader calls a stored file's type: "PDF", "DOCX", "JPEG"."""
    return _KINDS.get(media_type, media_type.rsplit("/", 1)[-1].upper())


@dataclass(frozen=True)
class ZoneTime:
    zone: str
    start: str
    people: tuple[str, ...]


def start_in_zones(
    start: datetime, people_zones: Sequence[tuple[str, str]], language: str = "en"
) -> list[ZoneTime]:
    """The start in each zone the participants live in, with who is in it, earliest offset
    first."""
    by_zone: dict[str, list[str]] = {}
    for name, zone in people_zones:
        by_zone.setdefault(zone, []).append(name)
    ordered = sorted(by_zone, key=lambda zone: local_time(start, zone).utcoffset() or timedelta(0))
    return [ZoneTime(zone, when(start, zone, language), tuple(by_zone[zone])) for zone in ordered]


def answer_counts(partstats: Sequence[str]) -> dict[str, int]:
    """How many invitees accepted, said tentative, declined, or have not answered."""
    counted = Counter(PartStat(value) for value in partstats)
    return {status.value: counted.get(status, 0) for status in PartStat}


ANSWERS = list(Answer)


def answer_label(partstat: str) -> str:
    return {
        PartStat.needs_action: N_("Not answered"),
        PartStat.accepted: N_("Accepted"),
        PartStat.tentative: N_("Tentative"),
        PartStat.declined: N_("Declined"),
    }[PartStat(partstat)]


@dataclass(frozen=True)
class Subscribe:
    """One feed with the ways to subscribe to it."""

    label: str
    url: str
    webcal_url: str

    @property
    def google(self) -> str:
        return "https://calendar.google.com/calendar/render?" + urlencode({"cid": self.webcal_url})

    @property
    def outlook(self) -> str:
        return (
            "https://outlook.live.com/calendar/0/addfromweb?url="
            + quote(self.url, safe="")
            + "&name="
            + quote(self.label, safe="")
        )
