"""Jitsi Meet bridges: unguessable rooms, optional JWT tokens, optional dial-in via Jitsi's APIs.

Jitsi has no API to create or end a room: a room exists while someone is in it. What this module
adds is what an invite needs:
- a room name nobody can guess, since on an open Jitsi server the name is the only secret;
- on servers with token authentication (prosody `authentication = "token"`), an HS256 JWT scoped
  to the room: `aud`, `iss` = the app ID, `sub` = the XMPP domain, `room`, `exp`;
- on servers with telephony, the numbers from the `dialInNumbersUrl` API and the room's PIN from
  the `dialInConfCodeUrl` conference-mapper API, both asked about `room@muc-domain`
  (jitsi-meet resources/cloud-api.swagger).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from service.conferencing.base import (
    DEFAULT_TIMEOUT_SECONDS,
    BridgeSettingsError,
    ProviderError,
    ProviderHTTP,
    SettingsReader,
    check_meeting_window,
    origin_of,
)
from service.conferencing.details import (
    DialIn,
    MeetingDetails,
    country_label,
    normalise_e164,
)

KIND = "jitsi"
DEFAULT_JWT_AUDIENCE = "jitsi"
# A token stays valid this long after the scheduled end, so an overrunning session can be rejoined.
JWT_VALID_AFTER_END = timedelta(hours=1)
# Jitsi lowercases room names, which folds token_urlsafe's 64 symbols to 38 (about 5.2 bits each):
# 32 characters keep more than 160 bits, well above the 128 the room name must carry.
_ROOM_TOKEN_BYTES = 24
_SLUG_MAX_LENGTH = 40
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def validate_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Settings: base_url; jwt_app_id + jwt_secret, jwt_audience; xmpp_domain, muc_domain;
    dial_in_numbers_url + conference_mapper_url; timeout_seconds."""
    reader = SettingsReader(raw)
    reader.url("base_url", required=True)
    app_id = reader.text("jwt_app_id", max_length=200)
    jwt_secret = reader.text("jwt_secret", max_length=500)
    if (app_id is None) != (jwt_secret is None):
        missing = "jwt_secret" if jwt_secret is None else "jwt_app_id"
        raise BridgeSettingsError(missing, "is required when the other JWT setting is given")
    reader.text("jwt_audience", max_length=200)
    reader.text("xmpp_domain", max_length=253)
    reader.text("muc_domain", max_length=253)
    numbers_url = reader.url("dial_in_numbers_url")
    mapper_url = reader.url("conference_mapper_url")
    # Numbers without the room's PIN (or a PIN without numbers) cannot get anyone into a room.
    if (numbers_url is None) != (mapper_url is None):
        missing = "conference_mapper_url" if mapper_url is None else "dial_in_numbers_url"
        raise BridgeSettingsError(missing, "is required for dial-in, together with the other URL")
    reader.timeout_seconds(DEFAULT_TIMEOUT_SECONDS)
    return reader.result()


