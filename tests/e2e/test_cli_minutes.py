"""`vdo minutes settle` adopts minutes whose deadline passed with no objection outstanding."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from service.auth import service as auth
from service.db import make_engine, session_scope
from service.minutes import operations
from service.minutes.models import Minutes
from service.minutes.schemas import MinutesSave
from tests.integration.minutes_world import build_world
from tests.support.vdo_command import VDO


def _vdo(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(VDO + args, env=env, capture_output=True, text=True, timeout=120)


def test_minutes_settle_adopts_past_deadline_minutes(tmp_path: Path) -> None:
    env = os.environ | {"VDO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    assert _vdo(["db", "upgrade"], env).returncode == 0
    engine = make_engine(env["VDO_DATABASE_URL"])
    world = build_world(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as db:
        officer = auth.create_user(db, email="o@example.org", name="Officer", role="secretariat")
        body = MinutesSave(base_revision=0, free_text="Agreed.")
        operations.save_minutes(db, world.session, body, officer.id or 0, now)
        operations.circulate(db, world.session, now + timedelta(days=1), now)
    first = _vdo(["minutes", "settle"], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("0 minutes adopted")
    with session_scope(engine) as db:
        db.exec(update(Minutes).values(deadline=now - timedelta(minutes=1)))  # type: ignore[call-overload]
    settled = _vdo(["minutes", "settle"], env)
    assert settled.returncode == 0, settled.stderr
    assert settled.stdout.split() == [
        "1",
        "minutes",
        "adopted",
        "by",
        "the",
        "silence",
        "procedure",
        str(world.session),
    ]
    with session_scope(engine) as db:
        assert db.get(Minutes, world.session).status == "adopted"  # type: ignore[union-attr]
    engine.dispose()
