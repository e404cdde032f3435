"""Helpers for the iCalendar builder tests: example data and a two-parser check of every output.

Every ICS a test produces goes through `parse_ics`, which asserts the wire format (CRLF, folded
lines of at most 75 octets, no floating times, one VTIMEZONE per TZID) and parses it with two
independent parsers: icalendar (+ recurring-ical-events for expansion) and vobject (validating).
icalendar resolves a TZID by its IANA name while vobject is made to use the VTIMEZONE written in
the file, so agreement between them also checks the VTIMEZONEs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
import vobject.icalendar

from service.calendar.ics import Attendee, EventData, Organizer
from service.conferencing.details import DialIn, MeetingDetails

ORGANIZER = Organizer("secretariat@opdc.go.th", "OPDC Secretariat")
ATTENDEES = (
    Attendee("chair@opdc.go.th", "Chair, OPDC", "CHAIR", "ACCEPTED"),
    Attendee("delegate@mof.gov.bn", "Delegate Brunei", "REQ-PARTICIPANT", "NEEDS-ACTION"),
    Attendee("observer@adb.org", "Observer ADB", "OPT-PARTICIPANT", "TENTATIVE"),
)
CONFERENCE = MeetingDetails(
    provider="manual",
    join_url="https://vdo.aseanpubs.example/j/81234567890",
    meeting_id="812 3456 7890",
    passcode="270419",
    dial_ins=(
        DialIn("TH", "+6621234567", "81234567890", "Thailand (Bangkok)"),
        DialIn("SG", "+6531234567", "81234567890", "Singapore"),
    ),
    notes="Please join 10 minutes early; mute when not speaking.",
)
CREATED = datetime(2025, 12, 1, 3, 0, tzinfo=UTC)


def _local(zone: str, *args: int) -> datetime:
    """An aware UTC instant from a wall-clock time in `zone` (zoneinfo resolves it correctly)."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def make_event(**changes: Any) -> EventData:
    """A one-hour session at 14:00 Bangkok on Thursday 8 January 2026, with all the trimmings."""
    fields: dict[str, Any] = {
        "uid": "session-42@vdo.aseanpubs.example",
        "sequence": 0,
        "title": "ASEAN Pubs monthly VDO-conference",
        "description": "Agenda: 1. Adoption of the minutes. 2. Digital government roadmap.",
        "start_utc": _local("Asia/Bangkok", 2026, 1, 8, 14, 0),
        "end_utc": _local("Asia/Bangkok", 2026, 1, 8, 15, 0),
        "zone": "Asia/Bangkok",
        "organizer": ORGANIZER,
        "attendees": ATTENDEES,
        "conference": CONFERENCE,
        "url": "https://vdo.aseanpubs.example/sessions/42",
        "created": CREATED,
        "last_modified": CREATED + timedelta(days=1),
    }
    fields.update(changes)
    return EventData(**fields)