def room_name_for(title: str) -> str:
    """A readable slug of `title` followed by an unguessable token, e.g. "monthly-sync-q3x...".

    Titles without Latin letters or digits (Thai ones) give the generic slug "session".
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")[:_SLUG_MAX_LENGTH].rstrip("-")
    token = secrets.token_urlsafe(_ROOM_TOKEN_BYTES).lower()
    return f"{slug or 'session'}-{token}"


class JitsiProvider:
    def __init__(self, settings: Mapping[str, Any], *, http: httpx.Client | None = None):
        """`settings` as returned by `validate_settings`."""
        self.base_url: str = settings["base_url"]
        self._app_id: str | None = settings.get("jwt_app_id")
        self._jwt_secret: str | None = settings.get("jwt_secret")
        self._audience: str = settings.get("jwt_audience", DEFAULT_JWT_AUDIENCE)
        self.xmpp_domain: str = settings.get("xmpp_domain") or str(httpx.URL(self.base_url).host)
        self.muc_domain: str = settings.get("muc_domain") or f"conference.{self.xmpp_domain}"
        self._numbers_url: str | None = settings.get("dial_in_numbers_url")
        self._mapper_url: str | None = settings.get("conference_mapper_url")
        self._http = ProviderHTTP(
            "Jitsi", settings.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS), http
        )

    def create_meeting(
        self, meeting_key: str, title: str, start_utc: datetime, end_utc: datetime, capacity: int
    ) -> MeetingDetails:
        """A fresh room for the session; `meeting_key` and `capacity` mean nothing to Jitsi."""
        check_meeting_window(start_utc, end_utc)
        room = room_name_for(title)
        return MeetingDetails(
            provider=KIND,
            join_url=self._join_url(room, end_utc),
            meeting_id=room,
            passcode=None,  # the unguessable room name (and token) is the secret
            dial_ins=self._dial_ins(room),
        )

    def end_meeting(self, details: MeetingDetails) -> None:
        """Nothing to do: a Jitsi room disappears when its last participant leaves."""

    def renew_credentials(self, details: MeetingDetails, end_utc: datetime) -> MeetingDetails:
        """The same room with a new token valid until `end_utc` plus the margin (the room's
        dial-in PIN stays the same); links to an open server never expire."""
        if not (self._app_id and self._jwt_secret):
            return details
        return replace(details, join_url=self._join_url(details.meeting_id, end_utc))

    def _join_url(self, room: str, end_utc: datetime) -> str:
        if not (self._app_id and self._jwt_secret):
            return f"{self.base_url}/{room}"
        return f"{self.base_url}/{room}?" + urlencode({"jwt": self.room_token(room, end_utc)})

    def room_token(self, room: str, end_utc: datetime) -> str:
        """The HS256 JWT that admits its holder to `room` until the end plus a margin."""
        if not (self._app_id and self._jwt_secret):
            raise ValueError("this Jitsi bridge has no jwt_app_id/jwt_secret")
        claims = {
            "aud": self._audience,
            "iss": self._app_id,
            "sub": self.xmpp_domain,
            "room": room,
            "iat": int(datetime.now(UTC).timestamp()),
            "exp": int((end_utc + JWT_VALID_AFTER_END).timestamp()),
        }
        return jwt.encode(claims, self._jwt_secret, algorithm="HS256")

    def _dial_ins(self, room: str) -> tuple[DialIn, ...]:
        if not (self._numbers_url and self._mapper_url):
            return ()
        conference = {"conference": f"{room}@{self.muc_domain}"}
        pin = _pin_from_mapping(self._get_json(self._mapper_url, conference), self._mapper_url)
        numbers = self._get_json(self._numbers_url, conference)
        return _dial_ins_from_numbers(numbers, self._numbers_url, pin)

    def _get_json(self, url: str, params: Mapping[str, str]) -> Any:
        response = self._http.get(url, params)
        try:
            return response.json()
        except ValueError:
            raise ProviderError(
                f"Jitsi at {origin_of(url)} answered with something not JSON"
            ) from None


def _pin_from_mapping(mapping: Any, url: str) -> str:
    """The PIN in a conference-mapper answer: {"id": 123456, "conference": "room@muc"}."""
    pin = mapping.get("id") if isinstance(mapping, dict) else None
    if isinstance(pin, bool) or not isinstance(pin, int | str) or not str(pin).isdigit():
        raise ProviderError(f"Jitsi at {origin_of(url)} gave no numeric PIN for the room")
    return str(pin)


def _dial_ins_from_numbers(answer: Any, url: str, pin: str) -> tuple[DialIn, ...]:
    """A dial-in with `pin` for each number in a dial-in numbers answer.

    jitsi-meet reads two shapes: the current list of {countryCode, tollFree, formattedNumber} and
    the deprecated {"numbers": {"US": ["+1 ..."]}}. Entries that are not international numbers are
    skipped: nobody abroad could dial them.
    """
    if isinstance(answer, dict) and isinstance(answer.get("numbers"), dict):
        entries = [
            {"countryCode": country, "formattedNumber": number, "tollFree": False}
            for country, numbers in answer["numbers"].items()
            for number in numbers
        ]
    elif isinstance(answer, list):
        entries = [entry for entry in answer if isinstance(entry, dict)]
    else:
        raise ProviderError(f"Jitsi at {origin_of(url)} answered with no list of dial-in numbers")
    result = []
    for entry in entries:
        country = str(entry.get("countryCode", "")).upper()
        formatted = str(entry.get("formattedNumber", ""))
        number = normalise_e164(formatted)
        if number is None or not country:
            continue
        label = country_label(country) + (" (toll-free)" if entry.get("tollFree") else "")
        result.append(DialIn(country, number, pin, label, formatted_number=formatted))
    return tuple(result)
