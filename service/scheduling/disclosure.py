"""Who may see the private parts of scheduling: how to join a session, and why someone is away.
Each is one rule that every representation applies.

Join links are credentials as much as passcodes and PINs are: a Jitsi room name is unguessable
on purpose, a Jitsi link may carry a JWT, a BigBlueButton link is checksummed. So a session's
joining details as a whole (join link, meeting ID, passcode, dial-in numbers and PINs, the bridge
staff's notes) go to secretariat staff and the session's invitees only, in JSON, invites, feeds,
emails and pages alike; anyone else learns that the session exists and when, nothing more. The
link with host rights goes to staff only.

Leave and blackout dates are shown to everyone who plans, since a session cannot be booked over
them; the reason given for them is the person's own business and the secretariat's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from service.conferencing.details import MeetingDetails, joining_text

WITHHELD_NOTE = "Joining details go to the invitees and the secretariat."


class Viewer(Protocol):
    """Who reads: a signed-in user (`Principal`), or a person a link stands for."""

    @property
    def is_staff(self) -> bool: ...

    @property
    def person_id(self) -> int | None: ...


@dataclass(frozen=True)
class Reader:
    """A reader outside a signed-in request: the person a link was made for alone (their
    private feed, an email), or the secretariat's own tools (`SECRETARIAT`)."""

    person_id: int | None
    is_staff: bool = False


SECRETARIAT = Reader(person_id=None, is_staff=True)


def may_see_joining_details(viewer: Viewer | None, invitee_ids: Collection[int]) -> bool:
    """Staff, and the people invited to the session (`invitee_ids`); no one else.

    `viewer` None is anyone at all: the country and network feeds are public."""
    if viewer is None:
        return False
    return viewer.is_staff or (viewer.person_id is not None and viewer.person_id in invitee_ids)


def meeting_for(
    viewer: Viewer, invitee_ids: Collection[int], meeting: Mapping[str, Any]
) -> dict[str, Any]:
    """A session's stored meeting as `viewer` may see it: in full for staff, without the host
    link for invitees, and for anyone else only which kind of bridge it is on."""
    if not may_see_joining_details(viewer, invitee_ids):
        return {
            "provider": meeting.get("provider"),
            "join_url": None,
            "meeting_id": None,
            "passcode": None,
            "dial_ins": [],
            "notes": "",
            "instructions": WITHHELD_NOTE,
            "moderator_url": None,
        }
    shown = dict(meeting)
    if meeting:  # the readable block, from the one template invites and emails use
        shown["instructions"] = joining_text(MeetingDetails.from_json(meeting))
    if not viewer.is_staff:
        shown["moderator_url"] = None
    return shown


def may_see_leave_reason(viewer: Viewer, person_id: int) -> bool:
    """Staff, and the person themselves; others see only that the person is away, and when."""
    return viewer.is_staff or viewer.person_id == person_id
