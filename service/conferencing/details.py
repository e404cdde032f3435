"""What a booked session needs to be joined: join URL, meeting ID, passcode, dial-in numbers.

These are plain frozen values, stored as JSON beside the session; every provider kind produces
the same shape. The readable joining block is never stored: invites, feeds, emails and circulars
render it from these values through one template (`joining/details.txt` and `.html`), so a change
of wording reaches every representation at once. Only the bridge staff's own notes are stored as
text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.directory.reference import MEMBER_STATES
from service.rendering.templates import render

# E.164: "+", a country calling code that never starts with 0, at most 15 digits in all. The lower
# bound of 8 digits rejects internal extensions and half-typed numbers.
_E164 = re.compile(r"\+[1-9]\d{7,14}")
# Separators people and dial-in APIs put inside numbers ("+66 2 123-4567", "+1 (613) 555.1234").
_NUMBER_SEPARATORS = re.compile(r"[\s\-.()/]")
# ASCII digits only: str.isdigit() would let "²" or Thai digits through to a keypad.
_PIN = re.compile(r"[0-9]{1,32}")

_COUNTRY_NAMES = {member.code: member.name for member in MEMBER_STATES}


def normalise_e164(number: str) -> str | None:
    """The E.164 form of a phone number as a person or an API wrote it, or None if it isn't one."""
    compact = _NUMBER_SEPARATORS.sub("", number)
    return compact if _E164.fullmatch(compact) else None


def country_label(country_code: str) -> str:
    """A readable name for a dial-in country: the member state's short name, else its code."""
    return _COUNTRY_NAMES.get(country_code.upper(), country_code.upper())


def format_pin(pin: str) -> str:
    """Group long PINs in threes ("123 456 789") so they can be read out and typed on a keypad."""
    if len(pin) <= 5:
        return pin
    return " ".join(pin[i : i + 3] for i in range(0, len(pin), 3))


@dataclass(frozen=True)
class DialIn:
    country_code: str  # ISO 3166-1 alpha-2 of the country the number is in
    number: str  # E.164, for tel: URIs
    pin: str | None  # digits only; callers type it followed by "#"
    label: str  # e.g. "Thailand" or "Singapore (toll-free)"
    formatted_number: str | None = None  # the number as its provider writes it, for reading

    def __post_init__(self) -> None:
        if normalise_e164(self.number) != self.number:
            raise ValueError(f"dial-in number {self.number!r} is not in E.164 form (+ and digits)")
        if self.formatted_number and normalise_e164(self.formatted_number) != self.number:
            raise ValueError(f"{self.formatted_number!r} is not the same number as {self.number}")
        if self.pin is not None and not _PIN.fullmatch(self.pin):
            raise ValueError(f"dial-in PIN {self.pin!r} must be digits only")

    @property
    def readable_number(self) -> str:
        return self.formatted_number or self.number

    @property
    def readable_pin(self) -> str | None:
        return format_pin(self.pin) if self.pin else None

    def to_json(self) -> dict[str, Any]:
        return {
            "country_code": self.country_code,
            "number": self.number,
            "pin": self.pin,
            "label": self.label,
            "formatted_number": self.formatted_number,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DialIn:
        return cls(
            country_code=data["country_code"],
            number=data["number"],
            pin=data.get("pin"),
            label=data["label"],
            formatted_number=data.get("formatted_number"),
        )


@dataclass(frozen=True)
class MeetingDetails:
    provider: str  # the bridge kind that made it: "jitsi", "bigbluebutton" or "manual"
    join_url: str
    meeting_id: str
    passcode: str | None
    dial_ins: tuple[DialIn, ...]
    notes: str = ""  # the bridge staff's own words for joiners, e.g. "Please mute on entry."
    moderator_url: str | None = None  # a link that joins with host rights, never sent to delegates

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "join_url": self.join_url,
            "meeting_id": self.meeting_id,
            "passcode": self.passcode,
            "dial_ins": [dial_in.to_json() for dial_in in self.dial_ins],
            "notes": self.notes,
            "moderator_url": self.moderator_url,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MeetingDetails:
        return cls(
            provider=data["provider"],
            join_url=data["join_url"],
            meeting_id=data["meeting_id"],
            passcode=data.get("passcode"),
            dial_ins=tuple(DialIn.from_json(item) for item in data.get("dial_ins", ())),
            notes=data.get("notes", ""),
            moderator_url=data.get("moderator_url"),
        )


def joining_text(details: MeetingDetails) -> str:
    """The plain-text joining block: invite descriptions, text emails, the API's `instructions`."""
    return render("joining/details.txt", details=details).strip()


def joining_html(details: MeetingDetails) -> str:
    """The same block as an HTML fragment, escaped, for pages and HTML emails."""
    return render("joining/details.html", details=details).strip()
