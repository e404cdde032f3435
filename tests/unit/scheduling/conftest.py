"""Participants built from the real member-state reference data, for the scheduling tests.

Holidays come from the real `holidays` package; nothing here is faked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.directory.office_hours import WeeklyHours
from service.directory.reference import MEMBER_STATES, MEMBERS_BY_CODE
from service.scheduling.availability import Participant

MemberFactory = Callable[..., Participant]

# A partner office's Monday-to-Friday day, in its own local time.
PARTNER_WEEK = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
HELSINKI_WEEK = {day: [["08:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def member() -> MemberFactory:
    """A member's delegation from its capital (or `zone`), with its default office hours."""

    def build(code: str, **changes: Any) -> Participant:
        state = MEMBERS_BY_CODE[code]
        fields: dict[str, Any] = {
            "key": f"country:{code}",
            "label": state.name,
            "zone": state.capital_zone,
            "hours": WeeklyHours.from_json(state.office_hours),
            "holiday_country": code,
        }
        fields.update(changes)
        return Participant(**fields)

    return build


@pytest.fixture
def capitals(member: MemberFactory) -> list[Participant]:
    return [member(state.code) for state in MEMBER_STATES]


@pytest.fixture
def helsinki_partner() -> Participant:
    return Participant(
        "person:fi", "Helsinki professor", "Europe/Helsinki",
        WeeklyHours.from_json(HELSINKI_WEEK), "FI",
    )  # fmt: skip


@pytest.fixture
def new_york_partner() -> Participant:
    return Participant(
        "person:us", "Columbia researcher", "America/New_York",
        WeeklyHours.from_json(PARTNER_WEEK), "US", "NY",
    )  # fmt: skip
