"""`vdo circular sample`: a circular of the demo data in one command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.vdo_command import VDO


def test_sample_writes_a_thai_notice_of_the_demo_session(tmp_path: Path) -> None:
    env = os.environ | {
        "VDO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "VDO_SECRET_KEY": "test-only-key",
    }
    out = tmp_path / "notice.txt"
    done = subprocess.run(
        [*VDO, "circular", "sample", "--lang", "th", "--out", out],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "หนังสือเชิญประชุม" in text
    assert "ASEAN Pubs Steering Committee" in text
