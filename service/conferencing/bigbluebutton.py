"""BigBlueButton bridges, through its checksummed HTTP API (docs.bigbluebutton.org/development/api).

Every call is `GET {api_url}/{call}?{query}&checksum=H(call + query + secret)`, answered with XML
whose `returncode` is SUCCESS or FAILED (then `messageKey` and `message` say why). Joining uses
`role=VIEWER|MODERATOR` (BigBlueButton 2.4 and later) rather than the deprecated passwords, and
ending needs only the meeting ID.
"""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

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

KIND = "bigbluebutton"
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
# The stored links are shared by everyone invited, so they carry a neutral display name;
# `join_url_for` makes a personal link with the person's own name.
SHARED_ATTENDEE_NAME = "Guest"
SHARED_MODERATOR_NAME = "Host"
# BigBlueButton refuses meeting names outside 2-64 characters and meeting IDs outside 2-256.
_NAME_LENGTHS = (2, 64)
_MEETING_ID_LENGTHS = (2, 256)


def validate_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Settings: api_url, secret, checksum_algorithm (default sha256), welcome, dial_in_country,
    dial_in_label, timeout_seconds."""
    reader = SettingsReader(raw)
    api_url = reader.url("api_url", required=True)
    assert api_url is not None  # noqa: S101 - required=True
    # `bbb-conf --secret` prints the .../bigbluebutton/ base; accept it and add the api segment.
    if api_url.endswith("/bigbluebutton"):
        api_url = reader.keep("api_url", api_url + "/api")
    if not api_url.endswith("/api"):
        raise BridgeSettingsError(
            "api_url", "must be the API endpoint, ending in /bigbluebutton/api"
        )
    reader.text("secret", required=True, max_length=200)
    reader.choice("checksum_algorithm", CHECKSUM_ALGORITHMS, default="sha256")
    reader.text("welcome", max_length=2000)
    reader.country_code("dial_in_country")
    reader.text("dial_in_label", max_length=100)
    reader.timeout_seconds(DEFAULT_TIMEOUT_SECONDS)
    return reader.result()


class BigBlueButtonProvider:
    def __init__(self, settings: Mapping[str, Any], *, http: httpx.Client | None = None):
        """`settings` as returned by `validate_settings`."""
        self.api_url: str = settings["api_url"]
        self._secret: str = settings["secret"]
        self._algorithm: str = settings.get("checksum_algorithm", "sha256")
        self._welcome: str | None = settings.get("welcome")
        self._dial_in_country: str | None = settings.get("dial_in_country")
        self._dial_in_label: str | None = settings.get("dial_in_label")
        self._http = ProviderHTTP(
            "BigBlueButton", settings.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS), http
        )

    def signed_url(self, call: str, params: Mapping[str, str]) -> str:
        """The URL of API `call` with `params` and its checksum."""
        query = urlencode(params)
        digest = hashlib.new(self._algorithm, f"{call}{query}{self._secret}".encode()).hexdigest()
        return f"{self.api_url}/{call}?{query}{'&' if query else ''}checksum={digest}"

    def create_meeting(
        self, meeting_key: str, title: str, start_utc: datetime, end_utc: datetime, capacity: int
    ) -> MeetingDetails:
        """Create (or, on a retry with the same key, find) the meeting `meeting_key`.

        BigBlueButton's create is idempotent when called again with the same ID and passwords,
        so the passwords are derived from the secret and the key rather than drawn at random: a
        retry after a timeout then finds the meeting the first attempt made.
        """
        check_meeting_window(start_utc, end_utc)
        if not _MEETING_ID_LENGTHS[0] <= len(meeting_key) <= _MEETING_ID_LENGTHS[1]:
            raise ValueError("a BigBlueButton meeting ID must be 2 to 256 characters long")
        if "," in meeting_key:
            raise ValueError("a BigBlueButton meeting ID cannot contain commas")
        params = {
            "meetingID": meeting_key,
            "name": _meeting_name(title, meeting_key),
            "attendeePW": self._derived_password("attendee", meeting_key),
            "moderatorPW": self._derived_password("moderator", meeting_key),
            "maxParticipants": str(capacity),
            "record": "false",
        }
        if self._welcome:
            params["welcome"] = self._welcome
        response = self._call("create", params)
        return MeetingDetails(
            provider=KIND,
            join_url=self.join_url_for(meeting_key, SHARED_ATTENDEE_NAME, moderator=False),
            meeting_id=meeting_key,
            passcode=None,  # the checksummed link is the credential; nobody types a password
            dial_ins=self._dial_ins(response),
            moderator_url=self.join_url_for(meeting_key, SHARED_MODERATOR_NAME, moderator=True),
        )

    def join_url_for(
        self, details_or_meeting_id: MeetingDetails | str, full_name: str, moderator: bool
    ) -> str:
        """A personal join link: `full_name` is the name the others see."""
        meeting_id = (
            details_or_meeting_id.meeting_id
            if isinstance(details_or_meeting_id, MeetingDetails)
            else details_or_meeting_id
        )
        return self.signed_url(
            "join",
            {
                "meetingID": meeting_id,
                "fullName": full_name,
                "role": "MODERATOR" if moderator else "VIEWER",
            },
        )

    def renew_credentials(self, details: MeetingDetails, end_utc: datetime) -> MeetingDetails:
        """Unchanged: checksummed join links do not expire."""
        return details

    def end_meeting(self, details: MeetingDetails) -> None:
        """End the meeting for everyone; a meeting that is already gone counts as ended."""
        try:
            self._call("end", {"meetingID": details.meeting_id})
        except ProviderError as error:
            if error.message_key != "notFound":
                raise

    def _call(self, call: str, params: Mapping[str, str]) -> ET.Element:
        response = self._http.get(self.signed_url(call, params))
        try:
            # ElementTree fetches no external entities, and expat 2.4.1 and later (2.5 in the
            # image) cap entity expansion: what defusedxml would add is already there.
            root = ET.fromstring(response.content)  # noqa: S314
        except ET.ParseError:
            raise ProviderError(
                f"BigBlueButton at {origin_of(self.api_url)} answered {call} with something that "
                "is not XML: is api_url the .../bigbluebutton/api endpoint?"
            ) from None
        if root.findtext("returncode") != "SUCCESS":
            key = root.findtext("messageKey") or "unknownError"
            message = root.findtext("message") or "no reason given"
            raise ProviderError(
                f"BigBlueButton refused the request: {key}: {message.strip()}", message_key=key
            )
        return root

    def _dial_ins(self, create_response: ET.Element) -> tuple[DialIn, ...]:
        # BigBlueButton reports its server-wide dial number without a country, and ships a
        # placeholder one (613-555-1234), so phone joining is offered only when staff said
        # which country the number is in.
        if self._dial_in_country is None:
            return ()
        dial_number = (create_response.findtext("dialNumber") or "").strip()
        voice_bridge = (create_response.findtext("voiceBridge") or "").strip()
        number = normalise_e164(dial_number)
        if number is None:
            raise ProviderError(
                f"BigBlueButton at {origin_of(self.api_url)} gives the dial-in number "
                f"{dial_number!r}, which is not an international (+country) number: set "
                "defaultDialAccessNumber on the server, or remove dial_in_country from the bridge"
            )
        return (
            DialIn(
                country_code=self._dial_in_country,
                number=number,
                pin=voice_bridge if voice_bridge.isdigit() else None,
                label=self._dial_in_label or country_label(self._dial_in_country),
                formatted_number=dial_number,
            ),
        )

    def _derived_password(self, role: str, meeting_key: str) -> str:
        message = f"{role}:{meeting_key}".encode()
        return hmac.new(self._secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _meeting_name(title: str, meeting_key: str) -> str:
    name = " ".join(title.split())[: _NAME_LENGTHS[1]]
    return name if len(name) >= _NAME_LENGTHS[0] else meeting_key[: _NAME_LENGTHS[1]]
