"""BigBlueButton provider against FakeBigBlueButton, a real HTTP server that checks checksums."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from service.conferencing.bigbluebutton import BigBlueButtonProvider
from service.conferencing.details import joining_text
from service.conferencing.providers import (
    BridgeSettingsError,
    ProviderError,
    provider_for,
    validate_bridge_settings,
)
from tests.support.fake_bbb import FakeBigBlueButton, running_fake_bbb

START = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


@pytest.fixture
def bbb() -> Iterator[FakeBigBlueButton]:
    with running_fake_bbb(dial_number="+66 2 555 0100") as server:
        yield server


def make_provider(settings: dict) -> BigBlueButtonProvider:
    provider = provider_for("bigbluebutton", settings)
    assert isinstance(provider, BigBlueButtonProvider)
    return provider


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_create_join_end_round_trip_passes_the_servers_checksum_checks(
    bbb: FakeBigBlueButton, algorithm: str
) -> None:
    provider = make_provider(bbb.bridge_settings(checksum_algorithm=algorithm))

    details = provider.create_meeting("session-42", "ASEAN Pubs monthly sync", START, END, 60)

    meeting = bbb.meetings["session-42"]
    assert meeting.name == "ASEAN Pubs monthly sync"
    assert meeting.max_participants == 60
    assert details.provider == "bigbluebutton"
    assert details.meeting_id == "session-42"
    assert details.passcode is None

    personal = provider.join_url_for(details, "Somchai Jaidee", moderator=False)
    joined = httpx.get(personal, follow_redirects=False)
    assert joined.status_code == 302, joined.text
    assert "/html5client/join?sessionToken=" in joined.headers["location"]
    assert httpx.get(details.moderator_url or "").status_code == 302
    assert meeting.attendees == [("Somchai Jaidee", "VIEWER"), ("Host", "MODERATOR")]

    provider.end_meeting(details)
    assert bbb.ended == ["session-42"]
    info = httpx.get(provider.signed_url("getMeetingInfo", {"meetingID": "session-42"}))
    assert "<messageKey>notFound</messageKey>" in info.text


def test_shared_join_url_is_a_signed_viewer_link(bbb: FakeBigBlueButton) -> None:
    details = make_provider(bbb.bridge_settings()).create_meeting("s-1", "Sync", START, END, 10)

    assert httpx.get(details.join_url).status_code == 302
    assert bbb.meetings["s-1"].attendees == [("Guest", "VIEWER")]
    assert details.join_url in joining_text(details)


def test_dial_in_comes_from_the_create_answer(bbb: FakeBigBlueButton) -> None:
    provider = make_provider(bbb.bridge_settings(dial_in_country="th"))

    details = provider.create_meeting("s-dial", "Sync", START, END, 10)

    (dial_in,) = details.dial_ins
    assert dial_in.country_code == "TH"
    assert dial_in.number == "+6625550100"
    assert dial_in.pin == bbb.meetings["s-dial"].voice_bridge
    assert f"Thailand: +66 2 555 0100, PIN {dial_in.pin}#" in joining_text(details)


def test_no_dial_in_unless_the_bridge_names_its_country(bbb: FakeBigBlueButton) -> None:
    details = make_provider(bbb.bridge_settings()).create_meeting("s-2", "Sync", START, END, 10)
    assert details.dial_ins == ()


def test_placeholder_dial_number_is_refused_when_dial_in_is_configured() -> None:
    with running_fake_bbb(dial_number="613-555-1234") as bbb:
        provider = make_provider(bbb.bridge_settings(dial_in_country="TH"))
        with pytest.raises(ProviderError, match="613-555-1234"):
            provider.create_meeting("s-3", "Sync", START, END, 10)


def test_retried_create_finds_the_same_meeting(bbb: FakeBigBlueButton) -> None:
    provider = make_provider(bbb.bridge_settings())
    first = provider.create_meeting("s-retry", "Sync", START, END, 10)
    again = provider.create_meeting("s-retry", "Sync", START, END, 10)

    assert again.meeting_id == first.meeting_id
    assert list(bbb.meetings) == ["s-retry"]


def test_meeting_id_taken_by_someone_else_is_reported(bbb: FakeBigBlueButton) -> None:
    bbb_other_app = make_provider(bbb.bridge_settings())
    bbb_other_app._derived_password = lambda role, key: f"other-{role}"  # type: ignore[method-assign]
    bbb_other_app.create_meeting("s-taken", "Theirs", START, END, 10)

    with pytest.raises(ProviderError, match="idNotUnique") as caught:
        make_provider(bbb.bridge_settings()).create_meeting("s-taken", "Ours", START, END, 10)
    assert caught.value.message_key == "idNotUnique"
    assert not caught.value.transient


def test_wrong_secret_is_refused_with_checksum_error(bbb: FakeBigBlueButton) -> None:
    provider = make_provider(bbb.bridge_settings(secret="not-the-servers-secret"))

    with pytest.raises(ProviderError) as caught:
        provider.create_meeting("s-4", "Sync", START, END, 10)

    assert str(caught.value).startswith("BigBlueButton refused the request: checksumError")
    assert "not-the-servers-secret" not in str(caught.value)
    assert bbb.meetings == {}


def test_slow_server_times_out_with_a_readable_message(bbb: FakeBigBlueButton) -> None:
    bbb.delay_seconds = 1.0
    provider = make_provider(bbb.bridge_settings(timeout_seconds=0.2))

    with pytest.raises(ProviderError) as caught:
        provider.create_meeting("s-5", "Sync", START, END, 10)

    assert str(caught.value) == f"BigBlueButton at {bbb.base_url} did not answer within 0.2 s"
    assert caught.value.transient


def test_server_down_is_a_provider_error() -> None:
    with running_fake_bbb() as bbb:
        settings = bbb.bridge_settings()
    provider = make_provider(settings)  # the fake has stopped: its port refuses connections

    with pytest.raises(ProviderError, match="could not be reached") as caught:
        provider.create_meeting("s-6", "Sync", START, END, 10)
    assert caught.value.transient


def test_gateway_error_in_front_of_a_stopped_server(bbb: FakeBigBlueButton) -> None:
    bbb.fail_with_status = 502

    with pytest.raises(ProviderError, match="answered HTTP 502"):
        make_provider(bbb.bridge_settings()).create_meeting("s-7", "Sync", START, END, 10)


def test_non_xml_answer_is_a_provider_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>login"))
    provider = provider_for(
        "bigbluebutton",
        {"api_url": "https://bbb.example.org/bigbluebutton/api", "secret": "s"},
        http=httpx.Client(transport=transport),
    )

    with pytest.raises(ProviderError, match="not XML"):
        provider.create_meeting("s-8", "Sync", START, END, 10)


def test_ending_a_meeting_that_is_already_gone_succeeds(bbb: FakeBigBlueButton) -> None:
    provider = make_provider(bbb.bridge_settings())
    details = provider.create_meeting("s-9", "Sync", START, END, 10)
    provider.end_meeting(details)

    provider.end_meeting(details)

    assert bbb.ended == ["s-9"]


def test_settings_are_normalised() -> None:
    settings = validate_bridge_settings(
        "bigbluebutton", {"api_url": "https://bbb.example.org/bigbluebutton/", "secret": " s3 "}
    )

    assert settings == {
        "api_url": "https://bbb.example.org/bigbluebutton/api",
        "secret": "s3",
        "checksum_algorithm": "sha256",
        "timeout_seconds": 5.0,
    }


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"secret": "s"}, "api_url"),
        ({"api_url": "http://bbb.example.org/bigbluebutton/api", "secret": "s"}, "api_url"),
        ({"api_url": "https://bbb.example.org/", "secret": "s"}, "api_url"),
        ({"api_url": "https://bbb.example.org/bigbluebutton/api"}, "secret"),
        (
            {
                "api_url": "https://b.example.org/bigbluebutton/api",
                "secret": "s",
                "checksum_algorithm": "md5",
            },
            "checksum_algorithm",
        ),
        (
            {"api_url": "https://b.example.org/bigbluebutton/api", "secret": "s", "secert": "x"},
            "secert",
        ),
    ],
)
def test_bad_settings_name_the_field(settings: dict, field: str) -> None:
    with pytest.raises(BridgeSettingsError) as caught:
        validate_bridge_settings("bigbluebutton", settings)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_checksums_hold_for_non_ascii_and_reserved_characters(bbb: FakeBigBlueButton) -> None:
    provider = make_provider(bbb.bridge_settings())
    title = "ประชุม ASEAN Pubs: Q1/2026 & next+steps"

    details = provider.create_meeting("s-utf8", title, START, END, 10)
    joined = httpx.get(provider.join_url_for(details.meeting_id, "Nguyễn Văn A", moderator=True))

    assert joined.status_code == 302, joined.text
    assert bbb.meetings["s-utf8"].name == title
    assert bbb.meetings["s-utf8"].attendees == [("Nguyễn Văn A", "MODERATOR")]
