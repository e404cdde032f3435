"""MeetingDetails storage form and the readable joining block (one template, text and HTML)."""

from __future__ import annotations

import json

import pytest

from service.conferencing.details import joining_html
from service.conferencing.providers import DialIn, MeetingDetails, joining_text

DETAILS = MeetingDetails(
    provider="manual",
    join_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting",
    meeting_id="123 456 789 0",
    passcode="Xy7pQ2",
    dial_ins=(
        DialIn("TH", "+6621234567", "123456", "Thailand", "+66 2 123 4567"),
        DialIn("SG", "+6561234567", None, "Singapore (toll-free)"),
    ),
    notes="Please mute on entry.",
    moderator_url="https://teams.microsoft.com/host-link",
)


def test_json_round_trip_through_text() -> None:
    stored = json.dumps(DETAILS.to_json())
    assert MeetingDetails.from_json(json.loads(stored)) == DETAILS


def test_only_the_notes_are_stored_as_text() -> None:
    stored = DETAILS.to_json()
    assert stored["notes"] == "Please mute on entry."
    assert "instructions" not in stored
    assert "Join online" not in json.dumps(stored)


def test_the_text_block_lists_every_way_in_then_the_notes() -> None:
    assert joining_text(DETAILS) == (
        "Join online: https://teams.microsoft.com/l/meetup-join/19%3ameeting\n"
        "Meeting ID: 123 456 789 0\n"
        "Passcode: Xy7pQ2\n"
        "\n"
        "Join by phone:\n"
        "Thailand: +66 2 123 4567, PIN 123 456#\n"
        "Singapore (toll-free): +6561234567\n"
        "\n"
        "Please mute on entry."
    )


def test_the_block_leaves_out_what_is_unknown() -> None:
    bare = MeetingDetails("jitsi", "https://meet.example.org/room", "room", None, ())
    assert joining_text(bare) == ("Join online: https://meet.example.org/room\nMeeting ID: room")


def test_the_html_block_says_the_same_escaped_and_never_the_host_link() -> None:
    hostile = MeetingDetails(
        "manual", "https://x.example/j?a=1&b=2", "1", None, (), notes="<script>x</script>"
    )
    html = joining_html(hostile)
    assert 'href="https://x.example/j?a=1&amp;b=2"' in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    full = joining_html(DETAILS)
    assert 'href="tel:+6621234567"' in full
    assert "PIN 123 456#" in full
    assert "Please mute on entry." in full
    assert "host-link" not in full + joining_text(DETAILS)


@pytest.mark.parametrize(
    ("number", "formatted", "pin", "reason"),
    [
        ("0212345678", None, None, "is not in E.164 form"),
        ("+6621234567", "+66 2 999 9999", None, "is not the same number as"),
        ("+6621234567", None, "12a", "must be digits only"),
        ("+6621234567", None, "12\u00b2", "must be digits only"),
    ],
)
def test_dial_in_refuses_inconsistent_values(
    number: str, formatted: str | None, pin: str | None, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        DialIn("TH", number, pin, "Thailand", formatted)
