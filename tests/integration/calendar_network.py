"""A few people and a bridge with joining secrets, for invite, answer and feed tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import icalendar
import vobject
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.auth import service as auth
from service.clock import Clock
from service.db import session_scope
from tests.dates import THURSDAY, iso, working_start
from tests.integration.network import Network, book, make_bridge

PASSCODE = "778899"
DIAL_IN_PIN = "445566"
JOIN_URL = "https://zoom.example.org/j/8123456789"
WEEKLY_FOUR_THURSDAYS = {"freq": "WEEKLY", "byweekday": ["TH"], "count": 4}


@dataclass(frozen=True)
class CalendarNetwork:
    network: Network
    anan: int  # Bangkok
    somchai: int  # Bangkok
    wei: int  # Singapore
    # Where sessions start unless a test says otherwise: a Thursday, 07:00 UTC (14:00 in
    # Bangkok, 15:00 in Singapore), when both countries work; series run weekly from it.
    start: datetime


def _person(client: TestClient, headers: dict[str, str], name: str, email: str, code: str) -> int:
    response = client.post(
        "/api/v1/people",
        headers=headers,
        json={"name": name, "email": email, "country_code": code},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def build_calendar_network(
    client: TestClient, staff: dict[str, str], clock: Clock
) -> CalendarNetwork:
    bridge = make_bridge(
        client,
        staff,
        name="Secretariat Zoom",
        provider="manual",
        settings={
            "join_url": JOIN_URL,
            "meeting_id": "812 345 6789",
            "passcode": PASSCODE,
            "dial_ins": [{"country_code": "TH", "number": "+66 2 123 4567", "pin": DIAL_IN_PIN}],
            "instructions": "Please mute on entry.",
        },
    )
    return CalendarNetwork(
        network=Network(bridge_id=bridge),
        anan=_person(client, staff, "Anan Chaiyaporn", "anan@opdc.example.th", "TH"),
        somchai=_person(client, staff, "Somchai Boonmee", "somchai@opdc.example.th", "TH"),
        wei=_person(client, staff, "Tan Wei Ling", "wei@psd.example.sg", "SG"),
        start=working_start(clock, ["TH", "SG"], weekday=THURSDAY),
    )


def book_session(
    client: TestClient,
    staff: dict[str, str],
    world: CalendarNetwork,
    people: list[int],
    **fields: object,
) -> dict:
    """Books through the API (acknowledging office-hour problems) and returns the session."""
    body = {
        "start": iso(world.start),
        "people": people,
        "acknowledge_problems": True,
    } | fields
    response = book(client, staff, world.network, **body)
    assert response.status_code == 201, response.text
    return response.json()


def occurrences(client: TestClient, staff: dict[str, str], series_id: int) -> list[dict]:
    page = client.get("/api/v1/sessions?limit=500", headers=staff).json()
    return [s for s in page["items"] if s["series_id"] == series_id]


def headers_of_person(engine: Engine, person_id: int, role: str = "delegate") -> dict[str, str]:
    """A signed-in user linked to the directory person."""
    with session_scope(engine) as db:
        user = auth.create_user(
            db,
            email=f"{role}{person_id}@accounts.example",
            name="Linked user",
            role=role,
            person_id=person_id,
        )
        return {"Authorization": f"Bearer {auth.issue_token(db, user)[1]}"}


def parse(body: bytes) -> icalendar.Calendar:
    """Parses with icalendar and (strictly enough to fail on broken lines) with vobject."""
    vobject.readOne(body.decode("utf-8"))
    return icalendar.Calendar.from_ical(body)


def vevents(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))
