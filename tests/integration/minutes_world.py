"""A series of two sessions with invited delegations, made directly in the database, for the
agenda and minutes tests (booking rules are not what they test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient
from sqlalchemy import Engine

from service.conferencing.models import Bridge
from service.db import session_scope
from service.directory.models import Person
from service.scheduling.models import (
    PartStat,
    Series,
    SessionCountry,
    SessionParticipant,
    VdoSession,
)
from tests.integration.calendar_network import headers_of_person
from tests.integration.web_client import account

ZONES = {
    "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh",
    "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur",
}
INVITED = ("TH", "VN", "SG")


@dataclass
class World:
    previous: int  # the series' earlier session
    session: int  # the one under test
    people: dict[str, int] = field(default_factory=dict)  # country -> person id
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # country -> delegate


def build_world(engine: Engine) -> World:
    """Delegates of Thailand, Viet Nam and Singapore invited to two sessions of a series (the
    Thai delegate accepted, the Vietnamese declined); Malaysia's delegate invited to neither."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    with session_scope(engine) as db:
        bridge = Bridge(name="Room M", provider="manual", settings={})
        db.add(bridge)
        db.flush()
        series = Series(
            uid="series-minutes@test",
            title="Monthly coordination",
            organiser_zone="Asia/Bangkok",
            first_start_local="2000-01-01T14:00",
            duration_minutes=60,
            rule={"freq": "MONTHLY"},
            bridge_id=bridge.id or 0,
            horizon_end=start + timedelta(days=365),
        )
        db.add(series)
        db.flush()
        people = {}
        for code, zone in ZONES.items():
            person = Person(
                name=f"Delegate {code}",
                email=f"{code.lower()}@minutes.example",
                country_code=code,
                zone=zone,
            )
            db.add(person)
            db.flush()
            people[code] = person.id or 0
        ids = []
        for n in range(2):
            session = VdoSession(
                uid="series-minutes@test",
                title=f"Monthly coordination {n + 1}",
                start_utc=start + timedelta(days=28 * n),
                end_utc=start + timedelta(days=28 * n, hours=1),
                organiser_zone="Asia/Bangkok",
                bridge_id=bridge.id or 0,
                series_id=series.id,
                recurrence_id=start + timedelta(days=28 * n),
            )
            db.add(session)
            db.flush()
            ids.append(session.id or 0)
            for code in INVITED:
                db.add(SessionCountry(session_id=session.id or 0, country_code=code))
                partstat = {"TH": PartStat.accepted, "VN": PartStat.declined}.get(
                    code, PartStat.needs_action
                )
                db.add(
                    SessionParticipant(
                        session_id=session.id or 0, person_id=people[code], partstat=partstat
                    )
                )
    world = World(previous=ids[0], session=ids[1], people=people)
    world.headers = {code: headers_of_person(engine, pid) for code, pid in people.items()}
    return world


def circulated_for_review(web: TestClient, staff_headers: dict[str, str], engine: Engine) -> World:
    """Minutes with a decision that carries a script and an action for Thailand, circulated
    for a week; accounts for the Thai delegate (invited) and the Malaysian (not invited)."""
    world = build_world(engine)
    minutes = f"/api/v1/sessions/{world.session}/minutes"
    due = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    saved = web.put(
        minutes,
        headers=staff_headers,
        json={
            "base_revision": 0,
            "items": [
                {
                    "number": "4",
                    "title": "Substantive items",
                    "summary": "Members discussed the survey.",
                    "decisions": ["<script>alert(1)</script> The survey goes ahead."],
                    "actions": [{"text": "Send the survey", "owner_country": "TH", "due": due}],
                }
            ],
        },
    )
    assert saved.status_code == 200, saved.text
    deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    out = web.post(f"{minutes}/circulate", headers=staff_headers, json={"deadline": deadline})
    assert out.status_code == 200, out.text
    account(engine, "th@minutes.example", "delegate", world.people["TH"])
    account(engine, "my@minutes.example", "delegate", world.people["MY"])
    return world
