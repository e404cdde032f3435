"""Manual bridges: staff-entered Zoom/Teams/Webex details, checked and handed back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.conferencing.details import joining_text
from service.conferencing.providers import (
    BridgeSettingsError,
    DialIn,
    provider_for,
    validate_bridge_settings,
)

START = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
ZOOM = {
    "join_url": "https://us02web.zoom.us/j/81234567890?pwd=abc",
    "meeting_id": "812 3456 7890",
    "passcode": "482913",
    "dial_ins": [
        {"country_code": "th", "number": "+66 2 016 6700", "pin": "812 3456 7890#"},
        {"country_code": "US", "number": "+1 646 558 8656", "label": "United States"},
    ],
    "instructions": "Please join five minutes early to check your audio.",
}


def test_create_meeting_returns_the_staff_entered_details() -> None:
    details = provider_for("manual", ZOOM).create_meeting("s-1", "Sync", START, END, 100)

    assert details.provider == "manual"
    assert details.join_url == ZOOM["join_url"]
    assert details.meeting_id == "812 3456 7890"
    assert details.passcode == "482913"
    assert details.dial_ins == (
        DialIn("TH", "+6620166700", "81234567890", "Thailand", "+66 2 016 6700"),
        DialIn("US", "+16465588656", None, "United States", "+1 646 558 8656"),
    )
    assert details.notes == "Please join five minutes early to check your audio."
    assert "Passcode: 482913" in joining_text(details)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"join_url": "zoom.us/j/812"}, "join_url"),
        ({"join_url": "http://zoom.us/j/812"}, "join_url"),
        ({"join_url": ""}, "join_url"),
        ({"meeting_id": None}, "meeting_id"),
        ({"dial_ins": [{"country_code": "TH", "number": "02 016 6700"}]}, "dial_ins[0].number"),
        ({"dial_ins": [{"country_code": "TH", "number": "+66 20"}]}, "dial_ins[0].number"),
        (
            {"dial_ins": [{"country_code": "TH", "number": "+66 2 016 6700 1234 5678"}]},
            "dial_ins[0].number",
        ),
        (
            {"dial_ins": [{"country_code": "THA", "number": "+66 2 016 6700"}]},
            "dial_ins[0].country_code",
        ),
        (
            {"dial_ins": [{"country_code": "TH", "number": "+6620166700", "pn": "1"}]},
            "dial_ins[0].pn",
        ),
        (
            {"dial_ins": [{"country_code": "TH", "number": "+6620166700", "pin": "#"}]},
            "dial_ins[0].pin",
        ),
        ({"dial_ins": "+6620166700"}, "dial_ins"),
    ],
)
def test_bad_settings_name_the_field(change: dict, field: str) -> None:
    with pytest.raises(BridgeSettingsError) as caught:
        validate_bridge_settings("manual", {**ZOOM, **change})
    assert caught.value.field == field


def test_unknown_bridge_kind_is_refused() -> None:
    with pytest.raises(BridgeSettingsError, match="jitsi, bigbluebutton, manual"):
        validate_bridge_settings("skype", {})


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        provider_for("manual", ZOOM).create_meeting(
            "s-2", "Sync", START.replace(tzinfo=None), END, 10
        )


def test_stored_settings_validate_again_unchanged() -> None:
    # Bookings validate the bridge's stored (already normalised) settings once more.
    stored = validate_bridge_settings("manual", ZOOM)
    assert validate_bridge_settings("manual", stored) == stored
