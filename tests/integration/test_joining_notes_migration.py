"""Migration 0014 keeps only the bridge staff's notes of sessions booked before it, on both
databases: the joining block they stored is rendered afresh from then on, so it is not doubled."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from service import migrations
from service.conferencing.models import Bridge
from service.db import make_engine, session_scope
from service.scheduling.models import VdoSession
from tests.conftest import BACKENDS

JOIN_URL = "https://zoom.example/j/81234567890"
BOOKED_BEFORE = {
    "provider": "manual",
    "join_url": JOIN_URL,
    "meeting_id": "812 3456 7890",
    "passcode": "482913",
    "dial_ins": [
        {
            "country_code": "TH",
            "number": "+6621234567",
            "pin": "123456789",
            "label": "Thailand",
            "formatted_number": "+66 2 123 4567",
        }
    ],
    "instructions": (
        f"Join online: {JOIN_URL}\nMeeting ID: 812 3456 7890\nPasscode: 482913\n\n"
        "Join by phone:\nThailand: +66 2 123 4567, PIN 123 456 789#\n\nPlease mute on entry."
    ),
    "moderator_url": None,
}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_stored_joining_blocks_become_notes_and_back(backend: str, database_url_factory) -> None:
    if backend not in BACKENDS:
        pytest.skip(f"{backend} not in VDO_TEST_DATABASES")
    engine = make_engine(database_url_factory(backend, "notes"))
    try:
        migrations.upgrade(engine, "0006")
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
        with session_scope(engine) as db:
            bridge = Bridge(name="Zoom", provider="manual")
            db.add(bridge)
            db.flush()
            for day, (title, meeting) in enumerate((("old", BOOKED_BEFORE), ("none", {}))):
                db.add(
                    VdoSession(
                        uid=f"{title}@test",
                        title=title,
                        start_utc=start + timedelta(days=day),
                        end_utc=start + timedelta(days=day, hours=1),
                        organiser_zone="Asia/Bangkok",
                        bridge_id=bridge.id or 0,
                        meeting=meeting,
                    )
                )
        migrations.upgrade(engine)
        with session_scope(engine) as db:
            meetings = {s.title: s.meeting for s in db.exec(select(VdoSession))}
        assert meetings["none"] == {}
        assert "instructions" not in meetings["old"]
        assert meetings["old"]["notes"] == "Please mute on entry."
        assert {k: v for k, v in meetings["old"].items() if k != "notes"} == {
            k: v for k, v in BOOKED_BEFORE.items() if k != "instructions"
        }

        migrations.downgrade(engine, "0006")
        with session_scope(engine) as db:
            restored = db.exec(select(VdoSession).where(VdoSession.title == "old")).one().meeting
        assert restored == BOOKED_BEFORE
    finally:
        engine.dispose()


def test_text_that_is_not_the_old_block_is_kept_unless_it_is_a_block_itself() -> None:
    path = Path(migrations.script_location()) / "versions" / "0014_joining_notes.py"
    spec = importlib.util.spec_from_file_location("joining_notes_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    reworded = dict(BOOKED_BEFORE, instructions=f"Join at {JOIN_URL}\n\nMute.")
    assert migration._notes(reworded) == ""
    assert migration._notes(dict(BOOKED_BEFORE, instructions="Only notes.")) == "Only notes."
