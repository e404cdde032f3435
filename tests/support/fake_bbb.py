"""A fake BigBlueButton API server, for tests.

It stands in for BigBlueButton because BigBlueButton cannot run here (it needs a dedicated Ubuntu
host with FreeSWITCH, Kurento/mediasoup, Redis and more). It is a real HTTP server on 127.0.0.1,
so the code under test goes through httpx, sockets and timeouts exactly as in production, and it
implements the parts of the API the service uses as docs.bigbluebutton.org/development/api
describes them:

- every call checks `checksum` = sha1/sha256/sha384/sha512 hex of call name + query string
  (without the checksum) + shared secret, the algorithm told apart by the digest's length, and
  refuses a bad one with `FAILED` / `checksumError` / "Checksums do not match";
- `create` is idempotent for the same meetingID and passwords (`SUCCESS` with messageKey
  `duplicateWarning`) and refuses the same meetingID with other passwords (`idNotUnique`);
- `join` needs `role` (VIEWER/MODERATOR) or a matching password, then redirects to the client
  (or answers XML with `redirect=false`); `end` and `getMeetingInfo` answer `notFound` for
  meetings that do not exist.

Switches inherited from LocalHTTPServer: `delay_seconds` (slow), `fail_with_status` (e.g. 502
from the nginx in front of a stopped BigBlueButton), `stop()` (down: connections refused).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support import FakeRequest, FakeResponse, LocalHTTPServer

API_PATH = "/bigbluebutton/api"
_DIGESTS_BY_LENGTH = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}
_NOT_FOUND = (
    "We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?"
)


@dataclass
class FakeMeeting:
    meeting_id: str
    name: str
    attendee_pw: str
    moderator_pw: str
    voice_bridge: str
    max_participants: int
    welcome: str
    attendees: list[tuple[str, str]] = field(default_factory=list)  # (full name, role)


class FakeBigBlueButton(LocalHTTPServer):
    def __init__(self, secret: str, *, dial_number: str = "613-555-1234"):
        super().__init__()
        self.secret = secret
        self.dial_number = dial_number  # what the server reports; BBB's default is a placeholder
        self.meetings: dict[str, FakeMeeting] = {}
        self.ended: list[str] = []  # meeting IDs ended through the API

    @property
    def api_url(self) -> str:
        return self.base_url + API_PATH

    def bridge_settings(self, **overrides: Any) -> dict[str, Any]:
        """Settings of a `bigbluebutton` bridge pointing at this server."""
        return {"api_url": self.api_url, "secret": self.secret, **overrides}

    def respond(self, request: FakeRequest) -> FakeResponse:
        if not request.path.startswith(API_PATH + "/"):
            return FakeResponse(404, b"not found")
        call = request.path.removeprefix(API_PATH + "/")
        if not self._checksum_matches(call, request.query_string):
            return _failed("checksumError", "Checksums do not match")
        params = request.params
        if call == "create":
            return self._create(params.get("meetingID", ""), params)
        handlers = {"join": self._join, "end": self._end, "getMeetingInfo": self._info}
        if call not in handlers:
            return _failed("unsupportedRequest", "This request is not supported.")
        meeting = self.meetings.get(params.get("meetingID", ""))
        if meeting is None:
            return _failed("notFound", _NOT_FOUND)
        return handlers[call](meeting, params)

    def _checksum_matches(self, call: str, query_string: str) -> bool:
        # As BigBlueButton does: drop "checksum=..." from the raw query, hash what remains.
        pairs = query_string.split("&") if query_string else []
        given = [pair.removeprefix("checksum=") for pair in pairs if pair.startswith("checksum=")]
        if len(given) != 1 or len(given[0]) not in _DIGESTS_BY_LENGTH:
            return False
        unsigned = "&".join(pair for pair in pairs if not pair.startswith("checksum="))
        algorithm = _DIGESTS_BY_LENGTH[len(given[0])]
        expected = hashlib.new(algorithm, f"{call}{unsigned}{self.secret}".encode()).hexdigest()
        return hmac.compare_digest(expected, given[0])

    def _create(self, meeting_id: str, params: dict[str, str]) -> FakeResponse:
        if not meeting_id:
            return _failed(
                "missingParamMeetingID", "You must specify a meeting ID for the meeting."
            )
        attendee_pw = params.get("attendeePW") or secrets.token_urlsafe(8)
        moderator_pw = params.get("moderatorPW") or secrets.token_urlsafe(8)
        existing = self.meetings.get(meeting_id)
        if existing is not None:
            if (existing.attendee_pw, existing.moderator_pw) != (attendee_pw, moderator_pw):
                return _failed(
                    "idNotUnique",
                    "A meeting already exists with that meeting ID. "
                    "Please use a different meeting ID.",
                )
            return self._meeting_xml(
                existing,
                messageKey="duplicateWarning",
                message="This conference was already in existence and may currently be in "
                "progress.",
            )
        meeting = FakeMeeting(
            meeting_id=meeting_id,
            name=params.get("name", meeting_id),
            attendee_pw=attendee_pw,
            moderator_pw=moderator_pw,
            # BigBlueButton draws a 5-digit voice bridge starting with 7 unless given one.
            voice_bridge=params.get("voiceBridge") or f"7{secrets.randbelow(10_000):04d}",
            max_participants=int(params.get("maxParticipants", "0")),
            welcome=params.get("welcome", ""),
        )
        self.meetings[meeting_id] = meeting
        return self._meeting_xml(meeting)

    def _join(self, meeting: FakeMeeting, params: dict[str, str]) -> FakeResponse:
        role = params.get("role", "").upper()
        if role not in {"VIEWER", "MODERATOR"}:
            role = {meeting.attendee_pw: "VIEWER", meeting.moderator_pw: "MODERATOR"}.get(
                params.get("password", ""), ""
            )
        if not role:
            return _failed("invalidPassword", "You either did not supply a password or role.")
        if not params.get("fullName"):
            return _failed("missingParamFullName", "You must specify a name for the attendee.")
        meeting.attendees.append((params["fullName"], role))
        session_token = secrets.token_hex(8)
        client_url = f"{self.base_url}/html5client/join?sessionToken={session_token}"
        if params.get("redirect") == "false":
            return _xml(
                "SUCCESS",
                messageKey="successfullyJoined",
                message="You have joined successfully.",
                meeting_id=meeting.meeting_id,
                session_token=session_token,
                url=client_url,
            )
        return FakeResponse(302, headers={"Location": client_url})

    def _end(self, meeting: FakeMeeting, params: dict[str, str]) -> FakeResponse:
        del self.meetings[meeting.meeting_id]
        self.ended.append(meeting.meeting_id)
        return _xml(
            "SUCCESS",
            messageKey="sentEndMeetingRequest",
            message="A request to end the meeting was sent.",
        )

    def _info(self, meeting: FakeMeeting, params: dict[str, str]) -> FakeResponse:
        return self._meeting_xml(meeting)

    def _meeting_xml(self, meeting: FakeMeeting, **extra: str) -> FakeResponse:
        return _xml(
            "SUCCESS",
            meetingID=meeting.meeting_id,
            meetingName=meeting.name,
            voiceBridge=meeting.voice_bridge,
            dialNumber=self.dial_number,
            attendeePW=meeting.attendee_pw,
            moderatorPW=meeting.moderator_pw,
            maxUsers=str(meeting.max_participants),
            participantCount=str(len(meeting.attendees)),
            **extra,
        )


def _xml(returncode: str, **elements: str) -> FakeResponse:
    root = ET.Element("response")
    ET.SubElement(root, "returncode").text = returncode
    for name, value in elements.items():
        ET.SubElement(root, name).text = value
    return FakeResponse(200, ET.tostring(root, encoding="utf-8"), "text/xml;charset=utf-8")


def _failed(message_key: str, message: str) -> FakeResponse:
    return _xml("FAILED", messageKey=message_key, message=message)


@contextmanager
def running_fake_bbb(
    secret: str = "fake-bbb-shared-secret", **options: Any
) -> Iterator[FakeBigBlueButton]:
    """A started FakeBigBlueButton, stopped on exit; `options` go to its constructor."""
    server = FakeBigBlueButton(secret, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