@dataclass(frozen=True)
class ParsedIcs:
    raw: bytes
    icalendar: icalendar.Calendar
    vobject: Any  # vobject's VCALENDAR component (untyped library)

    def vevents(self) -> list[icalendar.Event]:
        return self.icalendar.walk("VEVENT")

    def property_names(self) -> tuple[list[str], list[str]]:
        """Every property name in the object, sorted, as (icalendar, vobject) see them."""
        return sorted(name for name, _ in self.icalendar.property_items()), sorted(
            _vobject_property_names(self.vobject)
        )

    def count(self, name: str) -> tuple[int, int]:
        """How often property `name` occurs, as (icalendar, vobject) count it."""
        by_icalendar, by_vobject = self.property_names()
        return by_icalendar.count(name.upper()), by_vobject.count(name.upper())

    def instants(self, start: datetime, end: datetime) -> tuple[list[datetime], list[datetime]]:
        """Occurrence starts in [start, end) as UTC, computed by each parser independently."""
        by_icalendar = sorted(
            occurrence.start.astimezone(UTC)
            for occurrence in recurring_ical_events.of(self.icalendar).between(start, end)
        )
        # vobject expands each master on its own; apply overridden occurrences (same UID,
        # RECURRENCE-ID) by hand, as RFC 5545 section 3.8.4.4 describes.
        vevents = self.vobject.contents.get("vevent", [])
        overrides = [vevent for vevent in vevents if "recurrence-id" in vevent.contents]
        replaced = {
            (vevent.uid.value, vevent.recurrence_id.value.astimezone(UTC)) for vevent in overrides
        }
        by_vobject = [vevent.dtstart.value.astimezone(UTC) for vevent in overrides]
        for master in vevents:
            if "recurrence-id" in master.contents:
                continue
            for occurrence in master.getrruleset(addRDate=True) or [master.dtstart.value]:
                if (master.uid.value, occurrence.astimezone(UTC)) not in replaced:
                    by_vobject.append(occurrence.astimezone(UTC))
        by_vobject = [occurrence for occurrence in by_vobject if start <= occurrence < end]
        return by_icalendar, sorted(by_vobject)


def _vobject_property_names(component: Any) -> list[str]:
    names: list[str] = []
    for children in component.contents.values():
        for child in children:
            if isinstance(child, vobject.base.Component):
                names.extend(_vobject_property_names(child))
            else:
                names.append(child.name.upper())
    return names


_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "DTSTAMP", "CREATED")


def parse_ics(raw: bytes) -> ParsedIcs:
    assert raw.endswith(b"\r\n")
    physical_lines = raw.split(b"\r\n")[:-1]
    for line in physical_lines:
        assert b"\r" not in line, f"bare CR in {line!r}"
        assert b"\n" not in line, f"bare LF in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")  # folding must not split a multi-octet character
        assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), f"control character: {line!r}"

    parsed_by_icalendar = icalendar.Calendar.from_ical(raw)
    _assert_no_floating_times(parsed_by_icalendar)
    tzids = [tz["TZID"] for tz in parsed_by_icalendar.walk("VTIMEZONE")]
    assert len(tzids) == len(set(tzids)), f"duplicate VTIMEZONE in {tzids}"
    assert parsed_by_icalendar.get_used_tzids() == set(tzids)

    text = raw.decode("utf-8")
    # vobject keeps a process-wide TZID -> tzinfo map and only fills it once; register this
    # file's VTIMEZONEs (and re-read) so that its times are computed from them, not a stale one.
    (first_read,) = vobject.readComponents(text, validate=True)
    for vtimezone in first_read.contents.get("vtimezone", []):
        vobject.icalendar.registerTzid(vtimezone.tzid.value, vtimezone.gettzinfo())
    (parsed_by_vobject,) = vobject.readComponents(text, validate=True)
    return ParsedIcs(raw, parsed_by_icalendar, parsed_by_vobject)


def _assert_no_floating_times(calendar: icalendar.Calendar) -> None:
    for vevent in calendar.walk("VEVENT"):
        for name in _TIME_PROPERTIES:
            values = vevent.get(name, [])
            for value in values if isinstance(values, list) else [values]:
                for moment in value.dts if hasattr(value, "dts") else [value]:
                    assert moment.dt.tzinfo is not None, f"floating {name} in {vevent['UID']}"
        rule = vevent.get("RRULE")
        for until in rule.get("UNTIL", []) if rule is not None else []:
            # RFC 5545 section 3.3.10: UTC when DTSTART has a TZID.
            assert until.tzinfo is not None
            assert until.utcoffset() == timedelta(0)


@pytest.fixture
def parse() -> Callable[[bytes], ParsedIcs]:
    return parse_ics


@pytest.fixture
def local() -> Callable[..., datetime]:
    return _local


@pytest.fixture
def event() -> Callable[..., EventData]:
    return make_event
