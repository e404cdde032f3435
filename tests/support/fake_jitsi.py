"""A fake of Jitsi's dial-in APIs, for tests.

It stands in for a Jitsi deployment's telephony services (Jigasi behind a conference mapper),
which cannot run here. It is a real HTTP server on 127.0.0.1 answering the two calls jitsi-meet
makes (resources/cloud-api.swagger, react/features/invite/_utils.ts):

- `GET /phoneNumberList?conference=room@muc` (config `dialInNumbersUrl`): a JSON list of
  {"countryCode", "tollFree", "formattedNumber"}, or with `legacy_format` the deprecated
  {"numbersEnabled": true, "numbers": {"US": ["+1 ..."]}};
- `GET /conferenceMapper?conference=room@muc` (config `dialInConfCodeUrl`): the room's PIN as
  {"message", "id", "conference"}, the same PIN every time for the same room; `?id=PIN` looks
  a mapping up the other way. Without either parameter it answers 405, as the swagger says.

Switches inherited from LocalHTTPServer: `delay_seconds`, `fail_with_status`, `stop()`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support import FakeRequest, FakeResponse, LocalHTTPServer

DEFAULT_NUMBERS: tuple[dict[str, Any], ...] = (
    {"countryCode": "TH", "tollFree": False, "formattedNumber": "+66 2 123 4567"},
    {"countryCode": "SG", "tollFree": True, "formattedNumber": "+65 6123 4567"},
)


class FakeJitsiDialIn(LocalHTTPServer):
    def __init__(self, numbers: tuple[dict[str, Any], ...] = DEFAULT_NUMBERS):
        super().__init__()
        self.numbers = list(numbers)
        self.legacy_format = False
        self.pins: dict[str, int] = {}  # conference JID -> PIN

    @property
    def numbers_url(self) -> str:
        return self.base_url + "/phoneNumberList"

    @property
    def mapper_url(self) -> str:
        return self.base_url + "/conferenceMapper"

    def bridge_settings(self, base_url: str = "https://meet.example.org", **overrides: Any) -> dict:
        """Settings of a `jitsi` bridge whose dial-in APIs are this server."""
        return {
            "base_url": base_url,
            "dial_in_numbers_url": self.numbers_url,
            "conference_mapper_url": self.mapper_url,
            **overrides,
        }

    def respond(self, request: FakeRequest) -> FakeResponse:
        params = request.params
        if request.path == "/phoneNumberList":
            return _json(self._numbers_answer())
        if request.path == "/conferenceMapper":
            if "conference" in params:
                conference = params["conference"]
                pin = self.pins.setdefault(conference, self._new_pin())
                return _json(
                    {
                        "message": "Successfully retrieved conference mapping",
                        "id": pin,
                        "conference": conference,
                    }
                )
            if params.get("id", "").isdigit():
                by_pin = {pin: conference for conference, pin in self.pins.items()}
                return _json(
                    {"id": int(params["id"]), "conference": by_pin.get(int(params["id"]), False)}
                )
            return FakeResponse(405, b"Invalid input")
        return FakeResponse(404, b"not found")

    def _numbers_answer(self) -> Any:
        if not self.legacy_format:
            return self.numbers
        by_country: dict[str, list[str]] = {}
        for entry in self.numbers:
            by_country.setdefault(entry["countryCode"], []).append(entry["formattedNumber"])
        return {"numbersEnabled": True, "numbers": by_country}

    def _new_pin(self) -> int:
        while (pin := 100_000_000 + secrets.randbelow(900_000_000)) in self.pins.values():
            pass
        return pin


def _json(body: Any) -> FakeResponse:
    return FakeResponse(200, json.dumps(body).encode(), "application/json")


@contextmanager
def running_fake_jitsi(**options: Any) -> Iterator[FakeJitsiDialIn]:
    """A started FakeJitsiDialIn, stopped on exit; `options` go to its constructor."""
    server = FakeJitsiDialIn(**options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
