"""User text is data: no title, description, name or label can add a property or a component."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from service.calendar.ics import Attendee, Organizer, build_cancel, build_feed, build_request
from service.conferencing.details import DialIn

INJECTED = "ATTENDEE;RSVP=TRUE:mailto:x@example.org"
# CRLF, bare CR and LF, and what str.splitlines() also splits on (VT, FF, FS, NEL, LS, PS).
LINE_BREAKS = ["\r\n", "\r", "\n", "\v", "\f", "\x1c", "\x85", "\u2028", "\u2029"]
BUILDERS = {
    "request": lambda event: build_request(event),
    "cancel": lambda event: build_cancel(event),
    "feed": lambda event: build_feed("Feed", [event], refresh=timedelta(hours=1)),
}


def _hostile(event, line_break: str):
    attack = f"{line_break}{INJECTED}{line_break}END:VEVENT{line_break}BEGIN:VEVENT"
    conference = event().conference
    return event(
        title=f"Weekly{attack}",
        description=f"Agenda{attack}\x00\x07",
        organizer=Organizer("secretariat@opdc.go.th", f'OPDC"{attack}'),
        attendees=(Attendee("chair@opdc.go.th", f'Chair "{attack}"', "CHAIR"),),
        conference=replace(
            conference,
            meeting_id=f"812{attack}",
            notes=f"Mute{attack}",
            dial_ins=(DialIn("TH", "+6621234567", "1234", f"Thailand{attack}"),),
        ),
    )


def _benign(event):
    conference = event().conference
    return event(
        attendees=(Attendee("chair@opdc.go.th", "Chair", "CHAIR"),),
        conference=replace(conference, dial_ins=conference.dial_ins[:1]),
    )


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=repr)
@pytest.mark.parametrize("builder", BUILDERS.values(), ids=BUILDERS.keys())
def test_line_breaks_in_user_text_add_no_property(event, parse, builder, line_break):
    hostile = parse(builder(_hostile(event, line_break)))
    benign = parse(builder(_benign(event)))

    assert hostile.property_names() == benign.property_names()
    expected_attendees = 0 if builder is BUILDERS["feed"] else 1
    assert hostile.count("ATTENDEE") == (expected_attendees, expected_attendees)
    assert len(hostile.vevents()) == 1
    assert len(hostile.vobject.contents["vevent"]) == 1
    (vevent,) = hostile.vevents()
    # The text survives as data, its line break as a TEXT newline.
    assert str(vevent["SUMMARY"]) == f"Weekly\n{INJECTED}\nEND:VEVENT\nBEGIN:VEVENT"
    assert hostile.vobject.vevent.summary.value == str(vevent["SUMMARY"])
    assert "\x00" not in str(vevent["DESCRIPTION"])


def test_names_stay_one_parameter_value(event, parse):
    parsed = parse(build_request(_hostile(event, "\r\n")))

    (vevent,) = parsed.vevents()
    (attendee,) = [vevent["ATTENDEE"]]
    assert attendee == "mailto:chair@opdc.go.th"
    assert attendee.params["CN"] == f"Chair ' {INJECTED} END:VEVENT BEGIN:VEVENT'"
    assert parsed.vobject.vevent.attendee.params["CN"] == [attendee.params["CN"]]


def test_feed_name_and_description_stay_data(event, parse):
    attack = f"\r\n{INJECTED}\r\nMETHOD:REQUEST"
    parsed = parse(
        build_feed(f"Feed{attack}", [event()], refresh=timedelta(hours=1), description=attack)
    )

    assert "METHOD" not in parsed.icalendar
    assert parsed.count("ATTENDEE") == (0, 0)
    escaped = r"\nATTENDEE\;RSVP=TRUE:mailto:x@example.org\nMETHOD:REQUEST"
    unfolded = parsed.raw.decode().replace("\r\n ", "").split("\r\n")
    for line in ("NAME:Feed", "X-WR-CALNAME:Feed", "DESCRIPTION:", "X-WR-CALDESC:"):
        assert line + escaped in unfolded


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda event: Organizer("secretariat@opdc.go.th\r\nATTENDEE:mailto:x@example.org", "S"),
            "is not an email address",
        ),
        (lambda event: Attendee("a@example.org\nX-INJECTED:1", "A"), "is not an email address"),
        (lambda event: Attendee("not an address", "A"), "is not an email address"),
        (
            lambda event: event(url="https://vdo.aseanpubs.example/s/1\r\nX-INJECTED:1"),
            "session page URL must be an absolute http",
        ),
        (lambda event: event(url="javascript:alert(1)"), "session page URL must be an absolute"),
        (
            lambda event: event(
                conference=replace(event().conference, join_url="https://x.example/\nX-INJECTED:1")
            ),
            "join URL must be an absolute http",
        ),
        (lambda event: DialIn("TH", "+66 2 123 4567", None, "Thailand"), "is not in E.164"),
        (lambda event: DialIn("TH", "+6621234567", "12#34", "Thailand"), "must be digits only"),
        (lambda event: event(uid="session-42\r\nX-INJECTED:1"), "UID must be non-empty printable"),
        (lambda event: Attendee("a@example.org", "A", role="ORGANIZER"), "role must be one of"),
        (lambda event: event(status="DONE"), "status must be one of"),
    ],
)
def test_values_that_are_not_text_are_validated(event, make, reason):
    with pytest.raises(ValueError, match=reason):
        make(event)
