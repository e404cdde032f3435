"""Renewing a meeting's joining credentials for occurrences stored or moved later: a Jitsi token
minted anew for the same room (no call to any server); links that never expire come back as
they were."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from service.conferencing.details import joining_text
from service.conferencing.jitsi import JWT_VALID_AFTER_END
from service.conferencing.providers import provider_for
from tests.support.fake_bbb import FakeBigBlueButton, running_fake_bbb
from tests.support.fake_jitsi import FakeJitsiDialIn, running_fake_jitsi

START = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
LATER_END = END + timedelta(weeks=30)
JWT_SETTINGS = {
    "jwt_app_id": "aseanpubs",
    "jwt_secret": "a-long-shared-secret-for-prosody-token-auth",
}


@pytest.fixture
def dial_in_api() -> Iterator[FakeJitsiDialIn]:
    with running_fake_jitsi() as server:
        yield server


def _claims(join_url: str) -> dict:
    (token,) = parse_qs(urlsplit(join_url).query)["jwt"]
    return jwt.decode(
        token,
        JWT_SETTINGS["jwt_secret"],
        algorithms=["HS256"],
        audience="jitsi",
        issuer="aseanpubs",
        options={"verify_exp": False},
    )


def test_a_jitsi_token_is_minted_anew_for_the_same_room_without_asking_any_server(
    dial_in_api: FakeJitsiDialIn,
) -> None:
    provider = provider_for("jitsi", dial_in_api.bridge_settings(**JWT_SETTINGS))
    details = provider.create_meeting("s-1", "Weekly sync", START, END, 50)
    asked = len(dial_in_api.requests)

    renewed = provider.renew_credentials(details, LATER_END)

    assert len(dial_in_api.requests) == asked
    assert renewed.meeting_id == details.meeting_id
    assert renewed.dial_ins == details.dial_ins
    claims = _claims(renewed.join_url)
    assert claims["room"] == details.meeting_id
    assert claims["exp"] == int((LATER_END + JWT_VALID_AFTER_END).timestamp())
    assert renewed.join_url in joining_text(renewed)
    assert details.join_url not in joining_text(renewed)


def test_links_that_do_not_expire_come_back_unchanged() -> None:
    open_jitsi = provider_for("jitsi", {"base_url": "https://meet.example.org"})
    details = open_jitsi.create_meeting("s-2", "Weekly sync", START, END, 50)
    assert open_jitsi.renew_credentials(details, LATER_END) == details

    zoom = provider_for(
        "manual", {"join_url": "https://zoom.example.org/j/8123456789", "meeting_id": "812"}
    )
    details = zoom.create_meeting("s-3", "Weekly sync", START, END, 50)
    assert zoom.renew_credentials(details, LATER_END) == details


def test_big_blue_button_links_are_checksummed_and_do_not_expire() -> None:
    server: FakeBigBlueButton
    with running_fake_bbb() as server:
        provider = provider_for("bigbluebutton", server.bridge_settings())
        details = provider.create_meeting("s-4", "Weekly sync", START, END, 10)
        asked = len(server.requests)
        assert provider.renew_credentials(details, LATER_END) == details
        assert len(server.requests) == asked
