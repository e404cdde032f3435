"""`vdo circular sample`: a circular of the demo data in one command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.vdo_command import VDO


def test_sample_writes_the_thai_minutes_of_the_demo_meeting_held_already(tmp_path: Path) -> None:
    env = os.environ | {
        "VDO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "VDO_SECRET_KEY": "test-only-key",
    }
    out = tmp_path / "minutes.txt"
    done = subprocess.run(
        [*VDO, "circular", "sample", "--kind", "minutes", "--lang", "th", "--out", out],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "รายงานการประชุม" in text
    assert "Human Resource Development Working Group" in text
    assert "The Meeting endorsed the joint e-learning catalogue" in text
