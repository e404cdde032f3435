"""Pure iCalendar builder: invites (RFC 5546 REQUEST/CANCEL) and feeds (RFC 7986), as bytes.

Plain frozen dataclasses in, CRLF-terminated, folded UTF-8 bytes out; no DB, no HTTP. Every rule
of docs/domain.md ("Calendar rules") is applied here so that callers cannot get it wrong:

- DTSTART/DTEND/RECURRENCE-ID/EXDATE carry the organiser's TZID (so a weekly series keeps its
  wall-clock time and BYDAY means the organiser's weekday) with one bounded VTIMEZONE per TZID;
  DTSTAMP/CREATED/LAST-MODIFIED and RRULE UNTIL are UTC. Nothing is floating.
- One VEVENT builder serves invites, cancellations and feeds; only what is included differs.
- User text is sanitised and left to icalendar to escape and fold, so it stays data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal, cast, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress, vText

from service.conferencing.details import DialIn, MeetingDetails, joining_text

__all__ = [
    "PRODID",
    "Attendee",
    "AttendeeRole",
    "EventData",
    "EventStatus",
    "Organizer",
    "ParticipationStatus",
    "build_cancel",
    "build_feed",
    "build_request",
]

PRODID = "-//ASEAN Pubs//VDO-Conference Service//EN"

AttendeeRole = Literal["CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT"]
ParticipationStatus = Literal["NEEDS-ACTION", "ACCEPTED", "TENTATIVE", "DECLINED"]
EventStatus = Literal["CONFIRMED", "CANCELLED", "TENTATIVE"]

# A series without UNTIL has no last date; its VTIMEZONE still has to stop somewhere (Outlook
# wants STANDARD/DAYLIGHT observances, not an RDATE per year for ever), so it covers this many
# years after the first occurrence.
OPEN_SERIES_TIMEZONE_YEARS = 5
# Nor does a VTIMEZONE reach further than this past the earliest time written, however late a
# rule's UNTIL (up to the year 9999): clients know the IANA zone named by TZID beyond it.
MAX_TIMEZONE_YEARS = 10

_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+")
# Everything str.splitlines() treats as a line end: parsers built on it would start a new
# content line there, so such characters become a TEXT newline (written as the escape "\n").
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# RFC 5545 section 3.3.11: TEXT excludes control characters other than HTAB.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# --- data in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Organizer:
    email: str
    name: str

    def __post_init__(self) -> None:
        _check_email(self.email)


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    role: AttendeeRole = "REQ-PARTICIPANT"
    partstat: ParticipationStatus = "NEEDS-ACTION"
    rsvp: bool = True

    def __post_init__(self) -> None:
        _check_email(self.email)
        _check_choice(self.role, AttendeeRole, "attendee role")
        _check_choice(self.partstat, ParticipationStatus, "participation status")


@dataclass(frozen=True, kw_only=True)
class EventData:
    """One VEVENT: a single session, a series master (rrule set) or an overridden occurrence
    (recurrence_id set, same uid as its master). All datetimes are aware; UTC is expected."""

    uid: str
    sequence: int
    title: str
    start_utc: datetime
    end_utc: datetime
    zone: str  # the organiser's IANA zone: DTSTART/DTEND are written in it
    organizer: Organizer
    created: datetime
    last_modified: datetime
    description: str = ""
    status: EventStatus = "CONFIRMED"
    attendees: tuple[Attendee, ...] = ()
    # What joiners need; the host link (moderator_url) is never written, whoever the invite is for.
    conference: MeetingDetails | None = None
    url: str | None = None  # the session page
    rrule: Mapping[str, object] | None = None  # as icalendar.vRecur takes it; UNTIL aware
    exdates: tuple[datetime, ...] = ()  # original starts of removed occurrences
    recurrence_id: datetime | None = None  # original start of the occurrence this overrides
    alarm_minutes: int | None = 15  # VALARM this long before the start, in invites only

    def __post_init__(self) -> None:
        if not self.uid or _CONTROL.search(self.uid) or _LINE_BREAK.search(self.uid):
            raise ValueError("a UID must be non-empty printable text")
        if self.sequence < 0:
            raise ValueError("SEQUENCE starts at 0 (RFC 5545 section 3.8.7.4)")
        for what, instant in (
            ("start", self.start_utc),
            ("end", self.end_utc),
            ("created", self.created),
            ("last_modified", self.last_modified),
            ("recurrence_id", self.recurrence_id),
            ("until", _rule_until(self.rrule)),
            *(("exdate", exdate) for exdate in self.exdates),
        ):
            if instant is not None:
                _check_aware(instant, what)
        if self.end_utc <= self.start_utc:
            raise ValueError("an event must end after it starts")
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {self.zone!r}") from error
        _check_choice(self.status, EventStatus, "event status")
        if self.url is not None:
            _check_web_url(self.url, "session page URL")
        if self.conference is not None:
            _check_web_url(self.conference.join_url, "join URL")
        if self.alarm_minutes is not None and self.alarm_minutes < 0:
            raise ValueError("alarm_minutes counts minutes before the start and cannot be negative")


def _check_email(email: str) -> None:
    if not _EMAIL.fullmatch(email):
        raise ValueError(f"{email!r} is not an email address")


def _check_choice(value: str, choices: object, what: str) -> None:
    allowed = get_args(choices)
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")


def _check_web_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if (
        parts.scheme not in ("https", "http")
        or not parts.netloc
        or re.search(r"[\s\x00-\x1f]", url)
    ):
        raise ValueError(f"{what} must be an absolute http(s) URL without spaces: {url!r}")


def _rule_until(rule: Mapping[str, object] | None) -> object:
    return next((value for key, value in (rule or {}).items() if key.upper() == "UNTIL"), None)


def _check_aware(value: object, what: str) -> None:
    # A naive datetime would be written as a floating time, which every client places in its own
    # zone: a session would happen at different instants for different delegates.
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, not {value!r}")


# --- public builders -------------------------------------------------------------------------


def build_request(
    master: EventData, overrides: Sequence[EventData] = (), *, personal_note: str = ""
) -> bytes:
    """An iMIP invite or update (METHOD:REQUEST, RFC 5546 section 3.2.2): the master VEVENT and
    each overridden occurrence as a VEVENT with the same UID and a RECURRENCE-ID.

    `personal_note` (e.g. the recipient's RSVP links) ends every DESCRIPTION."""
    if master.recurrence_id is not None:
        raise ValueError("the master of an invite cannot itself be an overridden occurrence")
    for override in overrides:
        if override.uid != master.uid or override.recurrence_id is None or master.rrule is None:
            raise ValueError(
                "an override must share its series master's UID and carry a recurrence_id"
            )
    events = (master, *overrides)
    stamp = datetime.now(UTC)
    vevents = [
        _vevent(event, stamp=stamp, attendees=True, alarm=True, personal_note=personal_note)
        for event in events
    ]
    return _serialised(_calendar(events, vevents, method="REQUEST"))


def build_cancel(master: EventData, *, occurrence_start_utc: datetime | None = None) -> bytes:
    """An iMIP cancellation (METHOD:CANCEL, RFC 5546 section 3.2.5) of the whole session or
    series, or with `occurrence_start_utc` (the occurrence's original start) of that occurrence.

    `master.sequence` must already be raised by the caller: it is written as given."""
    if master.recurrence_id is not None:
        raise ValueError("cancel through the series master and occurrence_start_utc")
    cancelled = replace(master, status="CANCELLED")
    if occurrence_start_utc is not None:
        if master.rrule is None:
            raise ValueError("occurrence_start_utc only applies to a recurring series")
        _check_aware(occurrence_start_utc, "occurrence_start_utc")
        cancelled = replace(
            cancelled,
            start_utc=occurrence_start_utc,
            end_utc=occurrence_start_utc + (master.end_utc - master.start_utc),
            recurrence_id=occurrence_start_utc,
            rrule=None,
            exdates=(),
        )
    vevent = _vevent(cancelled, stamp=datetime.now(UTC), attendees=True, alarm=False)
    return _serialised(_calendar((cancelled,), [vevent], method="CANCEL"))


def build_feed(
    name: str, events: Sequence[EventData], *, refresh: timedelta, description: str = ""
) -> bytes:
    """A subscription feed (RFC 7986): no METHOD, no ATTENDEE, no VALARM; cancelled events stay
    in it with STATUS:CANCELLED so subscribed clients remove them rather than keep stale copies.

    `events` holds series masters, single sessions and overridden occurrences alike."""
    vevents = [
        # Without METHOD, DTSTAMP is when the information was last revised (RFC 5545 section
        # 3.8.7.2); it also keeps the feed's bytes unchanged until something changes.
        _vevent(event, stamp=event.last_modified, attendees=False, alarm=False)
        for event in events
    ]
    calendar = _calendar(events, vevents, method=None)
    # NAME/DESCRIPTION are RFC 7986; Google and Apple read X-WR-CALNAME/X-WR-CALDESC. Added as
    # vText explicitly: icalendar's calendar_name/description setters write the X- copies
    # unescaped, so a newline in a name would start a new content line.
    named = {"NAME": name, "X-WR-CALNAME": name}
    if description:
        named |= {"DESCRIPTION": description, "X-WR-CALDESC": description}
    for property_name, text in named.items():
        calendar.add(property_name, vText(_text(text)))
    interval = _duration_in_time_units(refresh)
    # icalendar's refresh_interval omits VALUE=DURATION, which RFC 7986 section 5.7 requires, and
    # writes whole days as "P1D"; feeds use the "PT..." form for both.
    calendar.add("REFRESH-INTERVAL", vText(interval), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vText(interval))
    if events:
        calendar.add("LAST-MODIFIED", max(event.last_modified for event in events).astimezone(UTC))
    return _serialised(calendar)


# --- shared rendering ------------------------------------------------------------------------


def _serialised(calendar: Calendar) -> bytes:
    # icalendar leaves to_ical unannotated; it returns the calendar's bytes.
    return cast("bytes", calendar.to_ical())


def _vevent(
    event: EventData, *, stamp: datetime, attendees: bool, alarm: bool, personal_note: str = ""
) -> Event:
    """The one VEVENT builder: invites add attendees and an alarm, cancellations attendees
    only, feeds neither."""
    zone = ZoneInfo(event.zone)
    vevent = Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", stamp.astimezone(UTC))
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("CREATED", event.created.astimezone(UTC))
    vevent.add("LAST-MODIFIED", event.last_modified.astimezone(UTC))
    vevent.add("DTSTART", event.start_utc.astimezone(zone))
    vevent.add("DTEND", event.end_utc.astimezone(zone))
    if event.recurrence_id is not None:
        # RFC 5545 section 3.8.4.4: same value type as DTSTART; the same TZID too, so that
        # clients comparing the written values match the occurrence.
        vevent.add("RECURRENCE-ID", event.recurrence_id.astimezone(zone))
    if event.rrule is not None:
        vevent.add("RRULE", _utc_rrule(event.rrule))
    if event.exdates:
        vevent.add("EXDATE", [exdate.astimezone(zone) for exdate in sorted(event.exdates)])
    vevent.add("STATUS", event.status)
    vevent.add("SUMMARY", _text(event.title))
    vevent.add(
        "ORGANIZER", vCalAddress.new(event.organizer.email, cn=_param_text(event.organizer.name))
    )
    if attendees:
        for attendee in event.attendees:
            vevent.add(
                "ATTENDEE",
                vCalAddress.new(
                    attendee.email,
                    cn=_param_text(attendee.name),
                    role=attendee.role,
                    partstat=attendee.partstat,
                    rsvp=attendee.rsvp,
                ),
            )
    if event.conference is not None:
        _add_conference(vevent, event.conference)
    if event.url is not None:
        vevent.add("URL", event.url)
    description = _description(event, personal_note)
    if description:
        vevent.add("DESCRIPTION", description)
    if alarm and event.alarm_minutes is not None:
        vevent.add_component(_display_alarm(event.title, event.alarm_minutes))
    return vevent


def _add_conference(vevent: Event, conference: MeetingDetails) -> None:
    # Outlook, Apple Calendar and Thunderbird ignore CONFERENCE (RFC 7986 section 5.11), so the
    # join URL is also the LOCATION and everything is repeated in DESCRIPTION.
    vevent.add("LOCATION", conference.join_url)
    vevent.add(
        "CONFERENCE",
        conference.join_url,
        parameters={
            "VALUE": "URI",
            # A list, not "VIDEO,AUDIO": icalendar would quote that string into a single value
            # (its type hint says str, but it takes lists).
            "FEATURE": ["VIDEO", "AUDIO", "SCREEN"],  # type: ignore[dict-item]
            "LABEL": _param_text(f"Video conference, meeting ID {conference.meeting_id}"),
        },
    )
    for dial_in in conference.dial_ins:
        vevent.add(
            "CONFERENCE",
            _tel_uri(dial_in),
            parameters={"VALUE": "URI", "FEATURE": ["PHONE"], "LABEL": _param_text(dial_in.label)},  # type: ignore[dict-item]
        )


def _tel_uri(dial_in: DialIn) -> str:
    if dial_in.pin is None:
        return f"tel:{dial_in.number}"
    # Commas are the dialler pause of RFC 7986's own example; a bare "#" would start a URI
    # fragment (RFC 3986 section 3.5) and be cut off by URI parsers, so it is percent-encoded.
    return f"tel:{dial_in.number},,{dial_in.pin}%23"


def _description(event: EventData, personal_note: str) -> str:
    blocks = [event.description]
    if event.conference is not None:
        blocks.append(joining_text(event.conference))
    if event.url is not None:
        blocks.append(f"Session page: {event.url}")
    blocks.append(personal_note)
    return _text("\n\n".join(block.strip() for block in blocks if block.strip()))


def _display_alarm(title: str, minutes_before: int) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", _text(title))  # required for DISPLAY (RFC 5545 section 3.6.6)
    alarm.add("TRIGGER", -timedelta(minutes=minutes_before))
    return alarm


def _utc_rrule(rule: Mapping[str, object]) -> dict[str, object]:
    # RFC 5545 section 3.3.10: with a TZID'd DTSTART, UNTIL must be UTC; icalendar would write an
    # aware local UNTIL without "Z" (a floating time), so convert it here.
    normalised = {key.upper(): value for key, value in rule.items()}
    until = normalised.get("UNTIL")
    if isinstance(until, datetime):
        normalised["UNTIL"] = until.astimezone(UTC)
    return normalised


def _calendar(
    events: Sequence[EventData], vevents: Sequence[Event], *, method: str | None
) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    if method is not None:
        calendar.add("METHOD", method)
    for vevent in vevents:
        calendar.add_component(vevent)
    # Sorted (not add_missing_timezones' set order) so equal input gives equal bytes, and put
    # first because some parsers (vobject, for one) only use VTIMEZONEs they have already read.
    tzids = sorted(calendar.get_missing_tzids())
    if tzids:
        first_date, last_date = _timezone_range(events)
        calendar.subcomponents[0:0] = [
            Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date) for tzid in tzids
        ]
    return calendar


