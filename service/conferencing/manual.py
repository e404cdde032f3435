"""Manual bridges: a standing Zoom, Teams or Webex meeting whose details staff typed in.

Nothing is called over the network; every booked session on the bridge gets the same details.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from service.conferencing.base import BridgeSettingsError, SettingsReader, check_meeting_window
from service.conferencing.details import (
    DialIn,
    MeetingDetails,
    country_label,
    normalise_e164,
)

KIND = "manual"
_MAX_DIAL_INS = 50


def validate_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Settings: join_url, meeting_id, passcode, dial_ins (list of {country_code, number, pin,
    label}), instructions, moderator_url."""
    reader = SettingsReader(raw)
    reader.url("join_url", required=True)
    reader.text("meeting_id", required=True, max_length=100)
    reader.text("passcode", max_length=100)
    reader.text("instructions", max_length=4000)
    reader.url("moderator_url")
    dial_ins = reader.raw("dial_ins") or []
    if not isinstance(dial_ins, list) or len(dial_ins) > _MAX_DIAL_INS:
        raise BridgeSettingsError("dial_ins", f"must be a list of at most {_MAX_DIAL_INS} numbers")
    reader.keep(
        "dial_ins",
        [
            _dial_in_from_settings(entry, f"dial_ins[{i}]").to_json()
            for i, entry in enumerate(dial_ins)
        ],
    )
    return reader.result()


def _dial_in_from_settings(entry: Any, field: str) -> DialIn:
    """The dial-in `entry` describes; errors name its place, e.g. "dial_ins[2].number"."""
    if not isinstance(entry, Mapping):
        raise BridgeSettingsError(field, "must be an object with country_code, number and pin")
    try:
        return _read_dial_in(SettingsReader(entry))
    except BridgeSettingsError as error:
        raise BridgeSettingsError(f"{field}.{error.field}", error.reason) from None


def _read_dial_in(reader: SettingsReader) -> DialIn:
    country = reader.country_code("country_code", required=True) or ""
    number_text = reader.text("number", required=True, max_length=40) or ""
    # Stored settings keep the number as people wrote it; validating them again must accept that.
    written = reader.text("formatted_number", max_length=40) or number_text
    number = normalise_e164(number_text)
    if number is None:
        raise BridgeSettingsError(
            "number",
            f"{number_text!r} is not an international number: + and 8 to 15 digits, "
            "e.g. +66 2 123 4567",
        )
    # People copy PINs as printed ("123 456#"); keep the digits.
    pin_written = reader.text("pin", max_length=40)
    pin = "".join(ch for ch in pin_written or "" if ch.isdigit()) or None
    if pin_written and pin is None:
        raise BridgeSettingsError("pin", f"{pin_written!r} has no digits")
    label = reader.text("label", max_length=100)
    reader.result()  # refuses unknown keys
    return DialIn(
        country_code=country,
        number=number,
        pin=pin,
        label=label or country_label(country),
        formatted_number=written,
    )


class ManualProvider:
    def __init__(self, settings: Mapping[str, Any]):
        """`settings` as returned by `validate_settings`."""
        self._settings = settings

    def create_meeting(
        self, meeting_key: str, title: str, start_utc: datetime, end_utc: datetime, capacity: int
    ) -> MeetingDetails:
        check_meeting_window(start_utc, end_utc)
        return MeetingDetails(
            provider=KIND,
            join_url=self._settings["join_url"],
            meeting_id=self._settings["meeting_id"],
            passcode=self._settings.get("passcode"),
            dial_ins=tuple(DialIn.from_json(item) for item in self._settings.get("dial_ins", [])),
            notes=self._settings.get("instructions", ""),
            moderator_url=self._settings.get("moderator_url"),
        )

    def end_meeting(self, details: MeetingDetails) -> None:
        """Nothing to do: the standing meeting belongs to the Zoom, Teams or Webex account."""

    def renew_credentials(self, details: MeetingDetails, end_utc: datetime) -> MeetingDetails:
        """Unchanged: a standing meeting's details do not expire."""
        return details
