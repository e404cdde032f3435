"""Jitsi provider: room names, JWT tokens, and dial-in from FakeJitsiDialIn's HTTP APIs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from service.conferencing.details import joining_text
from service.conferencing.jitsi import JWT_VALID_AFTER_END, JitsiProvider, room_name_for
from service.conferencing.providers import (
    BridgeSettingsError,
    ProviderError,
    provider_for,
    validate_bridge_settings,
)
from tests.support.fake_jitsi import FakeJitsiDialIn, running_fake_jitsi

START = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
END = START + timedelta(hours=2)
JWT_SETTINGS = {
    "base_url": "https://meet.example.org",
    "jwt_app_id": "aseanpubs",
    "jwt_secret": "a-long-shared-secret-for-prosody-token-auth",
}


@pytest.fixture
def dial_in_api() -> Iterator[FakeJitsiDialIn]:
    with running_fake_jitsi() as server:
        yield server


def test_room_names_are_readable_unguessable_and_distinct() -> None:
    names = {room_name_for("ASEAN Pubs: Monthly Sync (March)") for _ in range(200)}

    assert len(names) == 200
    for name in names:
        slug, _, token = name.partition("-monthly-sync-march-")
        assert slug == "asean-pubs"
        # >= 128 bits even after Jitsi folds case: 32 symbols from a 38-letter alphabet.
        assert len(token) >= 32
        assert name == name.lower()


def test_titles_without_latin_letters_get_a_generic_slug() -> None:
    assert room_name_for("ประชุมประจำเดือน").startswith("session-")


def test_open_server_join_url_is_the_room_without_passcode() -> None:
    details = provider_for("jitsi", {"base_url": "https://meet.example.org/"}).create_meeting(
        "s-1", "Monthly sync", START, END, 50
    )

    assert details.join_url == f"https://meet.example.org/{details.meeting_id}"
    assert details.passcode is None
    assert details.dial_ins == ()
    assert details.moderator_url is None
    assert details.join_url in joining_text(details)


def test_jwt_is_scoped_to_the_room_and_expires_after_the_meeting() -> None:
    details = provider_for("jitsi", JWT_SETTINGS).create_meeting("s-2", "Sync", START, END, 50)

    url = urlsplit(details.join_url)
    assert url.path == f"/{details.meeting_id}"
    (token,) = parse_qs(url.query)["jwt"]
    claims = jwt.decode(
        token,
        JWT_SETTINGS["jwt_secret"],
        algorithms=["HS256"],
        audience="jitsi",
        issuer="aseanpubs",
        options={"verify_exp": False},
    )
    assert claims["room"] == details.meeting_id
    assert claims["sub"] == "meet.example.org"
    assert claims["exp"] == int((END + JWT_VALID_AFTER_END).timestamp())
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token,
            "a-different-secret-of-the-same-length-as-it",
            algorithms=["HS256"],
            audience="jitsi",
        )


def test_dial_in_numbers_and_pin_come_from_the_jitsi_apis(dial_in_api: FakeJitsiDialIn) -> None:
    provider = provider_for("jitsi", dial_in_api.bridge_settings())
    assert isinstance(provider, JitsiProvider)

    details = provider.create_meeting("s-3", "Sync", START, END, 50)

    conference = f"{details.meeting_id}@conference.meet.example.org"
    pin = str(dial_in_api.pins[conference])
    assert [(d.country_code, d.number, d.pin, d.label) for d in details.dial_ins] == [
        ("TH", "+6621234567", pin, "Thailand"),
        ("SG", "+6561234567", pin, "Singapore (toll-free)"),
    ]
    assert {r.params["conference"] for r in dial_in_api.requests} == {conference}
    assert f"Thailand: +66 2 123 4567, PIN {pin[:3]} {pin[3:6]} {pin[6:]}#" in joining_text(details)


def test_legacy_numbers_format_is_understood(dial_in_api: FakeJitsiDialIn) -> None:
    dial_in_api.legacy_format = True

    details = provider_for("jitsi", dial_in_api.bridge_settings()).create_meeting(
        "s-4", "Sync", START, END, 50
    )

    assert [d.number for d in details.dial_ins] == ["+6621234567", "+6561234567"]


def test_numbers_that_are_not_international_are_left_out() -> None:
    numbers = (
        {"countryCode": "TH", "tollFree": False, "formattedNumber": "02 123 4567"},
        {"countryCode": "PH", "tollFree": False, "formattedNumber": "+63 2 8123 4567"},
    )
    with running_fake_jitsi(numbers=numbers) as api:
        details = provider_for("jitsi", api.bridge_settings()).create_meeting(
            "s-5", "Sync", START, END, 50
        )

    assert [(d.country_code, d.label) for d in details.dial_ins] == [("PH", "Philippines")]


def test_unreachable_dial_in_api_is_a_provider_error() -> None:
    with running_fake_jitsi() as api:
        settings = api.bridge_settings()
    provider = provider_for("jitsi", settings)

    with pytest.raises(
        ProviderError, match=r"^Jitsi at http://127\.0\.0\.1:\d+ could not be reached"
    ):
        provider.create_meeting("s-6", "Sync", START, END, 50)


def test_slow_dial_in_api_times_out(dial_in_api: FakeJitsiDialIn) -> None:
    dial_in_api.delay_seconds = 1.0
    provider = provider_for("jitsi", dial_in_api.bridge_settings(timeout_seconds=0.2))

    with pytest.raises(ProviderError, match=r"did not answer within 0\.2 s"):
        provider.create_meeting("s-7", "Sync", START, END, 50)


def test_mapper_answer_without_pin_is_a_provider_error(dial_in_api: FakeJitsiDialIn) -> None:
    settings = dial_in_api.bridge_settings(conference_mapper_url=dial_in_api.numbers_url)

    with pytest.raises(ProviderError, match="no numeric PIN"):
        provider_for("jitsi", settings).create_meeting("s-8", "Sync", START, END, 50)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({}, "base_url"),
        ({"base_url": "meet.example.org"}, "base_url"),
        ({"base_url": "http://meet.example.org"}, "base_url"),
        ({"base_url": "https://meet.example.org", "jwt_app_id": "app"}, "jwt_secret"),
        (
            {"base_url": "https://meet.example.org", "dial_in_numbers_url": "https://a.example/n"},
            "conference_mapper_url",
        ),
    ],
)
def test_bad_settings_name_the_field(settings: dict, field: str) -> None:
    with pytest.raises(BridgeSettingsError) as caught:
        validate_bridge_settings("jitsi", settings)
    assert caught.value.field == field
