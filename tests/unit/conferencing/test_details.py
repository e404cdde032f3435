"""MeetingDetails storage form and the readable joining block."""

from __future__ import annotations

import json

import pytest

from service.conferencing.providers import DialIn, MeetingDetails, render_instructions

DETAILS = MeetingDetails(
    provider="manual",
    join_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting",
    meeting_id="123 456 789 0",
    passcode="Xy7pQ2",
    dial_ins=(
        DialIn("TH", "+6621234567", "123456", "Thailand", "+66 2 123 4567"),
        DialIn("SG", "+6561234567", None, "Singapore (toll-free)"),
    ),
    instructions="stored block",
    moderator_url=None,
)


def test_json_round_trip_through_text() -> None:
    stored = json.dumps(DETAILS.to_json())
    assert MeetingDetails.from_json(json.loads(stored)) == DETAILS


def test_instructions_list_every_way_in() -> None:
    assert render_instructions(DETAILS) == (
        "Join online: https://teams.microsoft.com/l/meetup-join/19%3ameeting\n"
        "Meeting ID: 123 456 789 0\n"
        "Passcode: Xy7pQ2\n"
        "\n"
        "Join by phone:\n"
        "Thailand: +66 2 123 4567, PIN 123 456#\n"
        "Singapore (toll-free): +6561234567"
    )


def test_instructions_leave_out_what_is_unknown() -> None:
    bare = MeetingDetails("jitsi", "https://meet.example.org/room", "room", None, (), "")
    assert render_instructions(bare) == (
        "Join online: https://meet.example.org/room\nMeeting ID: room"
    )


@pytest.mark.parametrize(
    ("number", "formatted", "pin", "reason"),
    [
        ("0212345678", None, None, "is not in E.164 form"),
        ("+6621234567", "+66 2 999 9999", None, "is not the same number as"),
        ("+6621234567", None, "12a", "must be digits only"),
    ],
)
def test_dial_in_refuses_inconsistent_values(
    number: str, formatted: str | None, pin: str | None, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        DialIn("TH", number, pin, "Thailand", formatted)
