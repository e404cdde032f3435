"""The suite where no PostgreSQL server answers: a nested pytest run, as a user would start it.

With the binaries installed it starts a throw-away server and passes on both backends; without
them it says so in one line and runs SQLite alone, unless PostgreSQL was asked for by name.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import postgres_server

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests/integration/test_migrations.py"


def _unused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VDO_"))}
    args = ["-p", "no:xdist", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "run")]
    return subprocess.run(
        [sys.executable, "-m", "pytest", TARGET, *args],
        cwd=ROOT,
        env=inherited | {"VDO_TEST_POSTGRES_URL": _unused_url()} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _without_binaries(tmp_path: Path) -> dict[str, str]:
    """Environment for a run whose search for PostgreSQL binaries finds none."""
    (tmp_path / "no_postgres_binaries.py").write_text(
        "from tests.support import postgres_server\npostgres_server.find_bindir = lambda: None\n"
    )
    return {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}


@pytest.mark.skipif(postgres_server.find_bindir() is None, reason="no PostgreSQL binaries here")
def test_no_server_answering_starts_a_throw_away_one(tmp_path: Path) -> None:
    run = _pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PostgreSQL: none answered; a throw-away server" in run.stdout
    assert re.search(r"\d+ passed in", run.stdout), run.stdout  # both databases: none skipped


def test_no_server_and_no_binaries_runs_sqlite_alone_and_says_so(tmp_path: Path) -> None:
    env = _without_binaries(tmp_path)
    run = _pytest(tmp_path, **env, PYTEST_ADDOPTS="-p no_postgres_binaries")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no PostgreSQL binaries installed: running on SQLite alone" in run.stdout
    counts = re.search(r"(\d+) passed, (\d+) skipped", run.stdout)
    assert counts, run.stdout
    assert counts[1] == counts[2]  # each test ran on SQLite and was skipped on PostgreSQL


def test_postgresql_asked_for_by_name_stops_the_run_without_a_server(tmp_path: Path) -> None:
    env = _without_binaries(tmp_path)
    run = _pytest(
        tmp_path,
        **env,
        PYTEST_ADDOPTS="-p no_postgres_binaries",
        VDO_TEST_DATABASES="sqlite,postgresql",
    )
    assert run.returncode != 0
    assert "no PostgreSQL binaries (initdb, pg_ctl) are installed" in run.stderr