def _timezone_range(events: Sequence[EventData]) -> tuple[date, date]:
    """Whole years covering every local time written, so each VTIMEZONE is a few observances."""
    years: list[int] = []
    for event in events:
        zone = ZoneInfo(event.zone)
        instants = [event.start_utc, event.end_utc, *event.exdates]
        if event.recurrence_id is not None:
            instants.append(event.recurrence_id)
        if event.rrule is not None:
            until = _utc_rrule(event.rrule).get("UNTIL")
            if isinstance(until, datetime):
                instants.append(until)
            else:
                years.append(event.start_utc.astimezone(zone).year + OPEN_SERIES_TIMEZONE_YEARS)
        years.extend(_local_year(instant, zone) for instant in instants)
    first = min(years)
    return date(first, 1, 1), date(min(max(years), first + MAX_TIMEZONE_YEARS) + 1, 1, 1)


def _local_year(instant: datetime, zone: ZoneInfo) -> int:
    try:
        return instant.astimezone(zone).year
    except OverflowError:  # an UNTIL at the end of the year 9999, in a zone ahead of UTC
        return instant.year


def _duration_in_time_units(duration: timedelta) -> str:
    """`duration` as "PT<h>H<m>M<s>S" (zero parts left out), the form X-PUBLISHED-TTL needs."""
    if duration <= timedelta(0) or duration % timedelta(seconds=1):
        raise ValueError("a refresh interval must be a positive whole number of seconds")
    hours, remainder = divmod(int(duration.total_seconds()), 3600)
    minutes, seconds = divmod(remainder, 60)
    units = ((hours, "H"), (minutes, "M"), (seconds, "S"))
    return "PT" + "".join(f"{amount}{unit}" for amount, unit in units if amount)


def _text(value: str) -> str:
    """User text made safe for a TEXT value; icalendar then escapes it and folds the line."""
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", value))


def _param_text(value: str) -> str:
    """User text for a parameter value (CN, LABEL): one line, no DQUOTE.

    RFC 5545 forbids DQUOTE in parameter values; icalendar would use RFC 6868 "^'" and "^n",
    which Outlook and vobject show literally, so a readable substitute is written instead."""
    return " ".join(_text(value).split()).replace('"', "'")
